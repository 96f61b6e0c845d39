"""What one `/help` update costs the webhook worker in round trips: SQL statements sent to
the database and commands sent to Redis (bench/webhook.py measures what they are worth).
The guarantees stay: the handled-update mark in the update's transaction, the chat lock,
the conversation state in Redis."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.local_server import served
from tests.support.webhook_fixtures import WebhookBot
from tests.support.webhook_standin import WebhookStandIn

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(REDIS_URL is None, reason="needs TEST_REDIS_URL")
WORKER_REDIS_URL = REDIS_URL  # the worker (tests/production/conftest.py) keeps state in Redis

standin_fixture = served(WebhookStandIn, "standin")


async def test_a_help_update_takes_one_statement_on_postgresql_and_three_redis_calls(
    standin: WebhookStandIn, worker: WebhookBot, engine: AsyncEngine
) -> None:
    """PostgreSQL: the handled-update mark and the actor lookup in one statement (plus the
    BEGIN and COMMIT around it); SQLite looks for the mark and reads the actor in one
    statement, marks at commit. Redis, two round trips: take the chat lock and read the
    conversation state (one pipeline), release the lock (the renewal task only starts for
    an update still running after a third of the lock's lifetime)."""
    olga = standin.user(7301)
    message = {"message_id": 1, "date": 0, "chat": olga.chat, "from": olga.user, "text": "/help"}
    await standin.post(standin.new_update({"message": message}), worker.url)  # warm up
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(str(args[2]).split()[0])

    assert REDIS_URL is not None
    redis = Redis.from_url(REDIS_URL)
    # MONITOR sees the whole server: other databases' clients (another checkout's tests
    # sharing the Redis) are not this worker's.
    database = int(redis.connection_pool.connection_kwargs.get("db", 0))
    commands: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        async with redis.monitor() as monitor:

            async def listen() -> None:
                async for command in monitor.listen():
                    if command.get("db") != database:
                        continue
                    if command.get("client_type") != "lua":  # not the release script's own
                        commands.append(str(command["command"]).split()[0].upper())

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.1)
            delivery = await standin.post(standin.new_update({"message": message}), worker.url)
            await asyncio.sleep(0.2)
            listener.cancel()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
        await redis.aclose()
    assert delivery.status == 200
    assert olga.last_text  # it answered
    if engine.dialect.name == "postgresql":
        assert statements == ["WITH"]
    else:
        assert statements == ["SELECT", "INSERT"]
    assert commands == ["SET", "GET", "EVALSHA"]
