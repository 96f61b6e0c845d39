"""Commands that work for everyone and in any state: /start (no code), /help, /cancel,
/forget."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.privacy.actions import Withdraw, ask
from app.privacy.forget import forget
from app.registration.home import Home
from app.settings import Settings
from app.uow import UnitOfWork
from bot import render
from bot.telegram.commands import CommandAllowed, clear_chat_menu, commands_for
from bot.telegram.conversation import Chat, show
from bot.telegram.screens import Pressed, drop_buttons
from surveys.access import Actor


def command_names(actor: Actor) -> list[str]:
    return [spec.name for spec in commands_for(actor)]


async def start_without_code(message: Message, chat: Chat) -> None:
    await chat.show(message, await Home(chat.uow, chat.actor).menu(command_names(chat.actor)))


async def show_help(message: Message, chat: Chat) -> None:
    await chat.show(message, Home(chat.uow, chat.actor).help(command_names(chat.actor)))


async def cancel(message: Message, chat: Chat) -> None:
    in_conversation = await chat.state.get_state() is not None
    await chat.show(message, Home.cancel(in_conversation))


async def forget_ask(message: Message, state: FSMContext, bot: Bot, i18n: I18n) -> None:
    await show(message, state, bot, i18n, ask())


async def forget_answered(
    query: CallbackQuery,
    action: Withdraw,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
) -> None:
    await query.answer()
    await drop_buttons(query)
    if not action.confirm and actor.person_id is not None:
        await bot.send_message(query.from_user.id, _("forget.kept"))
        return
    withdrawal = await forget(uow, actor, state.clear, settings.export_dir)
    if withdrawal.erased:
        await clear_chat_menu(bot, query.from_user.id)
    await bot.send_message(query.from_user.id, render.text(i18n, withdrawal.said))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_without_code, CommandStart(deep_link=False))
    router.message.register(show_help, Command("help"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(forget_ask, Command("forget"), CommandAllowed("forget"))
    router.callback_query.register(forget_answered, Pressed(Withdraw))
    return router
