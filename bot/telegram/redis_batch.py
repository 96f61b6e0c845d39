"""Redis commands of concurrent updates sent together, one pipeline per turn of the loop.

Every update takes its chat's lock (reading the conversation's state and data with it) and
releases it: two round trips of its own. redis-py spends far more CPU per round trip (a
pooled connection, a pipeline, a socket write and an epoll wake-up for the reply) than per
command, so under load the commands that fall due in the same turn of the event loop go out
as one pipeline and come back as one read. Alone, a command waits one `call_soon` hop,
nothing more.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

Command = tuple[Any, ...]
_Waiting = tuple[tuple[Command, ...], asyncio.Future[list[Any]]]


class RedisBatch:
    def __init__(self, redis: Redis, timeout: float) -> None:
        self.redis = redis
        self.timeout = timeout  # one pipeline at most: a hung Redis frees its connection
        self._waiting: list[_Waiting] = []
        self._flushing_on: asyncio.AbstractEventLoop | None = None  # a flush is scheduled there
        self._sending: set[asyncio.Task[None]] = set()  # held so they are not collected

    async def send(self, *commands: Command) -> list[Any]:
        """The replies to `commands`, in order; an error reply comes back as its exception
        object, a failed connection raises for every command of the pipeline."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        if self._flushing_on is not loop:
            # Commands still waiting here belong to a loop that stopped before its flush
            # (tests run a loop each): nobody awaits them any more.
            self._waiting = []
            self._flushing_on = loop
            loop.call_soon(self._flush)
        self._waiting.append((commands, future))
        return await future

    def _flush(self) -> None:
        self._flushing_on = None
        # A caller that gave up before its commands went out (its future is cancelled) sends
        # nothing: a lock taken for nobody would keep its chat waiting for the lock's lifetime.
        batch = [waiting for waiting in self._waiting if not waiting[1].done()]
        self._waiting = []
        if not batch:
            return
        task = asyncio.create_task(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Waiting]) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                async with self.redis.pipeline(transaction=False) as pipe:
                    for commands, _ in batch:
                        for command in commands:
                            pipe.execute_command(*command)
                    replies = await pipe.execute(raise_on_error=False)
        except BaseException as error:
            for _, future in batch:
                if future.done():  # a caller that gave up has cancelled its future
                    continue
                if isinstance(error, Exception):
                    future.set_exception(_copy(error))
                else:
                    future.cancel()
            if not isinstance(error, Exception):
                raise
            return
        start = 0
        for commands, future in batch:
            if not future.done():
                future.set_result(replies[start : start + len(commands)])
            start += len(commands)


def _copy(error: Exception) -> Exception:
    """Each caller raises an exception of its own (a shared one would collect every
    caller's traceback); the original stays its cause."""
    try:
        copied = type(error)(*error.args)
    except Exception:  # an exception type whose constructor takes other arguments
        return error
    copied.__cause__ = error
    return copied
