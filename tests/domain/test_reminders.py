"""The reminder decision: schedule, quiet hours in the organization's zone, due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.reminders import QuietHours, ReminderSchedule, reminder_due

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3, no daylight saving
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")  # UTC+10
SCHEDULE = ReminderSchedule((3, 7), QuietHours(21, 9))
ISSUED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
DUE = ISSUED + timedelta(days=14)


def due(now: datetime, sent: int = 0, zone: ZoneInfo = MOSCOW) -> int | None:
    return reminder_due(
        issued_at=ISSUED, due_at=DUE, reminders_sent=sent, now=now, zone=zone, schedule=SCHEDULE
    )


def test_nothing_before_the_first_day() -> None:
    assert due(ISSUED + timedelta(days=2, hours=23)) is None


def test_first_reminder_after_three_days_and_only_once() -> None:
    assert due(ISSUED + timedelta(days=3)) == 1
    assert due(ISSUED + timedelta(days=3), sent=1) is None


def test_second_reminder_after_seven_days_then_none() -> None:
    assert due(ISSUED + timedelta(days=7), sent=1) == 2
    assert due(ISSUED + timedelta(days=9), sent=2) is None


def test_missed_steps_are_not_sent_one_after_another() -> None:
    assert due(ISSUED + timedelta(days=8)) == 2


def test_quiet_hours_are_local_to_the_organization() -> None:
    # 12:00 UTC: 15:00 in Moscow (fine), 22:00 in Vladivostok (quiet).
    now = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert due(now, zone=MOSCOW) == 1
    assert due(now, zone=VLADIVOSTOK) is None
    # 00:00 UTC next day: 03:00 in Moscow (quiet), 10:00 in Vladivostok (fine).
    later = datetime(2026, 11, 6, 0, 0, tzinfo=UTC)
    assert due(later, zone=MOSCOW) is None
    assert due(later, zone=VLADIVOSTOK) == 1


def test_quiet_hours_bounds() -> None:
    quiet = QuietHours(21, 9)
    at = lambda hour: datetime(2026, 11, 5, hour, 0, tzinfo=MOSCOW)  # noqa: E731
    assert [hour for hour in range(24) if quiet.contains(at(hour))] == [
        *range(0, 9),
        *range(21, 24),
    ]
    assert [hour for hour in range(24) if QuietHours(1, 5).contains(at(hour))] == [1, 2, 3, 4]
    assert not any(QuietHours(0, 0).contains(at(hour)) for hour in range(24))


def test_nothing_at_or_after_the_due_date() -> None:
    assert due(DUE) is None
    assert due(DUE + timedelta(days=1)) is None


@pytest.mark.parametrize("text", ["", "21", "a-b", "21-24", "-1-9"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(text)


@pytest.mark.parametrize("days", [(7, 3), (3, 3), (0, 3)])
def test_bad_schedules_are_refused(days: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        ReminderSchedule(days, QuietHours(21, 9))


def test_schedule_text() -> None:
    assert ReminderSchedule.parse_days("3, 7") == (3, 7)
    assert ReminderSchedule.parse_days("") == ()
    with pytest.raises(ValueError):
        ReminderSchedule.parse_days("3,x")


zones = st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "UTC"])
schedules = st.lists(st.integers(1, 30), min_size=1, max_size=4, unique=True).map(
    lambda days: tuple(sorted(days))
)


@given(
    days=schedules,
    quiet=st.tuples(st.integers(0, 23), st.integers(0, 23)),
    zone=zones,
    issued=st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
    due_in=st.integers(1, 60),
    steps_minutes=st.lists(st.integers(1, 24 * 60), min_size=1, max_size=200),
)
def test_a_run_of_checks_gives_each_step_at_most_once_in_order_and_never_in_quiet_hours(
    days: tuple[int, ...],
    quiet: tuple[int, int],
    zone: str,
    issued: datetime,
    due_in: int,
    steps_minutes: list[int],
) -> None:
    schedule = ReminderSchedule(days, QuietHours(*quiet))
    tz = ZoneInfo(zone)
    due_at = issued + timedelta(days=due_in)
    now, sent, given_steps = issued, 0, []
    for minutes in steps_minutes:
        now += timedelta(minutes=minutes)
        step = reminder_due(
            issued_at=issued,
            due_at=due_at,
            reminders_sent=sent,
            now=now,
            zone=tz,
            schedule=schedule,
        )
        if step is None:
            continue
        assert now < due_at
        assert not schedule.quiet.contains(now.astimezone(tz))
        assert now - issued >= timedelta(days=days[step - 1])
        given_steps.append(step)
        sent = step
    assert given_steps == sorted(set(given_steps))
    assert all(1 <= step <= len(days) for step in given_steps)
