from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.local_server import served
from tests.support.max_harness import MaxHarness, running_max
from tests.support.maxapi import MaxAPIStandIn

max_standin_fixture = served(MaxAPIStandIn, "max_standin")


@pytest.fixture
async def max_harness(
    max_standin: MaxAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[MaxHarness]:
    async with running_max(max_standin, database_url, session_factory) as harness:
        yield harness


@pytest.fixture
def private_export_dir(max_harness: MaxHarness, tmp_path: Path) -> None:
    """Exports written to this test's own folder, so that «nothing left» can be checked."""
    max_harness.settings.export_dir = tmp_path / "exports"
