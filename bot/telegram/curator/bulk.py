"""Running a curator's bulk job (app/curator/bulk.py) in Telegram: within the update when
it is one step, otherwise in the background with a progress message edited as steps pass
(as exports do), so the curator sees it moving and everyone, the curator too, keeps being
answered. At most one job per chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.curator.bulk import PAIRS_PER_STEP, Job, no_progress
from app.screens import Msg, Screen
from bot import render
from bot.telegram.screens import drop_buttons, send

log = logging.getLogger(__name__)

__all__ = ["PAIRS_PER_STEP", "CuratorJobs", "run"]

PROGRESS_EVERY: Final = 1.0  # seconds between edits of the progress message


class CuratorJobs:
    """Bulk work running in the background: at most one per chat."""

    def __init__(self) -> None:
        self._running: dict[int, asyncio.Task[None]] = {}

    def busy(self, chat_id: int) -> bool:
        return chat_id in self._running

    def start(self, chat_id: int, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._running[chat_id] = task
        task.add_done_callback(lambda _task: self._running.pop(chat_id, None))


async def run(query: CallbackQuery, job: Job, jobs: CuratorJobs, bot: Bot, i18n: I18n) -> None:
    """Answer the press and do the job; the result is sent after its last commit."""
    chat_id = query.from_user.id
    if jobs.busy(chat_id):
        await query.answer(render.text(i18n, Msg("curator.bulk.busy")), show_alert=True)
        return
    await query.answer()
    if job.drop:
        await drop_buttons(query)
    if job.total <= PAIRS_PER_STEP:
        result = await job.run(no_progress)
        await send(bot, chat_id, i18n, Screen((result,)))
        return
    message = await bot.send_message(chat_id, render.text(i18n, job.progress(0)))
    shown = _ShownProgress(message, lambda done: render.text(i18n, job.progress(done)))
    jobs.start(chat_id, _in_background(bot, chat_id, i18n, shown, job))


async def _in_background(
    bot: Bot, chat_id: int, i18n: I18n, shown: _ShownProgress, job: Job
) -> None:
    # The task runs in a copy of the update's context: the texts are in the curator's
    # language.
    try:
        result = await job.run(shown.update)
        await shown.finish(job.total)
        await send(bot, chat_id, i18n, Screen((result,)))
    except Exception:
        # A background task has nobody to raise to: log it and tell the curator.
        log.exception("bulk work failed for chat %s", chat_id)
        await _quietly(bot.send_message(chat_id, render.text(i18n, Msg("curator.bulk.failed"))))


class _ShownProgress:
    """Edits the progress message after the first step, then at most every
    PROGRESS_EVERY seconds (Telegram limits edits of one message)."""

    def __init__(self, message: Message, text: Callable[[int], str]) -> None:
        self.message = message
        self.text = text
        self.edited_at: float | None = None

    async def update(self, done: int) -> None:
        now = time.monotonic()
        if self.edited_at is None or now - self.edited_at >= PROGRESS_EVERY:
            self.edited_at = now
            await _quietly(self.message.edit_text(self.text(done)))

    async def finish(self, done: int) -> None:
        await _quietly(self.message.edit_text(self.text(done)))


async def _quietly(call: Awaitable[object]) -> None:
    """Progress is a courtesy: a failed edit must not stop the work."""
    try:
        await call
    except TelegramAPIError:
        return
