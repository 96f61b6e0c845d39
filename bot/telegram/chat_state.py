"""Conversation state and per-chat locks in Redis that survive Redis's bad moments.

- A connection error, a timeout or a pool with no free connection is waited out (backoff,
  about ten seconds in all). What still fails raises `ChatStateUnavailable`; the error
  router (bot/telegram/common/unavailable.py) lets it through, so a webhook answers 500 and
  Telegram delivers the update again instead of hearing 200 with a false error message.
- A chat's lock is kept alive while its update runs (renewed every third of its lifetime,
  by a task started only once the first third has passed),
  so a slow update under a burst does not lose it to the chat's next update; a lock lost
  anyway (Redis restarted) is not an error of the update, whose work is already committed.
- Taking the lock and reading the chat's conversation state and data go to Redis together
  (SET NX, then GET of each), and so do the locks and releases of every update that falls
  due in the same turn of the event loop (bot/telegram/redis_batch.py: one pipeline for
  them all). aiogram reads the state right after taking the lock (FSMContextMiddleware), a
  survey answer reads the data (which question is being changed): `PatientStorage` answers
  those reads with the values fetched. Only the lock holder changes a chat's state, and
  through this storage, so they stay current until it writes the key; after a write the
  next read goes to Redis.
- Every call is bounded by our own `asyncio.timeout(COMMAND_SECONDS)`, not by redis-py's
  socket timeout: with one set, redis-py sends each command through `asyncio.wait_for`,
  which on Python 3.11 is a task of its own per command (about a tenth of a millisecond of
  CPU per update for the lock's two round trips). A command cut short by the timeout
  drops its connection (redis-py disconnects on any error while it reads a reply); a
  batched pipeline has the same bound of its own, so a hung Redis frees its connection.
- The renewal stops on a flag, not on cancellation alone: on Python 3.11 `asyncio.wait_for`
  (which redis-py used with a socket timeout) drops a cancellation that arrives as the send
  completes (CPython gh-86296, fixed in 3.12). A renewal cancelled at that moment went on
  renewing for ever, its update waited for it for ever, and so did the chat's next update
  (the stall of tests/delivery/test_burst.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app import metrics
from bot.telegram.redis_batch import RedisBatch

log = logging.getLogger(__name__)

T = TypeVar("T")

# Enough connections for a burst of updates; beyond them a call waits for a free one.
MAX_CONNECTIONS = 64
POOL_WAIT_SECONDS = 5.0
PATIENCE_SECONDS = 10.0  # well within Telegram's webhook patience (about a minute)
FIRST_PAUSE = 0.05
COMMAND_SECONDS = 5.0  # one call (a command, a pipeline, a script) at most; redis-py's default
# The builtin TimeoutError: our COMMAND_SECONDS ran out.
TRANSIENT = (RedisConnectionError, RedisTimeoutError, TimeoutError)

LOCK_RETRY_SECONDS = 0.05  # how often a chat's next update looks whether the lock is free
# Release or renew the lock only while it still holds this update's token.
_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])
else return 0 end"""
_RENEW = """if redis.call('get', KEYS[1]) == ARGV[1] then
return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"""

# The conversation state and data read together with the chat lock: {redis key: value},
# until the key is written.
_FETCHED: ContextVar[dict[str, bytes | None] | None] = ContextVar("fetched_state", default=None)

REDIS_WAITS = metrics.counter(
    "nastavnik_redis_waits_total", "Redis calls tried again after a connection error"
)


class ChatStateUnavailable(RuntimeError):
    """Redis stayed away longer than PATIENCE_SECONDS: the update must be delivered again."""


async def patiently(call: Callable[[], Awaitable[T]], what: str) -> T:
    pause, waited = FIRST_PAUSE, 0.0
    while True:
        try:
            async with asyncio.timeout(COMMAND_SECONDS):
                return await call()
        except TRANSIENT as error:
            if waited >= PATIENCE_SECONDS:
                raise ChatStateUnavailable(f"{what}: {type(error).__name__}") from error
            REDIS_WAITS.inc()
            log.warning("redis: waiting out", extra={"call": what, "error": str(error)[:200]})
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, 1.0)


def connect(url: str) -> Redis:
    # No socket timeout: our calls are bounded by COMMAND_SECONDS instead (see above).
    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, socket_timeout=None
    )
    return Redis(connection_pool=pool)


def _fetched(name: str) -> tuple[bool, bytes | None]:
    """(True, value) for a key read with the update's chat lock and not written since."""
    fetched = _FETCHED.get()
    if fetched and name in fetched:
        return True, fetched[name]
    return False, None


def _forget_fetched(name: str) -> None:
    """A key written is read from Redis again: what was fetched with the lock is old."""
    fetched = _FETCHED.get()
    if fetched:
        fetched.pop(name, None)


class PatientStorage(BaseStorage):
    """RedisStorage whose calls wait out connection errors (see `patiently`)."""

    def __init__(self, inner: RedisStorage) -> None:
        self.inner = inner

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        _forget_fetched(self.inner.key_builder.build(key, "state"))
        await patiently(lambda: self.inner.set_state(key, state), "set_state")

    async def get_state(self, key: StorageKey) -> str | None:
        found, value = _fetched(self.inner.key_builder.build(key, "state"))
        if found:  # read with the chat lock (ChatLocks.lock)
            return value.decode("utf-8") if value is not None else None
        return await patiently(lambda: self.inner.get_state(key), "get_state")

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        _forget_fetched(self.inner.key_builder.build(key, "data"))
        await patiently(lambda: self.inner.set_data(key, data), "set_data")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        found, value = _fetched(self.inner.key_builder.build(key, "data"))
        if found:  # read with the chat lock, as RedisStorage.get_data decodes it
            return dict(self.inner.json_loads(value.decode("utf-8"))) if value else {}
        return await patiently(lambda: self.inner.get_data(key), "get_data")

    async def close(self) -> None:
        await self.inner.close()


class ChatLocks(BaseEventIsolation):
    """One update of a chat at a time, across every worker sharing the Redis."""

    def __init__(self, redis: Redis, ttl: float, key_builder: KeyBuilder | None = None) -> None:
        self.redis = redis
        self.ttl = ttl
        self.key_builder = key_builder or DefaultKeyBuilder()
        self._release_script = redis.register_script(_RELEASE)
        self._renew_script = redis.register_script(_RENEW)
        # Locks and releases of the updates that fall due together share a round trip.
        self._batch = RedisBatch(redis, COMMAND_SECONDS)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = self.key_builder.build(key, "lock")
        state = self.key_builder.build(key, "state")
        data = self.key_builder.build(key, "data")
        token = uuid.uuid4().hex.encode()
        fetched = await self._acquire(name, token, (state, data))
        handed = _FETCHED.set(fetched)
        done = asyncio.Event()
        # Most updates are over long before a third of the lock's lifetime: the renewal task
        # starts only then (a timer is far cheaper than a task per update).
        keeper: asyncio.Task[None] | None = None

        def keep() -> None:
            nonlocal keeper
            keeper = asyncio.create_task(self._keep(name, token, done))

        timer = asyncio.get_running_loop().call_later(self.ttl / 3, keep)
        try:
            yield
        finally:
            # A task the update started and that outlives it (its context a copy holding this
            # dict) reads Redis itself once the lock is gone.
            fetched.clear()
            _FETCHED.reset(handed)
            done.set()
            timer.cancel()
            try:
                if keeper is not None:
                    await self._stop(keeper)
            finally:
                await self._release(name, token)

    async def _acquire(
        self, name: str, token: bytes, keys: tuple[str, ...]
    ) -> dict[str, bytes | None]:
        """Wait for the chat's lock; returns the chat's `keys` (its conversation state and
        data), read as the lock was taken."""

        async def attempt() -> list[Any]:
            ttl = int(self.ttl * 1000)
            replies = await self._batch.send(
                ("SET", name, token, "NX", "PX", ttl), *(("GET", key) for key in keys)
            )
            for reply in replies:
                if isinstance(reply, Exception):
                    raise reply
            return replies

        while True:
            taken, *values = await patiently(attempt, "lock")
            if taken:
                return dict(zip(keys, values, strict=True))
            await asyncio.sleep(LOCK_RETRY_SECONDS)

    async def _stop(self, keeper: asyncio.Task[None]) -> None:
        keeper.cancel()  # interrupts a renewal waiting for Redis; may be lost (see above)
        # Not `await keeper`: that would swallow this task's own cancellation.
        await asyncio.wait({keeper}, timeout=self.ttl)
        if keeper.done() and not keeper.cancelled() and keeper.exception():
            log.warning("chat lock renewal failed", exc_info=keeper.exception())

    async def _keep(self, name: str, token: bytes, done: asyncio.Event) -> None:
        """Renew the lock now and every third of its lifetime until `done` is set."""
        while not done.is_set():
            try:
                async with asyncio.timeout(COMMAND_SECONDS):
                    renewed = await self._renew_script(
                        keys=[name], args=[token, int(self.ttl * 1000)]
                    )
            except TRANSIENT as error:  # the next round tries again; the ttl is 3 rounds
                log.warning("chat lock not renewed", extra={"error": str(error)[:200]})
            else:
                if not renewed:
                    log.warning("chat lock lost while its update ran")
                    return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.ttl / 3):
                    await done.wait()

    async def _release(self, name: str, token: bytes) -> None:
        try:
            async with asyncio.timeout(COMMAND_SECONDS):
                sha = self._release_script.sha
                (released,) = await self._batch.send(("EVALSHA", sha, 1, name, token))
                if isinstance(released, NoScriptError):  # a restarted Redis: load it again
                    released = await self._release_script(keys=[name], args=[token])
                elif isinstance(released, Exception):
                    raise released
        except TRANSIENT as error:  # Redis is away: the lock runs out by itself
            log.warning("chat lock not released", extra={"error": str(error)[:200]})
            return
        if not released:  # it ran out: nothing to release, and the update's work is done
            log.warning("chat lock ran out before its update finished")

    async def close(self) -> None:
        pass  # the Redis connection is the storage's to close
