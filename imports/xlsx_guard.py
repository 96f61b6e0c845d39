"""Checks on an uploaded xlsx before openpyxl reads it: a few kilobytes can declare a
million-by-16384 sheet or inflate to gigabytes (a zip bomb).

Only the zip directory and the first sheet's header are read, each with a byte limit, so
a hostile file is refused in milliseconds without inflating it. The declared sizes in the
zip directory bound what `zipfile` (and so openpyxl) will ever inflate: it stops at the
declared size. What the header cannot show (rows far apart, rows without a dimension) is
bounded by the callers counting every row they scan, empty ones too.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

# How much of a part is read to find what we look for before giving up on it.
HEADER_BYTES = 256 * 1024
# Parts that hold the workbook's structure (workbook.xml, its relationships) are small.
STRUCTURE_BYTES = 1024 * 1024
CHUNK = 16 * 1024
MAX_MEMBERS = 10_000

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class XlsxProblem(StrEnum):
    NOT_XLSX = "not_xlsx"
    TOO_LARGE = "too_large"  # inflates beyond the limits
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"


class XlsxRefused(Exception):
    def __init__(self, problem: XlsxProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class XlsxLimits:
    uncompressed_bytes: int  # all parts together, inflated
    part_bytes: int  # any part read whole (shared strings, styles), inflated
    rows: int  # rows declared by the sheet's dimension
    columns: int  # columns declared by the sheet's dimension


def check_xlsx(content: bytes, limits: XlsxLimits) -> None:
    """Raises XlsxRefused unless `content` is a zip whose parts and first sheet fit."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_parts(archive.infolist(), limits)
            sheet = _first_sheet(archive)
            if sheet is not None:
                rows, columns = _declared_size(archive, sheet)
                if rows > limits.rows:
                    raise XlsxRefused(XlsxProblem.TOO_MANY_ROWS)
                if columns > limits.columns:
                    raise XlsxRefused(XlsxProblem.TOO_MANY_COLUMNS)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise XlsxRefused(XlsxProblem.NOT_XLSX) from None


def _check_parts(members: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(members) > MAX_MEMBERS:
        raise XlsxRefused(XlsxProblem.TOO_LARGE)
    if sum(member.file_size for member in members) > limits.uncompressed_bytes:
        raise XlsxRefused(XlsxProblem.TOO_LARGE)
    for member in members:
        # Worksheets are streamed by the readers; every other part is read whole.
        streamed = member.filename.lower().startswith("xl/worksheets/")
        if not streamed and member.file_size > limits.part_bytes:
            raise XlsxRefused(XlsxProblem.TOO_LARGE)


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet, found as openpyxl finds it."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    relations = "xl/_rels/workbook.xml.rels"
    if workbook not in names or relations not in names:
        return None
    first_id = None
    for element in _elements(archive, workbook, STRUCTURE_BYTES):
        if element.tag == f"{_MAIN}sheet":
            first_id = element.get(f"{{{_DOC_RELS}}}id")
            break
    if first_id is None:
        return None
    for element in _elements(archive, relations, STRUCTURE_BYTES):
        if element.tag == f"{_RELS}Relationship" and element.get("Id") == first_id:
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            path = posixpath.normpath(path)
            return path if path in names else None
    return None


def _declared_size(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int]:
    """(rows, columns) the sheet's `<dimension ref="A1:E40">` declares; (0, 0) without one.

    The dimension comes before the cells, so reading stops at `<sheetData>`."""
    for element in _elements(archive, sheet, HEADER_BYTES, stop=f"{_MAIN}sheetData"):
        if element.tag == f"{_MAIN}dimension":
            return _span(element.get("ref", ""))
    return 0, 0


def _span(ref: str) -> tuple[int, int]:
    last = ref.split(":")[-1].strip()
    match = _CELL.match(last)
    if match is None:
        return 0, 0
    letters, digits = match.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + (ord(letter) - ord("A") + 1)
    return int(digits), column


def _elements(
    archive: zipfile.ZipFile, name: str, byte_limit: int, stop: str | None = None
) -> Iterator[Element]:
    """Elements of a part as they open, reading at most `byte_limit` inflated bytes."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start",))
    with archive.open(name) as stream:
        for chunk in _chunks(stream, byte_limit):
            try:
                parser.feed(chunk)
            except ParseError:
                raise XlsxRefused(XlsxProblem.NOT_XLSX) from None
            for event in parser.read_events():
                element = event[-1]
                if not isinstance(element, Element):
                    continue
                if element.tag == stop:
                    return
                yield element


def _chunks(stream: IO[bytes], byte_limit: int) -> Iterator[bytes]:
    left = byte_limit
    while left > 0:
        chunk = stream.read(min(CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk
