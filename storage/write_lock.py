"""One writer at a time on SQLite, queued in asyncio rather than in SQLite's busy handler.

SQLite has a single write lock. When many updates are handled at once (aiogram's
handle_as_tasks=True), a second writer either sleeps in SQLite's busy handler or fails with
"database is locked". Taking this lock from the first write to the commit makes writers
wait their turn cheaply. PostgreSQL has row locks and needs none of this.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

_SQLITE_WRITER = asyncio.Lock()


@contextlib.asynccontextmanager
async def writing(session: AsyncSession) -> AsyncIterator[None]:
    """Hold the write turn for a block that writes and commits."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    async with _SQLITE_WRITER:
        try:
            yield
        except BaseException:
            await session.rollback()  # never leave a write transaction open without the lock
            raise
