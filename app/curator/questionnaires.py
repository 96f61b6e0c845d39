"""Issuing pairs' questionnaires when they are formed, grow or are completed: assignments
in the database (one multi-row insert), invitations queued in the outbox in each person's
language (one more). How an invitation looks is the channel's business, so it is written
through a port (`Notices`) the edge gives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.uow import UnitOfWork
from storage.bulk import breathe
from storage.models import Assignment, utcnow
from storage.repositories.assignments import AssignmentRepository, IssuedAssignment
from surveys.questionnaire import Catalogue, Moment
from surveys.rounds import ONCE


class Notices(Protocol):
    """Queues messages about questionnaires (in the unit of work's transaction)."""

    async def invitations(
        self, session: AsyncSession, assignments: Sequence[IssuedAssignment]
    ) -> int:
        """One invitation per assignment; returns how many were queued now."""
        ...

    async def reminder(self, session: AsyncSession, assignment: Assignment, occasion: str) -> bool:
        """One reminder per assignment and occasion; False when it was queued before or
        the person cannot be reached."""
        ...


async def issue(
    uow: UnitOfWork,
    catalogue: Catalogue,
    notices: Notices,
    pair_ids: Sequence[int],
    moment: Moment,
    due_days: int,
    occasion: str = ONCE,
    since: datetime | None = None,
) -> int:
    """Give the pairs' members the moment's questionnaires (on this occasion: see
    `AssignmentRepository.issue_many`) and queue their invitations; returns how many
    invitations were queued (0 for members who had them already)."""
    due_at = utcnow() + timedelta(days=due_days)
    issued = await AssignmentRepository(uow.session).issue_many(
        pair_ids, moment, catalogue, due_at, occasion, since
    )
    await breathe()
    return await notices.invitations(uow.session, issued)
