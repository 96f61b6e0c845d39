"""Building a workbook from the test dataset and reading it back."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.export.plan import ExportPlan, write_export
from bot.i18n import create_i18n
from exports.period import Period
from exports.workbook import ExportOptions, Register
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor, Grant
from surveys.people import Role
from tests.support.export_data import YEAR, Dataset

I18N = create_i18n()


def russian(key: str) -> str:
    return I18N.gettext(key, locale="ru")


async def export_to(
    factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    scope: ExportScope,
    path: Path,
    options: ExportOptions | None = None,
    period: Period | None = None,
) -> openpyxl.Workbook:
    async with factory() as session:
        options = options or ExportOptions(register=Register.NAMES)
        plan = ExportPlan(scope, period or Period.academic_year(YEAR), options.register, True)
        await write_export(session, actor, plan, path, russian, options)
    return openpyxl.load_workbook(path)


def methodist_actor(data: Dataset) -> Actor:
    """The methodist of the dataset's district M01 (Павлоградский район)."""
    return Actor(1, grants=(Grant(Role.METHODIST, municipality_id=data.ids["M01"]),))


def district_scope(data: Dataset) -> ExportScope:
    return ExportScope(data.ids["M01"])


async def methodists_workbook(
    factory: async_sessionmaker[AsyncSession],
    data: Dataset,
    path: Path,
    options: ExportOptions | None = None,
    period: Period | None = None,
) -> openpyxl.Workbook:
    """District M01's workbook as its methodist gets it."""
    return await export_to(
        factory, methodist_actor(data), district_scope(data), path, options, period
    )


def organizations_in(workbook: bytes | bytearray | Path) -> set[str]:
    """The organizations the «Сводка» sheet lists, of a workbook sent (bytes) or written."""
    source = workbook if isinstance(workbook, Path) else io.BytesIO(workbook)
    rows = openpyxl.load_workbook(source)["Сводка"].iter_rows(min_row=2, values_only=True)
    return {str(row[1]) for row in rows if row[1]}


def table(sheet: Worksheet) -> list[dict[str, Any]]:
    """Rows as dicts by header title."""
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def by(rows: list[dict[str, Any]], column: str) -> dict[Any, dict[str, Any]]:
    return {row[column]: row for row in rows}
