"""Rules for a programme's dates, academic year and title, without Telegram or SQL."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

TITLE_MIN, TITLE_MAX = 3, 200
_DAY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
# A programme is planned within a few years of today; 1926 or 2126 is a typo.
YEARS_AROUND = 5


class DateProblem(StrEnum):
    FORMAT = "format"  # not ДД.ММ.ГГГГ at all
    NO_SUCH_DAY = "no_such_day"  # 31.02.2026
    OUT_OF_RANGE = "out_of_range"  # far from today
    END_BEFORE_START = "end_before_start"


class TitleProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


def parse_day(text: str, today: date) -> date | DateProblem:
    """A day typed as ДД.ММ.ГГГГ, or why it is not one."""
    match = _DAY.match(text)
    if match is None:
        return DateProblem.FORMAT
    day, month, year = (int(part) for part in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        return DateProblem.NO_SUCH_DAY
    if abs(parsed.year - today.year) > YEARS_AROUND:
        return DateProblem.OUT_OF_RANGE
    return parsed


def end_problem(starts_on: date, ends_on: date) -> DateProblem | None:
    return DateProblem.END_BEFORE_START if ends_on <= starts_on else None


def academic_year_of(day: date) -> str:
    """Russian schools start the year on 1 September: 15.03.2027 is in "2026/2027"."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{first + 1}"


def academic_year_choices(today: date) -> tuple[str, str]:
    """The current academic year and the next one: what a curator plans for."""
    current = academic_year_of(today)
    first = int(current[:4]) + 1
    return current, f"{first}/{first + 1}"


def is_academic_year(value: str) -> bool:
    match = re.fullmatch(r"(\d{4})/(\d{4})", value)
    return match is not None and int(match.group(2)) == int(match.group(1)) + 1


def normalize_title(raw: str) -> str:
    return " ".join(raw.split())


def title_problem(title: str) -> TitleProblem | None:
    if len(title) < TITLE_MIN:
        return TitleProblem.TOO_SHORT
    if len(title) > TITLE_MAX:
        return TitleProblem.TOO_LONG
    return None
