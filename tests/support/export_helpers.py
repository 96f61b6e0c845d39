"""Building a workbook from the test dataset and reading it back."""

from __future__ import annotations

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
from surveys.access import Actor
from tests.support.export_data import YEAR

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


def table(sheet: Worksheet) -> list[dict[str, Any]]:
    """Rows as dicts by header title."""
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def by(rows: list[dict[str, Any]], column: str) -> dict[Any, dict[str, Any]]:
    return {row[column]: row for row in rows}
