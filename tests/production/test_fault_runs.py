"""Fault runs in-process, against the webhook stand-in: Telegram answering 429 for a burst and
5xx for a while, a person who blocked the bot, the database connection cut mid-update.
Counts of stored rows and sent messages are checked exactly after each. With
TEST_REDIS_URL the conversation state lives in Redis, as in production."""

from __future__ import annotations

import os

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from storage.models import HandledUpdate, Person
from tests.support.joining import join
from tests.support.local_server import served
from tests.support.webhook_fixtures import (
    FULL_NAME,
    ONE_REGISTRATION,
    WebhookBot,
    count,
    mentor_invite,
    register_teacher,
    stored_registration,
)
from tests.support.webhook_standin import WebhookStandIn

REDIS_URL = os.environ.get("TEST_REDIS_URL")
# What a teacher's registration shows: consent, name question, category question, done.
REGISTRATION_MESSAGES = 4


standin_fixture = served(WebhookStandIn, "standin")
WORKER_REDIS_URL = REDIS_URL  # the worker (tests/production/conftest.py) keeps state in Redis


async def terminate_other_connections(database_url: str) -> None:
    """Every other connection to the test database is ended by the server."""
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


def sends(standin: WebhookStandIn, chat_id: int) -> list[int | None]:
    """Error code of every sendMessage attempt to the chat (None: accepted)."""
    return [
        call.error_code
        for call in standin.calls
        if call.method == "sendMessage" and call.chat_id == chat_id
    ]


async def test_a_burst_of_429_and_a_spell_of_5xx_lose_nothing(
    standin: WebhookStandIn, worker: WebhookBot, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    code = await mentor_invite(session_factory)
    olga = standin.user(7201)
    rate_limited_before = metrics.RATE_LIMITED.value(method="sendMessage")
    standin.fail_next("sendMessage", olga.id, error_code=429, retry_after=1, times=2)
    standin.fail_next("sendMessage", olga.id, error_code=500, times=2)
    standin.fail_next("sendMessage", olga.id, error_code=502, times=1)
    await register_teacher(olga, code)

    assert await stored_registration(session_factory) == ONE_REGISTRATION
    assert f"Готово, {FULL_NAME}" in (olga.last_text or "")
    # Five refused attempts, then every message of the conversation exactly once.
    assert sends(standin, olga.id) == [429, 429, 500, 500, 502] + [None] * REGISTRATION_MESSAGES
    assert len(olga.messages) == REGISTRATION_MESSAGES
    assert metrics.RATE_LIMITED.value(method="sendMessage") - rate_limited_before == 2
    assert all(d.status == 200 for d in standin.deliveries)  # no redelivery was needed


async def test_a_person_who_blocked_the_bot_costs_one_attempt_and_nothing_is_stored(
    standin: WebhookStandIn, worker: WebhookBot, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    code = await mentor_invite(session_factory)
    olga = standin.user(7202)
    await join(olga, code, FULL_NAME)
    standin.block(olga.id)
    calls_before = len(standin.calls)
    await olga.press(olga.button("Учитель"))  # her last press arrives; the answer cannot

    assert standin.deliveries[-1].status == 200  # Telegram is not asked to redeliver forever
    attempts = [(c.method, c.error_code) for c in standin.calls[calls_before:]]
    # Removing the buttons is refused, then the error notice: one attempt each, no retries.
    assert attempts == [
        ("answerCallbackQuery", None),
        ("editMessageReplyMarkup", 403),
        ("sendMessage", 403),
    ]
    assert await count(session_factory, Person) == 0  # the update rolled back as a whole
    assert await count(session_factory, HandledUpdate) == 3

    standin.unblock(olga.id)
    await olga.press(olga.button("Учитель"))  # she unblocks and presses again
    assert await stored_registration(session_factory) == {**ONE_REGISTRATION, "handled_updates": 4}
    assert f"Готово, {FULL_NAME}" in (olga.last_text or "")


async def test_a_database_connection_cut_mid_update_asks_to_retry_and_writes_nothing(
    standin: WebhookStandIn,
    worker: WebhookBot,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("cutting a server connection needs PostgreSQL")
    code = await mentor_invite(session_factory)
    olga = standin.user(7203)
    await join(olga, code)

    async def cut_connections(_: dict[str, object]) -> None:
        # From another connection, as a failover or a restart would: the bot's transaction
        # (handled_update mark already inserted) loses its server.
        await terminate_other_connections(database_url)

    # The cut comes while the bot asks for the category: the name step's transaction
    # (its handled_update mark) and its conversation-state change must both be undone.
    standin.hooks["sendMessage"] = cut_connections
    await olga.send(FULL_NAME)
    assert "повторите" in (olga.last_text or "")
    assert await count(session_factory, Person) == 0
    assert await count(session_factory, HandledUpdate) == 2

    await olga.send(FULL_NAME)  # she repeats the step: the conversation waits for the name
    await olga.press(olga.button("Учитель"))
    # Four handled updates: the cut one left no mark, its repetition did.
    assert await stored_registration(session_factory) == ONE_REGISTRATION
    assert f"Готово, {FULL_NAME}" in (olga.last_text or "")
    texts = [m.text for m in olga.messages]
    assert sum("повторите" in t for t in texts) == 1
    assert len(texts) == REGISTRATION_MESSAGES + 2  # + the question sent before the cut, + notice


async def test_after_a_database_restart_one_update_is_asked_to_retry_then_all_work(
    standin: WebhookStandIn,
    worker: WebhookBot,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """No pool_pre_ping (it cost three round trips per update, storage/db.py): the pooled
    connections a restart killed are found dead by the next update, which is answered
    "repeat, please"; the pool is then replaced and nothing else fails."""
    if not database_url.startswith("postgresql"):
        pytest.skip("restarting the server's connections needs PostgreSQL")
    code = await mentor_invite(session_factory)
    olga = standin.user(7204)
    await join(olga, code)

    await terminate_other_connections(database_url)  # the pool's idle ones, as in a restart

    await olga.send(FULL_NAME)
    assert "повторите" in (olga.last_text or "")
    assert await count(session_factory, HandledUpdate) == 2  # the refused update left no mark
    await olga.send(FULL_NAME)
    await olga.press(olga.button("Учитель"))
    assert await stored_registration(session_factory) == ONE_REGISTRATION
    assert sum("повторите" in (m.text or "") for m in olga.messages) == 1
