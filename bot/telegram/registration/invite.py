"""/invite in Telegram: the roles the person may invite, the districts or schools, the link.
The rules (app.policy) and the commit are app.registration.invites'; the link is a t.me
deep link (bot.telegram.links)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.registration.actions import InviteInto, InvitePage, InviteRole
from app.registration.invites import Invitations, Terms
from app.settings import Settings
from app.uow import UnitOfWork
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import show
from bot.telegram.links import invite_link
from bot.telegram.screens import Pressed
from surveys.access import Actor


async def invite_start(
    message: Message, uow: UnitOfWork, actor: Actor, state: FSMContext, bot: Bot, i18n: I18n
) -> None:
    await show(message, state, bot, i18n, Invitations(uow, actor).roles())


async def invite_button(
    query: CallbackQuery,
    action: InviteRole | InvitePage | InviteInto,
    uow: UnitOfWork,
    actor: Actor,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
) -> None:
    invitations = Invitations(uow, actor)
    terms = Terms(timedelta(days=settings.invite_ttl_days), settings.invite_max_uses)
    link_for = partial(invite_link, bot, settings)
    match action:
        case InviteRole(role):
            reply = await invitations.targets(role, 0, terms, link_for)
        case InvitePage(role, page):
            reply = await invitations.targets(role, page, terms, link_for)
        case InviteInto(role, target):
            reply = await invitations.into(role, target, terms, link_for)
    await show(query, state, bot, i18n, reply)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(invite_start, Command("invite"), CommandAllowed("invite"))
    router.callback_query.register(invite_button, Pressed(InviteRole, InvitePage, InviteInto))
    return router
