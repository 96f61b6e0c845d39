"""A curator's roster, row by row: which rows can be imported and what is wrong with the
others (row, column, problem). Pure: cells in, rows and problems out."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from surveys.people import MAX_GRADE, MIN_GRADE, NAME_MAX_LENGTH, Category, Role


class Column(StrEnum):
    NAME = "name"
    CATEGORY = "category"
    GRADE = "grade"
    ROLE = "role"
    PAIR = "pair"


# The template's headers, in order; matching ignores case and extra spaces.
HEADERS: dict[Column, str] = {
    Column.NAME: "ФИО",
    Column.CATEGORY: "Категория",
    Column.GRADE: "Класс",
    Column.ROLE: "Роль",
    Column.PAIR: "Номер пары/группы",
}
REQUIRED = (Column.NAME, Column.CATEGORY, Column.ROLE)

CATEGORY_WORDS: dict[str, Category] = {
    "ученик": Category.STUDENT,
    "обучающийся": Category.STUDENT,
    "педагог": Category.TEACHER,
    "учитель": Category.TEACHER,
    "молодой специалист": Category.YOUNG_SPECIALIST,
    "студент": Category.COLLEGE_STUDENT,
    "представитель работодателя": Category.EMPLOYER,
    "работодатель": Category.EMPLOYER,
    **{category.value: category for category in Category},
}
ROLE_WORDS: dict[str, Role] = {
    "наставник": Role.MENTOR,
    "наставляемый": Role.MENTEE,
    "mentor": Role.MENTOR,
    "mentee": Role.MENTEE,
}
MAX_PAIR_NUMBER = 9999


class RowProblem(StrEnum):
    NAME_MISSING = "name_missing"
    NAME_INVALID = "name_invalid"
    NAME_DUPLICATE = "name_duplicate"
    CATEGORY_UNKNOWN = "category_unknown"
    GRADE_MISSING = "grade_missing"
    GRADE_INVALID = "grade_invalid"
    ROLE_UNKNOWN = "role_unknown"
    PAIR_INVALID = "pair_invalid"
    PAIR_SECOND_MENTOR = "pair_second_mentor"


@dataclass(frozen=True)
class RosterRow:
    row_number: int  # as the spreadsheet shows it (the header is row 1)
    full_name: str
    category: Category
    grade: int | None
    role: Role
    pair_number: int | None


@dataclass(frozen=True)
class RosterIssue:
    row_number: int
    column: Column
    problem: RowProblem
    value: str  # what the cell held, for the curator to find it


@dataclass(frozen=True)
class RosterCheck:
    rows: tuple[RosterRow, ...]
    issues: tuple[RosterIssue, ...]

    @property
    def rejected_rows(self) -> frozenset[int]:
        return frozenset(issue.row_number for issue in self.issues)


def _word(value: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).lower() if value else ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def header_columns(header: Sequence[object]) -> tuple[dict[Column, int], list[Column]]:
    """Where each known column is, and which required ones are missing."""
    wanted = {_word(title): column for column, title in HEADERS.items()}
    found: dict[Column, int] = {}
    for index, cell in enumerate(header):
        column = wanted.get(_word(cell))
        if column is not None and column not in found:
            found[column] = index
    return found, [column for column in REQUIRED if column not in found]


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    # isdecimal alone lets through digits int() refuses ("²"); ASCII digits only.
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 6 else None


def _name_is_usable(name: str) -> bool:
    # A roster name is the curator's own typing: any characters are kept as text (a name
    # that looks like a formula is escaped on export, never evaluated), but it must read
    # like a name: letters, and not too long for the person record.
    letters = sum(1 for char in name if char.isalpha())
    return letters >= 2 and len(name) <= NAME_MAX_LENGTH


def check_rows(
    columns: dict[Column, int],
    rows: Iterable[tuple[int, Sequence[object]]],
    known_names: Iterable[str] = (),
) -> RosterCheck:
    """Validate data rows (row number, cells). `known_names` are already in the programme's
    roster: uploading the same list twice does not make everyone twice."""
    seen = {name.casefold() for name in known_names}
    mentors_by_pair: set[int] = set()
    good: list[RosterRow] = []
    issues: list[RosterIssue] = []

    def cell(values: Sequence[object], column: Column) -> object:
        index = columns.get(column)
        return values[index] if index is not None and index < len(values) else None

    for row_number, values in rows:
        if all(_text(value) == "" for value in values):
            continue  # blank lines in a spreadsheet are not mistakes
        found: list[RosterIssue] = []

        def problem(column: Column, kind: RowProblem, raw: object) -> None:
            found.append(RosterIssue(row_number, column, kind, _text(raw)[:100]))  # noqa: B023

        raw_name = cell(values, Column.NAME)
        name = _text(raw_name)
        if not name:
            problem(Column.NAME, RowProblem.NAME_MISSING, raw_name)
        elif not _name_is_usable(name):
            problem(Column.NAME, RowProblem.NAME_INVALID, raw_name)
        elif name.casefold() in seen:
            problem(Column.NAME, RowProblem.NAME_DUPLICATE, raw_name)

        raw_category = cell(values, Column.CATEGORY)
        category = CATEGORY_WORDS.get(_word(raw_category))
        if category is None:
            problem(Column.CATEGORY, RowProblem.CATEGORY_UNKNOWN, raw_category)

        def number(column: Column, low: int, high: int, invalid: RowProblem) -> int | None:
            """The column's whole number from low to high; None when the cell is empty or
            (a problem) holds anything else."""
            raw = cell(values, column)  # noqa: B023
            if not _text(raw):
                return None
            value = _whole_number(raw)
            if value is None or not low <= value <= high:
                problem(column, invalid, raw)
                return None
            return value

        grade = number(Column.GRADE, MIN_GRADE, MAX_GRADE, RowProblem.GRADE_INVALID)
        raw_grade = cell(values, Column.GRADE)
        if category is Category.STUDENT and not _text(raw_grade):
            problem(Column.GRADE, RowProblem.GRADE_MISSING, raw_grade)
        if category is not Category.STUDENT:
            grade = None  # a grade belongs to school students only

        raw_role = cell(values, Column.ROLE)
        role = ROLE_WORDS.get(_word(raw_role))
        if role is None:
            problem(Column.ROLE, RowProblem.ROLE_UNKNOWN, raw_role)

        pair = number(Column.PAIR, 1, MAX_PAIR_NUMBER, RowProblem.PAIR_INVALID)
        if role is Role.MENTOR and pair is not None and pair in mentors_by_pair:
            problem(Column.PAIR, RowProblem.PAIR_SECOND_MENTOR, cell(values, Column.PAIR))

        if found:
            issues.extend(found)
            continue
        assert category is not None and role is not None
        seen.add(name.casefold())
        if role is Role.MENTOR and pair is not None:
            mentors_by_pair.add(pair)
        good.append(RosterRow(row_number, name, category, grade, role, pair))
    return RosterCheck(tuple(good), tuple(issues))
