"""/export: choose the territory (when there is a choice), whether the register carries
names (only where the person may have them), and the period; then the workbook is built in
the background and arrives as a document (or a signed link when too large). What may be
exported is app.export's to say; a refusal is answered by the error router."""

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

from app.export.use_cases import ExportPlan, ExportRequest, choices, plan_export
from app.settings import Settings
from bot.telegram.commands import CommandAllowed
from bot.telegram.export.callbacks import ExportNamesCb, ExportPeriodCb, ExportScopeCb
from bot.telegram.export.jobs import ExportJob, ExportJobs
from bot.telegram.filters import typed_text
from bot.telegram.screens import drop_buttons, reply
from exports.period import Period, parse_range
from storage.repositories.export_scope import ExportScope
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


def _ids(scope: ExportScope) -> dict[str, int]:
    return {"municipality": scope.municipality_id or 0, "organization": scope.organization_id or 0}


def _names_keyboard(scope: ExportScope) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    anonymous, names = _("export.register.anonymous"), _("export.register.names")
    builder.button(text=anonymous, callback_data=ExportNamesCb(names=0, **_ids(scope)))
    builder.button(text=names, callback_data=ExportNamesCb(names=1, **_ids(scope)))
    builder.adjust(1)
    return builder.as_markup()


def _periods_keyboard(scope: ExportScope, today: date, names: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    ids = {**_ids(scope), "names": int(names)}
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
        self,
        message: Message,
        state: FSMContext,
        session: AsyncSession,
        actor: Actor,
        settings: Settings,
    ) -> None:
        await state.clear()
        found = await choices(session, actor, settings.export_register_beyond_school)
        if not found:
            await message.answer(_("export.no_scope"))
        elif len(found) == 1:
            await self._next_step(message, found[0].scope, found[0].names_possible)
        else:
            scopes = [choice.scope for choice in found]
            await message.answer(_("export.choose_scope"), reply_markup=_scopes_keyboard(scopes))

    async def _next_step(
        self, target: Message | CallbackQuery, scope: ExportScope, names_possible: bool
    ) -> None:
        """The register's names are asked about only where they may be given."""
        if names_possible:
            text = _("export.register.ask").format(scope=_scope_label(scope))
            markup = _names_keyboard(scope)
        else:
            text = _("export.choose_period").format(scope=_scope_label(scope))
            markup = _periods_keyboard(scope, date.today(), names=False)
        if isinstance(target, Message):
            await target.answer(text, reply_markup=markup)
        else:
            await reply(target, text, markup)

    async def scope_chosen(
        self,
        query: CallbackQuery,
        callback_data: ExportScopeCb,
        session: AsyncSession,
        actor: Actor,
        settings: Settings,
    ) -> None:
        plan = await self._plan(session, actor, settings, callback_data, names=False)
        await query.answer()
        await drop_buttons(query)
        await self._next_step(query, plan.scope, plan.names_possible)

    async def names_chosen(
        self,
        query: CallbackQuery,
        callback_data: ExportNamesCb,
        session: AsyncSession,
        actor: Actor,
        settings: Settings,
    ) -> None:
        names = bool(callback_data.names)
        plan = await self._plan(session, actor, settings, callback_data, names=names)
        await query.answer()
        await drop_buttons(query)
        await reply(
            query,
            _("export.choose_period").format(scope=_scope_label(plan.scope)),
            _periods_keyboard(plan.scope, date.today(), names=names),
        )

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
        names = bool(callback_data.names)
        year = callback_data.year
        period = Period.academic_year(year) if year else None
        plan = await self._plan(session, actor, settings, callback_data, names, period)
        await query.answer()
        await drop_buttons(query)
        if period is None:
            await state.set_state(ExportStates.dates)
            await state.update_data(
                municipality=callback_data.municipality,
                organization=callback_data.organization,
                names=int(names),
            )
            await reply(query, _("export.ask_range"))
            return
        await self._launch(bot, settings, i18n, actor, query.from_user.id, plan)

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
        # The grant may have been withdrawn meanwhile: planned (and checked) again.
        plan = await self._plan(session, actor, settings, ids, bool(data.get("names")), period)
        await self._launch(bot, settings, i18n, actor, message.chat.id, plan)

    async def _plan(
        self,
        session: AsyncSession,
        actor: Actor,
        settings: Settings,
        ids: ExportScopeCb | ExportNamesCb | ExportPeriodCb,
        names: bool,
        period: Period | None = None,
    ) -> ExportPlan:
        request = ExportRequest(
            ids.municipality or None,
            ids.organization or None,
            period or Period.current_academic_year(date.today()),
            with_names=names,
        )
        return await plan_export(session, actor, request, settings.export_register_beyond_school)

    async def _launch(
        self,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
        actor: Actor,
        chat_id: int,
        plan: ExportPlan,
    ) -> None:
        if self.jobs.busy(chat_id):
            # A double tap, or a second request while the first is counted: one at a time.
            await bot.send_message(chat_id, _("export.busy"))
            return
        self.jobs.start(bot, settings, i18n, ExportJob(actor, chat_id, plan, i18n.current_locale))


def create_router() -> Router:
    handlers = ExportHandlers()
    router = Router(name=__name__)
    router.message.register(handlers.start, Command("export"), CommandAllowed("export"))
    router.callback_query.register(handlers.scope_chosen, ExportScopeCb.filter())
    router.callback_query.register(handlers.names_chosen, ExportNamesCb.filter())
    router.callback_query.register(handlers.period_chosen, ExportPeriodCb.filter())
    router.message.register(handlers.dates_typed, StateFilter(ExportStates.dates), typed_text())
    return router
