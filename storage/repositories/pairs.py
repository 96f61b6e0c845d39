"""Pairs and groups: one mentor with one or more mentees, from people of the programme's
organization. A person may be in several active pairs only as a mentor."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, select
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
from storage.repositories.invites import ScopeDenied
from storage.repositories.scope import programme_to_change, require_curator_of
from surveys.access import Actor
from surveys.people import Role
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus, PairStatus, ProgrammeStatus


class PairProblem(StrEnum):
    NO_MENTEES = "no_mentees"
    NOT_IN_ORGANIZATION = "not_in_organization"
    MENTEE_TAKEN = "mentee_taken"  # already in another active pair
    MENTOR_IS_MENTEE = "mentor_is_mentee"  # a mentee elsewhere cannot mentor too
    PROGRAMME_CLOSED = "programme_closed"
    NUMBER_TAKEN = "number_taken"
    ALREADY_STARTED = "already_started"  # answers exist: a pair that started is not dissolved
    NOT_ACTIVE = "not_active"
    LAST_MENTEE = "last_mentee"  # a pair keeps at least one mentee; dissolve it instead
    NOT_A_MEMBER = "not_a_member"


class PairRefused(Exception):
    def __init__(self, problem: PairProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class PairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def form(
        self,
        actor: Actor,
        programme_id: int,
        mentor_id: int,
        mentee_ids: Sequence[int],
        number: int | None = None,
    ) -> Pair:
        programme = await programme_to_change(self.session, actor, programme_id)
        if programme.status == ProgrammeStatus.COMPLETED:
            raise PairRefused(PairProblem.PROGRAMME_CLOSED)
        mentees = sorted(set(mentee_ids) - {mentor_id})
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
        people = list(
            await self.session.scalars(
                select(Person).where(
                    Person.id.in_(everyone),
                    Person.organization_id == programme.organization_id,
                    Person.forgotten_at.is_(None),
                )
            )
        )
        if len(people) != len(everyone):
            raise PairRefused(PairProblem.NOT_IN_ORGANIZATION)
        busy = await self.session.execute(
            select(PairMember.person_id, PairMember.role)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.status == PairStatus.ACTIVE, PairMember.person_id.in_(everyone))
        )
        for person_id, role in busy.all():
            if person_id in mentees:
                raise PairRefused(PairProblem.MENTEE_TAKEN)
            if person_id == mentor_id and role == Role.MENTEE.value:
                raise PairRefused(PairProblem.MENTOR_IS_MENTEE)

    async def to_change(self, actor: Actor, pair_id: int) -> tuple[Pair, Programme]:
        pair = await self.session.get(Pair, pair_id)
        if pair is None:
            raise ScopeDenied(f"no pair {pair_id}")
        programme = await self.session.get(Programme, pair.programme_id)
        assert programme is not None
        require_curator_of(actor, programme.organization_id)
        return pair, programme

    async def of_programme(self, actor: Actor, programme_id: int) -> list[Pair]:
        programme = await programme_to_change(self.session, actor, programme_id)
        query = select(Pair).where(Pair.programme_id == programme.id).order_by(Pair.number)
        return list(await self.session.scalars(query))

    async def members(self, pair_id: int) -> list[tuple[PairMember, Person]]:
        rows = await self.session.execute(
            select(PairMember, Person)
            .join(Person, Person.id == PairMember.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.role.desc(), PairMember.id)  # mentor first
        )
        return [(member, person) for member, person in rows.all()]

    async def candidates(self, actor: Actor, programme_id: int, role: Role) -> list[Person]:
        """Registered people of the programme's organization who hold this role."""
        programme = await programme_to_change(self.session, actor, programme_id)
        query = (
            select(Person)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(
                RoleGrant.role == role.value,
                RoleGrant.organization_id == programme.organization_id,
                Person.forgotten_at.is_(None),
            )
            .order_by(Person.full_name, Person.id)
            .distinct()
        )
        return list(await self.session.scalars(query))

    async def dissolve(self, actor: Actor, pair_id: int) -> Pair:
        pair, _programme = await self.to_change(actor, pair_id)
        if pair.status != PairStatus.ACTIVE:
            raise PairRefused(PairProblem.NOT_ACTIVE)
        answered = await self.session.scalar(
            select(func.count(Answer.id))
            .join(Assignment, Assignment.id == Answer.assignment_id)
            .where(Assignment.pair_id == pair.id)
        )
        if answered:
            raise PairRefused(PairProblem.ALREADY_STARTED)
        pair.status = PairStatus.DISSOLVED
        # Its questionnaires are withdrawn: no reminders for a pair that no longer exists.
        for assignment in await self.session.scalars(
            select(Assignment).where(Assignment.pair_id == pair.id)
        ):
            assignment.status = AssignmentStatus.EXPIRED
        await self.session.flush()
        return pair

    async def complete(self, actor: Actor, pair_id: int) -> Pair:
        pair, _programme = await self.to_change(actor, pair_id)
        if pair.status != PairStatus.ACTIVE:
            raise PairRefused(PairProblem.NOT_ACTIVE)
        pair.status = PairStatus.COMPLETED
        pair.completed_at = utcnow()
        await self.session.flush()
        return pair

    async def add_mentee(self, actor: Actor, pair_id: int, person_id: int) -> Pair:
        pair, programme = await self.to_change(actor, pair_id)
        if pair.status != PairStatus.ACTIVE:
            raise PairRefused(PairProblem.NOT_ACTIVE)
        mentor_id = await self.session.scalar(
            select(PairMember.person_id).where(
                PairMember.pair_id == pair.id, PairMember.role == Role.MENTOR.value
            )
        )
        assert mentor_id is not None
        await self._check_people(programme, mentor_id, [person_id])
        self.session.add(PairMember(pair_id=pair.id, person_id=person_id, role=Role.MENTEE.value))
        await self.session.flush()
        return pair

    async def remove_mentee(self, actor: Actor, pair_id: int, person_id: int) -> Pair:
        pair, _programme = await self.to_change(actor, pair_id)
        if pair.status != PairStatus.ACTIVE:
            raise PairRefused(PairProblem.NOT_ACTIVE)
        mentees = {
            member.person_id: member
            for member, _person in await self.members(pair.id)
            if member.role == Role.MENTEE.value
        }
        if person_id not in mentees:
            raise PairRefused(PairProblem.NOT_A_MEMBER)
        if len(mentees) == 1:
            raise PairRefused(PairProblem.LAST_MENTEE)
        await self.session.delete(mentees[person_id])
        # Answers already given stay (they count); open questionnaires are withdrawn.
        for assignment in await self.session.scalars(
            select(Assignment).where(
                Assignment.pair_id == pair.id,
                Assignment.person_id == person_id,
                Assignment.status.in_(OPEN_ASSIGNMENT),
            )
        ):
            assignment.status = AssignmentStatus.EXPIRED
        await self.session.flush()
        return pair

    async def free_mentees(self, actor: Actor, pair_id: int) -> list[Person]:
        """Mentees of the organization who are in no active pair: who can be added."""
        _pair, programme = await self.to_change(actor, pair_id)
        busy = set(
            await self.session.scalars(
                select(PairMember.person_id)
                .join(Pair, Pair.id == PairMember.pair_id)
                .where(Pair.status == PairStatus.ACTIVE)
            )
        )
        candidates = await self.candidates(actor, programme.id, Role.MENTEE)
        return [person for person in candidates if person.id not in busy]

    async def active_of_programme(self, actor: Actor, programme_id: int) -> list[Pair]:
        return [
            p for p in await self.of_programme(actor, programme_id) if p.status == PairStatus.ACTIVE
        ]
