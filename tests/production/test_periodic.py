"""The loop of the periodic jobs (reminders, rounds, retention): a failed run is logged and
the job goes on; a run that did something is logged, an idle one is not."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import pytest

from service.workers.periodic import every


@dataclass(frozen=True)
class Done:
    sent: int


async def test_a_failed_run_does_not_end_the_job(caplog: pytest.LogCaptureFixture) -> None:
    outcomes: list[Exception | Done] = [RuntimeError("database away"), Done(0), Done(2)]
    finished = asyncio.Event()

    async def run() -> Done:
        if not outcomes:
            finished.set()
            await asyncio.Future()  # waits here until the job is cancelled
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    log = logging.getLogger("service.workers.sample")
    with caplog.at_level(logging.INFO, logger=log.name):
        job = asyncio.create_task(every(0, run, log))
        await finished.wait()
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["sample: run failed", "Done(sent=2)"]
    assert caplog.records[0].exc_info is not None
