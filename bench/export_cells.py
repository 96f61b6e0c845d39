"""Compares two exported workbooks cell by cell (not a test): the same sheets, and in each
the same values, number formats and quote prefixes (what keeps a text from being a formula).
Used to check that a change to the export leaves every figure, the masking and the register
as they were: export the bench region before and after (`bench/export.py --keep DIR`), then

    python -m bench.export_cells before.xlsx after.xlsx

Exits 1 at the first differences (up to 20 are printed)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

SHOWN = 20


def cells(path: Path) -> Iterator[tuple[str, int, list[Any]]]:
    """(sheet, row number, [(value, number format, quote prefix), …]) for every row."""
    book = load_workbook(path, read_only=True)
    try:
        for sheet in book:
            for number, row in enumerate(sheet.iter_rows(), start=1):
                yield (
                    sheet.title,
                    number,
                    [
                        (
                            cell.value,
                            getattr(cell, "number_format", None),
                            bool(getattr(getattr(cell, "style_array", None), "quotePrefix", 0)),
                        )
                        for cell in row
                        if cell.value is not None
                    ],
                )
    finally:
        book.close()


def differences(before: Path, after: Path) -> Iterator[str]:
    for old, new in zip_longest(cells(before), cells(after)):
        if old != new:
            yield f"before {old}\n  after {new}"


def main() -> None:
    before, after = Path(sys.argv[1]), Path(sys.argv[2])
    found = 0
    for difference in differences(before, after):
        found += 1
        print(difference)
        if found >= SHOWN:
            break
    if found:
        raise SystemExit(f"{before} and {after} differ")
    print(f"{before} and {after}: the same cells")


if __name__ == "__main__":
    main()
