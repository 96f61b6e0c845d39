"""Marks of updates already handled (by channel): a redelivered update changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import HandledUpdate, utcnow
from storage.upsert import insert_ignore

# Telegram gives up redelivering an update after 24 hours; a week is a wide margin.
KEEP_MARKS = timedelta(days=7)

# Built once: they run on every update. Core on the table, not the ORM entity.
_SEEN = select(HandledUpdate.update_key).where(HandledUpdate.update_key == bindparam("key"))
_MARK = insert(cast(Table, HandledUpdate.__table__))


# Both run on the session's connection, in its transaction: Core statements need none of
# the ORM's execution (autoflush, ORM result setup), which cost more than the statement.


async def seen(session: AsyncSession, key: str) -> bool:
    connection = await session.connection()
    return (await connection.execute(_SEEN, {"key": key})).first() is not None


async def mark(session: AsyncSession, key: str) -> None:
    connection = await session.connection()
    await connection.execute(_MARK, {"update_key": key, "handled_at": utcnow()})


async def claim(session: AsyncSession, key: str) -> bool:
    """Mark now; False when another worker marked (or is marking) it first. On PostgreSQL
    a second worker holding the same update waits on the row lock, then sees it taken."""
    return await insert_ignore(
        session, HandledUpdate, ["update_key"], update_key=key, handled_at=utcnow()
    )


async def prune(session_factory: async_sessionmaker[AsyncSession]) -> int:
    """Forget marks too old to matter; returns how many went."""
    async with session_factory() as session, session.begin():
        result = await session.execute(
            delete(HandledUpdate).where(HandledUpdate.handled_at < utcnow() - KEEP_MARKS)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
