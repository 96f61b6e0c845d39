"""The loop every periodic job runs in (reminders, rounds, retention)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable


async def every(interval: float, run: Callable[[], Awaitable[object]], log: logging.Logger) -> None:
    """Run `run` now and then every `interval` seconds, for ever (until cancelled). What it
    returns (a report dataclass, or None) is logged on `log` when any of its fields is
    non-empty. A run that fails is logged too and does not end the job: the next one tries
    again."""
    while True:
        try:
            report = await run()
            if report is not None and any(vars(report).values()):
                log.info("%s", report)  # e.g. RoundReport(closed=[3], reminded=12)
        except Exception:
            log.exception("%s: run failed", log.name.rsplit(".", 1)[-1])
        await asyncio.sleep(interval)
