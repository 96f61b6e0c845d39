"""Dates, academic years and titles of a programme."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from surveys.programme_rules import (
    DateProblem,
    TitleProblem,
    academic_year_choices,
    academic_year_of,
    end_problem,
    is_academic_year,
    parse_day,
    title_problem,
)

TODAY = date(2026, 11, 23)


def test_days_typed_as_russian_dates() -> None:
    assert parse_day("01.09.2026", TODAY) == date(2026, 9, 1)
    assert parse_day(" 1.9.2026 ", TODAY) == date(2026, 9, 1)
    assert parse_day("31.02.2026", TODAY) is DateProblem.NO_SUCH_DAY
    assert parse_day("29.02.2028", TODAY) == date(2028, 2, 29)
    assert parse_day("2026-09-01", TODAY) is DateProblem.FORMAT
    assert parse_day("завтра", TODAY) is DateProblem.FORMAT
    assert parse_day("01.09.1926", TODAY) is DateProblem.OUT_OF_RANGE


def test_end_must_follow_start() -> None:
    assert end_problem(date(2026, 9, 1), date(2026, 8, 31)) is DateProblem.END_BEFORE_START
    assert end_problem(date(2026, 9, 1), date(2026, 9, 1)) is DateProblem.END_BEFORE_START
    assert end_problem(date(2026, 9, 1), date(2027, 5, 31)) is None


def test_academic_year_starts_in_september() -> None:
    assert academic_year_of(date(2026, 8, 31)) == "2025/2026"
    assert academic_year_of(date(2026, 9, 1)) == "2026/2027"
    assert academic_year_choices(TODAY) == ("2026/2027", "2027/2028")
    assert is_academic_year("2026/2027") and not is_academic_year("2026/2028")


def test_titles() -> None:
    assert title_problem("Ок") is TitleProblem.TOO_SHORT
    assert title_problem("x" * 201) is TitleProblem.TOO_LONG
    assert title_problem("Наставничество 7–10 классов") is None


@given(st.dates(min_value=date(2022, 1, 1), max_value=date(2031, 12, 31)))
def test_every_real_day_reads_back(day: date) -> None:
    assert parse_day(day.strftime("%d.%m.%Y"), TODAY) == day
    year = academic_year_of(day)
    assert is_academic_year(year)
    first = date(int(year[:4]), 9, 1)
    assert first <= day < first + timedelta(days=366)
