"""Programmes of an organization: created, changed, counted and completed. Scope is
checked by the caller (app/policy.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update

from storage.models import Invite, Pair, Programme, RosterEntry, utcnow
from storage.repositories.base import Repository
from storage.repositories.invites import InviteRepository
from surveys.access import Actor
from surveys.forms import mentoring_form
from surveys.people import Role
from surveys.programme_rules import end_problem, is_academic_year, title_problem
from surveys.statuses import PairStatus, ProgrammeStatus, sources_of


@dataclass(frozen=True)
class ProgrammeDraft:
    organization_id: int
    form: str
    title: str
    academic_year: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ProgrammeCounts:
    roster: int
    registered: int
    pairs: int  # not dissolved


class InvalidProgramme(ValueError):
    """A draft that the use cases should never have let through."""


class ProgrammeRepository(Repository):
    async def get(self, programme_id: int) -> Programme | None:
        return await self.session.get(Programme, programme_id)

    async def create(self, draft: ProgrammeDraft, created_by_id: int | None) -> Programme:
        if (
            mentoring_form(draft.form) is None
            or title_problem(draft.title) is not None
            or not is_academic_year(draft.academic_year)
            or end_problem(draft.starts_on, draft.ends_on) is not None
        ):
            raise InvalidProgramme(draft)
        programme = Programme(
            organization_id=draft.organization_id,
            form=draft.form,
            title=draft.title,
            academic_year=draft.academic_year,
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            status=ProgrammeStatus.ACTIVE,
            created_by_id=created_by_id,
        )
        self.session.add(programme)
        await self.session.flush()
        return programme

    async def of_organizations(self, organization_ids: Sequence[int]) -> list[Programme]:
        if not organization_ids:
            return []
        query = (
            select(Programme)
            .where(Programme.organization_id.in_(organization_ids))
            .order_by(Programme.status, Programme.starts_on.desc(), Programme.id)
        )
        return list(await self.session.scalars(query))

    async def counts(self, programme_id: int) -> ProgrammeCounts:
        roster = await self.session.scalar(
            select(func.count(RosterEntry.id)).where(RosterEntry.programme_id == programme_id)
        )
        registered = await self.session.scalar(
            select(func.count(RosterEntry.id)).where(
                RosterEntry.programme_id == programme_id, RosterEntry.person_id.is_not(None)
            )
        )
        pairs = await self.session.scalar(
            select(func.count(Pair.id)).where(
                Pair.programme_id == programme_id, Pair.status != PairStatus.DISSOLVED
            )
        )
        return ProgrammeCounts(int(roster or 0), int(registered or 0), int(pairs or 0))

    async def invite(
        self, actor: Actor, programme: Programme, role: Role, ttl: timedelta, max_uses: int
    ) -> Invite:
        """A shared link for mentors or mentees of this programme."""
        invite = await InviteRepository(self.session).create(
            actor, role, organization_id=programme.organization_id, ttl=ttl, max_uses=max_uses
        )
        invite.programme_id = programme.id
        await self.session.flush()
        return invite

    async def change(
        self,
        programme: Programme,
        *,
        title: str | None = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Programme:
        """Change the title or dates; the dates must still make sense together."""
        new_title = title if title is not None else programme.title
        new_start = starts_on or programme.starts_on
        new_end = ends_on or programme.ends_on
        if title_problem(new_title) is not None or end_problem(new_start, new_end) is not None:
            raise InvalidProgramme(programme.id)
        programme.title, programme.starts_on, programme.ends_on = new_title, new_start, new_end
        await self.session.flush()
        return programme

    async def mark_completed(self, programme_id: int) -> bool:
        """Complete the programme if its lifecycle allows; False when it was already."""
        result = await self.session.execute(
            update(Programme)
            .where(
                Programme.id == programme_id,
                Programme.status.in_(sources_of(ProgrammeStatus.COMPLETED)),
            )
            .values(status=ProgrammeStatus.COMPLETED, completed_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
