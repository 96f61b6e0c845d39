"""Parser for the organizations directory file (``nastavnik import-orgs FILE``).

The administrator uploads an xlsx or csv table, one organization a row. This module
turns it into :class:`OrganizationRecord` values plus a list of problems, each a code
with the spreadsheet row and column as the user sees them. Nothing here is localized:
the bot and the CLI turn the codes into text.

A row with any problem is skipped whole and reported; good rows still load. Blank rows
are skipped silently. Whatever the bytes, the only exception raised is
:class:`DirectoryFileError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from imports.xlsx_guard import XlsxLimits, XlsxProblem, XlsxRefused, check_xlsx
from storage.repositories.directory import OrganizationRecord

__all__ = [
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "TEMPLATE_HEADERS",
    "DirectoryFileError",
    "DirectoryParse",
    "FileProblem",
    "OrgKind",
    "ProblemCode",
    "RowProblem",
    "parse_directory_bytes",
    "parse_directory_file",
]

# Limits; read at call time, so tests may monkeypatch them.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 100_000
# Rows looked at in all, blank ones included, and rows a sheet may declare: bounds the
# work on a sheet of a million empty formatted rows.
MAX_SCANNED_ROWS = 200_000
# Columns looked at; any further ones are ignored. A sheet may declare up to
# MAX_DECLARED_COLUMNS (Excel's own limit is 16 384).
MAX_COLUMNS: Final = 64
MAX_DECLARED_COLUMNS = 1024
# An xlsx is a zip: refuse one that inflates beyond this (a zip bomb), or whose parts
# read whole (shared strings, styles) inflate beyond MAX_XLSX_PART_BYTES.
MAX_XLSX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_XLSX_PART_BYTES = 64 * 1024 * 1024

MAX_CODE_LENGTH: Final = 32  # municipality.code, organization.code: String(32)
MAX_NAME_LENGTH: Final = 500  # organization.name: String(500)
MAX_MUNICIPALITY_NAME_LENGTH: Final = 255  # municipality.name: String(255)
MAX_COUNT: Final = 2_147_483_647  # the database's Integer
VALUE_EXCERPT_LENGTH: Final = 50


class ProblemCode(StrEnum):
    """What is wrong with one cell of a row."""

    MISSING_VALUE = "missing_value"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    UNKNOWN_KIND = "unknown_kind"
    INCONSISTENT = "inconsistent"
    DUPLICATE_CODE = "duplicate_code"
    TOO_LONG = "too_long"


class FileProblem(StrEnum):
    """Why the file as a whole cannot be read."""

    NOT_A_TABLE = "not_a_table"
    NOT_FOUND = "not_found"
    EMPTY = "empty"
    MISSING_COLUMNS = "missing_columns"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"


class OrgKind(StrEnum):
    """Keys stored in ``OrganizationRecord.kind``."""

    SCHOOL = "school"
    COLLEGE = "college"
    KINDERGARTEN = "kindergarten"
    ADDITIONAL = "additional"
    OTHER = "other"


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based spreadsheet row as the user sees it; the header is row 1
    column: str  # the header text as in the user's file
    code: ProblemCode
    value: str  # the offending cell text, at most VALUE_EXCERPT_LENGTH characters


@dataclass(frozen=True)
class DirectoryParse:
    records: list[OrganizationRecord]
    problems: list[RowProblem]
    # Non-blank data rows read: those loaded plus those skipped for a problem.
    rows_read: int


class DirectoryFileError(Exception):
    """The file cannot be read at all. ``columns`` names the missing columns (by their
    template header) when ``code`` is MISSING_COLUMNS, and is empty otherwise."""

    def __init__(self, code: FileProblem, columns: Sequence[str] = ()) -> None:
        super().__init__(code.value, *columns)
        self.code = code
        self.columns: list[str] = list(columns)


# --- columns -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str
    header: str  # Russian, as in the template
    aliases: tuple[str, ...]  # further accepted headers, Russian and English


_COLUMNS: Final = (
    _Column(
        "municipality_code",
        "Код муниципалитета",
        ("Код МО", "Код муниципального образования", "Municipality code"),
    ),
    _Column(
        "municipality_name",
        "Муниципалитет",
        (
            "Наименование муниципалитета",
            "Название муниципалитета",
            "Муниципальное образование",
            "Municipality",
            "Municipality name",
        ),
    ),
    _Column(
        "code",
        "Код организации",
        ("Код ОО", "Organization code", "Organisation code", "Org code"),
    ),
    _Column(
        "name",
        "Организация",
        (
            "Наименование организации",
            "Название организации",
            "Наименование ОО",
            "Organization",
            "Organisation",
            "Organization name",
            "Organisation name",
        ),
    ),
    _Column(
        "kind",
        "Тип",
        ("Тип организации", "Вид организации", "Kind", "Type", "Organization type"),
    ),
    _Column(
        "students_total",
        "Обучающихся всего",
        ("Всего обучающихся", "Обучающиеся всего", "Students total", "Total students"),
    ),
    _Column(
        "students_10_18",
        "Обучающихся 10–18 лет",
        (
            "Обучающихся 10–18",
            "Обучающихся в возрасте 10–18 лет",
            "Обучающиеся 10–18 лет",
            "Students 10–18",
            "Students 10–18 years",
            "Students aged 10–18",
        ),
    ),
    _Column(
        "teachers_total",
        "Педагогов всего",
        ("Всего педагогов", "Педагоги всего", "Teachers total", "Total teachers"),
    ),
    _Column(
        "teachers_under_35",
        "Педагогов до 35 лет",
        (
            "Педагогов до 35",
            "Педагогов в возрасте до 35 лет",
            "Педагоги до 35 лет",
            "Teachers under 35",
            "Teachers under 35 years",
            "Teachers aged under 35",
        ),
    ),
)

#: The header row of the template, in order.
TEMPLATE_HEADERS: Final[tuple[str, ...]] = tuple(column.header for column in _COLUMNS)


def _normalize(text: str) -> str:
    """Header and kind matching: case, ё, spaces and punctuation do not matter."""
    return "".join(ch for ch in text.casefold().replace("ё", "е") if ch.isalnum())


_HEADER_KEYS: Final = {
    _normalize(name): column.key for column in _COLUMNS for name in (column.header, *column.aliases)
}

_KINDS: Final = {
    _normalize(name): kind
    for kind, names in (
        (
            OrgKind.SCHOOL,
            (
                "школа",
                "общеобразовательная организация",
                "общеобразовательная школа",
                "ОО",
                "school",
            ),
        ),
        (
            OrgKind.COLLEGE,
            (
                "колледж",
                "СПО",
                "техникум",
                "профессиональная образовательная организация",
                "college",
            ),
        ),
        (
            OrgKind.KINDERGARTEN,
            (
                "детский сад",
                "ДОО",
                "дошкольная образовательная организация",
                "kindergarten",
            ),
        ),
        (
            OrgKind.ADDITIONAL,
            (
                "дополнительное образование",
                "доп. образование",
                "организация дополнительного образования",
                "УДО",
                "additional",
                "additional education",
            ),
        ),
        (OrgKind.OTHER, ("другое", "другая", "иное", "other")),
    )
    for name in names
}


@dataclass(frozen=True)
class _Header:
    positions: dict[str, int]  # column key -> index in the row
    texts: dict[str, str]  # column key -> header text as in the file


def _read_header(cells: Sequence[object]) -> _Header:
    positions: dict[str, int] = {}
    texts: dict[str, str] = {}
    for index, cell in enumerate(cells):
        text = _cell_text(cell)
        key = _HEADER_KEYS.get(_normalize(text))
        if key is not None and key not in positions:  # a repeated column: the first wins
            positions[key] = index
            texts[key] = text
    return _Header(positions, texts)


# --- cells ---------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """A cell as text, stripped; numbers typed by Excel lose a whole ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_SPACES = re.compile(r"\s+")


def _clean(value: object) -> str:
    """Text fields: stripped, and any run of whitespace (line breaks, NBSP) made one space."""
    return _SPACES.sub(" ", _cell_text(value)).strip()


_PLAIN_NUMBER = re.compile(r"[0-9]{1,10}")
# Thousands separated by a space, NBSP, narrow NBSP or thin space: "1 200".
_GROUPED_NUMBER = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3}){1,3}")
_MINUS = ("-", "\u2212")


def _count(value: object) -> int | ProblemCode:
    if isinstance(value, bool):
        return ProblemCode.NOT_A_NUMBER
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            return ProblemCode.NOT_A_NUMBER
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        negative = text.startswith(_MINUS)
        if negative:
            text = text[1:].lstrip()
        if not (_PLAIN_NUMBER.fullmatch(text) or _GROUPED_NUMBER.fullmatch(text)):
            return ProblemCode.NOT_A_NUMBER
        number = int(re.sub(r"\s", "", text))
        if negative:
            number = -number
    else:  # dates, times and the like
        return ProblemCode.NOT_A_NUMBER
    if number < 0:
        return ProblemCode.NEGATIVE
    if number > MAX_COUNT:
        return ProblemCode.NOT_A_NUMBER
    return number


# --- rows ----------------------------------------------------------------------------

_TEXT_LIMITS: Final = (
    ("municipality_code", MAX_CODE_LENGTH),
    ("municipality_name", MAX_MUNICIPALITY_NAME_LENGTH),
    ("code", MAX_CODE_LENGTH),
    ("name", MAX_NAME_LENGTH),
)
_COUNT_KEYS: Final = ("students_total", "students_10_18", "teachers_total", "teachers_under_35")
# (part, whole): the part may not exceed the whole; the part is reported.
_CONSISTENCY: Final = (
    ("students_10_18", "students_total"),
    ("teachers_under_35", "teachers_total"),
)


def _parse_rows(rows: Iterable[Sequence[object]]) -> DirectoryParse:
    header: _Header | None = None
    records: list[OrganizationRecord] = []
    problems: list[RowProblem] = []
    seen_codes: set[str] = set()
    rows_read = 0
    for row_number, row in enumerate(rows, start=1):
        if row_number > MAX_SCANNED_ROWS:
            raise DirectoryFileError(FileProblem.TOO_MANY_ROWS)
        cells = row[:MAX_COLUMNS]
        if header is None:
            if all(not _cell_text(cell) for cell in cells):
                continue  # blank rows above the header
            header = _read_header(cells)
            missing = [c.header for c in _COLUMNS if c.key not in header.positions]
            if missing:
                raise DirectoryFileError(FileProblem.MISSING_COLUMNS, missing)
            continue
        values = {
            key: cells[index] if index < len(cells) else None
            for key, index in header.positions.items()
        }
        if all(not _cell_text(value) for value in values.values()):
            continue
        rows_read += 1
        if rows_read > MAX_DATA_ROWS:
            raise DirectoryFileError(FileProblem.TOO_MANY_ROWS)
        record, row_problems = _parse_row(row_number, values, header.texts, seen_codes)
        if record is not None:
            records.append(record)
        problems.extend(row_problems)
    if header is None or rows_read == 0:
        raise DirectoryFileError(FileProblem.EMPTY)
    return DirectoryParse(records=records, problems=problems, rows_read=rows_read)


def _parse_row(
    row_number: int,
    values: dict[str, object],
    headers: dict[str, str],
    seen_codes: set[str],
) -> tuple[OrganizationRecord | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def report(key: str, code: ProblemCode) -> None:
        text = _cell_text(values[key])[:VALUE_EXCERPT_LENGTH]
        problems.append(RowProblem(row_number, headers[key], code, text))

    texts: dict[str, str] = {}
    for key, limit in _TEXT_LIMITS:
        text = _clean(values[key])
        if not text:
            report(key, ProblemCode.MISSING_VALUE)
        elif len(text) > limit:
            report(key, ProblemCode.TOO_LONG)
        else:
            texts[key] = text

    kind: OrgKind | None = None
    kind_text = _clean(values["kind"])
    if not kind_text:
        report("kind", ProblemCode.MISSING_VALUE)
    else:
        kind = _KINDS.get(_normalize(kind_text))
        if kind is None:
            report("kind", ProblemCode.UNKNOWN_KIND)

    counts: dict[str, int] = {}
    for key in _COUNT_KEYS:
        value = values[key]
        if not _cell_text(value):
            report(key, ProblemCode.MISSING_VALUE)
            continue
        parsed = _count(value)
        if isinstance(parsed, ProblemCode):
            report(key, parsed)
        else:
            counts[key] = parsed
    for part, whole in _CONSISTENCY:
        if part in counts and whole in counts and counts[part] > counts[whole]:
            report(part, ProblemCode.INCONSISTENT)

    code = texts.get("code")
    if code is not None:
        # The first row with a code claims it, even when that row has problems of its
        # own: the user then sees both rows in one report.
        if code in seen_codes:
            report("code", ProblemCode.DUPLICATE_CODE)
        seen_codes.add(code)

    if problems or kind is None:
        return None, problems
    record = OrganizationRecord(
        municipality_code=texts["municipality_code"],
        municipality_name=texts["municipality_name"],
        code=texts["code"],
        name=texts["name"],
        kind=kind.value,
        students_total=counts["students_total"],
        students_10_18=counts["students_10_18"],
        teachers_total=counts["teachers_total"],
        teachers_under_35=counts["teachers_under_35"],
    )
    return record, problems


def _guarded(rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    """Rows from a reader; whatever the reader raises becomes NOT_A_TABLE."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise DirectoryFileError(FileProblem.NOT_A_TABLE) from exc
        yield row


# --- formats -------------------------------------------------------------------------

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGIC: Final = (
    b"\xd0\xcf\x11\xe0",  # OLE2: xls, doc, an encrypted xlsx
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
)
# Control characters never found in a text table (tab, CR, LF are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DELIMITERS: Final = (";", ",", "\t")


_REFUSALS: Final = {
    XlsxProblem.NOT_XLSX: FileProblem.NOT_A_TABLE,
    XlsxProblem.TOO_LARGE: FileProblem.TOO_LARGE,
    XlsxProblem.TOO_MANY_ROWS: FileProblem.TOO_MANY_ROWS,
    XlsxProblem.TOO_MANY_COLUMNS: FileProblem.TOO_MANY_COLUMNS,
}


def _xlsx_rows(data: bytes) -> DirectoryParse:
    limits = XlsxLimits(
        uncompressed_bytes=MAX_XLSX_UNCOMPRESSED_BYTES,
        part_bytes=MAX_XLSX_PART_BYTES,
        rows=MAX_SCANNED_ROWS,
        columns=MAX_DECLARED_COLUMNS,
    )
    try:
        check_xlsx(data, limits)
    except XlsxRefused as refused:
        raise DirectoryFileError(_REFUSALS[refused.problem]) from None
    with warnings.catch_warnings():
        # openpyxl warns about styles, data validation and the like it does not read.
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise DirectoryFileError(FileProblem.NOT_A_TABLE) from exc
        try:
            sheets = workbook.worksheets
            if not sheets:
                raise DirectoryFileError(FileProblem.EMPTY)
            sheet = sheets[0]
            if isinstance(sheet, ReadOnlyWorksheet):
                # The stored dimension may be wrong (some generators write A1:A1), and
                # openpyxl would then drop rows: read what is there instead.
                sheet.reset_dimensions()
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            return _parse_rows(_guarded(rows))
        finally:
            workbook.close()


def _decode(data: bytes) -> str:
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")  # Excel's "Unicode text"
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(FileProblem.NOT_A_TABLE) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")  # as Russian Excel saves "CSV (разделители – запятые)"
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(FileProblem.NOT_A_TABLE) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which the first non-blank line reads as the most known headers."""
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    best, best_score = _DELIMITERS[0], (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        score = (len(_read_header(cells[:MAX_COLUMNS]).positions), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(data: bytes) -> DirectoryParse:
    text = _decode(data).removeprefix("\ufeff")
    if _CONTROL.search(text):
        raise DirectoryFileError(FileProblem.NOT_A_TABLE)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    return _parse_rows(_guarded(reader))


# --- entry points --------------------------------------------------------------------


def parse_directory_bytes(data: bytes, filename: str) -> DirectoryParse:
    """Parse an uploaded directory file.

    The format is decided by the content: a zip is read as xlsx, text as csv (UTF-8
    with or without BOM, UTF-16 with BOM, else cp1251; ``;``, ``,`` or tab). The
    ``filename`` is only informative: a csv named ``.xlsx`` still reads as csv.
    Raises :class:`DirectoryFileError` and nothing else.
    """
    del filename  # the content decides
    if len(data) > MAX_FILE_BYTES:
        raise DirectoryFileError(FileProblem.TOO_LARGE)
    if not data or data.startswith(_BINARY_MAGIC):
        raise DirectoryFileError(FileProblem.NOT_A_TABLE)
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_rows(data)
    return _csv_rows(data)


def parse_directory_file(path: Path) -> DirectoryParse:
    """Parse a directory file on disk; see :func:`parse_directory_bytes`."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DirectoryFileError(FileProblem.TOO_LARGE)
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # bounded even for a pipe or device
    except FileNotFoundError as exc:
        raise DirectoryFileError(FileProblem.NOT_FOUND) from exc
    except OSError as exc:
        raise DirectoryFileError(FileProblem.NOT_A_TABLE) from exc
    return parse_directory_bytes(data, path.name)
