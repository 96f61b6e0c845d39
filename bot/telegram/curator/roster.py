"""/template and roster uploads in Telegram: the edge downloads the document and hands it
to app.curator.roster, which checks, imports and answers with a workbook."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Document, Message
from aiogram.utils.i18n import I18n

from app.curator.actions import OnProgramme, ProgrammeVerb
from app.curator.reply import Reply, Step
from app.curator.roster import Roster, template
from app.screens import Screen
from app.settings import Settings
from app.uow import UnitOfWork
from bot import render
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.conversation import Verb, show
from bot.telegram.filters import Magic
from bot.telegram.links import bot_username, deep_link
from surveys.access import Actor


async def send_template(message: Message, state: FSMContext, bot: Bot, i18n: I18n) -> None:
    await show(message, state, bot, i18n, template(partial(render.text, i18n)))


async def ask_for_roster(
    query: CallbackQuery,
    action: OnProgramme,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
) -> None:
    reply = await Roster(uow, actor).ask(action.programme)
    await show(query, state, bot, i18n, reply)


async def roster_received(
    message: Message,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
) -> None:
    document = message.document
    assert document is not None
    reply = await Roster(uow, actor).upload(
        await state.get_data(),
        document.file_size,
        partial(_download, bot, document),
        timedelta(days=settings.invite_ttl_days),
        partial(render.text, i18n),
        partial(deep_link, await bot_username(bot, settings)),
    )
    await show(message, state, bot, i18n, reply)


async def _download(bot: Bot, document: Document) -> bytes | None:
    buffer = await bot.download(document)
    return buffer.read() if buffer is not None else None


async def roster_not_a_document(message: Message, state: FSMContext, bot: Bot, i18n: I18n) -> None:
    await show(message, state, bot, i18n, Reply((Screen.of("curator.roster.send_file"),)))


async def document_without_programme(
    message: Message, state: FSMContext, bot: Bot, i18n: I18n
) -> None:
    reply = Reply((Screen.of("curator.roster.choose_programme"),))
    await show(message, state, bot, i18n, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(send_template, Command("template"), CommandAllowed("template"))
    router.callback_query.register(ask_for_roster, Verb(OnProgramme, ProgrammeVerb.ROSTER))
    waiting = StateFilter(Step.ROSTER)
    router.message.register(roster_received, waiting, Magic(F.document))
    router.message.register(roster_not_a_document, waiting, Magic(~F.text.startswith("/")))
    router.message.register(
        document_without_programme, Magic(F.document), CommandAllowed("template")
    )
    return router
