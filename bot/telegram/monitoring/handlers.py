"""/rounds in Telegram, and the check-in button of a curator's /status: each handler reads
the press or the text, calls one step of app.monitoring.screens and shows the reply; the
rules, the scope and the commits are the use case's."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

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
from app.reply import Reply
from app.screens import Screen
from app.settings import Settings
from app.uow import UnitOfWork
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.conversation import Verb, show
from bot.telegram.filters import Magic, typed_text
from bot.telegram.screens import Pressed
from surveys.access import Actor
from surveys.questionnaire import Catalogue

TYPED_STEPS = (RoundStep.PERIOD, RoundStep.DEADLINE)


def outreach(catalogue: Catalogue, settings: Settings, i18n: I18n) -> Outreach:
    return Outreach(catalogue, OutboxNotices(i18n), settings.start_due_days)


async def rounds_command(
    message: Message, uow: UnitOfWork, actor: Actor, state: FSMContext, bot: Bot, i18n: I18n
) -> None:
    await show(message, state, bot, i18n, await Rounds(uow, actor).overview())


async def opening_button(
    query: CallbackQuery,
    action: StartRound | ChooseRoundKind | ChooseRoundScope,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
) -> None:
    rounds = Rounds(uow, actor)
    match action:
        case StartRound():
            reply = rounds.start()
        case ChooseRoundKind(kind):
            reply = await rounds.choose_kind(kind)
        case ChooseRoundScope(kind, municipality):
            reply = rounds.choose_scope(kind, municipality)
    await show(query, state, bot, i18n, reply)


async def round_button(
    query: CallbackQuery,
    action: OnRound,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    rounds = Rounds(uow, actor)
    match action.verb:
        case RoundVerb.CLOSE:
            reply = await rounds.ask_close(action.round)
        case RoundVerb.CLOSE_YES:
            reply = await rounds.close(action.round)
        case RoundVerb.REMIND:
            reply = await rounds.remind(action.round, OutboxNotices(i18n))
        case RoundVerb.CHECKIN:
            reply = await rounds.ask_checkin(action.round)
        case _:
            reply = await rounds.checkin(action.round, outreach(catalogue, settings, i18n))
    await show(query, state, bot, i18n, reply)


async def checkin_button(
    query: CallbackQuery,
    action: SendCheckins,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    reply = await Rounds(uow, actor).school_checkin(
        action.organization, action.confirmed, outreach(catalogue, settings, i18n)
    )
    await show(query, state, bot, i18n, reply)


async def value_typed(
    message: Message, uow: UnitOfWork, actor: Actor, state: FSMContext, bot: Bot, i18n: I18n
) -> None:
    rounds = Rounds(uow, actor)
    typed = message.text or ""
    if await state.get_state() == RoundStep.PERIOD:
        reply = rounds.give_period(typed)
    else:
        reply = await rounds.give_deadline(typed, await state.get_data())
    await show(message, state, bot, i18n, reply)


async def sent_instead_of_text(message: Message, state: FSMContext, bot: Bot, i18n: I18n) -> None:
    await show(message, state, bot, i18n, Reply((Screen.of("curator.type_text"),)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(rounds_command, Command("rounds"), CommandAllowed("rounds"))
    router.callback_query.register(
        opening_button, Pressed(StartRound, ChooseRoundKind, ChooseRoundScope)
    )
    router.callback_query.register(round_button, Verb(OnRound, *RoundVerb))
    router.callback_query.register(checkin_button, Pressed(SendCheckins))
    router.message.register(value_typed, StateFilter(*TYPED_STEPS), typed_text())
    router.message.register(sent_instead_of_text, StateFilter(*TYPED_STEPS), Magic(~F.text))
    return router
