"""/template and roster uploads in Telegram: the edge downloads the document and hands it
to app.curator.roster, which checks, imports and answers with a workbook."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Document, Message

from app.curator.actions import OnProgramme, ProgrammeVerb
from app.curator.reply import Step
from app.curator.roster import Roster, template
from app.screens import Msg
from bot import render
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat, saying
from bot.telegram.curator.conversation import Verb
from bot.telegram.filters import Magic
from bot.telegram.links import bot_username, deep_link


async def send_template(message: Message, chat: Chat) -> None:
    await chat.show(message, template(partial(render.text, chat.i18n)))


async def ask_for_roster(query: CallbackQuery, action: OnProgramme, chat: Chat) -> None:
    await chat.show(query, await Roster(chat.uow, chat.actor).ask(action.programme))


async def roster_received(message: Message, chat: Chat) -> None:
    document = message.document
    assert document is not None
    bot, settings = chat.bot, chat.settings
    reply = await Roster(chat.uow, chat.actor).upload(
        await chat.state.get_data(),
        document.file_size,
        partial(_download, bot, document),
        timedelta(days=settings.invite_ttl_days),
        partial(render.text, chat.i18n),
        partial(deep_link, await bot_username(bot, settings)),
    )
    await chat.show(message, reply)


async def _download(bot: Bot, document: Document) -> bytes | None:
    buffer = await bot.download(document)
    return buffer.read() if buffer is not None else None


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(send_template, Command("template"), CommandAllowed("template"))
    router.callback_query.register(ask_for_roster, Verb(OnProgramme, ProgrammeVerb.ROSTER))
    waiting = StateFilter(Step.ROSTER)
    router.message.register(roster_received, waiting, Magic(F.document))
    router.message.register(
        saying(Msg("curator.roster.send_file")), waiting, Magic(~F.text.startswith("/"))
    )
    # A workbook sent without choosing the programme it is the roster of first.
    router.message.register(
        saying(Msg("curator.roster.choose_programme")),
        Magic(F.document),
        CommandAllowed("template"),
    )
    return router
