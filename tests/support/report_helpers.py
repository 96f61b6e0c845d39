"""Building a справка from the test dataset and reading it back: paragraphs as text, tables
as rows of strings, numbers parsed back from the way Russian writes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.export.run import export_report
from exports.period import Period
from exports.workbook import ExportOptions
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from tests.support.export_data import YEAR, Dataset
from tests.support.export_helpers import I18N, district_scope, methodist_actor

MADE_ON = date(2027, 6, 1)


async def report_to(
    factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    scope: ExportScope,
    path: Path,
    options: ExportOptions | None = None,
    period: Period | None = None,
) -> Path:
    async with factory() as session:
        await export_report(
            session,
            actor,
            scope,
            period or Period.academic_year(YEAR),
            path,
            I18N,
            options or ExportOptions(),
            MADE_ON,
        )
    return path


async def methodists_report(
    factory: async_sessionmaker[AsyncSession], data: Dataset, path: Path, options: ExportOptions
) -> Path:
    """District M01's справка as its methodist gets it."""
    return await report_to(factory, methodist_actor(data), district_scope(data), path, options)


async def admin_report(
    factory: async_sessionmaker[AsyncSession],
    data: Dataset,
    municipality: str,
    path: Path,
    options: ExportOptions | None = None,
) -> Path:
    """The справка of the dataset's `municipality` (its code) as an administrator gets it."""
    scope = ExportScope(data.ids[municipality])
    return await report_to(factory, Actor(1, is_admin=True), scope, path, options)


def paragraphs(path: Path) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(str(path)).paragraphs]


def tables(path: Path) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in docx.Document(str(path)).tables
    ]


def number(text: str) -> float | str:
    """«1 234», «86,7%», «9,00» back to numbers; anything else (—, <3) as it is."""
    plain = text.replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(plain.rstrip("%")) / (100 if plain.endswith("%") else 1)
    except ValueError:
        return text
