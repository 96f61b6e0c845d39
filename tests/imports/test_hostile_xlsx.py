"""Hostile workbooks are refused before openpyxl reads them: a sheet declaring
A1:XFD1048576, shared strings inflating to hundreds of megabytes, rows jumping to the
end of the sheet. Memory is measured with tracemalloc as a check on the refusal."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from imports.directory_file import (
    TEMPLATE_HEADERS,
    DirectoryFileError,
    FileProblem,
    parse_directory_bytes,
)
from imports.roster_file import RosterFileError, RosterFileProblem, read_roster
from imports.xlsx_guard import XlsxLimits, XlsxProblem, XlsxRefused, check_xlsx
from tests.support.hostile_xlsx import (
    declares_huge_sheet,
    roster_rows,
    rows_jump_far,
    shared_strings_bomb,
)

MB = 1024 * 1024
DIRECTORY_ROWS = [
    TEMPLATE_HEADERS,
    ("M01", "Район", "S001", "Школа № 1", "школа", "600", "400", "50", "12"),
]


def peak_growth(call: Callable[[], object]) -> int:
    """Bytes allocated at the peak of `call`, beyond what was there before."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def roster_problem(content: bytes) -> RosterFileProblem:
    with pytest.raises(RosterFileError) as caught:
        read_roster(content)
    return caught.value.problem


def directory_problem(content: bytes) -> FileProblem:
    with pytest.raises(DirectoryFileError) as caught:
        parse_directory_bytes(content, "orgs.xlsx")
    return caught.value.code


def test_the_hostile_files_are_small_and_a_plain_reader_would_take_them() -> None:
    # Sizes as a person would upload them: all far under the 2 MB roster limit.
    assert len(declares_huge_sheet()) < 4096
    assert len(shared_strings_bomb(300)) < 1024 * 1024
    assert len(rows_jump_far()) < 4096


@pytest.mark.parametrize(
    ("content", "problem", "limit"),
    [
        (declares_huge_sheet, RosterFileProblem.SHEET_TOO_LARGE, 5 * MB),
        (lambda: shared_strings_bomb(300), RosterFileProblem.UNPACKED_TOO_BIG, 5 * MB),
        # Rows jumping to the end are read up to the scan limit before the refusal.
        (rows_jump_far, RosterFileProblem.SHEET_TOO_LARGE, 50 * MB),
    ],
    ids=["declares-a-whole-excel-sheet", "shared-strings-inflate-to-300-mb", "rows-jump-far"],
)
def test_a_hostile_roster_is_refused_in_little_memory(
    content: Callable[[], bytes], problem: RosterFileProblem, limit: int
) -> None:
    hostile = content()  # made before the measurement: only the reading counts
    problems: list[RosterFileProblem] = []
    growth = peak_growth(lambda: problems.append(roster_problem(hostile)))
    assert problems == [problem]
    assert growth < limit


def test_the_same_small_roster_without_the_tricks_reads() -> None:
    parsed = read_roster(rows_jump_far(last_row=3))
    assert [number for number, _values in parsed.rows] == [2, 3]


def test_directory_files_get_the_same_checks() -> None:
    assert directory_problem(declares_huge_sheet(DIRECTORY_ROWS)) is FileProblem.TOO_MANY_ROWS
    assert directory_problem(shared_strings_bomb(300, DIRECTORY_ROWS)) is FileProblem.TOO_LARGE
    problems: list[FileProblem] = []
    far = rows_jump_far(rows=DIRECTORY_ROWS)
    growth = peak_growth(lambda: problems.append(directory_problem(far)))
    assert problems == [FileProblem.TOO_MANY_ROWS]
    assert growth < 50 * MB
    parsed = parse_directory_bytes(rows_jump_far(last_row=3, rows=DIRECTORY_ROWS), "o.xlsx")
    assert [record.code for record in parsed.records] == ["S001"]


def test_declared_columns_are_checked_apart_from_rows() -> None:
    limits = XlsxLimits(uncompressed_bytes=MB, part_bytes=MB, rows=1_048_576, columns=100)
    with pytest.raises(XlsxRefused) as caught:
        check_xlsx(declares_huge_sheet(), limits)
    assert caught.value.problem is XlsxProblem.TOO_MANY_COLUMNS
    wide = XlsxLimits(uncompressed_bytes=MB, part_bytes=MB, rows=1_048_576, columns=16_384)
    check_xlsx(declares_huge_sheet(), wide)  # within: no complaint
    assert roster_rows()[0][0] == "ФИО"


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"", b"plain text"])
def test_bytes_that_are_no_zip_are_not_xlsx(content: bytes) -> None:
    limits = XlsxLimits(uncompressed_bytes=MB, part_bytes=MB, rows=10, columns=10)
    with pytest.raises(XlsxRefused) as caught:
        check_xlsx(content, limits)
    assert caught.value.problem is XlsxProblem.NOT_XLSX
