"""The rounds job: every few minutes, close the monitoring rounds whose deadline has passed
(freezing their figures) and remind, once, the people who have not answered a round that is
about to close. Two processes running it at once do no harm: a round is closed by one of
them only (a guarded UPDATE), and each reminder has its dedupe key in the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.curator.questionnaires import Notices
from app.monitoring.outreach import remind_before_deadlines
from app.monitoring.rounds import close_due
from service.workers.periodic import every
from storage.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundReport:
    closed: list[int]
    reminded: int


class RoundJob:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        notices: Notices,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.notices = notices
        self.on_queued = on_queued  # e.g. OutboxSender.wake

    async def run_once(self, now: datetime | None = None) -> RoundReport:
        now = now or utcnow()
        closed = await close_due(self.session_factory, now)
        reminded = await remind_before_deadlines(self.session_factory, self.notices, now)
        if reminded and self.on_queued is not None:
            self.on_queued()
        return RoundReport(closed, reminded)

    async def run_forever(self, interval: float) -> None:
        await every(interval, self.run_once, log)
