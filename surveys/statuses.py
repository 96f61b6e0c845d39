"""The lifecycles of programmes, pairs, assignments, outbox messages and monitoring rounds:
their statuses and the moves allowed between them. Storage keeps the values; every rule
about them lives here."""

from __future__ import annotations

from enum import StrEnum

from surveys.errors import Refused


class ProgrammeStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"


class PairStatus(StrEnum):
    """A pair or group: working, completed (completion questionnaires issued), or dissolved
    before anything was answered."""

    ACTIVE = "active"
    COMPLETED = "completed"
    DISSOLVED = "dissolved"


class AssignmentStatus(StrEnum):
    """One questionnaire for one person: pending → in_progress → submitted, or expired once
    its due date passed (or its pair was dissolved)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


class OutboxStatus(StrEnum):
    """A queued message: pending → sending (claimed by one sender) → sent or dead; cancelled
    when the person withdrew consent before it went out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"


class RoundStatus(StrEnum):
    """A monitoring round: open (collecting answers) → closed (figures frozen in a snapshot,
    at its deadline or by hand). A closed round is never reopened: its figures were reported."""

    OPEN = "open"
    CLOSED = "closed"


OPEN_ASSIGNMENT = frozenset({AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS})

_MOVES: dict[StrEnum, frozenset[StrEnum]] = {
    ProgrammeStatus.DRAFT: frozenset({ProgrammeStatus.ACTIVE}),
    ProgrammeStatus.ACTIVE: frozenset({ProgrammeStatus.COMPLETED}),
    ProgrammeStatus.COMPLETED: frozenset(),
    PairStatus.ACTIVE: frozenset({PairStatus.COMPLETED, PairStatus.DISSOLVED}),
    PairStatus.COMPLETED: frozenset(),
    PairStatus.DISSOLVED: frozenset(),
    AssignmentStatus.PENDING: frozenset(
        {AssignmentStatus.IN_PROGRESS, AssignmentStatus.SUBMITTED, AssignmentStatus.EXPIRED}
    ),
    AssignmentStatus.IN_PROGRESS: frozenset({AssignmentStatus.SUBMITTED, AssignmentStatus.EXPIRED}),
    AssignmentStatus.SUBMITTED: frozenset(),
    AssignmentStatus.EXPIRED: frozenset(),
    OutboxStatus.PENDING: frozenset(
        {OutboxStatus.SENDING, OutboxStatus.DEAD, OutboxStatus.CANCELLED}
    ),
    OutboxStatus.SENDING: frozenset(
        {OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.DEAD, OutboxStatus.CANCELLED}
    ),
    OutboxStatus.SENT: frozenset(),
    OutboxStatus.DEAD: frozenset(),
    OutboxStatus.CANCELLED: frozenset(),
    RoundStatus.OPEN: frozenset({RoundStatus.CLOSED}),
    RoundStatus.CLOSED: frozenset(),
}


def can_move(current: StrEnum, target: StrEnum) -> bool:
    """Whether `current` may become `target` (staying put is not a move)."""
    return target in _MOVES[current]


def sources_of(target: StrEnum) -> frozenset[StrEnum]:
    """Every status that may move to `target`: the guard of a set-based UPDATE."""
    return frozenset(status for status, targets in _MOVES.items() if target in targets)


def ensure_move(current: StrEnum, target: StrEnum, reason: str) -> None:
    """Refuse (with the catalogue key `reason`) a move the lifecycle does not allow."""
    if not can_move(current, target):
        raise Refused(reason)
