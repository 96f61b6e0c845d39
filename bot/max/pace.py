"""MAX's request limits, kept before a call is made rather than learnt from 429s: 30
requests a second for the bot, 2 messages and 2 callback answers a second per dialog.

Per dialog, calls take turns: a call holds its dialog's turn while it is on the way and
goes only a full spacing (1/2 s and a margin) after the previous call to that dialog came
back. A request arrives before its answer does, so two calls to a dialog always arrive at
least a spacing apart, however slow the network is at the moment — no second ever holds
more than two. For the bot as a whole (30 a second) a call reserves the first free moment
(`next_at`, moved on by 1/30 s) and waits for it. With Redis the turns and reservations
live there (atomic scripts), so every process of the bot (webhook workers, the outbox
sender) shares them; without Redis one process keeps them in memory.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Protocol

from redis.asyncio import Redis

BOT_PER_SECOND = 30
DIALOG_PER_SECOND = 2  # messages, and separately callback answers, to one dialog
MARGIN = 0.02  # seconds added to each spacing: clocks and rounding never make it tighter
TURN_TTL_MS = 30_000  # a process that died holding a dialog's turn gives it up after this
TURN_POLL = 0.02  # how often a waiting caller looks whether the dialog's turn is free

_TAKE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('GET', KEYS[2]) or '0'
end
return false
"""
_GIVE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', 60000)
  redis.call('DEL', KEYS[1])
end
return 1
"""
_RESERVE = """
local now = tonumber(ARGV[1])
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(at + tonumber(ARGV[2])), 'PX', 60000)
return tostring(at)
"""


class Turns(Protocol):
    async def take(self, key: str) -> float:
        """Wait for `key`'s turn; returns when the previous holder's call came back."""

    async def give(self, key: str, done_at: float) -> None:
        """Hand the turn on; this holder's call came back at `done_at`."""

    async def reserve(self, key: str, now: float, spacing: float) -> float:
        """The moment the caller may go (>= now); the next caller of `key` goes `spacing`
        after it."""


class MemoryTurns:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._done: dict[str, float] = {}
        self._next: dict[str, float] = {}

    async def take(self, key: str) -> float:
        await self._locks.setdefault(key, asyncio.Lock()).acquire()
        return self._done.get(key, 0.0)

    async def give(self, key: str, done_at: float) -> None:
        self._done[key] = done_at
        self._locks[key].release()

    async def reserve(self, key: str, now: float, spacing: float) -> float:
        at = max(now, self._next.get(key, 0.0))
        self._next[key] = at + spacing
        return at


class RedisTurns:
    def __init__(self, redis: Redis, prefix: str = "nastavnik:max") -> None:
        """`prefix` names whose turns these are (the Telegram outbox keeps its own)."""
        self.redis = redis
        self.prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)
        self._reserve = redis.register_script(_RESERVE)
        self._tokens: dict[str, str] = {}

    async def take(self, key: str) -> float:
        token = uuid.uuid4().hex
        keys = [f"{self.prefix}:turn:{key}", f"{self.prefix}:done:{key}"]
        while True:
            done = await self._take(keys=keys, args=[token, TURN_TTL_MS])
            if done is not None:
                self._tokens[key] = token
                return float(done)
            await asyncio.sleep(TURN_POLL)

    async def give(self, key: str, done_at: float) -> None:
        keys = [f"{self.prefix}:turn:{key}", f"{self.prefix}:done:{key}"]
        await self._give(keys=keys, args=[self._tokens.pop(key, ""), done_at])

    async def reserve(self, key: str, now: float, spacing: float) -> float:
        at = await self._reserve(keys=[f"{self.prefix}:pace:{key}"], args=[now, spacing])
        return float(at)


class Pace:
    def __init__(self, turns: Turns, bot_per_second: int = BOT_PER_SECOND) -> None:
        self.turns = turns
        self.bot_per_second = bot_per_second

    async def wait(self, kind: str | None, user_id: int | None) -> None:
        """Wait until a call of `kind` ("message", "answer" or None) to `user_id` fits; a
        dialog's call must be followed by `done` (it holds the dialog's turn until then)."""
        if kind is None or user_id is None:
            await self._bot_turn()
            return
        key = f"{kind}:{user_id}"
        previous = await self.turns.take(key)
        try:
            gap = previous + 1 / DIALOG_PER_SECOND + MARGIN - time.time()
            if gap > 0:
                await asyncio.sleep(gap)
            await self._bot_turn()
        except BaseException:
            await self.turns.give(key, previous)  # cancelled before the call: nothing went
            raise

    async def _bot_turn(self) -> None:
        now = time.time()
        at = await self.turns.reserve("bot", now, 1 / self.bot_per_second + MARGIN)
        if at > now:
            await asyncio.sleep(at - now)

    async def done(self, kind: str | None, user_id: int | None) -> None:
        """A dialog's call came back: the next one to that dialog may go a spacing later."""
        if kind is not None and user_id is not None:
            await self.turns.give(f"{kind}:{user_id}", time.time())


def create_pace(redis_url: str | None) -> Pace:
    if redis_url:
        return Pace(RedisTurns(Redis.from_url(redis_url)))
    return Pace(MemoryTurns())
