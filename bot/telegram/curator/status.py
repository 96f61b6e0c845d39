"""/status in Telegram: pages of app.curator.status, redrawn in place when paging or
filtering the same organization, sent anew when opened from a district list."""

from __future__ import annotations

from functools import partial

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from app.actions import pack
from app.curator.actions import OnStatus, ShowDistrict, ShowStatus, StatusVerb
from app.curator.reply import Reply
from app.curator.status import Reader, Status
from app.notices import OutboxNotices
from app.screens import Screen
from bot import render
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.curator.conversation import Verb
from bot.telegram.screens import MESSAGE_LIMIT, Pressed, markup, text_of


def status_of(chat: Chat) -> Status:
    return Status(chat.uow, chat.actor, Reader(partial(render.text, chat.i18n), MESSAGE_LIMIT))


async def status_command(message: Message, chat: Chat) -> None:
    await chat.show(message, await status_of(chat).overview())


async def show_page(query: CallbackQuery, action: ShowDistrict | ShowStatus, chat: Chat) -> None:
    status = status_of(chat)
    match action:
        case ShowDistrict(municipality, page):
            shown: Screen | Reply = await status.district(municipality, page)
            edit = page > 0
        case ShowStatus(organization, view, page):
            shown = await status.organization(organization, view, page)
            # Paging and filters redraw the same message; opening from a district is new.
            edit = _is_status_screen(query, organization)
    if isinstance(shown, Reply):
        await chat.show(query, shown)
        return
    if not edit or not isinstance(query.message, Message):
        await chat.show(query, Reply((shown,)))
        return
    await query.answer()
    i18n = chat.i18n
    try:
        await query.message.edit_text(text_of(i18n, shown), reply_markup=markup(i18n, shown))
    except TelegramBadRequest:
        # Unchanged text (a double tap) or too old to edit: send it anew.
        await chat.send(query.from_user.id, shown)


def _is_status_screen(query: CallbackQuery, organization_id: int) -> bool:
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    own = pack(OnStatus(StatusVerb.XLSX, organization_id))
    return any(
        button.callback_data == own
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def status_button(query: CallbackQuery, action: OnStatus, chat: Chat) -> None:
    status = status_of(chat)
    if action.verb == StatusVerb.XLSX:
        reply = await status.xlsx(action.organization)
    else:
        reply = await status.remind(action.organization, OutboxNotices(chat.i18n))
    await chat.show(query, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(status_command, Command("status"), CommandAllowed("status"))
    router.callback_query.register(show_page, Pressed(ShowDistrict, ShowStatus))
    router.callback_query.register(status_button, Verb(OnStatus, *StatusVerb))
    return router
