"""Looking for personal data everywhere: every column of every table (reflected from the
database itself, so a table added later is searched too) and every file of a folder
(inside workbooks as well)."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import Connection, MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def _tables(connection: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return list(metadata.sorted_tables)


async def found_in_database(
    factory: async_sessionmaker[AsyncSession], needles: Sequence[str]
) -> list[str]:
    """`table.column: value` of every value whose text contains a needle (any case)."""
    wanted = [needle.lower() for needle in needles]
    found: list[str] = []
    async with factory() as session:
        connection = await session.connection()
        for table in await connection.run_sync(_tables):
            for row in await connection.execute(select(table)):
                for column, value in row._mapping.items():
                    text = str(value).lower() if value is not None else ""
                    if any(needle in text for needle in wanted):
                        found.append(f"{table.name}.{column}: {value!r}")
    return found


def found_in_folder(folder: Path, needles: Sequence[str]) -> list[str]:
    """Files under `folder` whose bytes (or, for a zip such as xlsx, whose members' bytes)
    contain a needle in UTF-8 (any case)."""
    wanted = [needle.lower() for needle in needles]
    found: list[str] = []
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if not path.is_file():
            continue
        contents = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                contents += [archive.read(name) for name in archive.namelist()]
        texts = [content.decode("utf-8", errors="ignore").lower() for content in contents]
        if any(needle in text for needle in wanted for text in texts):
            found.append(str(path))
    return found


def figures(workbook: openpyxl.Workbook) -> dict[tuple[str, str], Any]:
    """Every number of every sheet, by sheet and cell."""
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    }
