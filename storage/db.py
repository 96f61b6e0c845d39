"""Engine and session factory for either dialect."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_inline import connector


@dataclass(frozen=True)
class PoolSize:
    """PostgreSQL connections one process keeps (`size`), may open beyond them under load
    (`max_overflow`), and how long an update waits for one before it fails (`timeout`).

    An update holds a connection from its first query to its commit. With hundreds of
    people answering at once, updates queue for connections, and the pool's queue is not
    fair (a newcomer may take a connection that was handed to a waiter, who queues again):
    with SQLAlchemy's own defaults (5 + 10, 30 s) 500 people answering at once lost hundreds
    of updates, with 20 + 10 and 60 s a few still waited past the timeout (bench/answers.py).
    So units of work queue in `Admission` first (first come, first served, `size` at a
    time); the overflow is left to the workers and the health check. Every process takes
    up to size + max_overflow of PostgreSQL's max_connections (100 by default)."""

    size: int = 20
    max_overflow: int = 10
    timeout: float = 120.0


class Admission:
    """Entry to the connection pool for units of work, first come, first served.

    SQLAlchemy's pool hands a returned connection to whoever asks next, so under load an
    early update can lose its turn again and again until its timeout. Here a unit of work
    waits in a queue of its own, at most `slots` of them (the pool's size) hold a
    connection, and a freed slot goes to the longest waiter. A unit of work opened inside
    another one in the same task (a handler running a step of bulk work) does not queue
    again: it would wait for its own caller. Waiting longer than `timeout` raises
    TimeoutError, which the bot answers as "database unavailable, try again"."""

    def __init__(self, slots: int, timeout: float) -> None:
        self.timeout = timeout
        self._free = slots
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._holders: set[asyncio.Task[Any]] = set()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def enter(self) -> bool:
        """Wait for a slot; False (and no slot taken) when this task holds one already."""
        task = asyncio.current_task()
        if task in self._holders:
            return False
        if self._free > 0 and not self._waiting:
            self._free -= 1
        else:
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                async with asyncio.timeout(self.timeout):
                    await turn
            except BaseException:
                if turn.done() and not turn.cancelled():
                    self._hand_on()  # the slot came with the cancellation: pass it on
                else:
                    self._waiting.remove(turn)
                raise
        if task is not None:
            self._holders.add(task)
        return True

    def leave(self) -> None:
        """Give back the slot `enter()` took (only after it returned True)."""
        self._holders.discard(asyncio.current_task())
        self._hand_on()

    def _hand_on(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


_ADMISSIONS: weakref.WeakKeyDictionary[Engine, Admission] = weakref.WeakKeyDictionary()


def admission(bind: Engine | Connection) -> Admission | None:
    """The queue of units of work for this engine (PostgreSQL), None for SQLite."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _ADMISSIONS.get(engine)


def create_engine(url: str, pool: PoolSize | None = None, **kwargs: Any) -> AsyncEngine:
    """`pool` sizes PostgreSQL's connection pool (PoolSize() when not given); SQLite keeps
    SQLAlchemy's pool for a file."""
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url, hide_parameters=True, async_creator=connector(database), **kwargs
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: error messages (and so logs) never quote what people typed.
    # No pool_pre_ping: on asyncpg it costs BEGIN, a query and ROLLBACK at every checkout,
    # i.e. on every update (a third of an answer's round trips). A connection cut by a
    # database restart fails its one update instead (the person is asked to repeat the
    # step, bot/telegram/common/unavailable.py) and SQLAlchemy then replaces the pool's
    # older connections.
    # pool_recycle retires connections before idle-killing proxies and firewalls do.
    pool = pool or PoolSize()
    engine = create_async_engine(
        url,
        pool_recycle=1800,
        hide_parameters=True,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        **kwargs,
    )
    _ADMISSIONS[engine.sync_engine] = Admission(pool.size, pool.timeout)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while the bot writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # No busy_timeout: inline connections must not wait on the event loop; a locked
    # database is waited for on a worker thread instead (storage/sqlite_inline.py).
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def reading_together(
    session: AsyncSession,
) -> AsyncIterator[tuple[AsyncSession, AsyncSession | None]]:
    """Two sessions to read `session`'s database side by side (an export counts on the
    first while it streams its lists from the second), or `session` alone where a second
    connection would not see the same data (SQLite in memory).

    On PostgreSQL both read one snapshot (REPEATABLE READ, the second taking the first's
    `pg_export_snapshot()`), so every figure, what is hidden and the lists agree even while
    people answer. SQLite cannot share a snapshot between connections: there, as on one
    connection, each statement reads the latest commit."""
    engine = session.bind
    url = engine.url if isinstance(engine, AsyncEngine) else None
    sqlite = url is not None and url.get_backend_name() == "sqlite"
    if url is None or (sqlite and url.database in (None, "", ":memory:")):
        yield session, None
        return
    async with AsyncSession(engine) as first, AsyncSession(engine) as second:
        if not sqlite:
            await _share_snapshot(first, second)
        yield first, second


async def _share_snapshot(first: AsyncSession, second: AsyncSession) -> None:
    level = {"isolation_level": "REPEATABLE READ"}
    exporting = await first.connection(execution_options=level)
    snapshot = (await exporting.exec_driver_sql("SELECT pg_export_snapshot()")).scalar_one()
    if not re.fullmatch(r"[0-9A-F-]+", snapshot):  # server-made, inlined: SET takes no parameters
        raise RuntimeError(f"unexpected snapshot name {snapshot!r}")
    importing = await second.connection(execution_options=level)
    await importing.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
