"""Chat locks in Redis (bot/telegram/chat_state.ChatLocks) under churn: many chats, short
locks renewed while their update runs, updates ending at every moment of a renewal. Each
lock is released when its update ends, one update of a chat runs at a time, and no renewal
outlives its update. On Python 3.11 a renewal cancelled while redis-py sent its command
lost the cancellation and renewed for ever: the update and the chat's next one waited for
ever (the stall of tests/delivery/test_burst.py). Skips unless TEST_REDIS_URL is set."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.telegram.chat_state import ChatLocks, connect

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
CHATS = 40
ROUNDS = 15
TTL = 0.3  # renewed every 100 ms: updates end in the middle of renewals all the time


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL
    client = connect(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


def keepers() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "ChatLocks._keep"
    ]


async def test_every_lock_is_released_when_its_update_ends(redis: Redis) -> None:
    locks = ChatLocks(redis, TTL)
    chance = random.Random(17)
    inside: dict[int, int] = dict.fromkeys(range(CHATS), 0)
    overlaps = 0
    finished = 0

    async def updates_of(chat: int) -> None:
        nonlocal overlaps, finished
        key = StorageKey(bot_id=1, chat_id=chat, user_id=chat)
        for _ in range(ROUNDS):
            async with locks.lock(key):
                inside[chat] += 1
                overlaps += inside[chat] > 1
                await asyncio.sleep(chance.uniform(0, TTL))
                inside[chat] -= 1
            finished += 1

    async with asyncio.timeout(60):  # hung for ever before the fix
        await asyncio.gather(*(updates_of(chat) for chat in range(CHATS)))
    await asyncio.sleep(0)

    assert (finished, overlaps) == (CHATS * ROUNDS, 0)
    assert [task for task in keepers() if not task.done()] == []
    assert await redis.keys("*lock*") == []


async def test_a_lock_is_released_by_a_redis_that_forgot_the_release_script(
    redis: Redis,
) -> None:
    """A restarted Redis has no scripts: the release (sent as EVALSHA with the other
    updates' commands) loads it again rather than leave the chat locked for the lock's
    lifetime."""
    locks = ChatLocks(redis, ttl=30)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    async with locks.lock(key):
        await redis.script_flush()
    assert await redis.keys("*lock*") == []
    async with asyncio.timeout(1):  # the chat's next update gets the lock at once
        async with locks.lock(key):
            pass
