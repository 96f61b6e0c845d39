"""Questionnaire assignments: who answers which questionnaire version, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Assignment,
    Pair,
    PairMember,
    Person,
    Programme,
    QuestionnaireSnapshot,
    utcnow,
)
from storage.upsert import insert_ignore
from surveys.questionnaire import Catalogue, Moment, Questionnaire
from surveys.statuses import AssignmentStatus


class SnapshotConflict(Exception):
    """A questionnaire file changed without a new version number."""


class SnapshotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, questionnaire: Questionnaire) -> QuestionnaireSnapshot:
        """The stored snapshot of this key and version, made on first use."""
        await insert_ignore(
            self.session,
            QuestionnaireSnapshot,
            ["key", "version"],
            key=questionnaire.key,
            version=questionnaire.version,
            digest=questionnaire.digest(),
            form=questionnaire.form,
            role=questionnaire.role.value,
            moment=questionnaire.moment.value,
            definition=questionnaire.to_data(),
            created_at=utcnow(),
        )
        snapshot = await self.session.scalar(
            select(QuestionnaireSnapshot).where(
                QuestionnaireSnapshot.key == questionnaire.key,
                QuestionnaireSnapshot.version == questionnaire.version,
            )
        )
        assert snapshot is not None
        if snapshot.digest != questionnaire.digest():
            raise SnapshotConflict(
                f"{questionnaire.key} v{questionnaire.version} changed: give it a new version"
            )
        return snapshot


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issue(
        self, pair_id: int, moment: Moment, catalogue: Catalogue, due_at: datetime
    ) -> list[Assignment]:
        """Give every reachable member of a pair the questionnaire of their role for this
        moment. Idempotent: members who already have one for the moment are left alone."""
        pair = await self.session.get(Pair, pair_id)
        if pair is None:
            return []
        programme = await self.session.get(Programme, pair.programme_id)
        assert programme is not None
        members = await self.session.execute(
            select(PairMember, Person)
            .join(Person, Person.id == PairMember.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.id)
        )
        issued: list[Assignment] = []
        snapshots = SnapshotRepository(self.session)
        for member, person in members:
            if person.forgotten_at is not None:
                continue
            questionnaire = catalogue.for_(programme.form, member.role, moment)
            if questionnaire is None:
                continue
            snapshot = await snapshots.ensure(questionnaire)
            inserted = await insert_ignore(
                self.session,
                Assignment,
                ["pair_id", "person_id", "moment"],
                pair_id=pair_id,
                person_id=person.id,
                role=member.role,
                moment=moment.value,
                snapshot_id=snapshot.id,
                status=AssignmentStatus.PENDING,
                created_at=utcnow(),
                due_at=due_at,
                reminders_sent=0,
            )
            if inserted:
                assignment = await self.session.scalar(
                    select(Assignment).where(
                        Assignment.pair_id == pair_id,
                        Assignment.person_id == person.id,
                        Assignment.moment == moment.value,
                    )
                )
                assert assignment is not None
                issued.append(assignment)
        return issued
