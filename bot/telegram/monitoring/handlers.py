"""/rounds in Telegram, and the check-in button of a curator's /status: each handler reads
the press or the text, calls one step of app.monitoring.screens and shows the reply; the
rules, the scope and the commits are the use case's."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from app.monitoring.actions import (
    ChooseRoundKind,
    ChooseRoundScope,
    OnRound,
    RoundVerb,
    SendCheckins,
    StartRound,
)
from app.monitoring.screens import Outreach, Rounds, RoundStep
from app.notices import OutboxNotices
from app.screens import Msg
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat, saying
from bot.telegram.curator.conversation import Verb
from bot.telegram.filters import Magic, typed_text
from bot.telegram.screens import Pressed
from surveys.questionnaire import Catalogue

TYPED_STEPS = (RoundStep.PERIOD, RoundStep.DEADLINE)


def outreach(chat: Chat, catalogue: Catalogue) -> Outreach:
    return Outreach(catalogue, OutboxNotices(chat.i18n), chat.settings.start_due_days)


async def rounds_command(message: Message, chat: Chat) -> None:
    await chat.show(message, await Rounds(chat.uow, chat.actor).overview())


async def opening_button(
    query: CallbackQuery, action: StartRound | ChooseRoundKind | ChooseRoundScope, chat: Chat
) -> None:
    rounds = Rounds(chat.uow, chat.actor)
    match action:
        case StartRound():
            reply = rounds.start()
        case ChooseRoundKind(kind):
            reply = await rounds.choose_kind(kind)
        case ChooseRoundScope(kind, municipality):
            reply = rounds.choose_scope(kind, municipality)
    await chat.show(query, reply)


async def round_button(
    query: CallbackQuery, action: OnRound, chat: Chat, catalogue: Catalogue
) -> None:
    rounds = Rounds(chat.uow, chat.actor)
    match action.verb:
        case RoundVerb.CLOSE:
            reply = await rounds.ask_close(action.round)
        case RoundVerb.CLOSE_YES:
            reply = await rounds.close(action.round)
        case RoundVerb.REMIND:
            reply = await rounds.remind(action.round, OutboxNotices(chat.i18n))
        case RoundVerb.CHECKIN:
            reply = await rounds.ask_checkin(action.round)
        case _:
            reply = await rounds.checkin(action.round, outreach(chat, catalogue))
    await chat.show(query, reply)


async def checkin_button(
    query: CallbackQuery, action: SendCheckins, chat: Chat, catalogue: Catalogue
) -> None:
    reply = await Rounds(chat.uow, chat.actor).school_checkin(
        action.organization, action.confirmed, outreach(chat, catalogue)
    )
    await chat.show(query, reply)


async def value_typed(message: Message, chat: Chat) -> None:
    rounds = Rounds(chat.uow, chat.actor)
    typed = message.text or ""
    if await chat.state.get_state() == RoundStep.PERIOD:
        reply = rounds.give_period(typed)
    else:
        reply = await rounds.give_deadline(typed, await chat.state.get_data())
    await chat.show(message, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(rounds_command, Command("rounds"), CommandAllowed("rounds"))
    router.callback_query.register(
        opening_button, Pressed(StartRound, ChooseRoundKind, ChooseRoundScope)
    )
    router.callback_query.register(round_button, Verb(OnRound, *RoundVerb))
    router.callback_query.register(checkin_button, Pressed(SendCheckins))
    router.message.register(value_typed, StateFilter(*TYPED_STEPS), typed_text())
    router.message.register(
        saying(Msg("curator.type_text")), StateFilter(*TYPED_STEPS), Magic(~F.text)
    )
    return router
