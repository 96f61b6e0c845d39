"""The real MAX edge long-polling the MAX stand-in, for scenario tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings, load_settings
from bot.max.app import create_client, create_edge, poll
from bot.max.edge import MaxEdge
from tests.support.maxapi import MaxAPIStandIn

MAX_ADMIN_ID = 990_001


@dataclass
class MaxHarness:
    standin: MaxAPIStandIn
    settings: Settings
    edge: MaxEdge
    session_factory: async_sessionmaker[AsyncSession]


def max_settings(standin: MaxAPIStandIn, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": "123456:TEST-token",
        "max_token": standin.token,
        "max_api_url": standin.base_url,
        "database_url": database_url,
        "max_admin_ids": str(MAX_ADMIN_ID),
        "redis_url": None,
    }
    values.update(overrides)
    return load_settings(**values)


@asynccontextmanager
async def running_max(
    standin: MaxAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    **overrides: object,
) -> AsyncIterator[MaxHarness]:
    """The MAX edge polling the stand-in until the block ends (a restart is leaving the
    block and entering a new one: nothing but the database and Redis survives)."""
    settings = max_settings(standin, database_url, **overrides)
    client = create_client(settings)
    edge = create_edge(settings, session_factory, client)
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(edge, stop, hold_seconds=1))
    await standin.wait_until_polling()
    try:
        yield MaxHarness(standin, settings, edge, session_factory)
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await edge.services.jobs.stop()
        await client.close()
