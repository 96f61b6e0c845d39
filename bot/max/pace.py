"""MAX's request limits, kept before a call is made rather than learnt from 429s: 30
requests a second for the bot, 2 messages and 2 callback answers a second per dialog.

Each limit is a spacing between calls: a call reserves the first free moment of its key
(`next_at`, moved on by 1/limit) and waits for it, so no sliding second ever holds more
than the limit. With Redis the reservations live there (one atomic script), so every
process of the bot (webhook workers, the outbox sender) shares them; without Redis one
process keeps them in memory.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from redis.asyncio import Redis

BOT_PER_SECOND = 30
DIALOG_PER_SECOND = 2  # messages, and separately callback answers, to one dialog
MARGIN = 0.02  # seconds added to each spacing: clocks and rounding never make it tighter

_PUSH = """
if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000)
end
return 1
"""
_RESERVE = """
local now = tonumber(ARGV[1])
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(at + tonumber(ARGV[2])), 'PX', 60000)
return tostring(at)
"""


class Reservations(Protocol):
    async def reserve(self, key: str, now: float, spacing: float) -> float:
        """The moment the caller may go (>= now); the next caller of `key` goes `spacing`
        after it."""

    async def push(self, key: str, at: float) -> None:
        """Nobody of `key` goes before `at`."""


class MemoryReservations:
    def __init__(self) -> None:
        self._next: dict[str, float] = {}

    async def reserve(self, key: str, now: float, spacing: float) -> float:
        at = max(now, self._next.get(key, 0.0))
        self._next[key] = at + spacing
        return at

    async def push(self, key: str, at: float) -> None:
        self._next[key] = max(at, self._next.get(key, 0.0))


class RedisReservations:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._script = redis.register_script(_RESERVE)
        self._push = redis.register_script(_PUSH)

    async def reserve(self, key: str, now: float, spacing: float) -> float:
        at = await self._script(keys=[f"nastavnik:max:pace:{key}"], args=[now, spacing])
        return float(at)

    async def push(self, key: str, at: float) -> None:
        await self._push(keys=[f"nastavnik:max:pace:{key}"], args=[at])


class Pace:
    def __init__(self, reservations: Reservations, bot_per_second: int = BOT_PER_SECOND) -> None:
        self.reservations = reservations
        self.bot_per_second = bot_per_second

    async def wait(self, kind: str | None, user_id: int | None) -> None:
        """Wait until a call of `kind` ("message", "answer" or None) to `user_id` fits."""
        if kind is not None and user_id is not None:
            await self._turn(f"{kind}:{user_id}", DIALOG_PER_SECOND)
        await self._turn("bot", self.bot_per_second)

    async def done(self, kind: str | None, user_id: int | None) -> None:
        """A dialog's call came back: the next one to that dialog goes a full spacing later
        (counted from its arrival, not from when it was planned, so a slow first request
        cannot squeeze two into less than the spacing)."""
        if kind is not None and user_id is not None:
            spacing = 1 / DIALOG_PER_SECOND + MARGIN
            await self.reservations.push(f"{kind}:{user_id}", time.time() + spacing)

    async def _turn(self, key: str, per_second: int) -> None:
        now = time.time()
        at = await self.reservations.reserve(key, now, 1 / per_second + MARGIN)
        if at > now:
            await asyncio.sleep(at - now)


def create_pace(redis_url: str | None) -> Pace:
    if redis_url:
        return Pace(RedisReservations(Redis.from_url(redis_url)))
    return Pace(MemoryReservations())
