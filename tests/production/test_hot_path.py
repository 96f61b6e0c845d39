"""The answer path's speed measures keep doing what they say (bench/answers.py measures how
much they are worth): SQLite statements run on the caller's thread, every filter is a
coroutine. (The prebuilt statements are exercised by the repository and scenario tests.)"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiogram import F, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.types import Chat, Message
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.settings import load_settings
from bot.telegram.app import create_dispatcher
from bot.telegram.filters import Magic
from storage.db import create_engine, create_session_factory
from storage.sqlite_inline import off_the_loop


@asynccontextmanager
async def thread_noting_connection(
    path: Path,
) -> AsyncIterator[tuple[AsyncConnection, list[int]]]:
    """A connection whose SQL function thread_id() notes the thread SQLite runs it on."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    threads: list[int] = []
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            sqlite = raw.driver_connection.raw  # type: ignore[union-attr]
            sqlite.create_function("thread_id", 0, lambda: threads.append(threading.get_ident()))
            yield connection, threads
    finally:
        await engine.dispose()


async def test_sqlite_statements_run_on_the_event_loop_thread(tmp_path: Path) -> None:
    async with thread_noting_connection(tmp_path / "inline.db") as (connection, threads):
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        await connection.execute(text("INSERT INTO t SELECT 1 WHERE thread_id() IS NULL"))
        await connection.commit()
        count = await connection.scalar(text("SELECT count(*) FROM t"))
    assert count == 1
    assert threads == [threading.get_ident()]  # not aiosqlite's worker thread


async def test_long_reads_marked_off_the_loop_run_on_a_worker_thread(tmp_path: Path) -> None:
    async with thread_noting_connection(tmp_path / "offload.db") as (connection, threads):
        await connection.execute(text("SELECT thread_id()"))
        with off_the_loop():
            await connection.execute(text("SELECT thread_id()"))
        await connection.execute(text("SELECT thread_id()"))
    here = threading.get_ident()
    assert threads[0] == here and threads[2] == here
    assert threads[1] != here


async def test_a_writer_blocked_by_another_coroutine_waits_without_stopping_the_loop(
    tmp_path: Path,
) -> None:
    """A handler may hold SQLite's write lock across an await (it wrote, now it talks to
    Telegram). A second writer must wait for it off the loop: blocking the loop would keep
    the first from ever committing."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}")
    ticks = 0
    order: list[str] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def holder() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1)"))  # takes the lock
            await asyncio.sleep(0.5)  # "talking to Telegram"
            await connection.commit()
            order.append("holder committed")

    async def second_writer() -> None:
        await asyncio.sleep(0.1)
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))
            await connection.commit()
            order.append("second committed")

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        clock = asyncio.create_task(ticker())
        await asyncio.gather(holder(), second_writer())
        clock.cancel()
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT n FROM t ORDER BY n"))).all()
    finally:
        await engine.dispose()
    assert order == ["holder committed", "second committed"]
    assert [n for (n,) in rows] == [1, 2]
    assert ticks >= 30  # the loop kept running while the second writer waited


def filters_under(router: Router) -> Iterator[FilterObject]:
    """Every handler filter of `router` and its sub-routers."""
    for child in router.chain_tail:
        for observer in child.observers.values():
            for handler in observer.handlers:
                yield from handler.filters or ()


async def test_every_filter_of_the_dispatcher_is_a_coroutine(tmp_path: Path) -> None:
    settings = load_settings(
        bot_token="123456:TEST-token", database_url=f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"
    )
    engine = create_engine(settings.database_url)
    try:
        dispatcher = create_dispatcher(settings, create_session_factory(engine))
    finally:
        await engine.dispose()
    filters = list(filters_under(dispatcher))
    assert filters  # the walk found the routers' filters at all
    assert all(filter_object.awaitable for filter_object in filters)


async def test_a_magic_filter_runs_on_the_loop_and_still_decides() -> None:
    router = Router()
    router.message.register(lambda message: None, Magic(F.chat.type == "private"))
    check = router.message.handlers[0].filters[0]  # type: ignore[index]
    assert check.awaitable
    private = Message.model_construct(chat=Chat(id=1, type="private"))
    group = Message.model_construct(chat=Chat(id=-5, type="group"))
    assert await check.call(private) is True
    assert await check.call(group) is False
