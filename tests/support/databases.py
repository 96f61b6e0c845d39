"""A database made afresh by the real migrations: the tests' template and the benches'."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import create_engine
from storage.migrate import upgrade


async def migrate_afresh(url: str) -> None:
    """Migrate `url` from nothing; a PostgreSQL database loses its public schema first."""
    engine = create_engine(url)
    try:
        if url.startswith("postgresql"):
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()
