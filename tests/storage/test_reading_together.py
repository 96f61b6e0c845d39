"""The export's two reading sessions (storage.db.reading_together): on PostgreSQL both read
one snapshot, so what is committed while a region is counted shows in neither its figures
nor its lists; on SQLite each statement reads the latest commit, on either session."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory, reading_together
from storage.models import Municipality


async def _districts(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Municipality)) or 0)


async def _add_district(factory: async_sessionmaker[AsyncSession], code: str) -> None:
    async with factory() as session, session.begin():
        session.add(Municipality(code=code, name=f"Район {code}"))


async def test_a_commit_while_reading_shows_in_neither_on_postgresql_in_both_on_sqlite(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    await _add_district(session_factory, "M01")
    async with session_factory() as session, reading_together(session) as (first, second):
        assert second is not None and first is not session and second is not first
        assert await _districts(first) == 1
        await _add_district(session_factory, "M02")  # committed while the export reads
        seen = await _districts(first), await _districts(second)
    if database_url.startswith("postgresql"):
        assert seen == (1, 1)
    else:
        assert seen == (2, 2)
    async with session_factory() as session:
        assert await _districts(session) == 2


async def test_sqlite_in_memory_reads_on_the_one_session() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with create_session_factory(engine)() as session:
            async with reading_together(session) as (first, second):
                assert first is session and second is None
    finally:
        await engine.dispose()
