"""Two worker processes sharing PostgreSQL and Redis, fed alternately like a load balancer
would; then a worker SIGKILLed mid-update and a fresh one started in its place.
Skips unless both TEST_DATABASE_URL and TEST_REDIS_URL are set (.ci/run sets them)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.joining import join
from tests.support.webhook_fixtures import FULL_NAME, mentor_invite, stored_registration
from tests.support.webhook_standin import WebhookStandIn
from tests.support.workers import Worker, start_worker

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
ONE_REGISTRATION = {"people": [FULL_NAME], "grants": 1, "invite_uses": [1], "handled_updates": 4}


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share PostgreSQL; SQLite is for one process")
    return database_url


@pytest.fixture
async def standin(clean_redis: None) -> AsyncIterator[WebhookStandIn]:
    async with WebhookStandIn() as server:
        yield server


@pytest.fixture
def started() -> Iterator[list[Worker]]:
    """Every worker a test starts; those still running are killed after it."""
    processes: list[Worker] = []
    yield processes
    for worker in processes:
        if worker.process.poll() is None:
            worker.kill()


@pytest.fixture
async def workers(
    standin: WebhookStandIn, postgres_url: str, tmp_path: Path, started: list[Worker]
) -> list[Worker]:
    """Two workers, fed alternately by the stand-in (a test may start more into the list)."""
    assert REDIS_URL
    for _ in range(2):
        worker = await start_worker(tmp_path, standin.base_url, postgres_url, REDIS_URL)
        started.append(worker)
        standin.targets.append(worker.url)
    return started


async def test_two_workers_fed_alternately_give_the_same_result_as_one(
    standin: WebhookStandIn,
    session_factory: async_sessionmaker[AsyncSession],
    workers: list[Worker],
) -> None:
    code = await mentor_invite(session_factory)
    olga = standin.user(7301)
    await olga.send(f"/start {code}")  # worker 1
    await olga.press(olga.button("Даю согласие"))  # worker 2 (its FSM state comes from Redis)
    await olga.send(FULL_NAME)  # worker 1
    # The last press reaches BOTH workers at once (a redelivery racing the original):
    # the chat lock in Redis and the handled_update mark let exactly one apply it.
    press = standin.new_update(olga.press_update(olga.button("Учитель")))
    results = await asyncio.gather(*(standin.post(press, w.url) for w in workers))
    assert [r.status for r in results] == [200, 200]

    assert [d.target for d in standin.deliveries[:3]] == [w.url for w in workers] + [workers[0].url]
    assert await stored_registration(session_factory) == ONE_REGISTRATION
    texts = [m.text for m in olga.messages]
    assert len(texts) == 4  # consent, name?, category?, done — each once, in this order
    assert "152-ФЗ" in texts[0] and "фамилию" in texts[1] and f"Готово, {FULL_NAME}" in texts[3]
    for worker in workers:
        assert worker.terminate() == 0  # SIGTERM: a clean stop
        assert FULL_NAME not in worker.log()


async def test_a_worker_killed_mid_update_loses_nothing(
    standin: WebhookStandIn,
    postgres_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    workers: list[Worker],
) -> None:
    assert REDIS_URL
    code = await mentor_invite(session_factory)
    olga = standin.user(7302)
    await join(olga, code, FULL_NAME)
    victim = workers[1]  # the next delivery goes to the second worker

    async def kill_worker(_: dict[str, object]) -> None:
        # The press is being answered, before the step's work: nothing of it is committed.
        # The worker dies here, like a node lost to the OOM killer.
        victim.kill()

    standin.hooks["answerCallbackQuery"] = kill_worker
    await olga.press(olga.button("Учитель"))

    statuses = [(d.target, d.status) for d in standin.deliveries[3:]]
    assert statuses == [(victim.url, 0), (workers[0].url, 200)]  # redelivered to the survivor
    assert await stored_registration(session_factory) == ONE_REGISTRATION
    # A fresh worker takes the dead one's port; the conversation goes on through both.
    replacement = await start_worker(
        tmp_path, standin.base_url, postgres_url, REDIS_URL, port=victim.port
    )
    workers.append(replacement)
    await olga.send("/start")
    await olga.send("/start")
    assert await stored_registration(session_factory) == {**ONE_REGISTRATION, "handled_updates": 6}
    texts = [m.text for m in olga.messages]
    # The survivor did the whole step: the "done" message went out once, like every other.
    assert sum(f"Готово, {FULL_NAME}" in t for t in texts) == 1
    assert len(texts) == 4 + 2
    lines = [json.loads(line) for line in replacement.log().splitlines() if line.startswith("{")]
    assert [line["outcome"] for line in lines if line.get("event") == "update"] == ["ok"]
