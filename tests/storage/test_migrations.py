"""Stairway: every revision upgrades, downgrades and upgrades again, on both dialects, and
the migrated schema matches the models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import alembic_config, downgrade, upgrade
from storage.models import Base
from tests.support.empty_databases import empty_database

STAIRWAY_SCHEMA = "stairway"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    async with empty_database(request.param, tmp_path, STAIRWAY_SCHEMA) as made:
        yield made


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
