"""Pairs and groups: one mentor with one or more mentees, from people of the programme's
organization. A person may be in several active pairs only as a mentor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.bulk import breathe, pieces
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
from surveys.statuses import (
    OPEN_ASSIGNMENT,
    AssignmentStatus,
    PairStatus,
    ProgrammeStatus,
    sources_of,
)

# Core on the tables: the bulk paths need no ORM unit of work.
_PAIR: Final = cast(Table, Pair.__table__)
_MEMBER: Final = cast(Table, PairMember.__table__)
_PAIRS_PER_STATEMENT: Final = 200  # and their members: up to a few hundred rows


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


@dataclass(frozen=True)
class PairPlan:
    """A pair or group to form: its mentor, mentees and number (None: the next free one)."""

    mentor_id: int
    mentee_ids: tuple[int, ...]
    number: int | None = None

    @property
    def people(self) -> tuple[int, ...]:
        return (self.mentor_id, *self.mentee_ids)


@dataclass(frozen=True)
class FormedPair:
    id: int
    number: int


@dataclass(frozen=True)
class Formation:
    formed: list[FormedPair]
    refused: list[tuple[PairPlan, PairProblem]]


class _BatchCheck:
    """The rules of forming, applied to plans one after the other against what the
    database holds and what the plans before took (plain data: no queries)."""

    def __init__(self, present: set[int], busy: dict[int, set[str]], numbers: set[int]) -> None:
        self.present = present
        self.busy = busy
        self.numbers = numbers
        self.highest = max(numbers, default=0)

    @staticmethod
    def mentees(plan: PairPlan) -> list[int]:
        return sorted(set(plan.mentee_ids) - {plan.mentor_id})

    def people_problem(self, mentor_id: int, mentees: Sequence[int]) -> PairProblem | None:
        if any(person not in self.present for person in (mentor_id, *mentees)):
            return PairProblem.NOT_IN_ORGANIZATION
        if any(mentee in self.busy for mentee in mentees):
            return PairProblem.MENTEE_TAKEN  # a mentee is in one active pair, in any role
        if Role.MENTEE.value in self.busy.get(mentor_id, ()):
            return PairProblem.MENTOR_IS_MENTEE
        return None

    def take(self, plan: PairPlan) -> int | PairProblem:
        """The plan's number when it may be formed (and its people and number are taken
        from now on), or why not."""
        mentees = self.mentees(plan)
        if not mentees:
            return PairProblem.NO_MENTEES
        problem = self.people_problem(plan.mentor_id, mentees)
        if problem is not None:
            return problem
        number = plan.number
        if number is None:
            number = self.highest + 1  # after the highest so far, as the curator counts
        elif number in self.numbers:
            return PairProblem.NUMBER_TAKEN
        self.numbers.add(number)
        self.highest = max(self.highest, number)
        self.busy.setdefault(plan.mentor_id, set()).add(Role.MENTOR.value)
        for mentee in mentees:
            self.busy.setdefault(mentee, set()).add(Role.MENTEE.value)
        return number


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
        plan = PairPlan(mentor_id, tuple(mentee_ids), number)
        formation = await self.form_many(actor, programme_id, [plan])
        if formation.refused:
            raise PairRefused(formation.refused[0][1])
        pair = await self.session.get(Pair, formation.formed[0].id)
        assert pair is not None
        return pair

    async def form_many(
        self, actor: Actor, programme_id: int, plans: Sequence[PairPlan]
    ) -> Formation:
        """Form every plan that passes the checks, in plan order: everything is read and
        checked first (a few queries for all the plans), then the pairs and their members
        are written in one multi-row insert each. A refused plan leaves nothing behind;
        a closed programme or a programme out of the actor's scope refuses them all."""
        programme = await programme_to_change(self.session, actor, programme_id)
        if programme.status == ProgrammeStatus.COMPLETED:
            raise PairRefused(PairProblem.PROGRAMME_CLOSED)
        everyone = sorted({person for plan in plans for person in plan.people})
        present = await self._present(programme.organization_id, everyone)
        busy = await self._busy_roles(everyone)
        numbers = await self._numbers(programme.id)
        check = _BatchCheck(present, busy, numbers)
        accepted: list[tuple[int, PairPlan, list[int]]] = []
        refused: list[tuple[PairPlan, PairProblem]] = []
        for plan in plans:
            outcome = check.take(plan)
            if isinstance(outcome, PairProblem):
                refused.append((plan, outcome))
            else:
                accepted.append((outcome, plan, check.mentees(plan)))
        formed = await self._write(programme.id, accepted)
        return Formation(formed, refused)

    async def _present(self, organization_id: int, people: Sequence[int]) -> set[int]:
        """Those of `people` who are of the organization and not forgotten."""
        present: set[int] = set()
        for index, piece in enumerate(pieces(people)):
            if index:
                await breathe()
            present.update(
                await self.session.scalars(
                    select(Person.id).where(
                        Person.id.in_(piece),
                        Person.organization_id == organization_id,
                        Person.forgotten_at.is_(None),
                    )
                )
            )
        return present

    async def _busy_roles(self, people: Sequence[int]) -> dict[int, set[str]]:
        """The roles each of `people` holds in active pairs."""
        busy: dict[int, set[str]] = {}
        for index, piece in enumerate(pieces(people)):
            if index:
                await breathe()
            rows = await self.session.execute(
                select(PairMember.person_id, PairMember.role)
                .join(Pair, Pair.id == PairMember.pair_id)
                .where(Pair.status == PairStatus.ACTIVE, PairMember.person_id.in_(piece))
            )
            for person_id, role in rows:
                busy.setdefault(person_id, set()).add(role)
        return busy

    async def _numbers(self, programme_id: int) -> set[int]:
        return set(
            await self.session.scalars(select(Pair.number).where(Pair.programme_id == programme_id))
        )

    async def _write(
        self, programme_id: int, accepted: Sequence[tuple[int, PairPlan, list[int]]]
    ) -> list[FormedPair]:
        formed: list[FormedPair] = []
        now = utcnow()
        for index, piece in enumerate(pieces(accepted, _PAIRS_PER_STATEMENT)):
            if index:
                await breathe()
            # RETURNING in no particular order (see RosterRepository.import_rows): by number.
            returned = await self.session.execute(
                insert(_PAIR).returning(_PAIR.c.id, _PAIR.c.number),
                [
                    {
                        "programme_id": programme_id,
                        "number": number,
                        "status": PairStatus.ACTIVE,
                        "created_at": now,
                    }
                    for number, _plan, _mentees in piece
                ],
            )
            ids = {number: pair_id for pair_id, number in returned}
            pairs = [FormedPair(ids[number], number) for number, _plan, _mentees in piece]
            await self.session.execute(
                insert(_MEMBER),
                [
                    {"pair_id": pair.id, "person_id": person_id, "role": role, "joined_at": now}
                    for pair, (_number, plan, mentees) in zip(pairs, piece, strict=True)
                    for person_id, role in [
                        (plan.mentor_id, Role.MENTOR.value),
                        *((mentee, Role.MENTEE.value) for mentee in mentees),
                    ]
                ],
            )
            formed.extend(pairs)
        return formed

    async def _check_people(self, programme: Programme, mentor_id: int, mentees: list[int]) -> None:
        everyone = [mentor_id, *mentees]
        present = await self._present(programme.organization_id, everyone)
        busy = await self._busy_roles(everyone)
        problem = _BatchCheck(present, busy, set()).people_problem(mentor_id, mentees)
        if problem is not None:
            raise PairRefused(problem)

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

    async def complete_active(
        self, actor: Actor, programme_id: int, limit: int
    ) -> list[FormedPair]:
        """Complete up to `limit` of the programme's active pairs (lowest numbers first) in
        one statement; returns them. Call again until it returns nothing."""
        programme = await programme_to_change(self.session, actor, programme_id)
        chosen = list(
            await self.session.scalars(
                select(Pair.id)
                .where(Pair.programme_id == programme.id, Pair.status == PairStatus.ACTIVE)
                .order_by(Pair.number)
                .limit(limit)
            )
        )
        if not chosen:
            return []
        rows = await self.session.execute(
            update(_PAIR)
            .where(_PAIR.c.id.in_(chosen), _PAIR.c.status.in_(sources_of(PairStatus.COMPLETED)))
            .values(status=PairStatus.COMPLETED, completed_at=utcnow())
            .returning(_PAIR.c.id, _PAIR.c.number)
        )
        return sorted((FormedPair(row.id, row.number) for row in rows), key=lambda p: p.number)

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
