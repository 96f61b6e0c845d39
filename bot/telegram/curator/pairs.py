"""/pairs in Telegram: each handler reads the press, calls one step of app.curator.pairs
and shows the reply (or runs the bulk job it hands back); the rules and the commits are
the use case's."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.curator.actions import ChangeMember, OnPair, OnProgramme, PairVerb, Pick, ProgrammeVerb
from app.curator.pairs import Deadlines, Pairs
from app.curator.reply import Step
from app.notices import OutboxNotices
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.curator import bulk
from bot.telegram.curator.conversation import Verb
from bot.telegram.screens import Pressed
from surveys.questionnaire import Catalogue

PROGRAMME_VERBS = (ProgrammeVerb.PAIRS, ProgrammeVerb.NEW_PAIR, ProgrammeVerb.COMPLETE)
BULK_VERBS = (ProgrammeVerb.FORM_ROSTER, ProgrammeVerb.COMPLETE_YES)


def pairs_of(chat: Chat, catalogue: Catalogue) -> Pairs:
    settings = chat.settings
    deadlines = Deadlines(settings.start_due_days, settings.completion_due_days)
    return Pairs(chat.uow, chat.actor, catalogue, OutboxNotices(chat.i18n), deadlines)


async def pairs_command(message: Message, chat: Chat, catalogue: Catalogue) -> None:
    await chat.show(message, await pairs_of(chat, catalogue).overview())


async def bulk_button(
    query: CallbackQuery,
    action: OnProgramme,
    chat: Chat,
    catalogue: Catalogue,
    session_factory: async_sessionmaker[AsyncSession],
    curator_jobs: bulk.CuratorJobs,
) -> None:
    """Pairs from the roster, completing a programme: work on many pairs, in steps."""
    pairs = pairs_of(chat, catalogue)
    if action.verb == ProgrammeVerb.FORM_ROSTER:
        job = await pairs.form_from_roster(action.programme, session_factory)
    else:
        job = await pairs.complete_programme(action.programme, session_factory)
    await bulk.run(query, job, curator_jobs, chat.bot, chat.i18n)


async def pair_button(
    query: CallbackQuery,
    action: OnProgramme | OnPair | ChangeMember | Pick,
    chat: Chat,
    catalogue: Catalogue,
) -> None:
    state = chat.state
    pairs = pairs_of(chat, catalogue)
    reply = await pairs.press(action, await state.get_state(), await state.get_data())
    await chat.show(query, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(pairs_command, Command("pairs"), CommandAllowed("pairs"))
    router.callback_query.register(pair_button, Verb(OnProgramme, *PROGRAMME_VERBS))
    router.callback_query.register(bulk_button, Verb(OnProgramme, *BULK_VERBS))
    router.callback_query.register(pair_button, Verb(OnPair, *PairVerb))
    router.callback_query.register(pair_button, Pressed(ChangeMember))
    router.callback_query.register(
        pair_button, StateFilter(Step.MENTOR, Step.MENTEES), Pressed(Pick)
    )
    return router
