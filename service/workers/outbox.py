"""The outbox sender: a background task that drains the outbox at Telegram's pace.

Each message is claimed with a lease (storage/repositories/outbox.py), waits for its
turn (service/workers/pace.py), is sent once, and its outcome is written in a transaction
of its own right after Telegram answers:

- accepted → sent;
- 429 → every send pauses for retry_after, then the same message is tried again;
- 403 (blocked, deactivated) → the person is unreachable, their unsent messages dead;
- 400/404 (chat not found, bad markup) → dead, with Telegram's reason;
- 5xx, network errors → tried again later with exponential backoff, dead after
  max_attempts.

The crash window that remains: if the process dies after Telegram accepted a message and
before "sent" is committed (a few milliseconds), the lease runs out and another sender sends
it again. A network timeout on a request Telegram did carry out has the same effect. Telegram
offers no idempotency key, so "at most once" is exact everywhere except in those windows.

Each message goes through its recipient's channel: Telegram here, others through the
`ChannelDelivery` the composition root gives (MAX: bot/max/delivery.py, which keeps MAX's
own limits and waits out its 429s). Each channel has a pace of its own, so one sender
serves a district on both messengers at each one's limits: Telegram's 30 a second and a
message a second per chat (shared through Redis), MAX's 30 requests a second and 2
messages a second per dialog (kept by its client, bot/max/pace.py, shared through Redis
too); a 429 of one messenger holds that messenger's messages alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.delivery import ChannelDelivery
from app.delivery import Outcome as _Outcome
from app.delivery import Verdict as _Verdict
from app.settings import Settings
from service.workers.pace import SendPace, SharedPace
from storage.models import utcnow
from storage.repositories.outbox import ClaimedMessage, OutboxRepository
from surveys.channels import ChannelName

log = logging.getLogger(__name__)

_MAX_BACKOFF_SECONDS = 3600.0
_REQUEST_TIMEOUT_SECONDS = 30
_RECORD_TRIES = 3
# Other channels' outbox pace: one message of a chat on the way at a time, in the order
# claimed, and a pause of that channel alone when it asks to slow down. The messenger's own
# limits are its client's to keep (MAX: 30 a second for the bot, 2 a second per dialog,
# bot/max/pace.py), for the handlers' replies and the outbox together.
OTHER_CHANNEL_PER_SECOND = 30


@dataclass(frozen=True)
class SenderConfig:
    rate_per_second: int = 30
    chat_interval: float = 1.0
    batch_size: int = 50
    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 8
    retry_base: float = 5.0
    poll_interval: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderConfig:
        return cls(
            rate_per_second=settings.outbox_rate_per_second,
            chat_interval=settings.outbox_chat_interval_seconds,
            batch_size=settings.outbox_batch_size,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            max_attempts=settings.outbox_max_attempts,
            retry_base=settings.outbox_retry_base_seconds,
            poll_interval=settings.outbox_poll_seconds,
        )


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0  # transient failures put back with backoff
    dead: int = 0
    unreachable: int = 0
    flood_waits: int = 0  # 429 answers waited out
    lost_claims: int = 0  # outcome could not be recorded: the lease had run out


@dataclass
class _Flight:
    """The sender's bookkeeping of one claimed message."""

    message: ClaimedMessage
    claimed_at: float  # time.monotonic() when the claim that took it began
    task: asyncio.Task[None] = field(init=False)
    sending: bool = False  # the request is out: a clean stop waits for it


def default_sender_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _markup(data: dict[str, Any] | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    return ReplyKeyboardMarkup.model_validate(data)


class OutboxSender:
    def __init__(
        self,
        bot: Bot | None,
        session_factory: async_sessionmaker[AsyncSession],
        config: SenderConfig | None = None,
        name: str | None = None,
        channels: Mapping[str, ChannelDelivery] | None = None,
        shared: SharedPace | None = None,
    ) -> None:
        """`shared`: the pace kept with every other sender (Redis), see pace.py."""
        self.bot = bot
        # Channels other than Telegram (bot/max/delivery.py): each message goes through
        # its recipient's channel.
        self.channels = dict(channels or {})
        self.session_factory = session_factory
        self.config = config or SenderConfig()
        self.name = name or default_sender_name()
        self.stats = SenderStats()
        self.shared = shared
        telegram = SendPace(self.config.rate_per_second, self.config.chat_interval, shared)
        self._paces: dict[str, SendPace] = {ChannelName.TELEGRAM.value: telegram}
        for channel in self.channels:
            self._paces[channel] = SendPace(OTHER_CHANNEL_PER_SECOND, 0.0)
        self._flights: dict[int, _Flight] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        # When the last 403 of a chat was recorded (keyed by channel: ids of two messengers
        # may clash). A claim that began before then may not have seen it: its messages of
        # that chat are given up without asking again. A later claim sees the person's mark
        # in the database (ClaimedMessage.unreachable), which is gone once they come back.
        self._refused_at: dict[tuple[str, int], float] = {}

    def wake(self) -> None:
        """New messages were queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, *, until_empty: bool = False) -> None:
        """Send until stop() (or, with until_empty, until nothing is left to send).
        Cancelling this task is a crash as far as the outbox knows: the claims stay until
        their lease runs out."""
        try:
            while not self._stopping:
                room = self.config.batch_size - len(self._flights)
                # Claim in halves of a batch: fewer, larger claims while earlier ones drain.
                if room * 2 >= self.config.batch_size:
                    began = time.monotonic()
                    for message in await self._claim(room):
                        self._launch(message, began)
                if not self._flights and until_empty and await self._drained():
                    return
                await self._nap()
        except asyncio.CancelledError:
            for flight in list(self._flights.values()):
                flight.task.cancel()
            raise
        await self._finish()

    async def stop(self) -> None:
        """Ask run() to finish: sends in progress complete, waiting claims are handed back."""
        self._stopping = True
        self._wake.set()

    async def _claim(self, room: int) -> list[ClaimedMessage]:
        try:
            async with self.session_factory() as session, session.begin():
                return await OutboxRepository(session).claim(self.name, room, self.config.lease)
        except Exception:  # the database is away: try again at the next poll
            log.exception("outbox: claim failed")
            return []

    async def _drained(self) -> bool:
        async with self.session_factory() as session:
            return (await OutboxRepository(session).depth()).unsent == 0

    async def _nap(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)
        except TimeoutError:
            pass
        self._wake.clear()

    def _launch(self, message: ClaimedMessage, claimed_at: float) -> None:
        flight = _Flight(message, claimed_at)
        flight.task = asyncio.create_task(self._deliver(flight), name=f"outbox-{message.id}")
        self._flights[message.id] = flight
        flight.task.add_done_callback(lambda _task: self._landed(message.id))

    def _landed(self, message_id: int) -> None:
        self._flights.pop(message_id, None)
        self._wake.set()

    async def _finish(self) -> None:
        for flight in list(self._flights.values()):
            if not flight.sending:
                flight.task.cancel()
        await asyncio.gather(
            *(flight.task for flight in list(self._flights.values())), return_exceptions=True
        )
        async with self.session_factory() as session, session.begin():
            released = await OutboxRepository(session).release(self.name)
        log.info("outbox sender %s stopped; %d claims handed back", self.name, released)

    async def _deliver(self, flight: _Flight) -> None:
        message = flight.message
        # A channel without a delivery has no pace of its own: the attempt rejects it at once.
        pace = self._paces.get(message.channel, self._paces[ChannelName.TELEGRAM.value])
        async with pace.chat(message.chat_id):
            chat = (message.channel, message.chat_id)
            refused = self._refused_at.get(chat, -1.0) >= flight.claimed_at
            if message.unreachable or refused:
                outcome = _Outcome(_Verdict.UNREACHABLE, "chat answered 403 before")
                await asyncio.shield(self._record(message, outcome))
                return
            while True:
                await pace.turn(message.chat_id)
                if self._stopping:
                    return  # _finish hands the claim back
                if not self._lease_left(message):
                    # Too late to send safely: another sender may own it now or soon.
                    await self._record(message, _Outcome(_Verdict.FLOOD, "lease ran short"))
                    return
                flight.sending = True
                outcome = await self._attempt(message)
                if outcome.verdict is _Verdict.FLOOD:
                    self.stats.flood_waits += 1
                    await pace.pause(outcome.retry_after)
                    flight.sending = False
                    if self._lease_left(message, extra=outcome.retry_after):
                        continue
                # The outcome is written even if this task is cancelled meanwhile: losing it
                # after a successful send would mean sending twice.
                await asyncio.shield(self._record(message, outcome))
                return

    def _note_refusal(self, chat: tuple[str, int]) -> None:
        now = time.monotonic()
        self._refused_at[chat] = now
        if len(self._refused_at) > 10_000:  # bounded: no claim outlives its lease
            horizon = now - self.config.lease.total_seconds()
            self._refused_at = {c: at for c, at in self._refused_at.items() if at >= horizon}

    def _lease_left(self, message: ClaimedMessage, extra: float = 0.0) -> bool:
        lease = self.config.lease.total_seconds()
        margin = min(10.0, lease / 4)
        left = (message.lease_until - utcnow()).total_seconds()
        return left - extra > margin

    async def _attempt(self, message: ClaimedMessage) -> _Outcome:
        if message.channel != ChannelName.TELEGRAM:
            other = self.channels.get(message.channel)
            if other is None:
                return _Outcome(_Verdict.REJECTED, f"channel {message.channel} is not configured")
            return await other.deliver(message.chat_id, message.text, message.reply_markup)
        if self.bot is None:
            return _Outcome(_Verdict.REJECTED, "channel telegram is not configured")
        try:
            markup = _markup(message.reply_markup)
        except ValueError as error:  # a malformed keyboard never becomes valid
            return _Outcome(_Verdict.REJECTED, f"reply_markup: {error}")
        try:
            await self.bot.send_message(
                message.chat_id,
                message.text,
                reply_markup=markup,
                request_timeout=_REQUEST_TIMEOUT_SECONDS,
            )
        except TelegramRetryAfter as error:
            return _Outcome(_Verdict.FLOOD, error.message, float(error.retry_after))
        except TelegramForbiddenError as error:
            return _Outcome(_Verdict.UNREACHABLE, error.message)
        except (
            TelegramBadRequest,
            TelegramNotFound,
            TelegramEntityTooLarge,
            TelegramMigrateToChat,
        ) as error:
            return _Outcome(_Verdict.REJECTED, error.message)
        except Exception as error:  # 5xx, network, timeouts: worth another try later
            return _Outcome(_Verdict.TRANSIENT, f"{type(error).__name__}: {error}")
        return _Outcome(_Verdict.SENT)

    async def _record(self, message: ClaimedMessage, outcome: _Outcome) -> None:
        for attempt in range(1, _RECORD_TRIES + 1):
            try:
                async with self.session_factory() as session, session.begin():
                    held = await self._write(OutboxRepository(session), message, outcome)
                if outcome.verdict is _Verdict.UNREACHABLE:
                    self._note_refusal((message.channel, message.chat_id))
            except Exception:
                if attempt == _RECORD_TRIES:
                    log.exception("outbox: could not record message %d", message.id)
                    return
                await asyncio.sleep(0.2 * attempt)
                continue
            if not held:
                self.stats.lost_claims += 1
                log.warning("outbox: message %d was no longer ours to record", message.id)
            return

    async def _write(
        self, outbox: OutboxRepository, message: ClaimedMessage, outcome: _Outcome
    ) -> bool:
        verdict = outcome.verdict
        if verdict is _Verdict.SENT:
            self.stats.sent += 1
            return await outbox.mark_sent(message.id, self.name)
        if verdict is _Verdict.FLOOD:  # handed back without counting an attempt
            at = utcnow() + timedelta(seconds=outcome.retry_after)
            return await outbox.reschedule(message.id, self.name, at, None, failed=False)
        if verdict is _Verdict.UNREACHABLE:
            self.stats.unreachable += 1
            self.stats.dead += 1
            held = await outbox.mark_dead(message.id, self.name, outcome.reason)
            await outbox.mark_unreachable(message.chat_id, message.person_id, outcome.reason)
            return held
        if verdict is _Verdict.REJECTED or message.attempts + 1 >= self.config.max_attempts:
            self.stats.dead += 1
            log.warning("outbox: message %d dead: %s", message.id, outcome.reason)
            return await outbox.mark_dead(message.id, self.name, outcome.reason)
        self.stats.retried += 1
        delay = min(_MAX_BACKOFF_SECONDS, self.config.retry_base * 2**message.attempts)
        at = utcnow() + timedelta(seconds=delay * random.uniform(1.0, 1.2))
        return await outbox.reschedule(message.id, self.name, at, outcome.reason, failed=True)
