"""Redis commands of concurrent updates go out together (bot/telegram/redis_batch.py), and
each caller still gets exactly its own replies and its own errors: against a real Redis,
one that never answers and a port where nothing listens. Skips unless TEST_REDIS_URL is
set."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bot.telegram.redis_batch import RedisBatch

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
NAME = "nastavnik-batch-test"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL
    # An unbounded pool: without batching every concurrent caller would open a connection.
    client = Redis.from_url(REDIS_URL, client_name=NAME)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def connections_named(redis: Redis) -> int:
    return sum(1 for client in await redis.client_list() if client["name"] == NAME)


async def test_concurrent_callers_share_one_pipeline_and_get_their_own_replies(
    redis: Redis,
) -> None:
    batch = RedisBatch(redis, timeout=5)

    async def caller(number: int) -> list[object]:
        return await batch.send(("SET", f"k{number}", f"v{number}"), ("GET", f"k{number}"))

    replies = await asyncio.gather(*(caller(number) for number in range(200)))

    assert replies == [[True, f"v{number}".encode()] for number in range(200)]
    assert await connections_named(redis) == 1


async def test_an_error_reply_reaches_only_its_caller(redis: Redis) -> None:
    batch = RedisBatch(redis, timeout=5)
    await redis.set("text", "not a list")

    wrong, right = await asyncio.gather(
        batch.send(("LPUSH", "text", "x")), batch.send(("INCR", "counter"))
    )

    assert isinstance(wrong[0], ResponseError)
    assert right == [1]
    assert await redis.get("text") == b"not a list"


async def test_a_caller_that_gives_up_sends_nothing_and_leaves_the_others_their_replies(
    redis: Redis,
) -> None:
    """An update cancelled before its lock command went out must not take a lock nobody
    will release."""
    batch = RedisBatch(redis, timeout=5)
    leaving = asyncio.create_task(batch.send(("SET", "lock:left", "1")))
    staying = asyncio.create_task(batch.send(("INCR", "stayed")))
    await asyncio.sleep(0)  # both are waiting for the flush
    leaving.cancel()

    assert await staying == [1]
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert await redis.exists("lock:left") == 0


def test_commands_left_by_a_stopped_loop_do_not_hold_up_the_next_loop() -> None:
    """Each test runs a loop of its own; a command queued on a loop that stopped before the
    flush must not stall the next loop's callers."""
    assert REDIS_URL
    batch = RedisBatch(Redis.from_url(REDIS_URL), timeout=5)
    first = asyncio.new_event_loop()
    queued: list[asyncio.Task[list[object]]] = []

    def queue_then_stop() -> None:
        queued.append(first.create_task(batch.send(("INCR", "never"))))
        first.call_soon(first.stop)  # runs right after the task queues its command

    async def answered() -> list[object]:
        batch.redis = Redis.from_url(REDIS_URL)  # a client of this loop
        try:
            await batch.redis.delete("never", "after")
            return await asyncio.wait_for(batch.send(("INCR", "after")), timeout=5)
        finally:
            await batch.redis.aclose()

    try:
        first.call_soon(queue_then_stop)
        first.run_forever()  # stops before the flush it scheduled
        assert len(queued) == 1 and not queued[0].done()
        assert asyncio.run(answered()) == [1]
    finally:
        for task in queued:
            task.cancel()
        first.run_until_complete(asyncio.gather(*queued, return_exceptions=True))
        first.close()


async def test_a_redis_that_never_answers_fails_every_caller_within_the_timeout() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # holds the connection open and says nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Redis(host="127.0.0.1", port=port)
    batch = RedisBatch(client, timeout=0.3)
    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(
                batch.send(("GET", "a")), batch.send(("GET", "b")), return_exceptions=True
            ),
            timeout=5,
        )
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await client.aclose()

    assert [type(outcome) for outcome in outcomes] == [TimeoutError, TimeoutError]
    assert outcomes[0] is not outcomes[1]  # each caller raises an exception of its own


async def test_no_redis_at_all_fails_every_caller_with_a_connection_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Redis(host="127.0.0.1", port=port)
    batch = RedisBatch(client, timeout=5)
    try:
        outcomes = await asyncio.gather(
            batch.send(("GET", "a")), batch.send(("GET", "b")), return_exceptions=True
        )
    finally:
        await client.aclose()

    assert all(isinstance(outcome, RedisConnectionError) for outcome in outcomes)
    assert outcomes[0] is not outcomes[1]
