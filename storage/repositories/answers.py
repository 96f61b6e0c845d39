"""Answering an assignment: only its owner may read or write it, every answer is stored the
moment it is given, and the questionnaire is always the version the assignment was issued
under (its snapshot), never the file as it is today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Insert, Select, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Assignment, QuestionnaireSnapshot, utcnow
from surveys.access import Actor
from surveys.questionnaire import (
    InvalidAnswer,
    Question,
    Questionnaire,
    Response,
    decode,
    encode,
    is_complete,
    load_data,
    next_question,
    numeric,
    with_answer,
)
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus

# Parsed snapshots by content digest (content-addressed, so never stale even when ids are
# reused by another database): saves re-reading and re-validating a definition per answer.
_PARSED: dict[str, Questionnaire] = {}
_PARSED_LIMIT: Final = 256


class AssignmentClosed(Exception):
    """The assignment no longer takes answers: submitted (final) or expired."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Sheet:
    """One person's assignment with its questionnaire and the answers stored so far."""

    assignment: Assignment
    questionnaire: Questionnaire
    answers: dict[str, Response]

    @property
    def id(self) -> int:
        return self.assignment.id

    @property
    def status(self) -> str:
        return self.assignment.status

    @property
    def is_open(self) -> bool:
        return self.assignment.status in OPEN_ASSIGNMENT

    @property
    def current(self) -> Question | None:
        """The first visible question not answered yet; None when ready to submit."""
        return next_question(self.questionnaire, self.answers)

    @property
    def complete(self) -> bool:
        return is_complete(self.questionnaire, self.answers)


@dataclass(frozen=True)
class PendingItem:
    assignment_id: int
    title: str
    due_at: datetime
    started: bool


def _with_digest() -> Select[Assignment, str]:
    return select(Assignment, QuestionnaireSnapshot.digest).join(
        QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id
    )


def _with_answers() -> Select[Assignment, str, str | None, str | None]:
    """The assignment, its snapshot's digest and its answers in one round trip."""
    return (
        select(Assignment, QuestionnaireSnapshot.digest, Answer.question_key, Answer.value_text)
        .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
        .outerjoin(Answer, Answer.assignment_id == Assignment.id)
    )


# Built once: these run for every answer (see bench/answers.py).
_OPEN = _with_answers().where(
    Assignment.id == bindparam("assignment_id"), Assignment.person_id == bindparam("person_id")
)
_UPSERTS: dict[str, Insert] = {}


def _upsert_statement(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (assignment, question) DO UPDATE: a changed answer overwrites."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = cast(Table, Answer.__table__)  # Core, not ORM: no bulk-insert machinery
        fresh = insert(table)
        statement = _UPSERTS[dialect] = fresh.on_conflict_do_update(
            index_elements=[table.c.assignment_id, table.c.question_key],
            set_={
                "value_text": fresh.excluded.value_text,
                "value_numeric": fresh.excluded.value_numeric,
                "answered_at": fresh.excluded.answered_at,
            },
        )
    return statement


class AnswerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(
        self, actor: Actor, assignment_id: int, now: datetime | None = None
    ) -> Sheet | None:
        """The actor's own assignment, or None (someone else's id gets nothing).

        An open assignment past its due date is marked expired on the way.
        """
        if actor.person_id is None:
            return None
        parameters = {"assignment_id": assignment_id, "person_id": actor.person_id}
        rows = (await self.session.execute(_OPEN, parameters)).all()
        if not rows:
            return None
        assignment, digest = rows[0][0], rows[0][1]
        await self._expire_if_due(assignment, now or utcnow())
        stored = [(key, text) for _a, _d, key, text in rows if key is not None]
        return await self._sheet(assignment, digest, stored)

    async def active(self, actor: Actor, now: datetime | None = None) -> Sheet | None:
        """The assignment the actor is answering now (most recent activity), for free text."""
        if actor.person_id is None:
            return None
        row = (
            await self.session.execute(
                _with_digest()
                .where(
                    Assignment.person_id == actor.person_id,
                    Assignment.status == AssignmentStatus.IN_PROGRESS,
                )
                .order_by(Assignment.last_activity_at.desc(), Assignment.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        assignment, digest = row
        await self._expire_if_due(assignment, now or utcnow())
        rows = await self.session.execute(
            select(Answer.question_key, Answer.value_text).where(
                Answer.assignment_id == assignment.id
            )
        )
        return await self._sheet(assignment, digest, [(key, text) for key, text in rows])

    async def pending(self, actor: Actor, now: datetime | None = None) -> list[PendingItem]:
        """The actor's assignments still to answer, soonest due first; overdue ones expire."""
        if actor.person_id is None:
            return []
        moment = now or utcnow()
        rows = await self.session.execute(
            select(Assignment, QuestionnaireSnapshot.definition)
            .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
            .where(
                Assignment.person_id == actor.person_id,
                Assignment.status.in_(OPEN_ASSIGNMENT),
            )
            .order_by(Assignment.due_at, Assignment.id)
        )
        items: list[PendingItem] = []
        for assignment, definition in rows:
            if await self._expire_if_due(assignment, moment):
                continue
            title = str(definition.get("title", ""))
            items.append(
                PendingItem(
                    assignment.id,
                    title,
                    assignment.due_at,
                    assignment.status != AssignmentStatus.PENDING,
                )
            )
        return items

    async def start(self, sheet: Sheet, now: datetime | None = None) -> None:
        """The person opened the questionnaire: it becomes the one their text goes to."""
        if not sheet.is_open:
            raise AssignmentClosed(sheet.status)
        moment = now or utcnow()
        assignment = sheet.assignment
        if assignment.started_at is None:
            assignment.started_at = moment
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.last_activity_at = moment
        await self.session.flush()

    async def save(
        self, sheet: Sheet, question: Question, response: Response, now: datetime | None = None
    ) -> None:
        """Store one answer (a change overwrites the same row) and drop answers of the
        follow-up questions it hid. Raises InvalidAnswer or AssignmentClosed."""
        if not sheet.is_open:
            raise AssignmentClosed(sheet.status)
        answers = with_answer(sheet.questionnaire, sheet.answers, question.key, response)
        value = answers[question.key]
        moment = now or utcnow()
        await self._upsert(
            assignment_id=sheet.id,
            question_key=question.key,
            value_text=encode(question, value),
            value_numeric=numeric(question, value),
            answered_at=moment,
        )
        hidden = [key for key in sheet.answers if key not in answers]
        if hidden:
            await self.session.execute(
                delete(Answer).where(
                    Answer.assignment_id == sheet.id, Answer.question_key.in_(hidden)
                )
            )
        assignment = sheet.assignment
        # Opening the questionnaire already did this; one statement less per answer.
        if assignment.status != AssignmentStatus.IN_PROGRESS or assignment.started_at is None:
            assignment.started_at = assignment.started_at or moment
            assignment.status = AssignmentStatus.IN_PROGRESS
            assignment.last_activity_at = moment
        sheet.answers = answers
        await self.session.flush()

    async def submit(self, sheet: Sheet, now: datetime | None = None) -> bool:
        """Make the answers final; False when a visible question is still unanswered."""
        if not sheet.is_open:
            raise AssignmentClosed(sheet.status)
        if not sheet.complete:
            return False
        moment = now or utcnow()
        # The status guard in WHERE makes a racing second submit change nothing.
        result = await self.session.execute(
            update(Assignment)
            .where(Assignment.id == sheet.id, Assignment.status.in_(OPEN_ASSIGNMENT))
            .values(status=AssignmentStatus.SUBMITTED, submitted_at=moment, last_activity_at=moment)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            await self.session.refresh(sheet.assignment)
            raise AssignmentClosed(sheet.assignment.status)
        sheet.assignment.status = AssignmentStatus.SUBMITTED
        sheet.assignment.submitted_at = moment
        return True

    async def _expire_if_due(self, assignment: Assignment, now: datetime) -> bool:
        if assignment.status in OPEN_ASSIGNMENT and assignment.due_at <= now:
            assignment.status = AssignmentStatus.EXPIRED
            await self.session.flush()
            return True
        return False

    async def _sheet(
        self, assignment: Assignment, digest: str, stored: list[tuple[str, str | None]]
    ) -> Sheet:
        questionnaire = await self._questionnaire(assignment.snapshot_id, digest)
        answers: dict[str, Response] = {}
        for key, text in stored:
            if key not in questionnaire:
                continue
            try:
                answers[key] = decode(questionnaire.question(key), text)
            except InvalidAnswer:
                continue  # cannot happen for rows this module wrote; ask the question again
        return Sheet(assignment, questionnaire, answers)

    async def _questionnaire(self, snapshot_id: int, digest: str) -> Questionnaire:
        cached = _PARSED.get(digest)
        if cached is not None:
            return cached
        definition = await self.session.scalar(
            select(QuestionnaireSnapshot.definition).where(QuestionnaireSnapshot.id == snapshot_id)
        )
        assert definition is not None, "an assignment always has its snapshot (foreign key)"
        questionnaire = load_data(definition, source=f"snapshot {snapshot_id}")
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[digest] = questionnaire
        return questionnaire

    async def _upsert(self, **values: Any) -> None:
        statement = _upsert_statement(self.session.get_bind().dialect.name)
        await self.session.execute(statement, values)
