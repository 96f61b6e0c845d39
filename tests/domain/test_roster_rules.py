"""Roster rows: what is imported and what is reported, row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from exports.cells import is_risky
from imports.roster_file import MAX_ROWS, RosterFileError, RosterFileProblem, read_roster
from surveys.people import Category, Role
from surveys.roster_rules import Column, RowProblem, check_rows, header_columns
from tests.support.curator_factories import roster_bytes

COLUMNS, _MISSING = header_columns(["ФИО", "Категория", "Класс", "Роль", "Номер пары/группы"])


def check(*rows: tuple[object, ...], known: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return check_rows(COLUMNS, [(n, row) for n, row in enumerate(rows, start=2)], known)


def problems(result) -> list[tuple[int, Column, RowProblem]]:  # type: ignore[no-untyped-def]
    return [(i.row_number, i.column, i.problem) for i in result.issues]


def test_good_rows_are_typed() -> None:
    result = check(
        ("Иванова Мария", "Ученик", 7, "наставляемый", 1),
        ("Петров Иван", "педагог", None, "Наставник", "1"),
    )
    assert not result.issues
    assert [(r.category, r.grade, r.role, r.pair_number) for r in result.rows] == [
        (Category.STUDENT, 7, Role.MENTEE, 1),
        (Category.TEACHER, None, Role.MENTOR, 1),
    ]


def test_each_problem_names_row_and_column() -> None:
    result = check(
        ("", "ученик", 7, "наставляемый", 1),
        ("Сидоров Пётр", "космонавт", 7, "наставляемый", 1),
        ("Кузнецова Анна", "ученик", 14, "наставляемый", 1),
        ("Орлова Вера", "ученик", None, "наставляемый", 1),
        ("Белов Олег", "педагог", None, "директор", 1),
        ("Зайцев Егор", "педагог", None, "наставник", "первая"),
        ("Иванова Мария", "ученик", 7, "наставляемый", 2),
        ("иванова  мария", "ученик", 8, "наставляемый", 2),
        ("Мишин Лев", "педагог", None, "наставник", 2),
        ("Титов Гена", "педагог", None, "наставник", 2),
    )
    assert problems(result) == [
        (2, Column.NAME, RowProblem.NAME_MISSING),
        (3, Column.CATEGORY, RowProblem.CATEGORY_UNKNOWN),
        (4, Column.GRADE, RowProblem.GRADE_INVALID),
        (5, Column.GRADE, RowProblem.GRADE_MISSING),
        (6, Column.ROLE, RowProblem.ROLE_UNKNOWN),
        (7, Column.PAIR, RowProblem.PAIR_INVALID),
        (9, Column.NAME, RowProblem.NAME_DUPLICATE),
        (11, Column.PAIR, RowProblem.PAIR_SECOND_MENTOR),
    ]
    assert [r.row_number for r in result.rows] == [8, 10]
    assert result.rejected_rows == {2, 3, 4, 5, 6, 7, 9, 11}


def test_odd_digits_are_not_numbers() -> None:
    result = check(("Иванова Мария", "ученик", "²", "наставляемый", "٣"))
    assert problems(result) == [
        (2, Column.GRADE, RowProblem.GRADE_INVALID),
        (2, Column.PAIR, RowProblem.PAIR_INVALID),
    ]


def test_names_already_in_the_programme_are_duplicates() -> None:
    result = check(("Иванова Мария", "ученик", 7, "наставляемый", 1), known=("ИВАНОВА МАРИЯ",))
    assert problems(result) == [(2, Column.NAME, RowProblem.NAME_DUPLICATE)]


def test_formula_text_is_kept_as_text_and_escaped() -> None:
    name = '=HYPERLINK("http://evil.example","Иванов Иван")'
    result = check((name, "педагог", None, "наставник", 1))
    assert result.rows[0].full_name == name
    assert is_risky(name) and not is_risky("Иванов")


def test_header_matching_reports_missing_columns() -> None:
    columns, missing = header_columns([" фио ", "РОЛЬ"])
    assert columns == {Column.NAME: 0, Column.ROLE: 1}
    assert missing == [Column.CATEGORY]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"%PDF-1.4 not a workbook", RosterFileProblem.NOT_XLSX),
        (roster_bytes([]), RosterFileProblem.EMPTY),
        (
            roster_bytes([("Иванов Иван", "педагог")], header=["ФИО", "Класс"]),
            RosterFileProblem.MISSING_COLUMNS,
        ),
        (b"PK" + b"0" * (3 * 1024 * 1024), RosterFileProblem.TOO_BIG),
    ],
)
def test_bad_files(content: bytes, problem: RosterFileProblem) -> None:
    with pytest.raises(RosterFileError) as raised:
        read_roster(content)
    assert raised.value.problem is problem


def test_too_many_rows_is_refused_whole() -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["ФИО", "Категория", "Класс", "Роль", "Номер пары/группы"])
    for n in range(MAX_ROWS + 1):
        sheet.append([f"Ученик Номер{n}", "ученик", 5, "наставляемый", n + 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(RosterFileError) as raised:
        read_roster(buffer.getvalue())
    assert raised.value.problem is RosterFileProblem.TOO_MANY_ROWS
