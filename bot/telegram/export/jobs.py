"""Building an export (the workbook, the справка or both) in the background
(app/export/build.py: a worker thread with its own event loop and database engine, so the
bot keeps answering, this person too, while a large district is counted). Progress goes to
one message, edited as stages pass, with the "sending a document" chat action."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import FSInputFile
from aiogram.utils.i18n import I18n

from app.export.build import FIRST_STAGE, ExportRequest, build_files, file_name
from app.settings import Settings
from exports.links import sign
from surveys.zones import local

log = logging.getLogger(__name__)
ACTION_EVERY = 4.0  # Telegram shows a chat action for about five seconds


class ExportJobs:
    def __init__(self) -> None:
        self._running: dict[int, asyncio.Task[None]] = {}

    def busy(self, chat_id: int) -> bool:
        return chat_id in self._running

    def start(self, bot: Bot, settings: Settings, i18n: I18n, request: ExportRequest) -> None:
        task = asyncio.create_task(self._guarded(bot, settings, i18n, request))
        self._running[request.chat_id] = task
        task.add_done_callback(lambda _t: self._running.pop(request.chat_id, None))

    async def _guarded(
        self, bot: Bot, settings: Settings, i18n: I18n, request: ExportRequest
    ) -> None:
        """A background task has nobody to raise to: log what escapes (e.g. a blocked bot)."""
        try:
            await self._run(bot, settings, i18n, request)
        except Exception:
            log.exception("export for chat %s could not be delivered", request.chat_id)

    async def _run(self, bot: Bot, settings: Settings, i18n: I18n, request: ExportRequest) -> None:
        def _(key: str) -> str:
            return i18n.gettext(key, locale=request.locale)

        title = request.scope.title or _("export.scope_region")
        period = request.period.label()

        def progress_text(stage: str) -> str:
            return _("export.progress").format(scope=title, period=period, stage=_(stage))

        message = await bot.send_message(
            request.chat_id, progress_text(FIRST_STAGE[request.kinds[0]])
        )
        last_action = 0.0

        async def show_stage(stage: str) -> None:
            await _quietly(message.edit_text(progress_text(stage)))

        async def upload_action() -> None:
            nonlocal last_action
            if time.monotonic() - last_action > ACTION_EVERY:
                await _quietly(bot.send_chat_action(request.chat_id, "upload_document"))
                last_action = time.monotonic()

        paths: list[tuple[str, Path]] = []
        try:
            await build_files(settings, request, i18n, paths, show_stage, upload_action)
            await _quietly(message.edit_text(_("export.ready").format(scope=title, period=period)))
            for kind, path in paths:
                await self._deliver(bot, settings, request, kind, path, _, title, period)
        except Exception:
            log.exception("export failed for chat %s", request.chat_id)
            for _kind, path in paths:
                path.unlink(missing_ok=True)
            await _quietly(message.edit_text(_("export.failed")))

    async def _deliver(
        self,
        bot: Bot,
        settings: Settings,
        request: ExportRequest,
        kind: str,
        path: Path,
        _: Callable[[str], str],
        title: str,
        period: str,
    ) -> None:
        size = (await asyncio.to_thread(path.stat)).st_size
        if size <= settings.export_document_limit_mb * 2**20:
            try:
                await bot.send_chat_action(request.chat_id, "upload_document")
                await bot.send_document(
                    request.chat_id,
                    FSInputFile(path, filename=file_name(request.period, kind)),
                    caption=_caption(kind, _).format(scope=title, period=period),
                )
            finally:
                await asyncio.to_thread(path.unlink, True)
            return
        if settings.public_base_url and settings.export_link_secret:
            ttl = timedelta(hours=settings.export_link_ttl_hours)
            link = sign(settings.export_link_secret.get_secret_value(), path.name, ttl)
            text = _("export.link").format(
                url=link.url(settings.public_base_url),
                expires=f"{local(link.expires_at, settings.time_zone):%d.%m.%Y %H:%M}",
            )
            await bot.send_message(request.chat_id, text)
            return
        await asyncio.to_thread(path.unlink, True)
        await bot.send_message(request.chat_id, _("export.no_link"))


def _caption(kind: str, _: Callable[[str], str]) -> str:
    return _("report.caption") if kind == "report" else _("export.caption")


async def _quietly(call: Awaitable[object]) -> None:
    """Progress is a courtesy: a failed edit or chat action must not stop the export."""
    try:
        await call
    except TelegramAPIError:
        return
