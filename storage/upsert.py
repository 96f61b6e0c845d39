"""INSERT … ON CONFLICT DO NOTHING for either dialect: the way to write a row at most once."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

# Built once per (dialect, table, conflict columns) and executed with the values as
# parameters: some of these run on every update (the handled-update mark).
_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], Insert] = {}


async def insert_ignore(
    session: AsyncSession, model: type[DeclarativeBase], conflict: list[str], **values: Any
) -> bool:
    """Insert a row unless one with the same `conflict` columns exists; True if inserted."""
    dialect = session.get_bind().dialect.name
    table = cast(Table, model.__table__)  # Core on the table: no ORM bulk-insert machinery
    key = (dialect, table.name, tuple(conflict))
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = _STATEMENTS[key] = insert(table).on_conflict_do_nothing(index_elements=conflict)
    result = await session.execute(statement, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]
