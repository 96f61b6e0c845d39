"""What one `/help` update, and one registration step, cost the webhook worker in round
trips: SQL statements sent to the database and commands sent to Redis (bench/webhook.py
measures what they are worth). The guarantees stay: the handled-update mark in the update's
transaction, the chat lock, the conversation state in Redis."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.support.joining import join
from tests.support.local_server import served
from tests.support.webhook_fixtures import FULL_NAME, WebhookBot, mentor_invite
from tests.support.webhook_standin import WebhookStandIn

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(REDIS_URL is None, reason="needs TEST_REDIS_URL")
WORKER_REDIS_URL = REDIS_URL  # the worker (tests/production/conftest.py) keeps state in Redis

standin_fixture = served(WebhookStandIn, "standin")


class RoundTrips:
    """The SQL statements and Redis commands the worker sends while `counting()` is open
    (the release script's commands inside Lua are not round trips)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.commands: list[str] = []

    @asynccontextmanager
    async def counting(self) -> AsyncIterator[None]:
        def note(*args: Any) -> None:
            self.statements.append(str(args[2]).split()[0])

        assert REDIS_URL is not None
        redis = Redis.from_url(REDIS_URL)
        # MONITOR sees the whole server: other databases' clients (another checkout's tests
        # sharing the Redis) are not this worker's.
        database = int(redis.connection_pool.connection_kwargs.get("db", 0))
        event.listen(self.engine.sync_engine, "before_cursor_execute", note)
        try:
            async with redis.monitor() as monitor:

                async def listen() -> None:
                    async for command in monitor.listen():
                        if command.get("db") != database:
                            continue
                        if command.get("client_type") != "lua":
                            self.commands.append(str(command["command"]).split()[0].upper())

                listener = asyncio.create_task(listen())
                await asyncio.sleep(0.1)
                yield
                await asyncio.sleep(0.2)
                listener.cancel()
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", note)
            await redis.aclose()


async def test_a_help_update_takes_one_statement_on_postgresql_and_one_lock_round_trip_each_way(
    standin: WebhookStandIn, worker: WebhookBot, engine: AsyncEngine
) -> None:
    """PostgreSQL: the handled-update mark and the actor lookup in one statement (plus the
    BEGIN and COMMIT around it); SQLite looks for the mark and reads the actor in one
    statement, marks at commit. Redis, two round trips: take the chat lock and read the
    conversation's state and data (one pipeline), release the lock (the renewal task only
    starts for an update still running after a third of the lock's lifetime)."""
    olga = standin.user(7301)
    message = {"message_id": 1, "date": 0, "chat": olga.chat, "from": olga.user, "text": "/help"}
    await standin.post(standin.new_update({"message": message}), worker.url)  # warm up
    trips = RoundTrips(engine)
    async with trips.counting():
        delivery = await standin.post(standin.new_update({"message": message}), worker.url)
    assert delivery.status == 200
    assert olga.last_text  # it answered
    if engine.dialect.name == "postgresql":
        assert trips.statements == ["WITH"]
    else:
        assert trips.statements == ["SELECT", "INSERT"]
    assert trips.commands == ["SET", "GET", "GET", "EVALSHA"]


async def test_a_step_that_reads_the_conversation_data_reads_it_with_the_lock(
    standin: WebhookStandIn,
    worker: WebhookBot,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Typing one's name during registration reads what the earlier steps stored (the
    conversation data) and moves the conversation on: the data comes with the lock, no
    GET of its own; the writes go after the commit."""
    code = await mentor_invite(session_factory)
    olga = standin.user(7302)
    await join(olga, code)  # /start with the code, consent: the bot asks for the name
    trips = RoundTrips(engine)
    async with trips.counting():
        await olga.send(FULL_NAME)
    assert "категори" in (olga.last_text or "").lower()  # the next step: teacher or student
    assert trips.commands[:3] == ["SET", "GET", "GET"]  # the lock, the state, the data
    assert trips.commands[-1] == "EVALSHA"  # the release
    writes = trips.commands[3:-1]
    assert writes and "GET" not in writes  # after the commit: writes only
