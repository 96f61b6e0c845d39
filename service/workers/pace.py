"""Telegram's pace: at most N messages in any second overall, one message a chat at a time
with a gap, and a bot-wide pause when Telegram answers 429 (its flood control is per bot)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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


class SendPace:
    def __init__(self, per_second: int, chat_interval: float) -> None:
        self.per_second = per_second
        self.chat_interval = chat_interval
        self._spacing = (1.0 + WINDOW_SLACK_SECONDS) / per_second
        self._next_slot = 0.0
        self._overall = asyncio.Lock()  # FIFO: messages go in the order they asked
        self._paused_until = 0.0
        self._chat_locks: dict[int, _ChatLock] = {}
        self._chat_last: dict[int, float] = {}

    def pause(self, seconds: float) -> float:
        """Hold every send for `seconds`; returns the monotonic time the pause ends."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        return self._paused_until

    @asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[None]:
        """One message of a chat at a time: hold this around waiting for a turn and sending."""
        entry = self._chat_locks.setdefault(chat_id, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._chat_locks[chat_id]
                self._forget_quiet_chats()

    async def turn(self, chat_id: int) -> None:
        """Wait until this chat and the bot as a whole may send one more message."""
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

    def _forget_quiet_chats(self) -> None:
        # Bounded memory: a chat whose gap has passed needs no entry.
        if len(self._chat_last) < 10_000:
            return
        horizon = time.monotonic() - self.chat_interval
        for chat_id in [chat for chat, at in self._chat_last.items() if at < horizon]:
            del self._chat_last[chat_id]
