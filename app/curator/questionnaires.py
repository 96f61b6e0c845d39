"""Issuing pairs' questionnaires when they are formed, grow or are completed: assignments
in the database (one multi-row insert), invitations queued in the outbox in each person's
language (one more). How an invitation looks is the channel's business, so it is written
through a port (`Notices`) the edge gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.screens import Msg, counted
from app.uow import UnitOfWork
from storage.bulk import breathe
from storage.models import Assignment, utcnow
from storage.repositories.assignments import AssignmentRepository, IssuedAssignment
from storage.repositories.people import PeopleRepository
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


@dataclass(frozen=True)
class Issued:
    queued: int  # invitations queued now
    blocked: int  # of them, to people who blocked the bot: the outbox will not deliver them

    @property
    def sent(self) -> int:
        return self.queued - self.blocked


async def issue(
    uow: UnitOfWork,
    catalogue: Catalogue,
    notices: Notices,
    pair_ids: Sequence[int],
    moment: Moment,
    due_days: int,
    occasion: str = ONCE,
    since: datetime | None = None,
    *,
    count_blocked: bool = False,
) -> Issued:
    """Give the pairs' members the moment's questionnaires (on this occasion: see
    `AssignmentRepository.issue_many`) and queue their invitations: how many were queued
    (none for members who had them already) and, with `count_blocked`, how many of those
    go to people who blocked the bot (what a curator is told on completing a pair or a
    programme)."""
    due_at = utcnow() + timedelta(days=due_days)
    issued = await AssignmentRepository(uow.session).issue_many(
        pair_ids, moment, catalogue, due_at, occasion, since
    )
    await breathe()
    queued = await notices.invitations(uow.session, issued)
    if not count_blocked:
        return Issued(queued, 0)
    gone = await PeopleRepository(uow.session).unreachable_among([a.person_id for a in issued])
    blocked = sum(1 for assignment in issued if assignment.person_id in gone)
    return Issued(queued, min(blocked, queued))


def undelivered(blocked: int) -> tuple[Msg, ...]:
    """The line saying how many questionnaires cannot arrive (none when all can), as /status
    says it."""
    return (counted("curator.status.undelivered", blocked),) if blocked else ()
