"""The retention period: a programme's personal data are kept for the programme and its
monitoring, then erased a set time (RETENTION_DAYS) after its completion. Roster names and
free-text answers go; pairs, statuses and scale, yes/no and choice answers stay, so the
figures of past years do not change."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.uow import UnitOfWork
from storage.models import utcnow
from storage.repositories.erasure import ErasureRepository, ExpiredProgramme


async def purge(
    session_factory: async_sessionmaker[AsyncSession],
    keep_for: timedelta,
    *,
    dry_run: bool,
    now: datetime | None = None,
) -> list[ExpiredProgramme]:
    """Erase the personal data of programmes completed more than `keep_for` ago (with
    `dry_run`, only say what would go). One transaction per programme, so a large region
    does not hold SQLite's writer for long; a programme another run erased meanwhile is
    left out."""
    now = now or utcnow()
    async with UnitOfWork(session_factory) as uow:
        expired = await ErasureRepository(uow.session).expired_programmes(now - keep_for)
    if dry_run:
        return expired
    erased: list[ExpiredProgramme] = []
    for programme in expired:
        async with UnitOfWork(session_factory) as uow:
            await uow.write()
            done = await ErasureRepository(uow.session).erase_programme(programme, now)
            await uow.commit()
        if done is not None:
            erased.append(done)
    return erased
