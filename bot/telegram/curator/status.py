"""/status: a curator sees every pair of their organization (filters, pages, an xlsx, a
"remind now" button); a methodist sees their district per organization and opens one;
an admin picks a district first."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.callbacks import DistrictCb, StatusActionCb, StatusCb
from bot.telegram.curator.status_view import StatusFilter, district_page, organization_page
from bot.telegram.notify import queue_reminder
from bot.telegram.screens import reply
from exports.status_workbook import status_workbook
from storage.models import utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.invites import ScopeDenied
from storage.repositories.scope import organization_in_view
from storage.repositories.status import PairReport, StatusRepository
from storage.sqlite_inline import off_the_loop
from surveys.access import Actor
from surveys.people import Role

DISTRICT_BUTTONS = 50
STATUS_COLUMNS = (
    "programme",
    "number",
    "status",
    "mentor",
    "mentees",
    "unregistered",
    "sent",
    "answered",
    "pending",
    "last",
)


async def status_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await state.clear()
    directory = DirectoryRepository(session)
    if actor.is_admin:
        districts = await directory.municipalities(limit=DISTRICT_BUTTONS)
        builder = InlineKeyboardBuilder()
        for district in districts:
            builder.button(
                text=district.name[:60], callback_data=DistrictCb(municipality=district.id, page=0)
            )
        builder.adjust(1)
        await message.answer(_("curator.district.pick"), reply_markup=builder.as_markup())
    for municipality_id in sorted(actor.municipalities(Role.METHODIST)):
        text, markup = await _district(session, actor, municipality_id, 0)
        await message.answer(text, reply_markup=markup)
    for org in await directory.organizations(sorted(actor.organizations(Role.CURATOR))):
        text, markup = await _organization(session, actor, org.id, StatusFilter.ALL, 0)
        await message.answer(text, reply_markup=markup)


async def _district(
    session: AsyncSession, actor: Actor, municipality_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    with off_the_loop():  # a long read: let other updates run meanwhile
        summaries = await StatusRepository(session).municipality_summary(actor, municipality_id)
    district = await DirectoryRepository(session).municipality(municipality_id)
    view = district_page(district.name if district else "—", summaries, page)
    builder = InlineKeyboardBuilder()
    size = len(summaries) and -(-len(summaries) // view.pages)
    for summary in summaries[view.page * size : (view.page + 1) * size]:
        builder.row(
            InlineKeyboardButton(
                text=summary.name[:60],
                callback_data=StatusCb(
                    organization=summary.organization_id, view="all", page=0
                ).pack(),
            )
        )
    _navigation(
        builder,
        view.page,
        view.pages,
        lambda target: DistrictCb(municipality=municipality_id, page=target).pack(),
    )
    return view.text, builder.as_markup()


async def _organization(
    session: AsyncSession, actor: Actor, organization_id: int, wanted: StatusFilter, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    org = await organization_in_view(session, actor, organization_id)
    with off_the_loop():  # a long read: let other updates run meanwhile
        statuses = await StatusRepository(session).organization_pairs(actor, organization_id)
    view = organization_page(org.name, statuses, wanted, page)
    builder = InlineKeyboardBuilder()
    builder.row(
        *(
            InlineKeyboardButton(
                text=("• " if option is wanted else "")
                + _(f"curator.status.filter.{option.value}"),
                callback_data=StatusCb(
                    organization=organization_id, view=option.value, page=0
                ).pack(),
            )
            for option in StatusFilter
        ),
        width=2,
    )
    _navigation(
        builder,
        view.page,
        view.pages,
        lambda target: StatusCb(
            organization=organization_id, view=wanted.value, page=target
        ).pack(),
    )
    actions = [
        InlineKeyboardButton(
            text=_("curator.status.button.xlsx"),
            callback_data=StatusActionCb(action="xlsx", organization=organization_id).pack(),
        )
    ]
    if organization_id in actor.organizations(Role.CURATOR):
        actions.append(
            InlineKeyboardButton(
                text=_("curator.status.button.remind"),
                callback_data=StatusActionCb(action="remind", organization=organization_id).pack(),
            )
        )
    builder.row(*actions)
    return view.text, builder.as_markup()


def _navigation(
    builder: InlineKeyboardBuilder, page: int, pages: int, pack: Callable[[int], str]
) -> None:
    buttons: list[InlineKeyboardButton] = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(text=_("paging.previous"), callback_data=pack(page - 1))
        )
    if page + 1 < pages:
        buttons.append(InlineKeyboardButton(text=_("paging.next"), callback_data=pack(page + 1)))
    if buttons:
        builder.row(*buttons)


async def show_district(
    query: CallbackQuery, callback_data: DistrictCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        text, markup = await _district(
            session, actor, callback_data.municipality, callback_data.page
        )
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await _show(query, text, markup, edit=callback_data.page > 0)


async def show_organization(
    query: CallbackQuery, callback_data: StatusCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        wanted = StatusFilter(callback_data.view)
    except ValueError:
        await query.answer(_("fallback.stale_button"))
        return
    try:
        text, markup = await _organization(
            session, actor, callback_data.organization, wanted, callback_data.page
        )
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    # Paging and filters redraw the same message; opening from a district list is new.
    own_screen = _is_status_screen(query, callback_data.organization)
    await _show(query, text, markup, edit=own_screen)


def _is_status_screen(query: CallbackQuery, organization_id: int) -> bool:
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    own = StatusActionCb(action="xlsx", organization=organization_id).pack()
    return any(
        button.callback_data == own
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def _show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    if edit and isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest:
            pass  # unchanged text (a double tap) or too old to edit: send it anew
    await reply(query, text, markup)


async def status_xlsx(
    query: CallbackQuery,
    callback_data: StatusActionCb,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
) -> None:
    try:
        org = await organization_in_view(session, actor, callback_data.organization)
        with off_the_loop():  # a long read: let other updates run meanwhile
            statuses = await StatusRepository(session).organization_pairs(actor, org.id)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    content = status_workbook(_("curator.status.sheet"), _xlsx_header(), _xlsx_rows(statuses))
    await bot.send_document(
        query.from_user.id,
        BufferedInputFile(content, f"status_{org.code}.xlsx"),
        caption=_("curator.status.xlsx_caption").format(organization=org.name[:200]),
    )


def _xlsx_header() -> list[str]:
    return [_(f"curator.status.col.{name}") for name in STATUS_COLUMNS]


def _xlsx_rows(statuses: list[PairReport]) -> list[list[object]]:
    rows: list[list[object]] = []
    for status in statuses:
        mentors, mentees = _names(status, "mentor"), _names(status, "mentee")
        rows.append(
            [
                status.programme_title,
                status.number,
                _(f"curator.pair.status.{status.status}"),
                mentors,
                mentees,
                sum(1 for m in status.members if not m.registered),
                status.sent,
                status.answered,
                status.pending,
                status.last_activity.strftime("%d.%m.%Y") if status.last_activity else "",
            ]
        )
    return rows


def _names(status: PairReport, role: str) -> str:
    forgotten = _("curator.status.forgotten")
    return ", ".join(m.name or forgotten for m in status.members if m.role == role)


async def remind_now(
    query: CallbackQuery,
    callback_data: StatusActionCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
) -> None:
    try:
        assignments = await StatusRepository(session).open_assignments(
            actor, callback_data.organization
        )
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    # One manual reminder per questionnaire per hour: a double tap queues nothing more.
    occasion = f"manual:{utcnow():%Y-%m-%dT%H}"
    queued = 0
    for assignment in assignments:
        queued += await queue_reminder(session, i18n, assignment, occasion)
    await query.answer()
    await reply(query, _("curator.status.reminded").format(queued=queued, waiting=len(assignments)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(status_command, Command("status"), CommandAllowed("status"))
    router.callback_query.register(show_district, DistrictCb.filter())
    router.callback_query.register(show_organization, StatusCb.filter())
    router.callback_query.register(status_xlsx, StatusActionCb.filter(F.action == "xlsx"))
    router.callback_query.register(remind_now, StatusActionCb.filter(F.action == "remind"))
    return router
