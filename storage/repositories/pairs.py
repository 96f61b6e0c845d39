"""Pairs and groups: one mentor with one or more mentees, from people of the programme's
organization. The rules are the domain's (surveys/pairing.py); scope is checked by the
caller (app/policy.py) before any of these runs. Forming and completing many pairs are
set-based: a few reads for all of them, then multi-row statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, cast

from sqlalchemy import Table, func, insert, select, update

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
from storage.repositories.base import Repository
from surveys.pairing import (
    FormingCheck,
    PairPlan,
    PairProblem,
    PairRefused,
    require_open_programme,
    require_people,
)
from surveys.people import Role
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus, PairStatus, sources_of

# Core on the tables: the bulk paths need no ORM unit of work.
_PAIR: Final = cast(Table, Pair.__table__)
_MEMBER: Final = cast(Table, PairMember.__table__)
_PAIRS_PER_STATEMENT: Final = 200  # and their members: up to a few hundred rows


@dataclass(frozen=True)
class FormedPair:
    id: int
    number: int


@dataclass(frozen=True)
class Formation:
    formed: list[FormedPair]
    refused: list[tuple[PairPlan, PairProblem]]


class PairRepository(Repository):
    async def form(
        self,
        programme_id: int,
        mentor_id: int,
        mentee_ids: Sequence[int],
        number: int | None = None,
    ) -> Pair:
        """Form one pair after every check (nothing is written when one refuses)."""
        plan = PairPlan(mentor_id, tuple(mentee_ids), number)
        formation = await self.form_many(programme_id, [plan])
        if formation.refused:
            raise PairRefused(formation.refused[0][1])
        pair = await self.session.get(Pair, formation.formed[0].id)
        assert pair is not None
        return pair

    async def form_many(self, programme_id: int, plans: Sequence[PairPlan]) -> Formation:
        """Form every plan that passes the checks, in plan order: everything is read and
        checked first (a few queries for all the plans), then the pairs and their members
        are written in one multi-row insert each. A refused plan leaves nothing behind;
        a completed programme refuses them all (PROGRAMME_CLOSED)."""
        programme = await self.session.get(Programme, programme_id)
        assert programme is not None, "the caller found the programme in scope"
        require_open_programme(programme.status)
        everyone = sorted({person for plan in plans for person in plan.people})
        present = await self._present(programme.organization_id, everyone)
        busy = await self._busy_roles(everyone)
        numbers = await self._numbers(programme.id)
        check = FormingCheck(present, busy, numbers)
        accepted: list[tuple[int, PairPlan, list[int]]] = []
        refused: list[tuple[PairPlan, PairProblem]] = []
        for plan in plans:
            outcome = check.take(plan)
            if isinstance(outcome, PairProblem):
                refused.append((plan, outcome))
            else:
                accepted.append((outcome, plan, plan.mentees))
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

    async def count_active(self, programme_id: int) -> int:
        query = select(func.count(Pair.id)).where(
            Pair.programme_id == programme_id, Pair.status == PairStatus.ACTIVE
        )
        return int(await self.session.scalar(query) or 0)

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

    async def complete_active(self, programme_id: int, limit: int) -> list[FormedPair]:
        """Complete up to `limit` of the programme's active pairs (lowest numbers first) in
        one statement; returns them. Call again until it returns nothing."""
        chosen = list(
            await self.session.scalars(
                select(Pair.id)
                .where(Pair.programme_id == programme_id, Pair.status == PairStatus.ACTIVE)
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
