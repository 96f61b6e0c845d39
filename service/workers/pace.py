"""Telegram's pace: at most N messages in any second overall, one message a chat at a time
with a gap, and a bot-wide pause when Telegram answers 429 (its flood control is per bot).

With `shared` turns (Redis: bot/max/pace.py RedisTurns) every sender process keeps the same
pace: a chat's turn is held in Redis from the wait before a send until the send came back,
the next message to the chat goes a gap after that, and the bot-wide slots and 429 pauses
are reserved there too. Without them (one process, no Redis) the pace lives in memory."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from bot.max.pace import RedisTurns

# Telegram measures arrival, we measure departure: a little slack keeps the jitter of the
# network from squeezing N + 1 messages into one of Telegram's seconds.
WINDOW_SLACK_SECONDS = 0.03
# How late a departure may be without the next one moving: any N + 1 departures still span
# at least 1 s + slack - tolerance.
LATE_TOLERANCE = 0.015


class _ChatLock:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # holders and waiters: the entry goes when nobody needs it


# The bot's next departure slot, shared by every sender: the grid SendPace.turn keeps in
# memory (a late departure moves the next slot by at most LATE_TOLERANCE). A slot less than
# HORIZON ahead is taken at once (the answer is minus the wait until it, or 0); one further
# ahead is not (the answer is how long to wait before asking again), so late senders never
# hold a row of slots that they would then use all at once.
_ADMIT = """
local now = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'),
                      tonumber(redis.call('GET', KEYS[2]) or '0'))
if slot - now > tonumber(ARGV[4]) then return tostring(slot - now - tonumber(ARGV[4])) end
local following = math.max(slot + spacing, now + spacing - tonumber(ARGV[3]))
redis.call('SET', KEYS[1], tostring(following), 'PX', 60000)
return tostring(math.min(0, now - slot))
"""
HORIZON = 0.1
# (`until` is a Lua keyword: the script would not compile.)
_PAUSE = """
local ends = tonumber(ARGV[1])
if ends > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], tostring(ends), 'PX', 600000)
end
return 1
"""


class SharedPace:
    """The pace kept in Redis for every sender: chats' turns (RedisTurns), the bot's next
    departure slot and 429 pauses."""

    def __init__(self, redis: Redis, prefix: str = "nastavnik:tg") -> None:
        self.redis = redis
        self.turns = RedisTurns(redis, prefix)
        self._keys = [f"{prefix}:next", f"{prefix}:paused"]
        self._admit = redis.register_script(_ADMIT)
        self._pause = redis.register_script(_PAUSE)

    async def admit(self, spacing: float) -> float:
        """<= 0: a slot is taken, go in minus that many seconds; > 0: ask again then."""
        args = [time.time(), spacing, LATE_TOLERANCE, HORIZON]
        return float(await self._admit(keys=self._keys, args=args))

    async def pause(self, until: float) -> None:
        await self._pause(keys=self._keys[1:], args=[until])


def _chat_key(chat_id: int) -> str:
    return f"chat:{chat_id}"


class SendPace:
    def __init__(
        self, per_second: int, chat_interval: float, shared: SharedPace | None = None
    ) -> None:
        self.per_second = per_second
        self.chat_interval = chat_interval
        self.shared = shared
        self._shared_done: dict[int, float] = {}  # wall time the chat's last send came back
        self._spacing = (1.0 + WINDOW_SLACK_SECONDS) / per_second
        self._next_slot = 0.0
        self._overall = asyncio.Lock()  # FIFO: messages go in the order they asked
        self._paused_until = 0.0
        self._chat_locks: dict[int, _ChatLock] = {}
        self._chat_last: dict[int, float] = {}

    async def pause(self, seconds: float) -> float:
        """Hold every send (of every sender, when shared) for `seconds`; returns the
        monotonic time the pause ends here."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        if self.shared is not None:
            await self.shared.pause(time.time() + seconds)
        return self._paused_until

    @asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[None]:
        """One message of a chat at a time: hold this around waiting for a turn and sending."""
        entry = self._chat_locks.setdefault(chat_id, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock:
                if self.shared is None:
                    try:
                        yield
                    finally:
                        # The gap runs from when the send came back, as with shared turns:
                        # Telegram measures arrivals, and a slow request must not let the
                        # next one to the chat arrive less than the gap after it.
                        self._chat_last[chat_id] = time.monotonic()
                    return
                turns = self.shared.turns
                self._shared_done[chat_id] = await turns.take(_chat_key(chat_id))
                try:
                    yield
                finally:
                    self._shared_done.pop(chat_id, None)
                    await turns.give(_chat_key(chat_id), time.time())
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chat_locks[chat_id]
                self._forget_quiet_chats()

    async def turn(self, chat_id: int) -> None:
        """Wait until this chat and the bot as a whole may send one more message."""
        if self.shared is not None:
            await self._shared_turn(chat_id, self.shared)
            return
        last = self._chat_last.get(chat_id)
        if last is not None:
            gap = last + self.chat_interval - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
        async with self._overall:
            while True:
                slot = max(self._next_slot, self._paused_until)
                wait = slot - time.monotonic()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)  # then look again: a 429 may extend the pause
            now = time.monotonic()
            # Departures sit on an even grid, not in bursts: a burst queues up on the way and
            # arrives bunched with the next second's first messages. The grid follows the
            # scheduled slots, so a late wake-up is not added to every later gap; after an
            # idle spell it restarts from now rather than catching up.
            self._next_slot = max(slot + self._spacing, now + self._spacing - LATE_TOLERANCE)
            self._chat_last[chat_id] = now

    async def _shared_turn(self, chat_id: int, shared: SharedPace) -> None:
        """Call inside chat(chat_id), which holds the chat's turn in Redis."""
        done = self._shared_done.get(chat_id, 0.0)
        gap = done + self.chat_interval - time.time()
        if gap > 0:
            await asyncio.sleep(gap)
        async with self._overall:  # this process asks in order; Redis arbitrates between
            answer = await shared.admit(self._spacing)
            while answer > 0:
                await asyncio.sleep(answer)
                answer = await shared.admit(self._spacing)
        if answer < 0:
            await asyncio.sleep(-answer)

    def _forget_quiet_chats(self) -> None:
        # Bounded memory: a chat whose gap has passed needs no entry.
        if len(self._chat_last) < 10_000:
            return
        horizon = time.monotonic() - self.chat_interval
        for chat_id in [chat for chat, at in self._chat_last.items() if at < horizon]:
            del self._chat_last[chat_id]
