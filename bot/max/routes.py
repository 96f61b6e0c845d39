"""What each MAX update asks for, and the use case that answers it.

Questionnaires are answered through app.survey exactly as on Telegram; the conversation
state (which answered question is being changed) is the same pair, kept in the MAX state
store. The curator's, methodist's and administrator's screens are bot/max/curator.py's.
Features whose use cases are not in app/ yet are answered with a polite «not in MAX yet»
and the Telegram bot keeps serving them.
"""

from __future__ import annotations

from app.actions import unpack
from app.screens import Msg, Screen
from app.survey.actions import (
    AnswerWith,
    Back,
    Change,
    DoneChoosing,
    OpenAssignment,
    SkipQuestion,
    Submit,
    Toggle,
)
from app.survey.use_cases import KEEP, Editing, Survey
from app.survey.use_cases import Turn as SurveyTurn
from bot.max import curator, export
from bot.max.edge import Turn, mark_unreachable
from bot.max.screens import keyboard
from bot.max.updates import Kind
from surveys.people import Role

EDITING = "survey_editing"
PARTICIPANTS = frozenset({Role.MENTOR, Role.MENTEE})
CURATORS = frozenset({Role.CURATOR})
OVERSEERS = frozenset({Role.ADMIN, Role.METHODIST, Role.CURATOR})
# The commands MAX offers, in the order of the help, and who may use each (None: everyone;
# an empty set: every registered person) — the same audiences as the Telegram menu.
COMMANDS: dict[str, frozenset[Role] | None] = {
    "start": None,
    "help": None,
    "survey": PARTICIPANTS,
    "programmes": CURATORS,
    "pairs": CURATORS,
    "template": CURATORS,
    "status": OVERSEERS,
    "export": OVERSEERS,
    "cancel": None,
}


def allowed(turn: Turn, name: str) -> bool:
    roles = COMMANDS.get(name)
    if roles is None:
        return name in COMMANDS
    actor = turn.actor
    if not roles:
        return actor.person_id is not None
    return bool(roles & actor.roles)


async def route(turn: Turn) -> None:
    incoming = turn.incoming
    match incoming.kind:
        case Kind.STOPPED:
            await mark_unreachable(turn)
        case Kind.STARTED:
            await started(turn)
        case Kind.PRESS:
            await pressed(turn)
        case Kind.MESSAGE if incoming.files:
            await sent_file(turn)
        case Kind.MESSAGE:
            await typed(turn, (incoming.text or "").strip())


async def started(turn: Turn) -> None:
    """The «Начать» button or a deep link max.ru/<bot>?start=<code>."""
    if turn.incoming.text:
        # Invitation links are answered once registration is a use case (app/); until then
        # the same link opened in Telegram registers the person.
        await turn.show(Screen.of("max.not_yet"))
        return
    await show_help(turn)


async def show_help(turn: Turn) -> None:
    registered = turn.actor.person_id is not None or turn.actor.is_admin
    intro = Msg("help.registered") if registered else Msg("help.stranger")
    names = [name for name in COMMANDS if allowed(turn, name)]
    lines = tuple(f"/{name} — {turn.text(Msg(f'command.{name}'))}" for name in names)
    await turn.show(Screen((intro, "", *lines)))


async def sent_file(turn: Turn) -> None:
    if curator.waiting(turn) or allowed(turn, "template"):
        await curator.sent_file(turn, turn.incoming.files[0])
    else:
        await turn.show(Screen.of("fallback.stray"))


async def typed(turn: Turn, text: str) -> None:
    command = text.split(maxsplit=1)[0].lower() if text.startswith("/") else None
    name = command[1:] if command else ""
    if command is not None and name in curator.COMMANDS:
        if not allowed(turn, name):
            await turn.show(Screen.of("access.denied"))
            return
        await curator.command(turn, name)
        return
    if command == "/export":
        if not allowed(turn, "export"):
            await turn.show(Screen.of("access.denied"))
            return
        await export.command(turn)
        return
    if command is None and text and curator.waiting(turn):
        await curator.typed(turn, text)
        return
    if command is None and text and export.waiting(turn):
        await export.typed(turn, text)
        return
    match command:
        case "/start" | "/help":
            await show_help(turn)
        case "/cancel":
            turn.forget_conversation()  # the curator's steps and the survey's alike
            await turn.show(Screen.of("cancel.done"))
        case "/survey" if turn.actor.person_id is not None:
            await _show(turn, await Survey(turn.uow, turn.actor).overview())
        case None if turn.actor.person_id is not None and text:
            result = await Survey(turn.uow, turn.actor).text(text, _editing(turn))
            if result is None:
                await turn.show(Screen.of("fallback.stray"))
                return
            if result.notice is not None:
                await turn.show(Screen((result.notice,)))
            await _show(turn, result)
        case None:
            key = "fallback.stray" if turn.actor.person_id else "help.stranger"
            await turn.show(Screen.of(key))
        case "/invite" | "/forget":
            await turn.show(Screen.of("max.not_yet"))
        case _:
            await turn.show(Screen.of("fallback.unknown_command"))


async def pressed(turn: Turn) -> None:
    action = unpack(turn.incoming.text)
    if turn.actor.person_id is None and not turn.actor.is_admin:
        await turn.notify(Msg("fallback.stale_button"))
        return
    if isinstance(action, curator.CURATOR_ACTIONS):
        await curator.pressed(turn, action)
        return
    if isinstance(action, export.EXPORT_ACTIONS):
        await export.pressed(turn, action)
        return
    survey = Survey(turn.uow, turn.actor)
    editing = _editing(turn)
    match action:
        case AnswerWith(a, q, v):
            result = await survey.answer(a, q, v, editing)
        case DoneChoosing(a, q, mask):
            result = await survey.choose(a, q, mask, editing)
        case Toggle(a, q, mask):
            result = await survey.toggle(a, q, mask, editing)
        case SkipQuestion(a, q):
            result = await survey.skip(a, q, editing)
        case Back(a, q):
            result = await survey.back(a, q)
        case Change(a, q):
            result = await survey.change(a, q)
        case Submit(a):
            result = await survey.submit(a)
        case OpenAssignment(assignment):
            result = await survey.open(assignment)
            # The invitation keeps its button: it opens the questionnaire again later.
            await turn.notify()
            await _show(turn, result)
            return
        case _:
            await turn.notify(Msg("fallback.stale_button"))
            return
    await _answer_press(turn, result)


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
            keyboard=keyboard(turn.reader, result.redraw),
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
