"""With REDIS_URL the conversation state lives in Redis: a registration survives a restart
of the bot between two steps. Skips unless TEST_REDIS_URL is set (.ci/run sets it)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Person
from surveys.people import Role
from tests.support.botapi import BotAPIStandIn
from tests.support.factories import make_invite, seed_directory
from tests.support.joining import join
from tests.support.polling import bot_settings, polling_bot

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)

BotRun = Callable[[], AbstractAsyncContextManager[None]]


@pytest.fixture
def bot_run(
    standin: BotAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    clean_redis: None,
) -> BotRun:
    """Each `async with bot_run():` is a fresh bot process: new Bot, new Dispatcher,
    new connection to Redis; only Redis and the database carry over."""

    @asynccontextmanager
    async def run() -> AsyncIterator[None]:
        settings = bot_settings(standin, database_url, REDIS_URL)
        async with polling_bot(standin, settings, session_factory):
            yield

    return run


async def test_registration_survives_a_restart(
    bot_run: BotRun, standin: BotAPIStandIn, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_directory(session_factory)
    invite = await make_invite(session_factory, Role.CURATOR, organization_id=ids["S001"])
    user = standin.user(7001)
    async with bot_run():
        await join(user, invite.code)
    async with bot_run():  # a new process: the name step is remembered in Redis
        await user.send("Редисова Ирина")
    assert "Готово, Редисова Ирина" in (user.last_text or "")
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 7001))
    assert person is not None and person.full_name == "Редисова Ирина"
