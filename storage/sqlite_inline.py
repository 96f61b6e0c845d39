"""SQLite statements run on the event loop's thread instead of aiosqlite's worker thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own
and wakes the event loop when it is done: four or five thread round trips per statement,
each costing more CPU than the statement itself on a local WAL database (microseconds).
Measured in bench/answers.py, the hops were about a third of the bot's CPU per answer.

Waiting must never happen on the loop, though: the write lock may be held by a coroutine of
this very loop (a handler that wrote, then awaits Telegram before its commit), which could
not finish while the loop sleeps in SQLite's busy handler. So inline connections do not wait
at all (busy_timeout 0); a call that finds the database locked is handed to aiosqlite's
thread, which waits for the lock there (busy_timeout WAIT_MS) while the loop runs on.
In WAL mode only taking the write lock can be busy, and a statement refused for that has
done nothing, so repeating it on the thread is safe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, Final

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

WAIT_MS: Final = 5000  # how long a blocked writer waits on the thread before giving up
_OFF_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextmanager
def off_the_loop() -> Iterator[None]:
    """Run this block's SQLite statements on aiosqlite's thread, as before: for the few
    long reads (a school's status, a district summary: up to hundreds of ms) that would
    otherwise hold up everyone else's updates. No effect on PostgreSQL."""
    token = _OFF_THE_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_THE_LOOP.reset(token)


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's interface (which SQLAlchemy's dialect expects), executed in place.

    Connecting, closing and waiting for a lock still go through aiosqlite's thread; the
    sqlite3 connection is therefore opened with check_same_thread=False.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        if _OFF_THE_LOOP.get():
            return await self._on_thread(partial(fn, *args, **kwargs))
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
        return await self._on_thread(partial(fn, *args, **kwargs))

    async def _on_thread(self, call: Callable[[], Any]) -> Any:
        """aiosqlite's own way: on its thread, allowed to wait for the write lock."""
        waiting = partial(_waiting_for_lock, self._conn, call)
        return await super()._execute(waiting)  # type: ignore[no-untyped-call]


def _waiting_for_lock(connection: sqlite3.Connection, call: Callable[[], Any]) -> Any:
    """On aiosqlite's thread: the same call, allowed to wait for the write lock."""
    connection.execute(f"PRAGMA busy_timeout={WAIT_MS}")
    try:
        return call()
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def connect_inline(database: str, **kwargs: Any) -> InlineConnection:
    """Same arguments as aiosqlite.connect (SQLAlchemy passes the URL's)."""
    kwargs["check_same_thread"] = False
    kwargs["timeout"] = 0  # never wait on the loop (see the module's docstring)
    return InlineConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)


def use_inline_connections(engine: AsyncEngine) -> None:
    """Make the engine's new connections InlineConnection (the dialect's connect hook)."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inline(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        params["async_creator_fn"] = connect_inline
