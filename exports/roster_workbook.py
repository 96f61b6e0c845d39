"""Roster workbooks: the empty template, and the answer to an upload (personal links of the
imported rows, and the rows that were not imported with row, column and reason)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from exports.text_cells import text_cell
from surveys.roster_rules import HEADERS

TEMPLATE_EXAMPLE = (
    ("Иванова Мария Петровна", "ученик", 7, "наставляемый", 1),
    ("Петров Иван Сергеевич", "ученик", 10, "наставник", 1),
)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(list(HEADERS.values()))
    for example in TEMPLATE_EXAMPLE:
        sheet.append(list(example))
    return _save(workbook)


def result_workbook(
    links_title: str,
    links_header: Sequence[str],
    links: Sequence[Sequence[object]],
    errors_title: str,
    errors_header: Sequence[str],
    errors: Sequence[Sequence[object]],
) -> bytes:
    """Two sheets: what was imported (with each person's link) and what was not."""
    workbook = Workbook(write_only=True)
    for title, header, rows in (
        (links_title, links_header, links),
        (errors_title, errors_header, errors),
    ):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([text_cell(sheet, value) for value in header])
        for row in rows:
            sheet.append([text_cell(sheet, value) for value in row])
    return _save(workbook)
