"""SQLite connections whose statements run on the event loop's thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own
and wakes the event loop when it is done: four or five thread round trips per statement,
each costing more CPU than the statement itself on a local WAL database (microseconds).
Measured in bench/answers.py, the hops were about a third of the bot's CPU per answer.

So the engine gets its connections from `connect()` through SQLAlchemy's public
`async_creator` hook: a small asyncio connection over the standard library's sqlite3 that
implements what SQLAlchemy's aiosqlite dialect drives (the driver-connection protocol of
sqlalchemy.connectors.asyncio: cursor, execute, fetch*, commit, rollback, close) and runs
each call in place.

Waiting must never happen on the loop, though: the write lock may be held by a coroutine of
this very loop (a handler that wrote, then awaits the messenger before its commit), which
could not finish while the loop sleeps in SQLite's busy handler. So connections do not wait
at all (busy_timeout 0); a call that finds the database locked is repeated on a worker
thread, which waits for the lock there (busy_timeout WAIT_MS) while the loop runs on. In WAL
mode only taking the write lock can be busy, and a statement refused for that has done
nothing, so repeating it is safe. Long reads marked `off_the_loop()` run on a thread too.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from types import TracebackType
from typing import Any, Final, Self

WAIT_MS: Final = 5000  # how long a blocked writer waits on the thread before giving up
SLICE_MS: Final = 100  # a wait checks this often whether its caller is still there
_OFF_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextmanager
def off_the_loop() -> Iterator[None]:
    """Run this block's SQLite statements on a worker thread: for the few long reads (a
    school's status, a district summary: up to hundreds of ms) that would otherwise hold up
    everyone else's updates. No effect on PostgreSQL."""
    token = _OFF_THE_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_THE_LOOP.reset(token)


class InlineConnection:
    """One sqlite3 connection driven from asyncio without a thread of its own."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        # SQLAlchemy's aiosqlite dialect looks at `_connection` to see whether the driver
        # connection is still open before it commits or rolls back.
        self._connection: sqlite3.Connection | None = raw

    @property
    def raw(self) -> sqlite3.Connection:
        if self._connection is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self._connection

    async def run(self, call: Callable[[], Any]) -> Any:
        """The call in place, or on a thread when it has to wait (see the module's doc)."""
        if not _OFF_THE_LOOP.get():
            try:
                return call()
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
        return await self._on_thread(call)

    async def _on_thread(self, call: Callable[[], Any]) -> Any:
        """The call on a worker thread. If the caller is cancelled meanwhile (an update cut
        short, a shutdown), the thread cannot be stopped and still uses the connection:
        rolling it back or closing it now would crash the interpreter. So the statement is
        interrupted (it was waiting for the lock, or is a read nobody wants any more), the
        thread is waited for (a wait for the lock ends within SLICE_MS), and only then the
        cancellation goes on."""
        stop = threading.Event()
        work = asyncio.ensure_future(asyncio.to_thread(_waiting_for_lock, self.raw, call, stop))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            stop.set()
            self.raw.interrupt()
            while not work.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait((work,))
            if not work.cancelled():
                work.exception()  # seen: the caller gets the cancellation, not this error
            raise

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def commit(self) -> None:
        await self.run(self.raw.commit)

    async def rollback(self) -> None:
        await self.run(self.raw.rollback)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close now (SQLAlchemy's terminate of an invalidated connection)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.raw.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.raw.isolation_level = value  # type: ignore[assignment]


class InlineCursor:
    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection.raw.cursor()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = ()) -> Self:
        await self._connection.run(partial(self._cursor.execute, operation, parameters))
        return self

    async def executemany(self, operation: str, parameters: Sequence[Any]) -> Self:
        await self._connection.run(partial(self._cursor.executemany, operation, parameters))
        return self

    async def fetchone(self) -> Any:
        return await self._connection.run(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        rows: list[Any] = await self._connection.run(
            partial(self._cursor.fetchmany, size or self._cursor.arraysize)
        )
        return rows

    async def fetchall(self) -> list[Any]:
        rows: list[Any] = await self._connection.run(self._cursor.fetchall)
        return rows

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    async def __aiter__(self) -> AsyncIterator[Any]:
        while (row := await self.fetchone()) is not None:
            yield row


def _waiting_for_lock(
    connection: sqlite3.Connection, call: Callable[[], Any], stop: threading.Event
) -> Any:
    """On a worker thread: the same call, allowed to wait for the write lock up to WAIT_MS,
    in slices so that `stop` (the caller was cancelled) is seen soon. SQLite's busy wait
    does not heed sqlite3_interrupt."""
    deadline = time.monotonic() + WAIT_MS / 1000
    connection.execute(f"PRAGMA busy_timeout={SLICE_MS}")
    try:
        while True:
            try:
                return call()
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode == sqlite3.SQLITE_BUSY
                if not busy or stop.is_set() or time.monotonic() >= deadline:
                    raise
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def connector(database: str) -> Callable[[], Any]:
    """The engine's `async_creator`: a new inline connection to `database`."""

    async def connect() -> InlineConnection:
        # check_same_thread=False: a call that must wait runs on a worker thread.
        # timeout=0: never wait on the loop (see the module's doc).
        raw = sqlite3.connect(database, check_same_thread=False, timeout=0)
        return InlineConnection(raw)

    return connect
