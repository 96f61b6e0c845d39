"""Cells that stay text: spreadsheet programs run a cell starting with = + - @ as a formula
(formula injection), so such text is written with a leading apostrophe and as a string."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def text_cell(sheet: WriteOnlyWorksheet, value: object) -> Cell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, int | float):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=escape_text(str(value)))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell
