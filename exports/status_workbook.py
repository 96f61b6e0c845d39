"""The organization's pair status as a workbook: one row per pair or roster group."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from exports.text_cells import text_cell


def status_workbook(
    sheet_title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append([text_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
