"""Background work beside the bot: the outbox sender, the reminder job and the retention
job. Long polling (bot/telegram/app.py) and the webhook server both start it with
start_background()."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery import ChannelDelivery
from app.notices import OutboxNotices
from app.settings import Settings
from service.workers.outbox import OutboxSender, SenderConfig
from service.workers.pace import SharedPace
from service.workers.reminders import ReminderJob
from service.workers.retention import run_retention
from service.workers.rounds import RoundJob

log = logging.getLogger(__name__)

_STOP_TIMEOUT_SECONDS = 30.0


@dataclass
class BackgroundTasks:
    sender: OutboxSender
    reminders: ReminderJob
    sender_task: asyncio.Task[None]
    reminder_task: asyncio.Task[None]
    retention_task: asyncio.Task[None]
    round_task: asyncio.Task[None]  # closes monitoring rounds at their deadline

    async def stop(self) -> None:
        """Stop the reminder, retention and round jobs, let the sender finish what is in
        flight and hand back the rest of its claims."""
        for job in (self.reminder_task, self.retention_task, self.round_task):
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
        await self.sender.stop()
        try:
            await asyncio.wait_for(self.sender_task, _STOP_TIMEOUT_SECONDS)
        except TimeoutError:  # wait_for cancelled it: the leases will run out instead
            log.warning("outbox sender did not stop in time; its claims wait for the lease")
        except Exception:  # stopping must go on: the claims come back after the lease
            log.exception("outbox sender failed")
        if self.sender.shared is not None:
            await self.sender.shared.redis.aclose()


def start_background(
    bot: Bot | None,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    channels: Mapping[str, ChannelDelivery] | None = None,
) -> BackgroundTasks:
    """`channels`: how to reach people of channels other than Telegram (MAX); `bot`
    None: Telegram is not served (a district on MAX alone)."""
    shared = None
    if settings.redis_url:  # several senders (workers, processes) keep one pace
        shared = SharedPace(Redis.from_url(settings.redis_url))
    config = SenderConfig.from_settings(settings)
    sender = OutboxSender(bot, session_factory, config, channels=channels, shared=shared)
    reminders = ReminderJob(session_factory, i18n, settings.reminder_schedule, sender.wake)
    rounds = RoundJob(session_factory, OutboxNotices(i18n), sender.wake)
    return BackgroundTasks(
        sender,
        reminders,
        asyncio.create_task(sender.run(), name="outbox-sender"),
        asyncio.create_task(
            reminders.run_forever(settings.reminder_interval_seconds), name="reminders"
        ),
        asyncio.create_task(
            run_retention(session_factory, timedelta(days=settings.retention_days)),
            name="retention",
        ),
        asyncio.create_task(rounds.run_forever(settings.reminder_interval_seconds), name="rounds"),
    )
