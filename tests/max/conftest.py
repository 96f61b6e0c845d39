from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.max_harness import MaxHarness, running_max
from tests.support.maxapi import MaxAPIStandIn


@pytest.fixture
async def max_standin() -> AsyncIterator[MaxAPIStandIn]:
    async with MaxAPIStandIn() as server:
        yield server


@pytest.fixture
async def max_harness(
    max_standin: MaxAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[MaxHarness]:
    async with running_max(max_standin, database_url, session_factory) as harness:
        yield harness
