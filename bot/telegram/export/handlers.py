"""/export in Telegram: the dialogue is app/export/use_cases.py (territory when there is a
choice, the period, then the workbook, the справка or both); the files are built in the
background and arrive as documents (or a signed link when too large)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from app.export.actions import ChooseKind, ChooseNames, ChoosePeriod, ChooseRound, ChooseScope
from app.export.build import ExportRequest
from app.export.use_cases import Export, Ready, Step
from app.reply import Reply
from bot.telegram.commands import CommandAllowed
from bot.telegram.conversation import Chat
from bot.telegram.export.jobs import ExportJobs
from bot.telegram.filters import typed_text
from bot.telegram.screens import Pressed
from storage.models import utcnow

STARTED = Reply(drop=True, step=None)  # the pressed buttons go, the dialogue is over


class ExportHandlers:
    def __init__(self) -> None:
        self.jobs = ExportJobs()

    async def start(self, message: Message, chat: Chat) -> None:
        await chat.show(message, await _export(chat).start(utcnow().date()))

    async def pressed(
        self,
        query: CallbackQuery,
        action: ChooseScope | ChooseNames | ChoosePeriod | ChooseKind | ChooseRound,
        chat: Chat,
    ) -> None:
        export = _export(chat)
        today = utcnow().date()
        result: Reply | Ready
        match action:
            case ChooseScope(municipality, organization):
                result = await export.scope_chosen(municipality, organization, today)
            case ChooseNames(municipality, organization, names):
                result = await export.names_chosen(municipality, organization, names, today)
            case ChoosePeriod(municipality, organization, year, names):
                result = await export.period_chosen(municipality, organization, year, names)
            case ChooseRound(round_id, kind):
                result = await export.round_chosen(round_id, kind)
            case _:
                result = await export.kind_chosen(action)
        if isinstance(result, Ready):
            await chat.show(query, STARTED)
            await self._launch(chat, query.from_user.id, result)
            return
        await chat.show(query, result)

    async def dates_typed(self, message: Message, chat: Chat) -> None:
        typed = message.text or ""
        await chat.show(
            message, await _export(chat).dates_typed(typed, await chat.state.get_data())
        )

    async def _launch(self, chat: Chat, chat_id: int, ready: Ready) -> None:
        if self.jobs.busy(chat_id):
            # A double tap, or a second request while the first is counted: one at a time.
            await chat.bot.send_message(chat_id, _("export.busy"))
            return
        request = ExportRequest(
            chat.actor,
            chat_id,
            ready.scope,
            ready.period,
            chat.locale,
            kinds=ready.kinds,
            register=ready.register,
            round_id=ready.round_id,
        )
        self.jobs.start(chat.bot, chat.settings, chat.i18n, request)


def _export(chat: Chat) -> Export:
    return Export(chat.uow, chat.actor, chat.settings.export_register_beyond_school)


def create_router() -> Router:
    handlers = ExportHandlers()
    router = Router(name=__name__)
    router.message.register(handlers.start, Command("export"), CommandAllowed("export"))
    router.callback_query.register(
        handlers.pressed, Pressed(ChooseScope, ChooseNames, ChoosePeriod, ChooseKind, ChooseRound)
    )
    router.message.register(handlers.dates_typed, StateFilter(Step.DATES), typed_text())
    return router
