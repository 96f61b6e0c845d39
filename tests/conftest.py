"""Shared fixtures: databases on both dialects, and the real bot polling a Bot API stand-in.

Database tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set
(`.ci/run` sets it). The schema is made by the real alembic migrations once per session;
each SQLite test gets a fresh copy of the migrated file, each PostgreSQL test starts from
truncated tables. The `harness` bot on PostgreSQL keeps its conversation state and chat
locks in Redis when TEST_REDIS_URL is set, as production does.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from storage.db import create_engine, create_session_factory
from storage.models import Base
from tests.support.botapi import BotAPIStandIn
from tests.support.databases import migrate_afresh
from tests.support.local_server import served
from tests.support.polling import ADMIN_ID as ADMIN_ID
from tests.support.polling import TOKEN as TOKEN
from tests.support.polling import bot_settings, polling_bot
from tests.support.redis_db import emptied

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_SKIP = "TEST_DATABASE_URL is not set: PostgreSQL runs are in .ci/run"
REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
async def clean_redis() -> AsyncIterator[None]:
    """TEST_REDIS_URL's database emptied before and after the test (for the tests that skip
    without it)."""
    assert REDIS_URL
    async with emptied(REDIS_URL):
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    asyncio.run(migrate_afresh(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    asyncio.run(migrate_afresh(POSTGRES_URL))
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "nastavnik.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_migrated")
    yield url
    asyncio.run(_truncate(url))


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@dataclass
class BotHarness:
    """The real bot, polling the stand-in; tests act as people through `standin.user()`."""

    standin: BotAPIStandIn
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    session_factory: async_sessionmaker[AsyncSession]


standin_fixture = served(BotAPIStandIn, "standin")


@pytest.fixture
async def harness(
    standin: BotAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[BotHarness]:
    redis_url = _paired_redis(database_url)
    settings = bot_settings(standin, database_url, redis_url=redis_url)
    async with (
        emptied(redis_url),
        polling_bot(standin, settings, session_factory) as (bot, dispatcher),
    ):
        yield BotHarness(standin, settings, bot, dispatcher, session_factory)


def _paired_redis(database_url: str) -> str | None:
    """Production pairs PostgreSQL with Redis (conversation state, chat locks): so do the
    PostgreSQL runs when TEST_REDIS_URL is set. SQLite keeps the embedded default, the
    conversation state in memory."""
    if REDIS_URL is None or not database_url.startswith("postgresql"):
        return None
    return REDIS_URL
