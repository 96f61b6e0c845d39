"""Webhook mode in-process: the real aiohttp app, fed by the stand-in as Telegram would."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.telegram.app import create_bot, create_dispatcher
from service.web.server import serve_webhook
from storage.db import create_engine, create_session_factory
from storage.models import HandledUpdate, Person
from tests.support.botapi import FakeUser
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
    webhook_bot,
    webhook_settings,
)
from tests.support.webhook_standin import SECRET, WebhookStandIn

standin_fixture = served(WebhookStandIn, "standin")  # `worker`: tests/production/conftest.py


async def test_registration_through_the_webhook(
    standin: WebhookStandIn,
    worker: WebhookBot,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    code = await mentor_invite(session_factory)
    olga = standin.user(7001)
    await register_teacher(olga, code)
    assert f"Готово, {FULL_NAME}" in (olga.last_text or "")
    assert await stored_registration(session_factory) == ONE_REGISTRATION
    assert [d.status for d in standin.deliveries] == [200, 200, 200, 200]


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
async def test_a_request_without_the_secret_is_refused_and_not_processed(
    standin: WebhookStandIn,
    worker: WebhookBot,
    session_factory: async_sessionmaker[AsyncSession],
    secret: str | None,
) -> None:
    olga = standin.user(7002)
    update = standin.new_update(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": olga.chat,
                "from": olga.user,
                "text": "hi",
            }
        }
    )
    delivery = await standin.post(update, worker.url, secret=secret)
    assert delivery.status in (401, 403)
    assert standin.calls == []  # the bot said nothing to anyone
    assert await count(session_factory, HandledUpdate) == 0


async def test_the_same_update_delivered_twice_changes_nothing_the_second_time(
    standin: WebhookStandIn,
    worker: WebhookBot,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    code = await mentor_invite(session_factory)
    olga = standin.user(7003)
    await join(olga, code, FULL_NAME)
    # The last step is delivered, then delivered again (Telegram did not hear our 200).
    press = olga.press_update(olga.button("Учитель"))
    update = standin.new_update(press)
    first = await standin.post(update, worker.url)
    messages_after_first = len(olga.messages)
    calls_after_first = len(standin.calls)
    second = await standin.post(update, worker.url)
    assert (first.status, second.status) == (200, 200)
    assert len(olga.messages) == messages_after_first
    assert len(standin.calls) == calls_after_first  # not even a callback answer
    assert await stored_registration(session_factory) == ONE_REGISTRATION


async def test_healthz_and_metrics(
    standin: WebhookStandIn,
    worker: WebhookBot,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    olga = standin.user(7004)
    await olga.send("/start")
    await olga.send("/start")
    async with aiohttp.ClientSession() as client:
        async with client.get(worker.url + "/healthz") as response:
            assert response.status == 200
        async with client.get(worker.url + "/metrics") as response:
            assert response.status == 200
            body = await response.text()
    assert 'nastavnik_updates_handled_total{outcome="ok"}' in body
    assert 'nastavnik_messages_sent_total{method="sendMessage"}' in body
    assert "nastavnik_outbox_depth 0" in body
    assert "nastavnik_update_seconds_count" in body


async def test_healthz_says_503_when_the_database_is_unreachable(
    standin: WebhookStandIn,
) -> None:
    # A PostgreSQL URL where nothing listens: port 9 (discard) on localhost.
    url = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
    engine = create_engine(url)
    try:
        async with webhook_bot(standin, url, engine, create_session_factory(engine)) as running:
            async with aiohttp.ClientSession() as client:
                async with client.get(running.url + "/healthz") as response:
                    assert response.status == 503
                async with client.get(running.url + "/metrics") as response:
                    assert response.status == 200  # metrics still answer, without the depth
                    assert "nastavnik_outbox_depth" not in await response.text()
    finally:
        await engine.dispose()


async def test_start_sets_the_webhook_and_shutdown_finishes_the_update_in_flight(
    standin: WebhookStandIn,
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    unused_tcp_port: int,
) -> None:
    code = await mentor_invite(session_factory)
    settings = webhook_settings(standin, database_url).model_copy(
        update={"web_port": unused_tcp_port, "webhook_url": "https://bot.example.org"}
    )
    bot, background_bot = create_bot(settings), create_bot(settings)
    dispatcher = create_dispatcher(settings, session_factory)
    stop = asyncio.Event()
    server = asyncio.create_task(
        serve_webhook(settings, bot, dispatcher, engine, session_factory, background_bot, stop)
    )
    target = f"http://127.0.0.1:{unused_tcp_port}"
    for _ in range(100):
        if standin.webhook_url:
            break
        await asyncio.sleep(0.05)
    assert standin.webhook_url == "https://bot.example.org/telegram/webhook"
    assert standin.webhook_secret == SECRET
    standin.targets.append(target)
    olga = standin.user(7005)
    await register_teacher_until_name(olga, code)

    async def stop_while_answering(params: dict[str, object]) -> None:
        stop.set()  # SIGTERM arrives while the update is being handled
        await asyncio.sleep(0.5)

    standin.hooks["answerCallbackQuery"] = stop_while_answering
    await olga.press(olga.button("Учитель"))
    await asyncio.wait_for(server, 10)
    await bot.session.close()
    await background_bot.session.close()
    assert standin.deliveries[-1].status == 200
    assert f"Готово, {FULL_NAME}" in (olga.last_text or "")
    assert await count(session_factory, Person) == 1


async def register_teacher_until_name(olga: FakeUser, code: str) -> None:
    await join(olga, code, FULL_NAME)


async def test_old_handled_update_marks_are_pruned(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from datetime import timedelta

    from storage.models import utcnow
    from storage.repositories.handled import prune as prune_handled_updates

    async with session_factory() as session, session.begin():
        session.add(HandledUpdate(update_key="tg:1", handled_at=utcnow() - timedelta(days=8)))
        session.add(HandledUpdate(update_key="tg:2", handled_at=utcnow() - timedelta(hours=2)))
    assert await prune_handled_updates(session_factory) == 1
    assert await count(session_factory, HandledUpdate) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": ',  # cut short
        b"\xff\xfe not utf-8",
        b'"just a string"',
        b'{"update_id": "one"}',  # JSON, but not an update
        b"",
    ],
    ids=["truncated", "not-utf8", "not-an-object", "not-an-update", "empty"],
)
async def test_a_malformed_body_with_the_right_secret_is_400_and_changes_nothing(
    standin: WebhookStandIn,
    worker: WebhookBot,
    session_factory: async_sessionmaker[AsyncSession],
    body: bytes,
) -> None:
    url = worker.url + "/telegram/webhook"
    async with aiohttp.ClientSession() as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with client.post(url, data=body, headers=headers) as response:
            assert response.status == 400
        async with client.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
            assert r.status == 401  # without the secret nothing is said about the body
    assert standin.calls == []
    assert await count(session_factory, HandledUpdate) == 0
    # The worker still takes the next good update.
    olga = standin.user(7006)
    await olga.send("/start")
    assert olga.last_text
