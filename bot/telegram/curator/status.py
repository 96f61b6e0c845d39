"""/status in Telegram: pages of app.curator.status, redrawn in place when paging or
filtering the same organization, sent anew when opened from a district list."""

from __future__ import annotations

from functools import partial

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.actions import pack
from app.curator.actions import OnStatus, ShowDistrict, ShowStatus, StatusVerb
from app.curator.reply import Reply
from app.curator.status import Reader, Status
from app.notices import OutboxNotices
from app.screens import Screen
from app.uow import UnitOfWork
from bot import render
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.conversation import Verb, show
from bot.telegram.screens import MESSAGE_LIMIT, Pressed, markup, send, text_of
from surveys.access import Actor


def status_of(uow: UnitOfWork, actor: Actor, i18n: I18n) -> Status:
    return Status(uow, actor, Reader(partial(render.text, i18n), MESSAGE_LIMIT))


async def status_command(
    message: Message, uow: UnitOfWork, actor: Actor, state: FSMContext, bot: Bot, i18n: I18n
) -> None:
    await show(message, state, bot, i18n, await status_of(uow, actor, i18n).overview())


async def show_page(
    query: CallbackQuery,
    action: ShowDistrict | ShowStatus,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
) -> None:
    status = status_of(uow, actor, i18n)
    match action:
        case ShowDistrict(municipality, page):
            shown: Screen | Reply = await status.district(municipality, page)
            edit = page > 0
        case ShowStatus(organization, view, page):
            shown = await status.organization(organization, view, page)
            # Paging and filters redraw the same message; opening from a district is new.
            edit = _is_status_screen(query, organization)
    if isinstance(shown, Reply):
        await show(query, state, bot, i18n, shown)
        return
    if not edit or not isinstance(query.message, Message):
        await show(query, state, bot, i18n, Reply((shown,)))
        return
    await query.answer()
    try:
        await query.message.edit_text(text_of(i18n, shown), reply_markup=markup(i18n, shown))
    except TelegramBadRequest:
        # Unchanged text (a double tap) or too old to edit: send it anew.
        await send(bot, query.from_user.id, i18n, shown)


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


async def status_button(
    query: CallbackQuery,
    action: OnStatus,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
) -> None:
    status = status_of(uow, actor, i18n)
    if action.verb == StatusVerb.XLSX:
        reply = await status.xlsx(action.organization)
    else:
        reply = await status.remind(action.organization, OutboxNotices(i18n))
    await show(query, state, bot, i18n, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(status_command, Command("status"), CommandAllowed("status"))
    router.callback_query.register(show_page, Pressed(ShowDistrict, ShowStatus))
    router.callback_query.register(status_button, Verb(OnStatus, *StatusVerb))
    return router
