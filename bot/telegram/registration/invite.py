"""/invite in Telegram: the roles the person may invite, the districts or schools, the link.
The rules (app.policy) and the commit are app.registration.invites'; the link is a t.me
deep link (bot.telegram.links)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from app.registration.actions import InviteInto, InvitePage, InviteRole
from app.registration.invites import Invitations, Terms
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.links import invite_link
from bot.telegram.screens import Pressed


async def invite_start(message: Message, chat: Chat) -> None:
    await chat.show(message, Invitations(chat.uow, chat.actor).roles())


async def invite_button(
    query: CallbackQuery, action: InviteRole | InvitePage | InviteInto, chat: Chat
) -> None:
    invitations = Invitations(chat.uow, chat.actor)
    settings = chat.settings
    terms = Terms(timedelta(days=settings.invite_ttl_days), settings.invite_max_uses)
    link_for = partial(invite_link, chat.bot, settings)
    match action:
        case InviteRole(role):
            reply = await invitations.targets(role, 0, terms, link_for)
        case InvitePage(role, page):
            reply = await invitations.targets(role, page, terms, link_for)
        case InviteInto(role, target):
            reply = await invitations.into(role, target, terms, link_for)
    await chat.show(query, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(invite_start, Command("invite"), CommandAllowed("invite"))
    router.callback_query.register(invite_button, Pressed(InviteRole, InvitePage, InviteInto))
    return router
