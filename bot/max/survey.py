"""Questionnaires in MAX: answered through app.survey exactly as in Telegram; the
conversation state (which answered question is being changed) is the same pair, kept in
the MAX state store."""

from __future__ import annotations

from app.actions import Action
from app.screens import Msg, Screen
from app.survey.actions import OpenAssignment
from app.survey.use_cases import KEEP, Editing, QuestionPress, Survey
from app.survey.use_cases import Turn as SurveyTurn
from bot.max.edge import Turn
from bot.max.screens import keyboard

EDITING = "survey_editing"


async def overview(turn: Turn) -> None:
    await _show(turn, await Survey(turn.uow, turn.actor).overview())


async def typed(turn: Turn, text: str) -> None:
    """Free text: the answer to a text question, or a stray message."""
    result = await Survey(turn.uow, turn.actor).text(text, _editing(turn))
    if result is None:
        await turn.show(Screen.of("fallback.stray"))
        return
    if result.notice is not None:
        await turn.show(Screen((result.notice,)))
    await _show(turn, result)


async def pressed(turn: Turn, action: Action) -> None:
    survey = Survey(turn.uow, turn.actor)
    if isinstance(action, OpenAssignment):
        # The invitation keeps its button: it opens the questionnaire again later.
        await turn.notify()
        await _show(turn, await survey.open(action.assignment))
        return
    if not isinstance(action, QuestionPress):
        await turn.notify(Msg("fallback.stale_button"))
        return
    await _answer_press(turn, await survey.press(action, _editing(turn)))


async def _answer_press(turn: Turn, result: SurveyTurn) -> None:
    """Like Telegram: a redraw replaces the pressed buttons; a notice pops up; otherwise the
    pressed buttons go (a second tap has nothing to press) and the next screen follows."""
    incoming = turn.incoming
    assert incoming.callback_id is not None
    if result.redraw is not None:
        turn.answered = True
        await turn.client.answer(
            turn.user_id,
            incoming.callback_id,
            text=incoming.pressed_text or "…",
            keyboard=keyboard(turn.reader, result.redraw, incoming.text),
        )
        return
    if result.notice is not None:
        await turn.notify(result.notice)
    elif result.screens:
        turn.answered = True
        await turn.client.answer(
            turn.user_id, incoming.callback_id, text=incoming.pressed_text or "…", keyboard=None
        )
    await _show(turn, result)


async def _show(turn: Turn, result: SurveyTurn) -> None:
    if result.editing != KEEP and result.editing != _editing(turn):
        turn.remember(**{EDITING: list(result.editing) if result.editing else None})
    await turn.show(*result.screens)


def _editing(turn: Turn) -> Editing | None:
    editing = turn.state.get(EDITING)
    if isinstance(editing, list) and len(editing) == 2:
        return int(editing[0]), str(editing[1])
    return None
