"""/pairs in Telegram: each handler reads the press, calls one step of app.curator.pairs
and shows the reply; the rules and the commits are the use case's."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.curator.actions import ChangeMember, OnPair, OnProgramme, PairVerb, Pick, ProgrammeVerb
from app.curator.pairs import Deadlines, Pairs
from app.curator.reply import Step
from app.settings import Settings
from app.uow import UnitOfWork
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.conversation import Verb, show
from bot.telegram.notify import OutboxNotices
from bot.telegram.screens import Pressed
from surveys.access import Actor
from surveys.questionnaire import Catalogue

PROGRAMME_VERBS = (
    ProgrammeVerb.PAIRS,
    ProgrammeVerb.FORM_ROSTER,
    ProgrammeVerb.NEW_PAIR,
    ProgrammeVerb.COMPLETE,
    ProgrammeVerb.COMPLETE_YES,
)


def pairs_of(
    uow: UnitOfWork, actor: Actor, catalogue: Catalogue, settings: Settings, i18n: I18n
) -> Pairs:
    deadlines = Deadlines(settings.start_due_days, settings.completion_due_days)
    return Pairs(uow, actor, catalogue, OutboxNotices(i18n), deadlines)


async def pairs_command(
    message: Message,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    reply = await pairs_of(uow, actor, catalogue, settings, i18n).overview()
    await show(message, state, bot, i18n, reply)


async def pair_button(
    query: CallbackQuery,
    action: OnProgramme | OnPair | ChangeMember | Pick,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    pairs = pairs_of(uow, actor, catalogue, settings, i18n)
    match action:
        case OnProgramme(ProgrammeVerb.PAIRS, programme):
            reply = await pairs.of_programme(programme)
        case OnProgramme(ProgrammeVerb.FORM_ROSTER, programme):
            reply = await pairs.form_from_roster(programme)
        case OnProgramme(ProgrammeVerb.NEW_PAIR, programme):
            reply = await pairs.start_forming(programme)
        case OnProgramme(ProgrammeVerb.COMPLETE, programme):
            reply = await pairs.ask_complete_programme(programme)
        case OnProgramme(ProgrammeVerb.COMPLETE_YES, programme):
            reply = await pairs.complete_programme(programme)
        case OnPair(PairVerb.OPEN, pair):
            reply = await pairs.open(pair)
        case OnPair(PairVerb.COMPLETE, pair):
            reply = await pairs.ask_complete(pair)
        case OnPair(PairVerb.COMPLETE_YES, pair):
            reply = await pairs.complete(pair)
        case OnPair(PairVerb.DISSOLVE, pair):
            reply = await pairs.dissolve(pair)
        case OnPair(verb, pair):
            reply = await pairs.ask_member(verb, pair)
        case ChangeMember(verb, pair, person):
            reply = await pairs.change_member(verb, pair, person)
        case Pick(step, person) if await state.get_state() == Step.MENTOR:
            reply = await pairs.pick_mentor(step, person, await state.get_data())
        case Pick(step, person):
            reply = await pairs.toggle_mentee(step, person, await state.get_data())
    await show(query, state, bot, i18n, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(pairs_command, Command("pairs"), CommandAllowed("pairs"))
    router.callback_query.register(pair_button, Verb(OnProgramme, *PROGRAMME_VERBS))
    router.callback_query.register(pair_button, Verb(OnPair, *PairVerb))
    router.callback_query.register(pair_button, Pressed(ChangeMember))
    router.callback_query.register(
        pair_button, StateFilter(Step.MENTOR, Step.MENTEES), Pressed(Pick)
    )
    return router
