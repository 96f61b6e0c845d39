"""Two outbox senders, each with its own engine, bot and pace, keep Telegram's pace
together through Redis: no chat gets two messages within 0.9 s, measured from the
stand-in's arrival times. Skips unless TEST_REDIS_URL is set (.ci/run sets it)."""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app.settings import load_settings
from bot.telegram.app import create_bot
from service.workers.outbox import OutboxSender, SenderConfig
from service.workers.pace import SharedPace
from storage.db import create_engine, create_session_factory
from tests.conftest import TOKEN
from tests.support.botapi import BotAPIStandIn
from tests.support.delivery_data import queue, register

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
CONFIG = SenderConfig(rate_per_second=30, chat_interval=1.0, batch_size=50, poll_interval=0.05)


@pytest.fixture
async def senders(standin: BotAPIStandIn, database_url: str) -> AsyncIterator[list[OutboxSender]]:
    """Two "processes": nothing shared but the database and Redis."""
    assert REDIS_URL
    prefix = f"test:{uuid.uuid4().hex}"
    settings = load_settings(bot_token=TOKEN, bot_api_url=standin.base_url)
    engines = [create_engine(database_url) for _ in range(2)]
    bots = [create_bot(settings) for _ in range(2)]
    redises = [Redis.from_url(REDIS_URL) for _ in range(2)]
    made = [
        OutboxSender(
            bot,
            create_session_factory(engine),
            CONFIG,
            name=f"sender-{n}",
            shared=SharedPace(redis, prefix),
        )
        for n, (bot, engine, redis) in enumerate(zip(bots, engines, redises, strict=True))
    ]
    yield made
    for bot, engine, redis in zip(bots, engines, redises, strict=True):
        await bot.session.close()
        await engine.dispose()
        await redis.aclose()


async def drain(senders: list[OutboxSender]) -> None:
    runs = (sender.run(until_empty=True) for sender in senders)
    await asyncio.wait_for(asyncio.gather(*runs), 180)


async def test_two_senders_keep_one_chat_to_a_message_a_second(
    standin: BotAPIStandIn, senders: list[OutboxSender]
) -> None:
    factory = senders[0].session_factory
    people = await register(factory, list(range(9101, 9111)))
    await queue(factory, people, per_person=20)  # 200 messages to 10 chats

    await drain(senders)

    sends = standin.accepted_sends()
    assert len(sends) == 200 and not [call for call in standin.calls if call.rejected]
    assert all(sender.stats.sent > 0 for sender in senders)  # both took part
    by_chat: dict[int | None, list[float]] = {}
    for call in sends:
        by_chat.setdefault(call.chat_id, []).append(call.at)
    gaps = [
        later - earlier for ats in by_chat.values() for earlier, later in itertools.pairwise(ats)
    ]
    assert len(gaps) == 190 and min(gaps) >= 0.9
