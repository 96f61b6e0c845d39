"""Questionnaire assignments: who answers which questionnaire version, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, select

from storage.bulk import breathe, pieces
from storage.models import (
    Assignment,
    Organization,
    Pair,
    PairMember,
    Person,
    Programme,
    QuestionnaireSnapshot,
    utcnow,
)
from storage.repositories.base import Repository
from storage.upsert import insert_ignore, insert_ignore_many
from surveys.questionnaire import Catalogue, Moment, Questionnaire
from surveys.rounds import ONCE
from surveys.statuses import AssignmentStatus
from surveys.zones import local


class SnapshotConflict(Exception):
    """A questionnaire file changed without a new version number."""


class SnapshotRepository(Repository):
    async def ensure(self, questionnaire: Questionnaire) -> QuestionnaireSnapshot:
        """The stored snapshot of this key and version, made on first use."""
        digest = questionnaire.digest()
        snapshot = await self._stored(questionnaire)
        if snapshot is None:  # first use: made once (a concurrent maker's row wins)
            await insert_ignore(
                self.session,
                QuestionnaireSnapshot,
                ["key", "version"],
                key=questionnaire.key,
                version=questionnaire.version,
                digest=digest,
                form=questionnaire.form,
                role=questionnaire.role.value,
                moment=questionnaire.moment.value,
                definition=questionnaire.to_data(),
                created_at=utcnow(),
            )
            snapshot = await self._stored(questionnaire)
        assert snapshot is not None
        if snapshot.digest != digest:
            raise SnapshotConflict(
                f"{questionnaire.key} v{questionnaire.version} changed: give it a new version"
            )
        return snapshot

    async def _stored(self, questionnaire: Questionnaire) -> QuestionnaireSnapshot | None:
        return await self.session.scalar(
            select(QuestionnaireSnapshot).where(
                QuestionnaireSnapshot.key == questionnaire.key,
                QuestionnaireSnapshot.version == questionnaire.version,
            )
        )


AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")


def with_person_zone(query: AnySelect) -> AnySelect:
    """The query's assignments joined to their person and (outer: a person may have no
    school) the school whose time zone (`Organization.timezone`) their dates are read in."""
    return query.join(Person, Person.id == Assignment.person_id).outerjoin(
        Organization, Organization.id == Person.organization_id
    )


@dataclass(frozen=True)
class _Planned:
    pair_id: int
    person_id: int
    role: str
    snapshot_id: int


@dataclass(frozen=True)
class IssuedAssignment:
    id: int
    pair_id: int
    person_id: int
    role: str
    snapshot_id: int
    due_at: datetime


@dataclass(frozen=True)
class Invitation:
    """What an invitation to a new assignment says, and to whom."""

    assignment_id: int
    person_id: int
    chat_id: int
    locale: str
    title: str
    due_at: datetime  # on the wall clock of the person's school


class AssignmentRepository(Repository):
    async def issue(
        self, pair_id: int, moment: Moment, catalogue: Catalogue, due_at: datetime
    ) -> list[IssuedAssignment]:
        """Give every reachable member of a pair the questionnaire of their role for this
        moment. Idempotent: members who already have one for the moment are left alone."""
        return await self.issue_many([pair_id], moment, catalogue, due_at)

    async def issue_many(
        self,
        pair_ids: Sequence[int],
        moment: Moment,
        catalogue: Catalogue,
        due_at: datetime,
        occasion: str = ONCE,
        since: datetime | None = None,
    ) -> list[IssuedAssignment]:
        """`issue` for many pairs at once: one read of their members, one multi-row insert
        per STATEMENT_ROWS assignments. Returns the new assignments in pair and member order.
        Idempotent per (pair, member, moment, occasion) (the unique key); with `since`,
        members who got the moment's questionnaire on any occasion since then are left
        alone too (a round's check-in after a curator's in the same round)."""
        members: list[tuple[int, int, str, str]] = []
        for index, piece in enumerate(pieces(pair_ids)):
            if index:
                await breathe()
            rows = await self.session.execute(
                select(PairMember.pair_id, PairMember.person_id, PairMember.role, Programme.form)
                .join(Pair, Pair.id == PairMember.pair_id)
                .join(Programme, Programme.id == Pair.programme_id)
                .join(Person, Person.id == PairMember.person_id)
                .where(PairMember.pair_id.in_(piece), Person.forgotten_at.is_(None))
                .order_by(PairMember.pair_id, PairMember.id)
            )
            members.extend((row[0], row[1], row[2], row[3]) for row in rows)
        if since is not None:
            had = await self._issued_since(pair_ids, moment, since)
            members = [member for member in members if (member[0], member[1]) not in had]
        planned = await self._planned(members, moment, catalogue)
        now = utcnow()
        inserted: dict[tuple[int, int], int] = {}
        for index, batch in enumerate(pieces(planned)):
            if index:
                await breathe()
            new_rows = await insert_ignore_many(
                self.session,
                Assignment,
                ["pair_id", "person_id", "moment", "occasion"],
                [
                    {
                        "pair_id": item.pair_id,
                        "person_id": item.person_id,
                        "role": item.role,
                        "moment": moment.value,
                        "occasion": occasion,
                        "snapshot_id": item.snapshot_id,
                        "status": AssignmentStatus.PENDING,
                        "created_at": now,
                        "due_at": due_at,
                        "reminders_sent": 0,
                    }
                    for item in batch
                ],
                returning=("id", "pair_id", "person_id"),
            )
            inserted.update({(row.pair_id, row.person_id): row.id for row in new_rows})
        return [
            IssuedAssignment(
                inserted[(item.pair_id, item.person_id)],
                item.pair_id,
                item.person_id,
                item.role,
                item.snapshot_id,
                due_at,
            )
            for item in planned
            if (item.pair_id, item.person_id) in inserted
        ]

    async def _issued_since(
        self, pair_ids: Sequence[int], moment: Moment, since: datetime
    ) -> set[tuple[int, int]]:
        """(pair, person) of the moment's assignments issued at or after `since`."""
        had: set[tuple[int, int]] = set()
        for index, piece in enumerate(pieces(pair_ids)):
            if index:
                await breathe()
            rows = await self.session.execute(
                select(Assignment.pair_id, Assignment.person_id).where(
                    Assignment.pair_id.in_(piece),
                    Assignment.moment == moment.value,
                    Assignment.created_at >= since,
                )
            )
            had.update((row[0], row[1]) for row in rows)
        return had

    async def _planned(
        self, members: Sequence[tuple[int, int, str, str]], moment: Moment, catalogue: Catalogue
    ) -> list[_Planned]:
        """Members (pair, person, role, form) that have a questionnaire for the moment, with
        its snapshot (made on first use, once per questionnaire)."""
        snapshot_ids: dict[tuple[str, str], int | None] = {}
        snapshots = SnapshotRepository(self.session)
        planned: list[_Planned] = []
        for pair_id, person_id, role, form in members:
            if (form, role) not in snapshot_ids:
                questionnaire = catalogue.for_(form, role, moment)
                snapshot_ids[(form, role)] = (
                    None if questionnaire is None else (await snapshots.ensure(questionnaire)).id
                )
            snapshot_id = snapshot_ids[(form, role)]
            if snapshot_id is not None:
                planned.append(_Planned(pair_id, person_id, role, snapshot_id))
        return planned

    async def invitations(self, assignment_ids: Sequence[int]) -> list[Invitation]:
        """What to tell each of these assignments' people who can be reached (in the
        channel they registered from: `chat_id` is their id there), in the order given."""
        found: dict[int, tuple[int, int | None, str, int, datetime]] = {}  # due as read there
        for index, piece in enumerate(pieces(assignment_ids)):
            if index:
                await breathe()
            rows = await self.session.execute(
                with_person_zone(
                    select(
                        Assignment.id,
                        Assignment.person_id,
                        Person.external_id,
                        Person.locale,
                        Assignment.snapshot_id,
                        Assignment.due_at,
                        Organization.timezone,
                    )
                ).where(Assignment.id.in_(piece), Person.external_id.is_not(None))
            )
            found.update(
                {row[0]: (row[1], row[2], row[3], row[4], local(row[5], row[6])) for row in rows}
            )
        titles = await self._titles({snapshot_id for *_rest, snapshot_id, _due in found.values()})
        return [
            Invitation(assignment_id, person_id, chat_id, locale, titles[snapshot_id], due_at)
            for assignment_id in assignment_ids
            if assignment_id in found
            for person_id, chat_id, locale, snapshot_id, due_at in [found[assignment_id]]
            if chat_id is not None
        ]

    async def _titles(self, snapshot_ids: set[int]) -> dict[int, str]:
        rows = await self.session.execute(
            select(
                QuestionnaireSnapshot.id,
                QuestionnaireSnapshot.key,
                QuestionnaireSnapshot.definition,
            ).where(QuestionnaireSnapshot.id.in_(sorted(snapshot_ids)))
        )
        return {row[0]: str(row[2].get("title", row[1])) for row in rows}
