"""The period an export covers: an academic year (1 September – 31 August) or any dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def academic_year(cls, first_year: int) -> Period:
        return cls(date(first_year, 9, 1), date(first_year + 1, 8, 31))

    @classmethod
    def current_academic_year(cls, today: date) -> Period:
        return cls.academic_year(today.year if today.month >= 9 else today.year - 1)

    def label(self) -> str:
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


def parse_day(text: str) -> date | None:
    """DD.MM.YYYY (what people type) or YYYY-MM-DD (what scripts pass)."""
    text = text.strip()
    for parse in (_dotted, date.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _dotted(text: str) -> date:
    day, month, year = text.split(".")
    return date(int(year), int(month), int(day))


def parse_range(text: str) -> Period | None:
    """Two dates separated by space, dash or en dash; None when that is not what it is."""
    parts = text.replace("–", " ").replace("—", " ").replace(" - ", " ").split()
    if len(parts) != 2:
        return None
    start, end = parse_day(parts[0]), parse_day(parts[1])
    if start is None or end is None or start > end:
        return None
    return Period(start, end)
