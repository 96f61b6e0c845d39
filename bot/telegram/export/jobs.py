"""Building an export in the background: the workbook is written in a worker thread with
its own event loop and database engine, so the bot keeps answering (this person too) while
a large district is counted. Progress goes to one message, edited as stages pass, with the
"sending a document" chat action."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import FSInputFile
from aiogram.utils.i18n import I18n

from app.settings import Settings
from exports.links import sign
from exports.period import Period
from exports.run import export_workbook
from exports.workbook import ExportOptions
from storage.db import create_engine, create_session_factory
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from surveys.zones import local

log = logging.getLogger(__name__)
ACTION_EVERY = 4.0  # Telegram shows a chat action for about five seconds
POLL = 0.5


@dataclass(frozen=True)
class ExportRequest:
    actor: Actor
    chat_id: int
    scope: ExportScope
    period: Period
    locale: str


class _Stage:
    """Written by the worker thread, read by the progress loop; a str swap is atomic."""

    def __init__(self) -> None:
        self.key = "export.stage.summary"


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

        stage = _Stage()
        message = await bot.send_message(request.chat_id, progress_text(stage.key))
        folder = settings.export_dir
        folder.mkdir(parents=True, exist_ok=True)
        _forget_old_files(folder, timedelta(hours=settings.export_link_ttl_hours))
        path = folder / f"monitoring-{request.period.start:%Y%m%d}-{secrets.token_hex(8)}.xlsx"
        build = asyncio.create_task(
            asyncio.to_thread(_build_in_thread, settings, request, path, _, stage)
        )
        shown, last_action = stage.key, 0.0
        try:
            while not build.done():
                if time.monotonic() - last_action > ACTION_EVERY:
                    await _quietly(bot.send_chat_action(request.chat_id, "upload_document"))
                    last_action = time.monotonic()
                if stage.key != shown:
                    shown = stage.key
                    await _quietly(message.edit_text(progress_text(shown)))
                await asyncio.wait({build}, timeout=POLL)
            build.result()
            await _quietly(message.edit_text(_("export.ready").format(scope=title, period=period)))
            await self._deliver(bot, settings, request, path, _, title, period)
        except Exception:
            log.exception("export failed for chat %s", request.chat_id)
            path.unlink(missing_ok=True)
            await _quietly(message.edit_text(_("export.failed")))

    async def _deliver(
        self,
        bot: Bot,
        settings: Settings,
        request: ExportRequest,
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
                    FSInputFile(path, filename=f"monitoring-{request.period.start:%Y-%m-%d}.xlsx"),
                    caption=_("export.caption").format(scope=title, period=period),
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


def _build_in_thread(
    settings: Settings,
    request: ExportRequest,
    path: Path,
    translate: Callable[[str], str],
    stage: _Stage,
) -> None:
    asyncio.run(_build(settings, request, path, translate, stage))


async def _build(
    settings: Settings,
    request: ExportRequest,
    path: Path,
    translate: Callable[[str], str],
    stage: _Stage,
) -> None:
    engine = create_engine(settings.database_url)
    try:
        options = export_options(settings, request.locale, include_register=True)

        def progress(key: str) -> None:
            stage.key = key

        async with create_session_factory(engine)() as session:
            await export_workbook(
                session,
                request.actor,
                request.scope,
                request.period,
                path,
                translate,
                options,
                progress,
            )
    finally:
        await engine.dispose()


def export_options(settings: Settings, locale: str, include_register: bool) -> ExportOptions:
    return ExportOptions(
        min_group=settings.export_min_group,
        target_student_share=settings.target_student_share,
        target_young_teacher_share=settings.target_young_teacher_share,
        include_register=include_register,
        locale=locale,
    )


def _forget_old_files(folder: Path, age: timedelta) -> None:
    """Workbooks hold personal data: nothing stays longer than its link is valid."""
    cutoff = time.time() - age.total_seconds()
    for old in folder.glob("monitoring-*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


async def _quietly(call: Awaitable[object]) -> None:
    """Progress is a courtesy: a failed edit or chat action must not stop the export."""
    try:
        await call
    except TelegramAPIError:
        return
