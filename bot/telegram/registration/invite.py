"""/invite: admins invite methodists (and curators), methodists invite curators of their
district's schools, curators invite mentors and mentees of their school."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot.telegram import keyboards
from bot.telegram.callbacks import InvitePickCb, InviteRoleCb, PageCb
from bot.telegram.commands import CommandAllowed
from bot.telegram.links import invite_link
from bot.telegram.screens import drop_buttons
from bot.telegram.texts import place_name
from storage.repositories.directory import DirectoryRepository
from storage.repositories.invites import InviteRepository, ScopeDenied
from surveys.access import Actor
from surveys.people import Role
from surveys.zones import local

INVITABLE_ORDER = (Role.METHODIST, Role.CURATOR, Role.MENTOR, Role.MENTEE)


async def invite_start(message: Message, state: FSMContext, actor: Actor) -> None:
    await state.clear()
    roles = [role for role in INVITABLE_ORDER if actor.can_invite(role)]
    await message.answer(_("invite.ask_role"), reply_markup=keyboards.invite_roles(roles))


async def role_chosen(
    query: CallbackQuery,
    callback_data: InviteRoleCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    role = _parse_role(callback_data.role)
    if role is None or not actor.can_invite(role):
        await query.answer(_("access.denied"), show_alert=True)
        return
    await query.answer()
    await _show_targets(query, session, actor, role, page=0, settings=settings, bot=bot)


async def page_chosen(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    role = _parse_role(callback_data.role)
    if role is None or not actor.can_invite(role) or callback_data.page < 0:
        await query.answer(_("access.denied"), show_alert=True)
        return
    await query.answer()
    await _show_targets(
        query, session, actor, role, page=callback_data.page, settings=settings, bot=bot
    )


async def target_chosen(
    query: CallbackQuery,
    callback_data: InvitePickCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    role = _parse_role(callback_data.role)
    if role is None:
        await query.answer(_("access.denied"), show_alert=True)
        return
    await query.answer()
    if role is Role.METHODIST:
        await _create(
            query, session, actor, role, settings, bot, municipality_id=callback_data.target
        )
    else:
        await _create(
            query, session, actor, role, settings, bot, organization_id=callback_data.target
        )


async def _show_targets(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    role: Role,
    *,
    page: int,
    settings: Settings,
    bot: Bot,
) -> None:
    directory = DirectoryRepository(session)
    offset, limit = page * keyboards.PAGE_SIZE, keyboards.PAGE_SIZE
    if role is Role.METHODIST:
        total = await directory.count_municipalities()
        targets = [(m.id, m.name) for m in await directory.municipalities(offset, limit)]
    elif role is Role.CURATOR:
        municipality_ids = (
            [m.id for m in await directory.municipalities()]
            if actor.is_admin
            else sorted(actor.municipalities(Role.METHODIST))
        )
        total = await directory.count_organizations_in(municipality_ids)
        organizations = await directory.organizations_in(municipality_ids, offset, limit)
        targets = [(org.id, org.name) for org in organizations]
    else:
        organizations = await directory.organizations(sorted(actor.organizations(Role.CURATOR)))
        if len(organizations) == 1:
            await _create(
                query, session, actor, role, settings, bot, organization_id=organizations[0].id
            )
            return
        total = len(organizations)
        targets = [(org.id, org.name) for org in organizations[offset : offset + limit]]
    if total == 0:
        await bot.send_message(query.from_user.id, _("invite.no_targets"))
        return
    markup = keyboards.invite_targets(role, targets, page, total)
    if page > 0 and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)
        return
    if role is Role.METHODIST:
        question = _("invite.ask_municipality")
    else:
        question = _("invite.ask_organization")
    await bot.send_message(query.from_user.id, question, reply_markup=markup)


async def _create(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    role: Role,
    settings: Settings,
    bot: Bot,
    *,
    municipality_id: int | None = None,
    organization_id: int | None = None,
) -> None:
    # Staff invitations are personal (one use); participants' links are shared with a class.
    max_uses = 1 if role.is_staff else settings.invite_max_uses
    try:
        invite = await InviteRepository(session).create(
            actor,
            role,
            municipality_id=municipality_id,
            organization_id=organization_id,
            ttl=timedelta(days=settings.invite_ttl_days),
            max_uses=max_uses,
        )
    except ScopeDenied:
        await bot.send_message(query.from_user.id, _("access.denied"))
        return
    # One tap, one link: the list goes away so that a double tap has nothing to press.
    await drop_buttons(query)
    place = await place_name(session, invite.municipality_id, invite.organization_id)
    zone_name = await DirectoryRepository(session).time_zone(invite.organization_id)
    link = await invite_link(bot, settings, invite.code)
    await bot.send_message(
        query.from_user.id,
        _("invite.created").format(
            role=_(f"role.{role.value}"),
            place=place,
            link=link,
            expires=local(invite.expires_at, zone_name).strftime("%d.%m.%Y"),
            uses=invite.max_uses,
        ),
    )


def _parse_role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(invite_start, Command("invite"), CommandAllowed("invite"))
    router.callback_query.register(role_chosen, InviteRoleCb.filter())
    router.callback_query.register(page_chosen, PageCb.filter())
    router.callback_query.register(target_chosen, InvitePickCb.filter())
    return router
