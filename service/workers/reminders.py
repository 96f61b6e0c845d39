"""The reminder job: every few minutes, remind people who have not answered (by the
schedule in surveys/reminders.py) and close assignments whose due date has passed.

Each step is given once: the step is recorded on the assignment only if no run recorded it
before, and the reminder's dedupe key ("auto:N") stops a second copy in the outbox even if
two processes run the job at the same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.notices import queue_reminder
from service.workers.periodic import every
from storage.models import utcnow
from storage.repositories.reminders import ReminderRepository
from surveys.reminders import ReminderSchedule, reminder_due
from surveys.zones import zone

log = logging.getLogger(__name__)

_PAGE = 500


@dataclass(frozen=True)
class ReminderReport:
    queued: int
    expired: int


class ReminderJob:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
        schedule: ReminderSchedule,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.i18n = i18n
        self.schedule = schedule
        self.on_queued = on_queued  # e.g. OutboxSender.wake

    async def run_once(self, now: datetime | None = None) -> ReminderReport:
        now = now or utcnow()
        async with self.session_factory() as session, session.begin():
            expired = await ReminderRepository(session).expire_overdue(now)
        queued = 0
        if self.schedule.days:
            after_id = 0
            while True:
                page_queued, after_id = await self._remind_page(now, after_id)
                queued += page_queued
                if after_id == 0:
                    break
        if queued and self.on_queued is not None:
            self.on_queued()
        return ReminderReport(queued, expired)

    async def _remind_page(self, now: datetime, after_id: int) -> tuple[int, int]:
        """Remind one page of candidates; returns (queued, last id or 0 when done)."""
        queued = 0
        async with self.session_factory() as session, session.begin():
            reminders = ReminderRepository(session)
            page = await reminders.candidates(
                now,
                first_after=timedelta(days=self.schedule.days[0]),
                steps=len(self.schedule.days),
                after_id=after_id,
                limit=_PAGE,
            )
            for candidate in page:
                assignment = candidate.assignment
                step = reminder_due(
                    issued_at=assignment.created_at,
                    due_at=assignment.due_at,
                    reminders_sent=assignment.reminders_sent,
                    now=now,
                    zone=zone(candidate.timezone),
                    schedule=self.schedule,
                )
                if step is None or not await reminders.record_reminder(assignment.id, step, now):
                    continue
                queued += await queue_reminder(session, self.i18n, assignment, f"auto:{step}")
        last = page[-1].assignment.id if len(page) == _PAGE else 0
        return queued, last

    async def run_forever(self, interval: float) -> None:
        await every(interval, self.run_once, log)
