"""Work a MAX person started that runs beside the updates (a curator's bulk job, an export):
at most one per person, so a double tap does not start it twice, and everyone, this person
too, keeps being answered meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self) -> None:
        self._running: dict[int, asyncio.Task[None]] = {}

    def busy(self, user_id: int) -> bool:
        return user_id in self._running

    def start(self, user_id: int, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._running[user_id] = task
        task.add_done_callback(lambda _task: self._running.pop(user_id, None))

    async def wait(self) -> None:
        """Until every job has finished (tests, and a clean stop)."""
        while self._running:
            await asyncio.wait(list(self._running.values()))

    async def stop(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
