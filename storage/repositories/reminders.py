"""Queries of the reminder job: who has not answered yet, and which assignments ran out.

The job acts for the system, not for a person, so these methods take no Actor; they only
read and change assignments, never show them to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from storage.models import Assignment, Organization, Pair, Programme
from storage.repositories.base import Repository
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus


@dataclass(frozen=True)
class ReminderCandidate:
    assignment: Assignment
    timezone: str  # IANA name of the organization's zone


class ReminderRepository(Repository):
    async def expire_overdue(self, now: datetime) -> int:
        """Close open assignments whose due date has passed; returns how many."""
        result = await self.session.execute(
            update(Assignment)
            .where(Assignment.status.in_(OPEN_ASSIGNMENT), Assignment.due_at <= now)
            .values(status=AssignmentStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def candidates(
        self,
        now: datetime,
        *,
        first_after: timedelta,
        steps: int,
        after_id: int = 0,
        limit: int = 500,
    ) -> list[ReminderCandidate]:
        """Open assignments old enough for the first reminder that have not had all
        `steps` reminders, in id order from `after_id` (pages of `limit`)."""
        rows = await self.session.execute(
            select(Assignment, Organization.timezone)
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
            .where(
                Assignment.id > after_id,
                Assignment.status.in_(OPEN_ASSIGNMENT),
                Assignment.due_at > now,
                Assignment.created_at <= now - first_after,
                Assignment.reminders_sent < steps,
            )
            .order_by(Assignment.id)
            .limit(limit)
        )
        return [ReminderCandidate(assignment, zone) for assignment, zone in rows]

    async def record_reminder(self, assignment_id: int, step: int, now: datetime) -> bool:
        """Count reminder `step` as given; False if this or a later step was recorded
        already (another job run got there first)."""
        result = await self.session.execute(
            update(Assignment)
            .where(Assignment.id == assignment_id, Assignment.reminders_sent < step)
            .values(reminders_sent=step, last_reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
