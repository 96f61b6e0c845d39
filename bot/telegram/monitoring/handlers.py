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
from app.monitoring.screens import Outreach, RoundPress, Rounds, RoundStep
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


async def round_button(
    query: CallbackQuery, action: RoundPress, chat: Chat, catalogue: Catalogue
) -> None:
    reply = await Rounds(chat.uow, chat.actor).press(action, outreach(chat, catalogue))
    await chat.show(query, reply)


async def value_typed(message: Message, chat: Chat) -> None:
    rounds = Rounds(chat.uow, chat.actor)
    state = chat.state
    reply = await rounds.typed(await state.get_state(), message.text or "", await state.get_data())
    await chat.show(message, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(rounds_command, Command("rounds"), CommandAllowed("rounds"))
    router.callback_query.register(
        round_button, Pressed(StartRound, ChooseRoundKind, ChooseRoundScope)
    )
    router.callback_query.register(round_button, Verb(OnRound, *RoundVerb))
    router.callback_query.register(round_button, Pressed(SendCheckins))
    router.message.register(value_typed, StateFilter(*TYPED_STEPS), typed_text())
    router.message.register(
        saying(Msg("curator.type_text")), StateFilter(*TYPED_STEPS), Magic(~F.text)
    )
    return router
