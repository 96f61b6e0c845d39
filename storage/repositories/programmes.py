"""Programmes: created, listed and completed by the curator of their organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, Programme, utcnow
from storage.repositories.invites import InviteRepository, ScopeDenied
from storage.repositories.scope import programme_to_change, require_curator_of
from surveys.access import Actor
from surveys.forms import mentoring_form
from surveys.people import Role
from surveys.programme_rules import end_problem, is_academic_year, title_problem
from surveys.statuses import ProgrammeStatus


@dataclass(frozen=True)
class ProgrammeDraft:
    organization_id: int
    form: str
    title: str
    academic_year: str
    starts_on: date
    ends_on: date


class InvalidProgramme(ValueError):
    """A draft that the handlers should never have let through."""


class ProgrammeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, actor: Actor, draft: ProgrammeDraft) -> Programme:
        require_curator_of(actor, draft.organization_id)
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
            created_by_id=actor.person_id,
        )
        self.session.add(programme)
        await self.session.flush()
        return programme

    async def of_curator(self, actor: Actor) -> list[Programme]:
        organizations = sorted(actor.organizations(Role.CURATOR))
        if not organizations:
            return []
        query = (
            select(Programme)
            .where(Programme.organization_id.in_(organizations))
            .order_by(Programme.status, Programme.starts_on.desc(), Programme.id)
        )
        return list(await self.session.scalars(query))

    async def to_change(self, actor: Actor, programme_id: int) -> Programme:
        return await programme_to_change(self.session, actor, programme_id)

    async def invite(
        self, actor: Actor, programme_id: int, role: Role, ttl: timedelta, max_uses: int
    ) -> Invite:
        """A shared link for mentors or mentees of this programme."""
        if role not in (Role.MENTOR, Role.MENTEE):
            raise ScopeDenied(f"{role} cannot be invited into a programme")
        programme = await self.to_change(actor, programme_id)
        invite = await InviteRepository(self.session).create(
            actor, role, organization_id=programme.organization_id, ttl=ttl, max_uses=max_uses
        )
        invite.programme_id = programme.id
        await self.session.flush()
        return invite

    async def change(
        self,
        actor: Actor,
        programme_id: int,
        *,
        title: str | None = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Programme:
        """Change the title or dates; the dates must still make sense together."""
        programme = await self.to_change(actor, programme_id)
        new_title = title if title is not None else programme.title
        new_start = starts_on or programme.starts_on
        new_end = ends_on or programme.ends_on
        if title_problem(new_title) is not None or end_problem(new_start, new_end) is not None:
            raise InvalidProgramme(programme_id)
        programme.title, programme.starts_on, programme.ends_on = new_title, new_start, new_end
        await self.session.flush()
        return programme

    async def mark_completed(self, actor: Actor, programme_id: int) -> Programme:
        programme = await self.to_change(actor, programme_id)
        if programme.status != ProgrammeStatus.COMPLETED:
            programme.status = ProgrammeStatus.COMPLETED
            programme.completed_at = utcnow()
            await self.session.flush()
        return programme
