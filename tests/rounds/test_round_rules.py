"""The domain rules of monitoring rounds (surveys/rounds.py, surveys/statuses.py): pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.errors import Refused
from surveys.questionnaire import Moment
from surveys.rounds import (
    ROUND_MOMENTS,
    RoundKind,
    check_new_round,
    deadline_at,
    deadline_day,
    round_scope_key,
)
from surveys.statuses import RoundStatus, can_move, sources_of

ZONES = ["Europe/Moscow", "Asia/Omsk", "Europe/Kaliningrad", "Asia/Vladivostok"]
NOW = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


@given(st.dates(date(2020, 1, 1), date(2040, 12, 31)), st.sampled_from(ZONES))
def test_the_deadline_day_comes_back_as_it_was_typed(day: date, zone: str) -> None:
    where = ZoneInfo(zone)
    deadline = deadline_at(day, where)
    assert deadline_day(deadline, where) == day
    # The last moment of the day still counts; the next day's first moment does not.
    assert (deadline - timedelta(seconds=1)).astimezone(where).date() == day
    assert deadline.astimezone(where).date() == day + timedelta(days=1)


def test_a_round_is_closed_once_and_never_reopened() -> None:
    assert can_move(RoundStatus.OPEN, RoundStatus.CLOSED)
    assert not can_move(RoundStatus.CLOSED, RoundStatus.OPEN)
    assert sources_of(RoundStatus.CLOSED) == {RoundStatus.OPEN}


def test_what_each_kind_waits_for() -> None:
    assert ROUND_MOMENTS[RoundKind.INTERMEDIATE] == (Moment.START, Moment.CHECKIN)
    assert ROUND_MOMENTS[RoundKind.ANNUAL] == (Moment.START, Moment.CHECKIN, Moment.COMPLETION)
    assert round_scope_key(None) == "*" and round_scope_key(12) == "m:12"


@pytest.mark.parametrize(
    ("start", "end", "deadline", "key"),
    [
        (date(2027, 5, 31), date(2026, 9, 1), date(2027, 6, 1), "rounds.dates_order"),
        (date(2026, 9, 1), date(2028, 6, 1), date(2027, 6, 1), "rounds.period_too_long"),
        (date(2026, 9, 1), date(2027, 5, 31), date(2027, 4, 30), "rounds.deadline_past"),
        (date(2027, 9, 1), date(2028, 5, 31), date(2027, 6, 1), "rounds.deadline_before_period"),
    ],
)
def test_dates_that_cannot_be_right_are_refused(
    start: date, end: date, deadline: date, key: str
) -> None:
    with pytest.raises(Refused) as refused:
        check_new_round(start, end, deadline_at(deadline, ZoneInfo("Asia/Omsk")), NOW)
    assert refused.value.message_key == key


def test_a_deadline_today_is_still_in_the_future() -> None:
    check_new_round(date(2026, 9, 1), date(2027, 5, 31), deadline_at(NOW.date(), UTC), NOW)
