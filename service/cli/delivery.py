"""`nastavnik outbox` and `nastavnik remind`: the operator's view of delivery."""

from __future__ import annotations

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from service.workers.reminders import ReminderJob
from storage.db import create_session_factory
from storage.repositories.outbox import OutboxRepository


async def outbox_status(engine: AsyncEngine, i18n: I18n) -> int:
    """How many messages wait, are being sent, could not be delivered."""
    async with create_session_factory(engine)() as session:
        depth = await OutboxRepository(session).depth()
    print(
        i18n.gettext("delivery.cli.outbox").format(
            pending=depth.pending, sending=depth.sending, dead=depth.dead
        )
    )
    return 0


async def remind_once(engine: AsyncEngine, settings: Settings, i18n: I18n) -> int:
    """One run of the reminder job (the running bot does this by itself every few minutes);
    the running bot's sender delivers what it queues."""
    job = ReminderJob(create_session_factory(engine), i18n, settings.reminder_schedule)
    report = await job.run_once()
    print(
        i18n.gettext("delivery.cli.reminded").format(queued=report.queued, expired=report.expired)
    )
    return 0
