"""Hostile spreadsheets built by hand with zipfile: a tiny workbook that declares a huge
sheet, one whose shared strings inflate to hundreds of megabytes, one whose rows jump to
the end of the sheet. Each is a valid xlsx that openpyxl would start reading."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Список" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>
</Relationships>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

ROSTER_HEADER = ("ФИО", "Категория", "Класс", "Роль", "Номер пары/группы")


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _row(number: int, values: Sequence[str]) -> str:
    cells = "".join(
        f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def _sheet(rows: str, dimension: str | None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{_MAIN}">{declared}<sheetData>{rows}</sheetData></worksheet>'
    )


def _package(sheet: str, shared_strings_bytes: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        # Written in chunks: the test never holds the inflated part in memory either.
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>'.encode())
            chunk = b"A" * (1024 * 1024)
            for _ in range(shared_strings_bytes // len(chunk)):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return buffer.getvalue()


def roster_rows() -> list[tuple[str, ...]]:
    return [ROSTER_HEADER, ("Смирнов Алексей Иванович", "педагог", "", "наставник", "1")]


def declares_huge_sheet(rows: Sequence[Sequence[str]] | None = None) -> bytes:
    """A small workbook whose sheet says it spans A1:XFD1048576."""
    body = "".join(_row(n, r) for n, r in enumerate(rows or roster_rows(), start=1))
    return _package(_sheet(body, "A1:XFD1048576"))


def shared_strings_bomb(megabytes: int = 300, rows: Sequence[Sequence[str]] | None = None) -> bytes:
    """A workbook whose one shared string inflates to `megabytes` MB."""
    body = "".join(_row(n, r) for n, r in enumerate(rows or roster_rows(), start=1))
    return _package(_sheet(body, None), shared_strings_bytes=megabytes * 1024 * 1024)


def rows_jump_far(last_row: int = 1_048_576, rows: Sequence[Sequence[str]] | None = None) -> bytes:
    """No dimension; the data rows, then one cell at `last_row`: a reader fills the gap."""
    lines = list(rows or roster_rows())
    body = "".join(_row(n, r) for n, r in enumerate(lines, start=1))
    body += _row(last_row, ["x"])
    return _package(_sheet(body, None))
