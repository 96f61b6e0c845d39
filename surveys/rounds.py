"""Monitoring rounds, as the roadmaps schedule them: an intermediate monitoring (May) and an
annual one (November–December), each over a period and answered by a deadline. The rules
for opening one and what each kind asks for live here; storage keeps the values."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from surveys.errors import Refused
from surveys.questionnaire.model import Moment


class RoundKind(StrEnum):
    INTERMEDIATE = "intermediate"
    ANNUAL = "annual"


# The questionnaires whose answers a round waits for: an intermediate round checks how the
# pairs started and how they are doing; the annual one also waits for the completion.
ROUND_MOMENTS: dict[RoundKind, tuple[Moment, ...]] = {
    RoundKind.INTERMEDIATE: (Moment.START, Moment.CHECKIN),
    RoundKind.ANNUAL: (Moment.START, Moment.CHECKIN, Moment.COMPLETION),
}

# A round that ran for more than a year and a half is a typing mistake, not a round.
LONGEST_PERIOD = timedelta(days=550)


# The occasions a questionnaire is issued on (part of an assignment's unique key): start and
# completion have one; a check-in is one per round, or one outside rounds for the curator.
ONCE = ""
SCHOOL_CHECKIN = "school"


def round_occasion(round_id: int) -> str:
    """The occasion of a round's check-in: each member gets one per round."""
    return f"round:{round_id}"


def round_scope_key(municipality_id: int | None) -> str:
    """ "m:<id>" for a district's round, "*" for the region's (unique where NULL is not)."""
    return "*" if municipality_id is None else f"m:{municipality_id}"


def deadline_at(day: date, zone: tzinfo) -> datetime:
    """A deadline given as a day means the end of that day where the schools are."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)


def deadline_day(deadline: datetime, zone: tzinfo) -> date:
    """The last day to answer, as the schools in `zone` count days."""
    return (deadline.astimezone(zone) - timedelta(microseconds=1)).date()


def check_new_round(start: date, end: date, deadline: datetime, now: datetime) -> None:
    """Refuse a round whose dates cannot be right (each with the reason's catalogue key)."""
    if start > end:
        raise Refused("rounds.dates_order")
    if end - start > LONGEST_PERIOD:
        raise Refused("rounds.period_too_long")
    if deadline <= now:
        raise Refused("rounds.deadline_past")
    if deadline.date() < start:
        raise Refused("rounds.deadline_before_period")
