"""One table on a write-only sheet: a header row that stays in view, an autofilter over the
data, column widths chosen up front (a write-only sheet cannot measure afterwards),
per-column number formats, and a print layout: landscape, one page wide, the header row
repeated on every page, the title (district and period) at the top of each page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.cells import FORMULA_STARTS, Formatted, cell, text_cell

Translate = Callable[[str], str]
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    title: str  # already translated
    width: float = 14
    number_format: str | None = None


class Table:
    def __init__(
        self, workbook: Workbook, title: str, columns: Sequence[Column], print_title: str = ""
    ) -> None:
        self.sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
        self.columns = list(columns)
        self.rows = 0
        for index, column in enumerate(self.columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A2"
        _print_layout(self.sheet, title, print_title)
        # One styled cell per formatted column, refilled row after row: a write-only sheet
        # serialises a row as soon as it is appended, and a styled cell is costly to make.
        self._styled: list[Cell | None] = []
        for column in self.columns:
            styled = WriteOnlyCell(self.sheet) if column.number_format else None
            if styled is not None and column.number_format:
                styled.number_format = column.number_format
            self._styled.append(styled)
        header = []
        for column in self.columns:
            heading = text_cell(self.sheet, column.title)
            heading.font = HEADER_FONT
            heading.alignment = HEADER_ALIGNMENT
            header.append(heading)
        self.sheet.append(header)

    def append(self, values: Sequence[Any]) -> None:
        row: list[Any] = []
        for value, column, styled in zip(values, self.columns, self._styled, strict=True):
            kind = type(value)
            if kind is str and not value.startswith(FORMULA_STARTS):
                row.append(value)  # most cells: plain text, as it is
                continue
            if value is None or (styled is None and (kind is int or kind is float)):
                row.append(value)  # nothing to format
                continue
            if styled is None or isinstance(value, str | Formatted):
                row.append(cell(self.sheet, value, column.number_format))
                continue
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones; values are UTC
            styled.value = value
            row.append(styled)
        self.sheet.append(row)
        self.rows += 1

    def close_filter(self) -> None:
        """Autofilter over the header and the rows so far (a totals row comes after it)."""
        last = get_column_letter(len(self.columns))
        self.untyped.auto_filter.ref = f"A1:{last}{self.rows + 1}"

    @property
    def untyped(self) -> Any:
        """The sheet for what openpyxl's stubs omit on write-only sheets (filters, charts)."""
        return self.sheet

    def column_index(self, title: str) -> int:
        return next(i for i, column in enumerate(self.columns, start=1) if column.title == title)


def _print_layout(written: WriteOnlyWorksheet, title: str, print_title: str) -> None:
    """Printed as districts file it: landscape, as many pages down as it takes but one page
    across, the header row on every page, the title and page number in the margins."""
    sheet: Any = written  # openpyxl's stubs omit the print settings of write-only sheets
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    # "&" starts a field code in headers and footers: a title's own ampersands are doubled.
    sheet.oddHeader.center.text = " — ".join(
        part.replace("&", "&&") for part in (print_title, title) if part
    )
    sheet.oddFooter.right.text = "&P / &N"
