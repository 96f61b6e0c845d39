"""/invite in Telegram: the roles the person may invite, the districts or schools, the link.
The rules (app.policy) and the commit are app.registration.invites'; the link is a t.me
deep link (bot.telegram.links)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from app.registration.invites import INVITE_PRESSES, Invitations, Press, Terms
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.links import invite_link
from bot.telegram.screens import Pressed


async def invite_start(message: Message, chat: Chat) -> None:
    await chat.show(message, Invitations(chat.uow, chat.actor).roles())


async def invite_button(query: CallbackQuery, action: Press, chat: Chat) -> None:
    settings = chat.settings
    terms = Terms(timedelta(days=settings.invite_ttl_days), settings.invite_max_uses)
    link_for = partial(invite_link, chat.bot, settings)
    await chat.show(query, await Invitations(chat.uow, chat.actor).press(action, terms, link_for))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(invite_start, Command("invite"), CommandAllowed("invite"))
    router.callback_query.register(invite_button, Pressed(*INVITE_PRESSES))
    return router
