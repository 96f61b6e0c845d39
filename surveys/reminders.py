"""When to remind someone who has not answered: a schedule of days after the questionnaire
was issued, never in the organization's quiet hours, never after the due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo


@dataclass(frozen=True)
class QuietHours:
    """Local hours [start, end) when nobody is disturbed; may wrap midnight (21 → 9).
    start == end means no quiet hours."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start <= 23 and 0 <= self.end <= 23):
            raise ValueError("quiet hours are whole hours 0–23")

    def contains(self, local: datetime) -> bool:
        hour = local.hour
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """ "21-9" → 21:00–09:00."""
        start, separator, end = text.strip().partition("-")
        if not separator or not start.strip().isdigit() or not end.strip().isdigit():
            raise ValueError("expected START-END in whole hours, e.g. 21-9")
        return cls(int(start), int(end))


@dataclass(frozen=True)
class ReminderSchedule:
    """Reminder n (1-based) is due `days[n-1]` days after the questionnaire was issued."""

    days: tuple[int, ...]
    quiet: QuietHours

    def __post_init__(self) -> None:
        if any(day <= 0 for day in self.days):
            raise ValueError("reminder days must be positive")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError("reminder days must increase")

    @staticmethod
    def parse_days(text: str) -> tuple[int, ...]:
        """ "3,7" → (3, 7); an empty text means no automatic reminders."""
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError("expected whole days separated by commas, e.g. 3,7")
        return tuple(int(part) for part in parts)


def reminder_due(
    *,
    issued_at: datetime,
    due_at: datetime,
    reminders_sent: int,
    now: datetime,
    zone: tzinfo,
    schedule: ReminderSchedule,
) -> int | None:
    """The number of the reminder to send now, or None.

    Steps whose day passed while nothing ran (the bot was down for a week) are not sent one
    after another: only the latest passed step is, and the ones before it count as done.
    """
    if now >= due_at:
        return None
    elapsed = now - issued_at
    reached = sum(1 for day in schedule.days if elapsed >= timedelta(days=day))
    if reached <= reminders_sent:
        return None
    if schedule.quiet.contains(now.astimezone(zone)):
        return None
    return reached
