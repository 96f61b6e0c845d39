"""Fair turns at the database under load: on PostgreSQL units of work enter the connection
pool first come, first served (storage.db.Admission) and many more of them than
connections all get through; on SQLite a unit of work cancelled while its statement waits
for the write lock on a worker thread ends cleanly, and the database stays usable."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.uow import UnitOfWork
from storage.db import Admission, PoolSize, admission, create_engine, create_session_factory
from storage.models import HandledUpdate
from storage.repositories import handled

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def small_pool(postgres_migrated: str) -> AsyncIterator[AsyncEngine]:
    """PostgreSQL with two connections and no overflow: everyone else has to queue."""
    engine = create_engine(postgres_migrated, PoolSize(size=2, max_overflow=0, timeout=60))
    try:
        yield engine
    finally:
        await engine.dispose()
        cleanup = create_engine(postgres_migrated)
        async with cleanup.begin() as connection:
            await connection.execute(HandledUpdate.__table__.delete())
        await cleanup.dispose()


async def _queued(gate: Admission, count: int) -> None:
    """Let the tasks just started run up to their place in the queue."""
    for _ in range(1000):
        if gate.waiting >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{gate.waiting} waiting, expected {count}")


async def _marks(factory: Factory) -> set[str]:
    async with factory() as session:
        return set((await session.scalars(select(HandledUpdate.update_key))).all())


async def test_units_of_work_enter_the_pool_in_arrival_order(small_pool: AsyncEngine) -> None:
    factory = create_session_factory(small_pool)
    gate = admission(small_pool.sync_engine)
    assert gate is not None
    release = asyncio.Event()
    holding = [asyncio.Event(), asyncio.Event()]
    order: list[str] = []

    async def holder(n: int) -> None:
        async with UnitOfWork(factory) as uow:
            assert await uow.handle_once(f"holder{n}")
            holding[n].set()
            await release.wait()
            await uow.commit()

    async def update(key: str) -> None:
        async with UnitOfWork(factory) as uow:
            order.append(key)
            assert await uow.handle_once(key)
            await uow.commit()

    holders = [asyncio.create_task(holder(n)) for n in range(2)]
    for event in holding:
        await event.wait()
    waiters = []
    for n in range(5):
        waiters.append(asyncio.create_task(update(f"early{n}")))
        await _queued(gate, n + 1)
    release.set()
    await asyncio.sleep(0)
    late = asyncio.create_task(update("late"))  # arrives as slots are handed to the waiters
    await asyncio.gather(*holders, *waiters, late)

    assert order == [f"early{n}" for n in range(5)] + ["late"]
    assert await _marks(factory) == {"holder0", "holder1", "late"} | {f"early{n}" for n in range(5)}


async def test_many_more_updates_than_connections_all_get_through(
    small_pool: AsyncEngine,
) -> None:
    factory = create_session_factory(small_pool)

    async def update(key: str) -> None:
        async with UnitOfWork(factory) as uow:
            assert await uow.handle_once(key)
            await asyncio.sleep(0)  # a handler awaiting the messenger mid-update
            await uow.commit()

    keys = [f"tg:{n}" for n in range(300)]
    await asyncio.gather(*(update(key) for key in keys))
    assert await _marks(factory) == set(keys)


async def test_a_unit_of_work_inside_another_does_not_wait_for_itself(
    small_pool: AsyncEngine,
) -> None:
    """A handler running a step of bulk work opens a second unit of work in its task; with
    every slot taken by such handlers, queueing again would wait forever."""
    small = create_engine(str(small_pool.url), PoolSize(size=1, max_overflow=1, timeout=60))
    factory = create_session_factory(small)
    try:
        async with UnitOfWork(factory) as outer:
            assert await outer.handle_once("outer")
            async with UnitOfWork(factory) as inner:
                assert await inner.handle_once("inner")
                await inner.commit()
            await outer.commit()
        assert await _marks(factory) == {"outer", "inner"}
    finally:
        await small.dispose()


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    gate = Admission(slots=1, timeout=60)
    assert await gate.enter()
    first = asyncio.create_task(gate.enter())
    second = asyncio.create_task(gate.enter())
    await _queued(gate, 2)
    gate.leave()  # the slot is handed to `first`...
    first.cancel()  # ...which is cancelled before it could use it
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second
    assert gate.waiting == 0


async def test_waiting_past_the_timeout_is_refused_and_leaves_the_queue() -> None:
    gate = Admission(slots=1, timeout=0.01)
    assert await gate.enter()
    with pytest.raises(TimeoutError):
        await asyncio.create_task(gate.enter())  # another update (this task holds the slot)
    assert gate.waiting == 0
    gate.leave()
    assert await asyncio.create_task(gate.enter())


async def test_sqlite_has_no_pool_queue(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "x.db")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        assert admission(engine.sync_engine) is None
    finally:
        await engine.dispose()


async def test_cancelled_wait_for_the_sqlite_write_lock_ends_cleanly(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """The statement waits for the lock on a worker thread; cancelling its update used to
    roll back and close the connection under that thread (a segmentation fault)."""
    path = tmp_path / "x.db"
    shutil.copy(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    factory = create_session_factory(engine)
    other_process = sqlite3.connect(path)
    other_process.execute("BEGIN IMMEDIATE")  # holds the write lock
    started = asyncio.Event()

    async def update() -> None:
        async with UnitOfWork(factory) as uow:
            await uow.write()
            started.set()
            await handled.mark(uow.session, "tg:cancelled")  # waits on a thread
            await uow.commit()

    try:
        task = asyncio.create_task(update())
        await started.wait()
        await asyncio.sleep(0.05)  # into the wait on the thread (any point would do)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        other_process.rollback()

        async with UnitOfWork(factory) as uow:
            await uow.write()
            await handled.mark(uow.session, "tg:next")
            await uow.commit()
        async with factory() as session:
            stored = await session.scalars(select(HandledUpdate.update_key))
            assert set(stored) == {"tg:next"}
            assert await session.scalar(select(func.count()).select_from(HandledUpdate)) == 1
    finally:
        other_process.close()
        await engine.dispose()
