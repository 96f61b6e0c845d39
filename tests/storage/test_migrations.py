"""Stairway: every revision upgrades, downgrades and upgrades again, on both dialects, and
the migrated schema matches the models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import alembic_config, downgrade, upgrade
from storage.models import Base
from tests.conftest import POSTGRES_SKIP, POSTGRES_URL

STAIRWAY_SCHEMA = "stairway"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}")
        yield engine
        await engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    # A schema of its own, so the stairway never touches the tables other tests use.
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {STAIRWAY_SCHEMA} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {STAIRWAY_SCHEMA}"))
    engine = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": STAIRWAY_SCHEMA}}
    )
    yield engine
    await engine.dispose()
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {STAIRWAY_SCHEMA} CASCADE"))
    await admin.dispose()


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def test_stairway(empty_engine: AsyncEngine) -> None:
    previous = "base"
    for revision in revisions():
        await upgrade(empty_engine, revision)
        await downgrade(empty_engine, previous)
        await upgrade(empty_engine, revision)
        previous = revision
    assert previous != "base"


async def test_migrated_schema_matches_models(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with empty_engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []
