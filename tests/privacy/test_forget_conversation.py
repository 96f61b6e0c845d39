"""/forget clears the person's conversation state in Redis too: a curator half-way through a
new programme presses the «Да, удалить» of an earlier /forget; afterwards no Redis key
names their Telegram id. Skips unless TEST_REDIS_URL is set (.ci/run sets it)."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveys.people import Role
from tests.production.test_redis_fsm import REDIS_URL, BotRun, bot_run
from tests.support.botapi import BotAPIStandIn
from tests.support.curator_factories import make_person
from tests.support.factories import seed_directory

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
__all__ = ["bot_run"]  # the fixture this module uses
CURATOR = 7_770_004_321


async def keys_naming(telegram_id: int) -> list[bytes]:
    assert REDIS_URL
    redis = Redis.from_url(REDIS_URL)
    try:
        return [key async for key in redis.scan_iter(f"*{telegram_id}*")]
    finally:
        await redis.aclose()


async def test_forget_clears_the_conversation_in_redis(
    bot_run: BotRun, standin: BotAPIStandIn, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_directory(session_factory)
    await make_person(
        session_factory, CURATOR, "Куратор Ирина", Role.CURATOR, organization_id=ids["S001"]
    )
    curator = standin.user(CURATOR)
    async with bot_run():
        await curator.send("/forget")
        confirm, asked = curator.button("Да, удалить"), curator.messages[-1].message_id
        await curator.send("/programmes")
        await curator.press(curator.button("Новая программа"))
        await curator.press(curator.button("ученик – ученик"))
        assert "учебный год" not in (curator.last_text or "")  # waiting for the title
        assert await keys_naming(CURATOR)  # the conversation is in Redis
        await curator.press(confirm, message_id=asked)
        assert "удалены" in (curator.last_text or "")
    assert await keys_naming(CURATOR) == []
