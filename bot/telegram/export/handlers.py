"""/export in Telegram: the dialogue is app/export/use_cases.py (territory when there is a
choice, the period, then the workbook, the справка or both); the files are built in the
background and arrive as documents (or a signed link when too large)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.export.actions import ChooseKind, ChooseNames, ChoosePeriod, ChooseRound, ChooseScope
from app.export.build import ExportRequest
from app.export.use_cases import Export, Ready, Step
from app.reply import Reply
from app.settings import Settings
from app.uow import UnitOfWork
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator.conversation import show
from bot.telegram.export.jobs import ExportJobs
from bot.telegram.filters import typed_text
from bot.telegram.screens import Pressed
from storage.models import utcnow
from surveys.access import Actor

STARTED = Reply(drop=True, step=None)  # the pressed buttons go, the dialogue is over


class ExportHandlers:
    def __init__(self) -> None:
        self.jobs = ExportJobs()

    async def start(
        self,
        message: Message,
        state: FSMContext,
        uow: UnitOfWork,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        export = Export(uow, actor, settings.export_register_beyond_school)
        reply = await export.start(utcnow().date())
        await show(message, state, bot, i18n, reply)

    async def pressed(
        self,
        query: CallbackQuery,
        action: ChooseScope | ChooseNames | ChoosePeriod | ChooseKind | ChooseRound,
        state: FSMContext,
        uow: UnitOfWork,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        export = Export(uow, actor, settings.export_register_beyond_school)
        today = utcnow().date()
        if isinstance(action, ChooseScope):
            reply = await export.scope_chosen(action.municipality, action.organization, today)
            await show(query, state, bot, i18n, reply)
            return
        if isinstance(action, ChooseNames):
            ids = action.municipality, action.organization
            await show(
                query, state, bot, i18n, await export.names_chosen(*ids, action.names, today)
            )
            return
        if isinstance(action, ChoosePeriod):
            reply = await export.period_chosen(
                action.municipality, action.organization, action.year, action.names
            )
            await show(query, state, bot, i18n, reply)
            return
        if isinstance(action, ChooseRound):
            result = await export.round_chosen(action.round, action.kind)
        else:
            result = await export.kind_chosen(action)
        if isinstance(result, Ready):
            await show(query, state, bot, i18n, STARTED)
            await self._launch(bot, settings, i18n, actor, query.from_user.id, result)
            return
        await show(query, state, bot, i18n, result)

    async def dates_typed(
        self,
        message: Message,
        state: FSMContext,
        uow: UnitOfWork,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        i18n: I18n,
    ) -> None:
        export = Export(uow, actor, settings.export_register_beyond_school)
        reply = await export.dates_typed(message.text or "", await state.get_data())
        await show(message, state, bot, i18n, reply)

    async def _launch(
        self, bot: Bot, settings: Settings, i18n: I18n, actor: Actor, chat_id: int, ready: Ready
    ) -> None:
        if self.jobs.busy(chat_id):
            # A double tap, or a second request while the first is counted: one at a time.
            await bot.send_message(chat_id, _("export.busy"))
            return
        request = ExportRequest(
            actor,
            chat_id,
            ready.scope,
            ready.period,
            i18n.current_locale,
            kinds=ready.kinds,
            register=ready.register,
            round_id=ready.round_id,
        )
        self.jobs.start(bot, settings, i18n, request)


def create_router() -> Router:
    handlers = ExportHandlers()
    router = Router(name=__name__)
    router.message.register(handlers.start, Command("export"), CommandAllowed("export"))
    router.callback_query.register(
        handlers.pressed, Pressed(ChooseScope, ChooseNames, ChoosePeriod, ChooseKind, ChooseRound)
    )
    router.message.register(handlers.dates_typed, StateFilter(Step.DATES), typed_text())
    return router
