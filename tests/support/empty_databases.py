"""An empty database of either dialect for the migration tests: a SQLite file, or on
PostgreSQL a schema of its own, so migrations never touch the tables other tests use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from tests.conftest import POSTGRES_SKIP, POSTGRES_URL


@asynccontextmanager
async def empty_database(dialect: str, folder: Path, schema: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database: `<schema>.db` in `folder` for SQLite; for PostgreSQL
    the schema `schema`, made afresh and dropped after (skips when TEST_DATABASE_URL is
    unset)."""
    if dialect == "sqlite":
        sqlite = create_engine(f"sqlite+aiosqlite:///{folder / f'{schema}.db'}")
        yield sqlite
        await sqlite.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    postgres = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    yield postgres
    await postgres.dispose()
    async with admin.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    await admin.dispose()
