"""INSERT … ON CONFLICT DO NOTHING for either dialect: the way to write a row at most once,
one row at a time or many in one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Insert, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

# Built once per (dialect, table, conflict columns, returned columns) and executed with the
# values as parameters: some of these run on every update (the handled-update mark).
_STATEMENTS: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], Insert] = {}


def _ignoring(
    session: AsyncSession,
    model: type[DeclarativeBase],
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> Insert:
    dialect = session.get_bind().dialect.name
    table = cast(Table, model.__table__)  # Core on the table: no ORM bulk-insert machinery
    key = (dialect, table.name, tuple(conflict), tuple(returning))
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        _STATEMENTS[key] = statement
    return statement


async def insert_ignore(
    session: AsyncSession, model: type[DeclarativeBase], conflict: list[str], **values: Any
) -> bool:
    """Insert a row unless one with the same `conflict` columns exists; True if inserted."""
    result = await session.execute(_ignoring(session, model, conflict), values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_ignore_many(
    session: AsyncSession,
    model: type[DeclarativeBase],
    conflict: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[str] = ("id",),
) -> list[Row[Any]]:
    """Insert every row whose `conflict` columns are not taken yet, in one multi-row
    statement (SQLAlchemy's insertmanyvalues: one per 1000 rows); returns the `returning`
    columns of the rows inserted, in no particular order."""
    if not rows:
        return []
    statement = _ignoring(session, model, conflict, returning)
    return list((await session.execute(statement, list(rows))).all())
