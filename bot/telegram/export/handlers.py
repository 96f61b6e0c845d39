"""/export: choose the territory (when there is a choice) and the period, then the workbook
is built in the background and arrives as a document (or a signed link when too large)."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from app.monitoring.rounds import keeps, round_period, round_scope, rounds_of_scope
from app.settings import Settings
from bot.telegram.commands import CommandAllowed
from bot.telegram.export.callbacks import ExportPeriodCb, ExportRoundCb, ExportScopeCb
from bot.telegram.export.jobs import ExportJobs, ExportRequest
from bot.telegram.filters import typed_text
from bot.telegram.screens import drop_buttons, reply
from exports.period import Period, parse_range
from storage.repositories.export_scope import ExportScope, ExportScopeRepository
from storage.repositories.invites import ScopeDenied
from storage.repositories.rounds import RoundRepository, RoundRow
from surveys.access import Actor

YEARS_OFFERED = 3  # the current academic year and the two before it


class ExportStates(StatesGroup):
    dates = State()


def _scope_label(scope: ExportScope) -> str:
    return scope.title or _("export.scope_region")


def _scopes_keyboard(scopes: list[ExportScope]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for scope in scopes:
        builder.button(
            text=_scope_label(scope),
            callback_data=ExportScopeCb(
                municipality=scope.municipality_id or 0, organization=scope.organization_id or 0
            ),
        )
    builder.adjust(1)
    return builder.as_markup()


def _periods_keyboard(
    scope: ExportScope,
    today: date,
    rounds: list[RoundRow] = (),  # type: ignore[assignment]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for found in rounds:  # a monitoring round's own figures come first
        builder.button(
            text=_("rounds.export_button").format(
                id=found.id,
                kind=_(f"rounds.kind.{found.kind.value}"),
                start=f"{found.period_start:%d.%m.%Y}",
                end=f"{found.period_end:%d.%m.%Y}",
                status=_(f"rounds.status.{found.status.value}"),
            ),
            callback_data=ExportRoundCb(round=found.id),
        )
    ids = {"municipality": scope.municipality_id or 0, "organization": scope.organization_id or 0}
    current = Period.current_academic_year(today).start.year
    for first_year in range(current, current - YEARS_OFFERED, -1):
        builder.button(
            text=_("export.year_button").format(year=f"{first_year}/{first_year + 1}"),
            callback_data=ExportPeriodCb(year=first_year, **ids),
        )
    builder.button(text=_("export.range_button"), callback_data=ExportPeriodCb(year=0, **ids))
    builder.adjust(1)
    return builder.as_markup()


class ExportHandlers:
    def __init__(self) -> None:
        self.jobs = ExportJobs()

    async def start(
        self, message: Message, state: FSMContext, session: AsyncSession, actor: Actor
    ) -> None:
        await state.clear()
        scopes = await ExportScopeRepository(session).choices(actor)
        if not scopes:
            await message.answer(_("export.no_scope"))
        elif len(scopes) == 1:
            rounds = await rounds_of_scope(session, actor, scopes[0])
            await message.answer(
                _("export.choose_period").format(scope=_scope_label(scopes[0])),
                reply_markup=_periods_keyboard(scopes[0], date.today(), rounds),
            )
        else:
            await message.answer(_("export.choose_scope"), reply_markup=_scopes_keyboard(scopes))

    async def scope_chosen(
        self,
        query: CallbackQuery,
        callback_data: ExportScopeCb,
        session: AsyncSession,
        actor: Actor,
    ) -> None:
        await query.answer()
        scope = await self._resolve(session, actor, callback_data)
        await drop_buttons(query)
        if scope is None:
            await reply(query, _("export.denied"))
            return
        rounds = await rounds_of_scope(session, actor, scope)
        await reply(
            query,
            _("export.choose_period").format(scope=_scope_label(scope)),
            _periods_keyboard(scope, date.today(), rounds),
        )

    async def round_chosen(
        self,
        query: CallbackQuery,
        callback_data: ExportRoundCb,
        session: AsyncSession,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        """A round's workbook: its district (or region) and period, for its keepers."""
        await query.answer()
        await drop_buttons(query)
        found = await RoundRepository(session).get(callback_data.round)
        if found is None or not keeps(actor, found.municipality_id):
            await reply(query, _("export.denied"))
            return
        scope, period = round_scope(found), round_period(found)
        await self._launch(bot, settings, i18n, actor, query.from_user.id, scope, period, found.id)

    async def period_chosen(
        self,
        query: CallbackQuery,
        callback_data: ExportPeriodCb,
        session: AsyncSession,
        actor: Actor,
        state: FSMContext,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        await query.answer()
        scope = await self._resolve(session, actor, callback_data)
        await drop_buttons(query)
        if scope is None:
            await reply(query, _("export.denied"))
            return
        if callback_data.year == 0:
            await state.set_state(ExportStates.dates)
            await state.update_data(
                municipality=callback_data.municipality, organization=callback_data.organization
            )
            await reply(query, _("export.ask_range"))
            return
        period = Period.academic_year(callback_data.year)
        await self._launch(bot, settings, i18n, actor, query.from_user.id, scope, period)

    async def dates_typed(
        self,
        message: Message,
        state: FSMContext,
        session: AsyncSession,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        period = parse_range(message.text or "")
        if period is None:
            await message.answer(_("export.bad_range"))
            return
        data = await state.get_data()
        await state.clear()
        ids = ExportScopeCb(
            municipality=int(data.get("municipality", 0)),
            organization=int(data.get("organization", 0)),
        )
        scope = await self._resolve(session, actor, ids)
        if scope is None:  # the grant was withdrawn meanwhile
            await message.answer(_("export.denied"))
            return
        await self._launch(bot, settings, i18n, actor, message.chat.id, scope, period)

    async def _resolve(
        self, session: AsyncSession, actor: Actor, ids: ExportScopeCb | ExportPeriodCb
    ) -> ExportScope | None:
        try:
            return await ExportScopeRepository(session).resolve(
                actor, ids.municipality or None, ids.organization or None
            )
        except ScopeDenied:
            return None

    async def _launch(
        self,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
        actor: Actor,
        chat_id: int,
        scope: ExportScope,
        period: Period,
        round_id: int | None = None,
    ) -> None:
        if self.jobs.busy(chat_id):
            # A double tap, or a second request while the first is counted: one at a time.
            await bot.send_message(chat_id, _("export.busy"))
            return
        request = ExportRequest(actor, chat_id, scope, period, i18n.current_locale, round_id)
        self.jobs.start(bot, settings, i18n, request)


def create_router() -> Router:
    handlers = ExportHandlers()
    router = Router(name=__name__)
    router.message.register(handlers.start, Command("export"), CommandAllowed("export"))
    router.callback_query.register(handlers.scope_chosen, ExportScopeCb.filter())
    router.callback_query.register(handlers.period_chosen, ExportPeriodCb.filter())
    router.callback_query.register(handlers.round_chosen, ExportRoundCb.filter())
    router.message.register(handlers.dates_typed, StateFilter(ExportStates.dates), typed_text())
    return router
