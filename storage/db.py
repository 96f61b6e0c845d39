"""Engine and session factory for either dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_inline import connector


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
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
    return create_async_engine(url, pool_recycle=1800, hide_parameters=True, **kwargs)


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
