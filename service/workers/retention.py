"""The retention job: every hour, erase the personal data of programmes whose retention
period after completion has passed (app/privacy/retention.py; `nastavnik purge` does the
same once, on the operator's demand)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.privacy.retention import purge
from service.workers.periodic import every

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600.0  # a retention period is counted in days: an hour late is nothing


async def run_retention(
    session_factory: async_sessionmaker[AsyncSession],
    keep_for: timedelta,
    interval: float = INTERVAL_SECONDS,
) -> None:
    async def erase_due() -> None:  # one log line a programme, no report
        for programme in await purge(session_factory, keep_for, dry_run=False):
            log.info(
                "retention: programme %s erased (%s roster names, %s free-text answers)",
                programme.programme_id,
                programme.roster_names,
                programme.free_text,
            )

    await every(interval, erase_due, log)
