"""The organizations directory file: xlsx and csv in, records and row problems out."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import imports.directory_file as directory_file
from imports.directory_file import (
    TEMPLATE_HEADERS,
    DirectoryFileError,
    DirectoryParse,
    FileProblem,
    ProblemCode,
    RowProblem,
    parse_directory_bytes,
    parse_directory_file,
)
from storage.repositories.directory import OrganizationRecord

Row = Sequence[object]

HEADERS_RU = list(TEMPLATE_HEADERS)
HEADERS_EN = [
    "Municipality code",
    "Municipality",
    "Organization code",
    "Organization",
    "Kind",
    "Students total",
    "Students 10-18",
    "Teachers total",
    "Teachers under 35",
]

GOOD_ROWS: list[Row] = [
    ["01", "Город Н", "0101", "МБОУ СОШ № 1", "школа", 1200, 900, 80, 20],
    ["01", "Город Н", "0102", "Колледж связи", "СПО", 640, 300, 45, 10],
    ["02", "Район К", "0201", "Детский сад «Солнышко»", "детский сад", 150, 0, 20, 7],
    ["02", "Район К", "0202", "Дом творчества", "доп. образование", 800, 640, 30, 12],
]
GOOD_RECORDS = [
    OrganizationRecord("01", "Город Н", "0101", "МБОУ СОШ № 1", "school", 1200, 900, 80, 20),
    OrganizationRecord("01", "Город Н", "0102", "Колледж связи", "college", 640, 300, 45, 10),
    OrganizationRecord(
        "02", "Район К", "0201", "Детский сад «Солнышко»", "kindergarten", 150, 0, 20, 7
    ),
    OrganizationRecord("02", "Район К", "0202", "Дом творчества", "additional", 800, 640, 30, 12),
]


def xlsx_bytes(rows: Sequence[Any], *, as_text: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if as_text:
        # Strings starting with "=" would otherwise be written as formulas.
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, rows: Sequence[Any], *, as_text: bool = True) -> Path:
    path.write_bytes(xlsx_bytes(rows, as_text=as_text))
    return path


def csv_text(rows: Sequence[Any], delimiter: str) -> str:
    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        if delimiter in text or '"' in text or "\n" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    return "".join(delimiter.join(cell(value) for value in row) + "\r\n" for row in rows)


def write_csv(path: Path, rows: Sequence[Any], *, delimiter: str = ";", encoding: str) -> Path:
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


def file_error(call: object) -> DirectoryFileError:
    assert callable(call)
    with pytest.raises(DirectoryFileError) as caught:
        call()
    return caught.value


# --- good files ------------------------------------------------------------------------


def test_good_xlsx_parses_to_exact_records(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "orgs.xlsx", [HEADERS_RU, *GOOD_ROWS])
    result = parse_directory_file(path)
    assert result == DirectoryParse(records=GOOD_RECORDS, problems=[], rows_read=4)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8-sig", ","), ("cp1251", ";"), ("cp1251", ","), ("utf-8", ";")],
)
def test_good_csv_parses_to_exact_records(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(
        tmp_path / "orgs.csv", [HEADERS_RU, *GOOD_ROWS], delimiter=delimiter, encoding=encoding
    )
    result = parse_directory_file(path)
    assert result == DirectoryParse(records=GOOD_RECORDS, problems=[], rows_read=4)


def test_csv_in_utf16_with_bom_and_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode text".
    path = write_csv(
        tmp_path / "orgs.txt", [HEADERS_RU, *GOOD_ROWS], delimiter="\t", encoding="utf-16"
    )
    assert parse_directory_file(path).records == GOOD_RECORDS


def test_csv_with_commas_inside_quoted_names(tmp_path: Path) -> None:
    rows = [HEADERS_RU, ["01", "Город Н", "0101", "Школа, лицей; гимназия", "школа", 10, 5, 3, 1]]
    path = write_csv(tmp_path / "orgs.csv", rows, delimiter=",", encoding="utf-8")
    assert parse_directory_file(path).records[0].name == "Школа, лицей; гимназия"


def test_english_headers_and_english_kinds(tmp_path: Path) -> None:
    rows = [
        HEADERS_EN,
        ["01", "Town N", "0101", "School 1", "School", 1200, 900, 80, 20],
        ["01", "Town N", "0102", "College", "college", 640, 300, 45, 10],
        ["01", "Town N", "0103", "Kids", "Kindergarten", 150, 0, 20, 7],
        ["01", "Town N", "0104", "House", "Additional education", 800, 640, 30, 12],
        ["01", "Town N", "0105", "Misc", "other", 1, 1, 1, 1],
    ]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", rows))
    assert result.problems == []
    assert [r.kind for r in result.records] == [
        "school",
        "college",
        "kindergarten",
        "additional",
        "other",
    ]
    assert result.records[0] == OrganizationRecord(
        "01", "Town N", "0101", "School 1", "school", 1200, 900, 80, 20
    )


def test_headers_match_ignoring_case_spaces_and_punctuation(tmp_path: Path) -> None:
    headers = [
        "  КОД МУНИЦИПАЛИТЕТА ",
        "муниципалитет:",
        "Код  организации",
        "ОРГАНИЗАЦИЯ",
        "тип.",
        "Обучающихся, всего",
        "Обучающихся 10-18 лет",  # hyphen instead of the en dash
        "педагогов ВСЕГО",
        "Педагогов (до 35 лет)",
    ]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", [headers, *GOOD_ROWS]))
    assert result.records == GOOD_RECORDS


def test_shuffled_columns_and_extra_columns(tmp_path: Path) -> None:
    order = [8, 3, 0, 6, 1, 5, 4, 2, 7]
    headers = ["Примечание", *[HEADERS_RU[i] for i in order]]
    rows = [["что угодно", *[row[i] for i in order]] for row in GOOD_ROWS]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", [headers, *rows]))
    assert result == DirectoryParse(records=GOOD_RECORDS, problems=[], rows_read=4)
    csv_path = write_csv(tmp_path / "orgs.csv", [headers, *rows], encoding="cp1251")
    assert parse_directory_file(csv_path).records == GOOD_RECORDS


def test_excel_typed_codes_and_numbers(tmp_path: Path) -> None:
    rows = [
        HEADERS_RU,
        [7, "  Город\u00a0Н ", 101, " Школа\n№ 1 ", " Школа ", 1200.0, "1 000", "8\u00a0000", "20"],
        [
            7.0,
            "Город Н",
            102.0,
            "Школа 2",
            "общеобразовательная организация",
            "2\u202f500",
            0,
            0,
            0,
        ],
    ]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", rows))
    assert result.problems == []
    assert result.records == [
        OrganizationRecord("7", "Город Н", "101", "Школа № 1", "school", 1200, 1000, 8000, 20),
        OrganizationRecord("7", "Город Н", "102", "Школа 2", "school", 2500, 0, 0, 0),
    ]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("школа", "school"),
        ("Общеобразовательная организация", "school"),
        ("колледж", "college"),
        ("СПО", "college"),
        ("Техникум", "college"),
        ("детский сад", "kindergarten"),
        ("Детский  сад", "kindergarten"),
        ("дополнительное образование", "additional"),
        ("доп. образование", "additional"),
        ("Доп образование", "additional"),
        ("другое", "other"),
        ("school", "school"),
        ("College", "college"),
        ("kindergarten", "kindergarten"),
        ("additional", "additional"),
        ("Other", "other"),
    ],
)
def test_kind_values_map_to_keys(tmp_path: Path, value: str, kind: str) -> None:
    rows = [HEADERS_RU, ["01", "Город Н", "0101", "Орг", value, 10, 5, 3, 1]]
    path = write_csv(tmp_path / "orgs.csv", rows, encoding="utf-8")
    assert parse_directory_file(path).records[0].kind == kind


def test_blank_rows_skipped_silently_and_row_numbers_follow_the_sheet(tmp_path: Path) -> None:
    rows: list[Row] = [
        HEADERS_RU,
        GOOD_ROWS[0],
        [None] * 9,
        ["", " ", None, "", "", "", "", "", ""],
        ["01", "Город Н", "0105", "Школа 5", "школа", "много", 1, 1, 1],
    ]
    for path in (
        write_xlsx(tmp_path / "orgs.xlsx", rows),
        write_csv(tmp_path / "orgs.csv", rows, encoding="utf-8-sig"),
    ):
        result = parse_directory_file(path)
        assert result.records == GOOD_RECORDS[:1]
        assert result.rows_read == 2
        assert result.problems == [
            RowProblem(5, "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "много")
        ]


def test_blank_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orgs.csv", [[], HEADERS_RU, GOOD_ROWS[0]], encoding="utf-8")
    assert parse_directory_file(path).records == GOOD_RECORDS[:1]


def test_content_decides_the_format_not_the_extension(tmp_path: Path) -> None:
    csv_as_xlsx = write_csv(tmp_path / "orgs.xlsx", [HEADERS_RU, *GOOD_ROWS], encoding="cp1251")
    xlsx_as_csv = write_xlsx(tmp_path / "orgs.csv", [HEADERS_RU, *GOOD_ROWS])
    assert parse_directory_file(csv_as_xlsx).records == GOOD_RECORDS
    assert parse_directory_file(xlsx_as_csv).records == GOOD_RECORDS
    data = xlsx_bytes([HEADERS_RU, *GOOD_ROWS])
    assert parse_directory_bytes(data, "upload.bin").records == GOOD_RECORDS


def test_formula_text_in_a_name_is_kept_as_plain_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("x")'
    rows = [HEADERS_RU, ["01", "Город Н", "0101", formula, "школа", 10, 5, 3, 1]]
    for path in (
        write_xlsx(tmp_path / "orgs.xlsx", rows),
        write_csv(tmp_path / "a.csv", rows, encoding="utf-8"),
        write_csv(tmp_path / "b.csv", rows, delimiter=",", encoding="cp1251"),
    ):
        result = parse_directory_file(path)
        assert result.problems == []
        assert result.records[0].name == formula


def test_formula_without_a_cached_value_is_a_missing_value(tmp_path: Path) -> None:
    # openpyxl stores no computed value; Excel would, and data_only reads that one.
    rows = [HEADERS_RU, ["01", "Город Н", "0101", "=A2&B2", "школа", 10, 5, 3, 1]]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", rows, as_text=False))
    assert result.records == []
    assert result.problems == [RowProblem(2, "Организация", ProblemCode.MISSING_VALUE, "")]


def test_wrong_stored_dimension_does_not_lose_rows(tmp_path: Path) -> None:
    data = xlsx_bytes([HEADERS_RU, *GOOD_ROWS])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', content
                )
                assert count == 1
            target.writestr(info, content)
    assert parse_directory_bytes(buffer.getvalue(), "orgs.xlsx").records == GOOD_RECORDS


# --- row problems ----------------------------------------------------------------------

GOOD = ["01", "Город Н", "0999", "Школа", "школа", 100, 50, 10, 5]
LONG = "Ж" * 501


def with_cell(column: int, value: object) -> list[object]:
    row: list[object] = list(GOOD)
    row[column] = value
    return row


@pytest.mark.parametrize(
    ("row", "column", "code", "value"),
    [
        (with_cell(0, None), "Код муниципалитета", ProblemCode.MISSING_VALUE, ""),
        (with_cell(1, "  "), "Муниципалитет", ProblemCode.MISSING_VALUE, ""),
        (with_cell(2, None), "Код организации", ProblemCode.MISSING_VALUE, ""),
        (with_cell(3, None), "Организация", ProblemCode.MISSING_VALUE, ""),
        (with_cell(4, None), "Тип", ProblemCode.MISSING_VALUE, ""),
        (with_cell(5, None), "Обучающихся всего", ProblemCode.MISSING_VALUE, ""),
        (with_cell(8, None), "Педагогов до 35 лет", ProblemCode.MISSING_VALUE, ""),
        (with_cell(5, "сто"), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "сто"),
        (with_cell(5, 100.5), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "100.5"),
        (with_cell(5, "100.0"), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "100.0"),
        (with_cell(5, "12 00"), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "12 00"),
        (with_cell(5, "1e3"), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "1e3"),
        (with_cell(5, True), "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "TRUE"),
        (
            with_cell(5, "99999999999"),
            "Обучающихся всего",
            ProblemCode.NOT_A_NUMBER,
            "99999999999",
        ),
        (with_cell(7, -3), "Педагогов всего", ProblemCode.NEGATIVE, "-3"),
        (with_cell(7, "-3"), "Педагогов всего", ProblemCode.NEGATIVE, "-3"),
        (with_cell(6, -1.0), "Обучающихся 10–18 лет", ProblemCode.NEGATIVE, "-1"),
        (with_cell(4, "гимназия"), "Тип", ProblemCode.UNKNOWN_KIND, "гимназия"),
        (with_cell(6, 101), "Обучающихся 10–18 лет", ProblemCode.INCONSISTENT, "101"),
        (with_cell(8, 11), "Педагогов до 35 лет", ProblemCode.INCONSISTENT, "11"),
        (with_cell(1, "Г" * 256), "Муниципалитет", ProblemCode.TOO_LONG, "Г" * 50),
        (with_cell(0, "7" * 33), "Код муниципалитета", ProblemCode.TOO_LONG, "7" * 33),
        (with_cell(2, "Х" * 33), "Код организации", ProblemCode.TOO_LONG, "Х" * 33),
        (with_cell(3, LONG), "Организация", ProblemCode.TOO_LONG, "Ж" * 50),
    ],
)
def test_each_problem_code_with_row_and_column(
    tmp_path: Path, row: list[object], column: str, code: ProblemCode, value: str
) -> None:
    rows = [HEADERS_RU, GOOD_ROWS[0], GOOD_ROWS[1], row, GOOD_ROWS[2]]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", rows))
    assert result.problems == [RowProblem(4, column, code, value)]
    assert result.records == GOOD_RECORDS[:3]
    assert result.rows_read == 4


def test_limits_at_the_boundary_are_fine(tmp_path: Path) -> None:
    row = ["М" * 32, "Г" * 255, "К" * 32, "О" * 500, "школа", 0, 0, 0, 0]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", [HEADERS_RU, row]))
    assert result.problems == []
    assert result.records[0].name == "О" * 500


def test_problem_column_is_the_header_text_as_in_the_file(tmp_path: Path) -> None:
    headers = list(HEADERS_EN)
    headers[5] = "  STUDENTS total "
    rows = [headers, ["01", "Town", "0101", "School", "school", "lots", 1, 1, 1]]
    path = write_csv(tmp_path / "orgs.csv", rows, delimiter=",", encoding="utf-8")
    assert parse_directory_file(path).problems == [
        RowProblem(2, "STUDENTS total", ProblemCode.NOT_A_NUMBER, "lots")
    ]


def test_a_row_with_several_problems_reports_each_and_is_skipped(tmp_path: Path) -> None:
    rows = [HEADERS_RU, [None, "Город Н", "0101", "Школа", "лицей", "x", 5, 10, 11]]
    path = write_csv(tmp_path / "orgs.csv", rows, encoding="cp1251")
    result = parse_directory_file(path)
    assert result.records == []
    assert result.rows_read == 1
    assert result.problems == [
        RowProblem(2, "Код муниципалитета", ProblemCode.MISSING_VALUE, ""),
        RowProblem(2, "Тип", ProblemCode.UNKNOWN_KIND, "лицей"),
        RowProblem(2, "Обучающихся всего", ProblemCode.NOT_A_NUMBER, "x"),
        RowProblem(2, "Педагогов до 35 лет", ProblemCode.INCONSISTENT, "11"),
    ]


def test_duplicate_codes_keep_the_first_and_report_the_later(tmp_path: Path) -> None:
    rows = [
        HEADERS_RU,
        GOOD_ROWS[0],
        ["01", "Город Н", "0102", "Колледж связи", "СПО", 640, 300, 45, 10],
        ["01", "Город Н", "0101", "Та же школа", "школа", 1, 1, 1, 1],
        ["01", "Город Н", 101, "Не та же: код 101, не 0101", "школа", 1, 1, 1, 1],
        ["01", "Город Н", " 0101 ", "Снова она", "школа", 1, 1, 1, 1],
    ]
    for path in (
        write_xlsx(tmp_path / "orgs.xlsx", rows),
        write_csv(tmp_path / "orgs.csv", rows, delimiter=",", encoding="utf-8-sig"),
    ):
        result = parse_directory_file(path)
        assert [r.code for r in result.records] == ["0101", "0102", "101"]
        assert result.records[0] == GOOD_RECORDS[0]
        assert result.problems == [
            RowProblem(4, "Код организации", ProblemCode.DUPLICATE_CODE, "0101"),
            RowProblem(6, "Код организации", ProblemCode.DUPLICATE_CODE, "0101"),
        ]
        assert result.rows_read == 5


def test_a_bad_first_row_still_claims_its_code(tmp_path: Path) -> None:
    rows = [HEADERS_RU, with_cell(5, "x"), GOOD]
    result = parse_directory_file(write_xlsx(tmp_path / "orgs.xlsx", rows))
    assert result.records == []
    assert [(p.row, p.code) for p in result.problems] == [
        (2, ProblemCode.NOT_A_NUMBER),
        (3, ProblemCode.DUPLICATE_CODE),
    ]


# --- file problems ---------------------------------------------------------------------


def not_xlsx_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def broken_xlsx() -> bytes:
    data = xlsx_bytes([HEADERS_RU, *GOOD_ROWS])
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(random.Random(20240901).randbytes(4096), id="random"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(64), id="png"),
        pytest.param(b"", id="empty"),
        pytest.param(not_xlsx_zip(), id="zip-not-xlsx"),
        pytest.param(broken_xlsx(), id="truncated-xlsx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), id="old-xls"),
        pytest.param(b"%PDF-1.4\n%...", id="pdf"),
        pytest.param("Код;Имя\n\x00\x01\x02".encode(), id="text-with-nul"),
    ],
)
def test_bytes_that_are_not_a_table(tmp_path: Path, data: bytes) -> None:
    assert file_error(lambda: parse_directory_bytes(data, "orgs.xlsx")).code is (
        FileProblem.NOT_A_TABLE
    )
    path = tmp_path / "orgs.csv"
    path.write_bytes(data)
    assert file_error(lambda: parse_directory_file(path)).code is FileProblem.NOT_A_TABLE


def test_unreadable_paths_are_not_a_table(tmp_path: Path) -> None:
    assert file_error(lambda: parse_directory_file(tmp_path / "nope.xlsx")).code is (
        FileProblem.NOT_FOUND
    )
    assert file_error(lambda: parse_directory_file(tmp_path)).code is FileProblem.NOT_A_TABLE


def test_header_only_is_empty(tmp_path: Path) -> None:
    paths = [
        write_xlsx(tmp_path / "a.xlsx", [HEADERS_RU]),
        write_xlsx(tmp_path / "b.xlsx", [HEADERS_RU, [None] * 9, ["  "] * 9]),
        write_csv(tmp_path / "c.csv", [HEADERS_RU], encoding="utf-8-sig"),
        write_csv(tmp_path / "d.csv", [HEADERS_RU, [""] * 9, []], encoding="cp1251"),
    ]
    for path in paths:
        error = file_error(lambda path=path: parse_directory_file(path))
        assert error.code is FileProblem.EMPTY
        assert error.columns == []


def test_nothing_at_all_is_empty(tmp_path: Path) -> None:
    for path in (
        write_xlsx(tmp_path / "blank.xlsx", []),
        write_csv(tmp_path / "blank.csv", [[], [" "]], encoding="utf-8"),
    ):
        assert file_error(lambda path=path: parse_directory_file(path)).code is FileProblem.EMPTY


def test_missing_columns_are_named(tmp_path: Path) -> None:
    headers = [h for h in HEADERS_RU if h not in ("Тип", "Педагогов до 35 лет")]
    rows = [headers, ["01", "Город Н", "0101", "Школа", 100, 50, 10]]
    for path in (
        write_xlsx(tmp_path / "orgs.xlsx", rows),
        write_csv(tmp_path / "orgs.csv", rows, delimiter=",", encoding="cp1251"),
    ):
        error = file_error(lambda path=path: parse_directory_file(path))
        assert error.code is FileProblem.MISSING_COLUMNS
        assert error.columns == ["Тип", "Педагогов до 35 лет"]


def test_a_text_file_with_no_known_header_misses_every_column() -> None:
    error = file_error(lambda: parse_directory_bytes("Привет,\nэто письмо\n".encode(), "a.csv"))
    assert error.code is FileProblem.MISSING_COLUMNS
    assert error.columns == HEADERS_RU


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as file:  # sparse: no 20 MB written
        file.truncate(directory_file.MAX_FILE_BYTES + 1)
    assert file_error(lambda: parse_directory_file(path)).code is FileProblem.TOO_LARGE
    data = xlsx_bytes([HEADERS_RU, *GOOD_ROWS])
    monkeypatch.setattr(directory_file, "MAX_FILE_BYTES", len(data) - 1)
    error = file_error(lambda: parse_directory_bytes(data, "orgs.xlsx"))
    assert error.code is FileProblem.TOO_LARGE


def test_an_xlsx_that_inflates_too_far_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_file, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    data = xlsx_bytes([HEADERS_RU, *GOOD_ROWS])
    assert file_error(lambda: parse_directory_bytes(data, "o.xlsx")).code is FileProblem.TOO_LARGE


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_file, "MAX_DATA_ROWS", 3)
    rows = [HEADERS_RU, *GOOD_ROWS[:3]]
    assert len(parse_directory_file(write_xlsx(tmp_path / "ok.xlsx", rows)).records) == 3
    rows = [HEADERS_RU, *GOOD_ROWS]
    for path in (
        write_xlsx(tmp_path / "orgs.xlsx", rows),
        write_csv(tmp_path / "orgs.csv", rows, encoding="utf-8"),
    ):
        error = file_error(lambda path=path: parse_directory_file(path))
        assert error.code is FileProblem.TOO_MANY_ROWS


def test_too_many_blank_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_file, "MAX_SCANNED_ROWS", 10)
    data = csv_text([HEADERS_RU, GOOD_ROWS[0]], ";").encode() + b"\r\n" * 20
    error = file_error(lambda: parse_directory_bytes(data, "orgs.csv"))
    assert error.code is FileProblem.TOO_MANY_ROWS


def test_template_headers_are_a_valid_header_row(tmp_path: Path) -> None:
    assert TEMPLATE_HEADERS[0] == "Код муниципалитета"
    assert len(TEMPLATE_HEADERS) == 9
    path = write_xlsx(tmp_path / "template.xlsx", [list(TEMPLATE_HEADERS)])
    assert file_error(lambda: parse_directory_file(path)).code is FileProblem.EMPTY


# --- any bytes ---------------------------------------------------------------------------

PREFIXES = [b"", b"PK\x03\x04", xlsx_bytes([HEADERS_RU, *GOOD_ROWS])[:200]]
CSV_HEAD = csv_text([HEADERS_RU], ";").encode("cp1251")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([*PREFIXES, CSV_HEAD]), body=st.binary(max_size=400))
def test_any_bytes_give_a_parse_or_a_directory_file_error(prefix: bytes, body: bytes) -> None:
    try:
        result = parse_directory_bytes(prefix + body, "upload")
    except DirectoryFileError as error:
        assert isinstance(error.code, FileProblem)
    else:
        assert result.rows_read == len(result.records) + len({p.row for p in result.problems})


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet=st.characters(codec="cp1251"), max_size=12), max_size=10),
        max_size=6,
    )
)
def test_any_text_table_gives_a_parse_or_a_directory_file_error(cells: list[list[str]]) -> None:
    data = csv_text([HEADERS_RU, *cells], ";").encode("cp1251", errors="replace")
    try:
        result = parse_directory_bytes(data, "orgs.csv")
    except DirectoryFileError as error:
        assert error.code in (FileProblem.EMPTY, FileProblem.NOT_A_TABLE)
    else:
        assert result.rows_read == len(result.records) + len({p.row for p in result.problems})
