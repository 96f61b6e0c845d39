"""Cell values that are safe to hand to spreadsheet software, shared by every workbook.

Text that starts with = + - @ would be run as a formula by Excel or LibreOffice (formula
injection, e.g. `=HYPERLINK(...)` typed as an answer): such text is stored as a plain string
cell with the quote prefix, so it is shown, and stays, text even after the cell is edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT = "0.0%"
DECIMAL = "0.00"
DATE = "DD.MM.YYYY"
DATE_TIME = DATE + " HH:MM"
SUPPRESSED = "<{n}"


@dataclass(frozen=True)
class Formatted:
    """A value whose format differs from its column's (a yes-share in a mean column)."""

    value: float
    number_format: str


def is_risky(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=text)
    # openpyxl types "=..." as a formula; a string cell is never evaluated.
    cell.data_type = "s"
    if is_risky(text):
        cell.quotePrefix = True
    return cell


def cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> Any:
    """A value ready for `sheet.append`: text made safe, numbers and dates formatted."""
    if isinstance(value, str):
        # Plain strings go as they are (fast path); only risky ones need a typed cell.
        return text_cell(sheet, value) if is_risky(value) else value
    if isinstance(value, Formatted):
        value, number_format = value.value, value.number_format
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # Excel has no time zones; values are UTC
        number_format = number_format or DATE_TIME
    elif isinstance(value, date):
        number_format = number_format or DATE
    if number_format is None or value is None:
        return value
    formatted = WriteOnlyCell(sheet, value)
    formatted.number_format = number_format
    return formatted


def suppressed(respondents: int, min_group: int) -> str | None:
    """The «<3» placeholder when a figure rests on too few people to stay anonymous."""
    return SUPPRESSED.format(n=min_group) if respondents < min_group else None
