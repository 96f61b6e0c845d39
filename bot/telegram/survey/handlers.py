"""Answering questionnaires in Telegram: /survey, the invitation's button, one question per
message. Each handler reads the press or the text, calls one step of app.survey and shows
the result; the rules and the commits are the use case's."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from app.survey import actions as press
from app.survey.use_cases import KEEP, Editing, QuestionPress, Survey, Turn
from bot import render
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.filters import typed_text
from bot.telegram.screens import Pressed, drop_buttons, redraw_buttons
from surveys.access import Actor

EDITING = "survey_editing"  # FSM data: [assignment id, question key] being changed


async def editing_of(state: FSMContext) -> Editing | None:
    editing = (await state.get_data()).get(EDITING)
    if isinstance(editing, list) and len(editing) == 2:
        return int(editing[0]), str(editing[1])
    return None


async def keep_editing(state: FSMContext, turn: Turn, before: Editing | None) -> None:
    """Store which question is being changed, only when it changed (an FSM write per
    answer would cost every answer a round trip)."""
    if turn.editing != KEEP and turn.editing != before:
        await state.update_data({EDITING: list(turn.editing) if turn.editing else None})


async def pressed(
    query: CallbackQuery, chat: Chat, turn: Turn, before: Editing | None, *, drop: bool = True
) -> None:
    """Show a step's result for a button press; the pressed buttons go (`drop`) once the
    step moved on, so a second tap has nothing to press."""
    if turn.redraw is not None:
        await query.answer()
        await redraw_buttons(query, chat.i18n, turn.redraw)
        return
    notice = render.text(chat.i18n, turn.notice) if turn.notice is not None else None
    await query.answer(notice, show_alert=turn.alert)
    if drop and turn.screens and turn.notice is None:
        await drop_buttons(query)
    await keep_editing(chat.state, turn, before)
    await chat.send(query.from_user.id, *turn.screens)


async def survey_command(message: Message, chat: Chat) -> None:
    turn = await Survey(chat.uow, chat.actor).overview()
    await keep_editing(chat.state, turn, await editing_of(chat.state))
    await chat.send(message.chat.id, *turn.screens)


async def open_assignment(query: CallbackQuery, action: press.OpenAssignment, chat: Chat) -> None:
    turn = await Survey(chat.uow, chat.actor).open(action.assignment)
    # The invitation keeps its button: it opens the questionnaire again later.
    await pressed(query, chat, turn, await editing_of(chat.state), drop=False)


async def question_button(query: CallbackQuery, action: QuestionPress, chat: Chat) -> None:
    editing = await editing_of(chat.state)
    turn = await Survey(chat.uow, chat.actor).press(action, editing)
    await pressed(query, chat, turn, editing)


async def text_answer(message: Message, chat: Chat) -> None:
    """Free text goes to the questionnaire being answered; with none, to the fallback."""
    editing = await editing_of(chat.state)
    turn = await Survey(chat.uow, chat.actor).text(message.text or "", editing)
    if turn is None:
        raise SkipHandler
    if turn.notice is not None:
        await message.answer(render.text(chat.i18n, turn.notice))
    await keep_editing(chat.state, turn, editing)
    await chat.send(message.chat.id, *turn.screens)


async def person_known(_event: Any, actor: Actor | None = None, **_kw: Any) -> bool:
    return actor is not None and actor.person_id is not None


def create_router() -> Router:
    """/survey and free-text answers: after the other conversations, which own their text."""
    router = Router(name=__name__)
    router.message.register(survey_command, Command("survey"), CommandAllowed("survey"))
    # StateFilter(None): text typed inside another conversation belongs to that one.
    router.message.register(text_answer, StateFilter(None), typed_text(), person_known)
    return router


def create_button_router() -> Router:
    """The questionnaire's buttons. Their payloads are ours alone, so this router sits near
    the front: an answer tap (the bot's most frequent update) is not offered to every other
    router's filters first."""
    router = Router(name=f"{__name__}.buttons")
    router.callback_query.register(
        question_button,
        Pressed(press.AnswerWith, press.DoneChoosing, press.Toggle, press.SkipQuestion),
    )
    router.callback_query.register(question_button, Pressed(press.Back, press.Change, press.Submit))
    router.callback_query.register(open_assignment, Pressed(press.OpenAssignment))
    return router
