"""Reading an uploaded roster workbook: size, format and shape checks before any row."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from imports.xlsx_guard import XlsxLimits, XlsxProblem, XlsxRefused, check_xlsx
from surveys.roster_rules import Column, header_columns

MAX_BYTES = 2 * 1024 * 1024
# A school's roster is hundreds of rows; far more is a wrong file, refused whole rather
# than half-read.
MAX_ROWS = 3000
# Rows looked at, empty ones included, and columns: a sheet may declare (or skip to) row
# 1 048 576 and column XFD in a few bytes.
MAX_SCANNED_ROWS = 10_000
MAX_COLUMNS = 100
# A real roster inflates to a few megabytes; shared strings and styles are read whole.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024
LIMITS = XlsxLimits(
    uncompressed_bytes=MAX_UNPACKED_BYTES,
    part_bytes=MAX_PART_BYTES,
    rows=MAX_SCANNED_ROWS,
    columns=MAX_COLUMNS,
)


class RosterFileProblem(StrEnum):
    TOO_BIG = "too_big"
    NOT_XLSX = "not_xlsx"
    EMPTY = "empty"
    TOO_MANY_ROWS = "too_many_rows"
    MISSING_COLUMNS = "missing_columns"
    UNPACKED_TOO_BIG = "unpacked_too_big"
    SHEET_TOO_LARGE = "sheet_too_large"


_REFUSALS = {
    XlsxProblem.NOT_XLSX: RosterFileProblem.NOT_XLSX,
    XlsxProblem.TOO_LARGE: RosterFileProblem.UNPACKED_TOO_BIG,
    XlsxProblem.TOO_MANY_ROWS: RosterFileProblem.SHEET_TOO_LARGE,
    XlsxProblem.TOO_MANY_COLUMNS: RosterFileProblem.SHEET_TOO_LARGE,
}


class RosterFileError(Exception):
    def __init__(self, problem: RosterFileProblem, missing: tuple[Column, ...] = ()) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.missing = missing


@dataclass
class ParsedRoster:
    columns: dict[Column, int]
    rows: list[tuple[int, tuple[object, ...]]] = field(default_factory=list)


def read_roster(content: bytes) -> ParsedRoster:
    """The header's columns and the data rows of the first sheet. Blocking: run it in a
    thread."""
    if len(content) > MAX_BYTES:
        raise RosterFileError(RosterFileProblem.TOO_BIG)
    try:
        check_xlsx(content, LIMITS)
    except XlsxRefused as refused:
        raise RosterFileError(_REFUSALS[refused.problem]) from None
    try:
        # data_only=False: a formula comes in as its text ("=HYPERLINK(…)") and is kept as
        # text, never as a value some spreadsheet computed.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise RosterFileError(RosterFileProblem.NOT_XLSX) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise RosterFileError(RosterFileProblem.EMPTY)
        lines = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        header = next(lines, None)
        if header is None:
            raise RosterFileError(RosterFileProblem.EMPTY)
        columns, missing = header_columns(header)
        if missing:
            raise RosterFileError(RosterFileProblem.MISSING_COLUMNS, tuple(missing))
        parsed = ParsedRoster(columns)
        for number, values in enumerate(lines, start=2):
            if number > MAX_SCANNED_ROWS:
                raise RosterFileError(RosterFileProblem.SHEET_TOO_LARGE)
            if not any(value not in (None, "") for value in values):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                raise RosterFileError(RosterFileProblem.TOO_MANY_ROWS)
            parsed.rows.append((number, tuple(values)))
        if not parsed.rows:
            raise RosterFileError(RosterFileProblem.EMPTY)
        return parsed
    finally:
        workbook.close()
