"""/programmes: a curator's programmes, creating one step by step (form and year by
buttons, title and dates typed), and the programme's screen with its actions."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator import keyboards
from bot.telegram.curator.callbacks import FormCb, NewProgrammeCb, ProgrammeCb, YearCb
from bot.telegram.filters import Magic, typed_text
from bot.telegram.links import invite_link
from bot.telegram.screens import drop_buttons, reply
from storage.models import Pair, Programme, RosterEntry, utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.invites import ScopeDenied
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from surveys.access import Actor
from surveys.forms import mentoring_form
from surveys.people import Role
from surveys.programme_rules import (
    DateProblem,
    academic_year_choices,
    end_problem,
    normalize_title,
    parse_day,
    title_problem,
)
from surveys.statuses import PairStatus


class ProgrammeEdit(StatesGroup):
    value = State()


class ProgrammeStep(StatesGroup):
    form = State()
    title = State()
    year = State()
    starts_on = State()
    ends_on = State()


def _today() -> date:
    return utcnow().date()


async def list_programmes(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await state.clear()
    programmes = await ProgrammeRepository(session).of_curator(actor)
    text = _("curator.programme.list") if programmes else _("curator.programme.none")
    await message.answer(text, reply_markup=keyboards.programme_list(programmes))


async def new_programme(
    query: CallbackQuery,
    callback_data: NewProgrammeCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
) -> None:
    own = sorted(actor.organizations(Role.CURATOR))
    chosen = callback_data.organization
    if not own or (chosen and chosen not in own):
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    if not chosen and len(own) > 1:
        # A curator of several schools says which one the programme belongs to.
        orgs = await DirectoryRepository(session).organizations(own)
        await reply(
            query,
            _("curator.programme.ask_organization"),
            keyboards.organizations([(org.id, org.name) for org in orgs]),
        )
        return
    await drop_buttons(query)
    await state.clear()
    await state.set_state(ProgrammeStep.form)
    await state.update_data(organization_id=chosen or own[0])
    await reply(query, _("curator.programme.ask_form"), keyboards.forms(i18n.current_locale))


async def form_chosen(query: CallbackQuery, callback_data: FormCb, state: FSMContext) -> None:
    if mentoring_form(callback_data.form) is None:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    await state.update_data(form=callback_data.form)
    await state.set_state(ProgrammeStep.title)
    await reply(query, _("curator.programme.ask_title"))


async def title_given(message: Message, state: FSMContext) -> None:
    title = normalize_title(message.text or "")
    problem = title_problem(title)
    if problem is not None:
        await message.answer(_(f"curator.programme.title_problem.{problem.value}"))
        return
    await state.update_data(title=title)
    await state.set_state(ProgrammeStep.year)
    await message.answer(
        _("curator.programme.ask_year"),
        reply_markup=keyboards.years(academic_year_choices(_today())),
    )


async def year_chosen(query: CallbackQuery, callback_data: YearCb, state: FSMContext) -> None:
    if callback_data.year not in academic_year_choices(_today()):
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    await state.update_data(academic_year=callback_data.year)
    await state.set_state(ProgrammeStep.starts_on)
    await reply(query, _("curator.programme.ask_start"))


async def start_given(message: Message, state: FSMContext) -> None:
    day = parse_day(message.text or "", _today())
    if isinstance(day, DateProblem):
        await message.answer(_(f"curator.date_problem.{day.value}"))
        return
    await state.update_data(starts_on=day.isoformat())
    await state.set_state(ProgrammeStep.ends_on)
    await message.answer(_("curator.programme.ask_end"))


async def end_given(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, i18n: I18n
) -> None:
    day = parse_day(message.text or "", _today())
    data = await state.get_data()
    starts_on = date.fromisoformat(data["starts_on"])
    problem = day if isinstance(day, DateProblem) else end_problem(starts_on, day)
    if problem is not None:
        await message.answer(_(f"curator.date_problem.{problem.value}"))
        return
    assert isinstance(day, date)
    await state.clear()
    draft = ProgrammeDraft(
        organization_id=int(data["organization_id"]),
        form=str(data["form"]),
        title=str(data["title"]),
        academic_year=str(data["academic_year"]),
        starts_on=starts_on,
        ends_on=day,
    )
    try:
        programme = await ProgrammeRepository(session).create(actor, draft)
    except ScopeDenied:
        await message.answer(_("curator.denied"))
        return
    await message.answer(_("curator.programme.created"))
    text = await programme_text(session, programme, i18n)
    await message.answer(text, reply_markup=keyboards.programme_actions(programme))


async def typed_instead_of_button(message: Message) -> None:
    await message.answer(_("curator.press_button"))


async def sent_instead_of_text(message: Message) -> None:
    await message.answer(_("curator.type_text"))


async def programme_text(session: AsyncSession, programme: Programme, i18n: I18n) -> str:
    form = mentoring_form(programme.form)
    roster = await session.scalar(
        select(func.count(RosterEntry.id)).where(RosterEntry.programme_id == programme.id)
    )
    registered = await session.scalar(
        select(func.count(RosterEntry.id)).where(
            RosterEntry.programme_id == programme.id, RosterEntry.person_id.is_not(None)
        )
    )
    pairs = await session.scalar(
        select(func.count(Pair.id)).where(
            Pair.programme_id == programme.id, Pair.status != PairStatus.DISSOLVED
        )
    )
    return _("curator.programme.card").format(
        title=programme.title,
        form=form.label(i18n.current_locale) if form else programme.form,
        year=programme.academic_year,
        starts=programme.starts_on.strftime("%d.%m.%Y"),
        ends=programme.ends_on.strftime("%d.%m.%Y"),
        status=_(f"curator.programme.status.{programme.status}"),
        roster=roster or 0,
        registered=registered or 0,
        pairs=pairs or 0,
    )


async def open_programme(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
) -> None:
    try:
        programme = await ProgrammeRepository(session).to_change(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    await state.clear()
    text = await programme_text(session, programme, i18n)
    await reply(query, text, keyboards.programme_actions(programme))


async def programme_link(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    bot: Bot,
) -> None:
    role = Role.MENTOR if callback_data.action == "link_mentor" else Role.MENTEE
    try:
        invite = await ProgrammeRepository(session).invite(
            actor,
            callback_data.programme,
            role,
            ttl=timedelta(days=settings.invite_ttl_days),
            max_uses=settings.invite_max_uses,
        )
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    link = await invite_link(bot, settings, invite.code)
    await reply(
        query,
        _("curator.programme.link").format(
            role=_(f"role.{role.value}"),
            link=link,
            expires=invite.expires_at.strftime("%d.%m.%Y"),
            uses=invite.max_uses,
        ),
    )


async def ask_field(
    query: CallbackQuery, callback_data: ProgrammeCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        programme = await ProgrammeRepository(session).to_change(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await reply(query, _("curator.programme.edit.ask"), keyboards.programme_fields(programme.id))


async def ask_new_value(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    field = callback_data.action.removeprefix("edit_")
    try:
        programme = await ProgrammeRepository(session).to_change(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    if field not in keyboards.EDITABLE:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    await state.clear()
    await state.set_state(ProgrammeEdit.value)
    await state.update_data(programme_id=programme.id, field=field)
    await reply(query, _(f"curator.programme.edit.ask_{field}"))


async def new_value_given(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, i18n: I18n
) -> None:
    data = await state.get_data()
    field = str(data["field"])
    programmes = ProgrammeRepository(session)
    try:
        programme = await programmes.to_change(actor, int(data["programme_id"]))
    except ScopeDenied:
        await state.clear()
        await message.answer(_("curator.denied"))
        return
    text = message.text or ""
    if field == "title":
        title = normalize_title(text)
        title_issue = title_problem(title)
        if title_issue is not None:
            await message.answer(_(f"curator.programme.title_problem.{title_issue.value}"))
            return
        await programmes.change(actor, programme.id, title=title)
    else:
        day = parse_day(text, _today())
        starts = day if field == "starts_on" else programme.starts_on
        ends = day if field == "ends_on" else programme.ends_on
        problem = day if isinstance(day, DateProblem) else None
        if problem is None:
            assert isinstance(starts, date) and isinstance(ends, date)
            problem = end_problem(starts, ends)
        if problem is not None:
            await message.answer(_(f"curator.date_problem.{problem.value}"))
            return
        assert isinstance(starts, date) and isinstance(ends, date)
        await programmes.change(actor, programme.id, starts_on=starts, ends_on=ends)
    await state.clear()
    await message.answer(
        await programme_text(session, programme, i18n),
        reply_markup=keyboards.programme_actions(programme),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_programmes, Command("programmes"), CommandAllowed("programmes"))
    router.callback_query.register(new_programme, NewProgrammeCb.filter())
    router.callback_query.register(form_chosen, StateFilter(ProgrammeStep.form), FormCb.filter())
    router.callback_query.register(year_chosen, StateFilter(ProgrammeStep.year), YearCb.filter())
    typed = typed_text()
    router.message.register(title_given, StateFilter(ProgrammeStep.title), typed)
    router.message.register(start_given, StateFilter(ProgrammeStep.starts_on), typed)
    router.message.register(end_given, StateFilter(ProgrammeStep.ends_on), typed)
    router.message.register(
        typed_instead_of_button,
        StateFilter(ProgrammeStep.form, ProgrammeStep.year),
        Magic(~F.text.startswith("/")),
    )
    router.message.register(
        sent_instead_of_text,
        StateFilter(ProgrammeStep.title, ProgrammeStep.starts_on, ProgrammeStep.ends_on),
        Magic(~F.text),
    )
    router.callback_query.register(open_programme, ProgrammeCb.filter(F.action == "open"))
    router.callback_query.register(
        programme_link, ProgrammeCb.filter(F.action.in_({"link_mentor", "link_mentee"}))
    )
    router.callback_query.register(ask_field, ProgrammeCb.filter(F.action == "edit"))
    router.callback_query.register(ask_new_value, ProgrammeCb.filter(F.action.startswith("edit_")))
    router.message.register(new_value_given, StateFilter(ProgrammeEdit.value), typed)
    router.message.register(sent_instead_of_text, StateFilter(ProgrammeEdit.value), Magic(~F.text))
    return router
