"""Pairs and groups: one mentor with one or more mentees, from people of the programme's
organization. The rules are the domain's (surveys/pairing.py); scope is checked by the
caller (app/policy.py) before any of these runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Assignment,
    Pair,
    PairMember,
    Person,
    Programme,
    RoleGrant,
    utcnow,
)
from surveys.pairing import (
    PairProblem,
    PairRefused,
    mentees_of,
    require_open_programme,
    require_people,
)
from surveys.people import Role
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus, PairStatus, sources_of


class PairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def form(
        self,
        programme_id: int,
        mentor_id: int,
        mentee_ids: Sequence[int],
        number: int | None = None,
    ) -> Pair:
        """Form a pair after every check (nothing is written when one refuses)."""
        programme = await self.session.get(Programme, programme_id)
        assert programme is not None, "the caller found the programme in scope"
        require_open_programme(programme.status)
        mentees = mentees_of(mentor_id, mentee_ids)
        if not mentees:
            raise PairRefused(PairProblem.NO_MENTEES)
        await self._check_people(programme, mentor_id, mentees)
        if number is None:
            highest = await self.session.scalar(
                select(func.max(Pair.number)).where(Pair.programme_id == programme.id)
            )
            number = int(highest or 0) + 1
        elif await self.session.scalar(
            select(Pair.id).where(Pair.programme_id == programme.id, Pair.number == number)
        ):
            raise PairRefused(PairProblem.NUMBER_TAKEN)
        pair = Pair(programme_id=programme.id, number=number, status=PairStatus.ACTIVE)
        self.session.add(pair)
        await self.session.flush()
        self.session.add(PairMember(pair_id=pair.id, person_id=mentor_id, role=Role.MENTOR.value))
        for mentee_id in mentees:
            self.session.add(
                PairMember(pair_id=pair.id, person_id=mentee_id, role=Role.MENTEE.value)
            )
        await self.session.flush()
        return pair

    async def _check_people(self, programme: Programme, mentor_id: int, mentees: list[int]) -> None:
        everyone = [mentor_id, *mentees]
        present = set(
            await self.session.scalars(
                select(Person.id).where(
                    Person.id.in_(everyone),
                    Person.organization_id == programme.organization_id,
                    Person.forgotten_at.is_(None),
                )
            )
        )
        busy: dict[int, set[str]] = {}
        rows = await self.session.execute(
            select(PairMember.person_id, PairMember.role)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.status == PairStatus.ACTIVE, PairMember.person_id.in_(everyone))
        )
        for person_id, role in rows.all():
            busy.setdefault(person_id, set()).add(role)
        require_people(present, busy, mentor_id, mentees)

    async def with_programme(self, pair_id: int) -> tuple[Pair, Programme] | None:
        pair = await self.session.get(Pair, pair_id)
        if pair is None:
            return None
        programme = await self.session.get(Programme, pair.programme_id)
        assert programme is not None
        return pair, programme

    async def of_programme(self, programme_id: int) -> list[Pair]:
        query = select(Pair).where(Pair.programme_id == programme_id).order_by(Pair.number)
        return list(await self.session.scalars(query))

    async def members(self, pair_id: int) -> list[tuple[PairMember, Person]]:
        rows = await self.session.execute(
            select(PairMember, Person)
            .join(Person, Person.id == PairMember.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.role.desc(), PairMember.id)  # mentor first
        )
        return [(member, person) for member, person in rows.all()]

    async def mentees(self, pair_id: int) -> list[Person]:
        return [
            person
            for member, person in await self.members(pair_id)
            if member.role == Role.MENTEE.value
        ]

    async def mentor_id(self, pair_id: int) -> int:
        mentor_id = await self.session.scalar(
            select(PairMember.person_id).where(
                PairMember.pair_id == pair_id, PairMember.role == Role.MENTOR.value
            )
        )
        assert mentor_id is not None
        return mentor_id

    async def candidates(self, organization_id: int, role: Role) -> list[Person]:
        """Registered people of the organization who hold this role."""
        query = (
            select(Person)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(
                RoleGrant.role == role.value,
                RoleGrant.organization_id == organization_id,
                Person.forgotten_at.is_(None),
            )
            .order_by(Person.full_name, Person.id)
            .distinct()
        )
        return list(await self.session.scalars(query))

    async def free_mentees(self, organization_id: int) -> list[Person]:
        """Mentees of the organization who are in no active pair: who can be added."""
        busy = set(
            await self.session.scalars(
                select(PairMember.person_id)
                .join(Pair, Pair.id == PairMember.pair_id)
                .where(Pair.status == PairStatus.ACTIVE)
            )
        )
        candidates = await self.candidates(organization_id, Role.MENTEE)
        return [person for person in candidates if person.id not in busy]

    async def has_answers(self, pair_id: int) -> bool:
        answered = await self.session.scalar(
            select(func.count(Answer.id))
            .join(Assignment, Assignment.id == Answer.assignment_id)
            .where(Assignment.pair_id == pair_id)
        )
        return bool(answered)

    async def dissolve(self, pair: Pair) -> None:
        """Dissolve the pair; its questionnaires are withdrawn (no reminders for a pair that
        no longer exists)."""
        pair.status = PairStatus.DISSOLVED
        await self.session.execute(
            update(Assignment)
            .where(Assignment.pair_id == pair.id)
            .values(status=AssignmentStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        await self.session.flush()

    async def complete(self, pair: Pair) -> None:
        pair.status = PairStatus.COMPLETED
        pair.completed_at = utcnow()
        await self.session.flush()

    async def complete_active(self, programme_id: int) -> list[int]:
        """Complete every pair of the programme that may be completed, in one statement;
        returns their ids."""
        ids = list(
            await self.session.scalars(
                select(Pair.id)
                .where(
                    Pair.programme_id == programme_id,
                    Pair.status.in_(sources_of(PairStatus.COMPLETED)),
                )
                .order_by(Pair.number)
            )
        )
        if ids:
            await self.session.execute(
                update(Pair)
                .where(Pair.id.in_(ids))
                .values(status=PairStatus.COMPLETED, completed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        return ids

    async def add_mentee(self, pair: Pair, programme: Programme, person_id: int) -> None:
        await self._check_people(programme, await self.mentor_id(pair.id), [person_id])
        self.session.add(PairMember(pair_id=pair.id, person_id=person_id, role=Role.MENTEE.value))
        await self.session.flush()

    async def remove_mentee(self, pair: Pair, person_id: int) -> None:
        """Take a mentee out; answers already given stay (they count), open questionnaires
        are withdrawn."""
        member = await self.session.scalar(
            select(PairMember).where(
                PairMember.pair_id == pair.id,
                PairMember.person_id == person_id,
                PairMember.role == Role.MENTEE.value,
            )
        )
        assert member is not None, "the caller checked the mentee is a member"
        await self.session.delete(member)
        await self.session.execute(
            update(Assignment)
            .where(
                Assignment.pair_id == pair.id,
                Assignment.person_id == person_id,
                Assignment.status.in_(OPEN_ASSIGNMENT),
            )
            .values(status=AssignmentStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        await self.session.flush()
