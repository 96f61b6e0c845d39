"""How the pairs are doing: per pair for an organization (curator), per organization for a
district (methodist). Aggregates are computed in SQL; scope is checked by the caller
(app/policy.py) before any read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    Assignment,
    Organization,
    Pair,
    PairMember,
    Person,
    Programme,
    RosterEntry,
)
from storage.repositories.base import Repository
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus, PairStatus
from surveys.zones import local

FORMING = "forming"  # a roster group not formed into a pair yet
PAIR_STATUSES = (*PairStatus, FORMING)

_Query = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class MemberStatus:
    name: str | None  # None after /forget
    role: str
    registered: bool


@dataclass(frozen=True)
class PairReport:
    pair_id: int | None  # None for a roster group not formed yet
    programme_title: str
    number: int | None
    status: str  # active|completed|forming
    members: tuple[MemberStatus, ...]
    sent: int
    answered: int
    last_activity: datetime | None  # on the school's wall clock
    undelivered: int = 0  # questionnaires waiting for someone who blocked the bot

    @property
    def pending(self) -> int:
        return self.sent - self.answered

    @property
    def everyone_registered(self) -> bool:
        return all(member.registered for member in self.members)


@dataclass(frozen=True)
class OrganizationSummary:
    organization_id: int
    name: str
    pairs: int
    mentors: int
    mentees: int
    completed: int
    sent: int
    answered: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


class StatusRepository(Repository):
    async def organization_pairs(self, organization_id: int) -> list[PairReport]:
        programmes = {
            p.id: p
            for p in await self.session.scalars(
                select(Programme).where(Programme.organization_id == organization_id)
            )
        }
        if not programmes:
            return []
        pairs = list(
            await self.session.scalars(
                select(Pair)
                .where(Pair.programme_id.in_(programmes), Pair.status != PairStatus.DISSOLVED)
                .order_by(Pair.programme_id, Pair.number)
            )
        )
        pair_ids = [pair.id for pair in pairs]
        members: dict[int, list[MemberStatus]] = {}
        rows = await self.session.execute(
            select(PairMember.pair_id, PairMember.role, Person.full_name)
            .join(Person, Person.id == PairMember.person_id)
            .where(PairMember.pair_id.in_(pair_ids))
            .order_by(PairMember.pair_id, PairMember.role.desc(), PairMember.id)
        )
        for pair_id, role, name in rows.all():
            members.setdefault(pair_id, []).append(MemberStatus(name, role, True))
        activity = func.coalesce(
            Assignment.last_activity_at, Assignment.submitted_at, Assignment.created_at
        )
        submitted = Assignment.status == AssignmentStatus.SUBMITTED
        blocked = and_(~submitted, Person.unreachable_at.is_not(None))
        counts = {
            pair_id: (int(sent), int(answered or 0), last, int(undelivered or 0))
            for pair_id, sent, answered, last, undelivered in (
                await self.session.execute(
                    select(
                        Assignment.pair_id,
                        func.count(Assignment.id),
                        func.sum(case((submitted, 1), else_=0)),
                        func.max(activity),
                        func.sum(case((blocked, 1), else_=0)),
                    )
                    .join(Person, Person.id == Assignment.person_id)
                    .where(
                        Assignment.pair_id.in_(pair_ids),
                        Assignment.status != AssignmentStatus.EXPIRED,
                    )
                    .group_by(Assignment.pair_id)
                )
            ).all()
        }
        zone_name = await self.session.scalar(
            select(Organization.timezone).where(Organization.id == organization_id)
        )
        result: list[PairReport] = []
        for pair in pairs:
            sent, answered, last, undelivered = counts.get(pair.id, (0, 0, None, 0))
            result.append(
                PairReport(
                    pair.id,
                    programmes[pair.programme_id].title,
                    pair.number,
                    pair.status,
                    tuple(members.get(pair.id, ())),
                    sent,
                    answered,
                    _shown(last, zone_name),
                    undelivered,
                )
            )
        result.extend(await self._forming(programmes, {(p.programme_id, p.number) for p in pairs}))
        return result

    async def _forming(
        self, programmes: dict[int, Programme], formed: set[tuple[int, int]]
    ) -> list[PairReport]:
        """Roster groups not yet formed into pairs: who is still to register."""
        entries = await self.session.scalars(
            select(RosterEntry)
            .where(RosterEntry.programme_id.in_(programmes))
            .order_by(RosterEntry.programme_id, RosterEntry.pair_number, RosterEntry.row_number)
        )
        groups: dict[tuple[int, int | None], list[MemberStatus]] = {}
        for entry in entries:
            key = (entry.programme_id, entry.pair_number)
            if entry.pair_number is not None and key in formed:
                continue
            groups.setdefault(key, []).append(
                MemberStatus(entry.full_name, entry.role, entry.person_id is not None)
            )
        return [
            PairReport(
                None, programmes[programme_id].title, number, FORMING, tuple(people), 0, 0, None
            )
            for (programme_id, number), people in groups.items()
        ]

    async def open_assignments(self, organization_id: int) -> list[Assignment]:
        """Questionnaires of the organization still waiting for an answer, for its curator
        to remind people about."""
        query = (
            select(Assignment)
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .where(
                Programme.organization_id == organization_id,
                Pair.status != PairStatus.DISSOLVED,
                Assignment.status.in_(OPEN_ASSIGNMENT),
            )
            .order_by(Assignment.id)
        )
        return list(await self.session.scalars(query))

    async def municipality_summary(self, municipality_id: int) -> list[OrganizationSummary]:
        organizations = list(
            await self.session.scalars(
                select(Organization)
                .where(Organization.municipality_id == municipality_id)
                .order_by(Organization.name, Organization.id)
            )
        )
        ids = [org.id for org in organizations]
        live_pairs = (
            select(Pair.id.label("pair_id"), Programme.organization_id.label("org_id"), Pair.status)
            .join(Programme, Programme.id == Pair.programme_id)
            .where(Programme.organization_id.in_(ids), Pair.status != PairStatus.DISSOLVED)
            .subquery()
        )
        pairs = await self._counted(
            live_pairs.c.org_id,
            live_pairs.c.pair_id,
            live_pairs.c.status == PairStatus.COMPLETED,
        )
        people: dict[tuple[int, str], int] = {
            (org_id, role): int(number)
            for org_id, role, number in (
                await self.session.execute(
                    select(
                        live_pairs.c.org_id,
                        PairMember.role,
                        func.count(func.distinct(PairMember.person_id)),
                    )
                    .join(PairMember, PairMember.pair_id == live_pairs.c.pair_id)
                    .group_by(live_pairs.c.org_id, PairMember.role)
                )
            ).all()
        }
        answers = await self._counted(
            live_pairs.c.org_id,
            Assignment.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
            lambda query: query.join(Assignment, Assignment.pair_id == live_pairs.c.pair_id).where(
                Assignment.status != AssignmentStatus.EXPIRED
            ),
        )
        return [
            OrganizationSummary(
                org.id,
                org.name,
                pairs.get(org.id, (0, 0))[0],
                people.get((org.id, "mentor"), 0),
                people.get((org.id, "mentee"), 0),
                pairs.get(org.id, (0, 0))[1],
                *answers.get(org.id, (0, 0)),
            )
            for org in organizations
        ]

    async def _counted(
        self,
        group: ColumnElement[int],
        counted: ColumnElement[int] | InstrumentedAttribute[int],
        condition: ColumnElement[bool],
        joined: Callable[[_Query], _Query] = lambda query: query,
    ) -> dict[int, tuple[int, int]]:
        """Per `group`: how many `counted` rows, and how many of them meet `condition`."""
        query = select(group, func.count(counted), func.sum(case((condition, 1), else_=0)))
        rows = await self.session.execute(joined(query).group_by(group))
        return {key: (int(total), int(met or 0)) for key, total, met in rows.all()}


def _shown(value: datetime | None, zone_name: str | None) -> datetime | None:
    """In the school's zone, as the curator reads it. func.max over a UtcDateTime column
    comes back raw on SQLite (naive): that is UTC."""
    if value is None:
        return None
    return local(value if value.tzinfo is not None else value.replace(tzinfo=UTC), zone_name)
