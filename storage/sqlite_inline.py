"""SQLite statements run on the event loop's thread instead of aiosqlite's worker thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own
and wakes the event loop when it is done: four or five thread round trips per statement,
each costing more CPU than the statement itself on a local WAL database (microseconds).
Measured in bench/answers.py, the hops were about a third of the bot's CPU per answer.

The cost of running inline: a statement that has to wait for SQLite's write lock held by
ANOTHER process (a CLI import, say) blocks the loop for up to busy_timeout. Inside the bot
writers already queue in asyncio (storage/write_lock.py), and readers never wait in WAL
mode, so that is the rare case; the embedded default is meant for one bot process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's interface (which SQLAlchemy's dialect expects), executed in place.

    Connecting and closing still go through aiosqlite's thread, once per connection; the
    sqlite3 connection is therefore opened with check_same_thread=False.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def connect_inline(database: str, **kwargs: Any) -> InlineConnection:
    """Same arguments as aiosqlite.connect (SQLAlchemy passes the URL's)."""
    kwargs["check_same_thread"] = False
    return InlineConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)


def use_inline_connections(engine: AsyncEngine) -> None:
    """Make the engine's new connections InlineConnection (the dialect's connect hook)."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inline(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        params["async_creator_fn"] = connect_inline
