"""Answering an assignment: only its owner may read or write it, every answer is stored the
moment it is given, and the questionnaire is always the version the assignment was issued
under (its snapshot), never the file as it is today."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, NamedTuple, cast

from sqlalchemy import Insert, Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    Answer,
    Assignment,
    Organization,
    QuestionnaireSnapshot,
    utcnow,
)
from storage.repositories.assignments import with_person_zone
from storage.repositories.base import Repository
from surveys.access import Actor
from surveys.questionnaire import (
    InvalidAnswer,
    Question,
    Questionnaire,
    Response,
    decode,
    encode,
    load_data,
    numeric,
    with_answer,
)
from surveys.sheets import PendingItem, Sheet
from surveys.statuses import OPEN_ASSIGNMENT, AssignmentStatus
from surveys.zones import local

# Parsed snapshots by content digest (content-addressed, so never stale even when ids are
# reused by another database): saves re-reading and re-validating a definition per answer.
_PARSED: dict[str, Questionnaire] = {}
_PARSED_LIMIT: Final = 256

# The assignment's state and its snapshot's digest; plain columns, no ORM identity map.
_STATE = (
    Assignment.id,
    Assignment.status,
    Assignment.due_at,
    Assignment.snapshot_id,
    QuestionnaireSnapshot.digest,
)
# Built once: these run for every answer (see bench/answers.py). The assignment and its
# answers come in one round trip.
_OPEN = (
    select(*_STATE, Answer.question_key, Answer.value_text)
    .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
    .outerjoin(Answer, Answer.assignment_id == Assignment.id)
    .where(
        Assignment.id == bindparam("assignment_id"),
        Assignment.person_id == bindparam("person_id"),
    )
)
_ACTIVE = (
    select(*_STATE)
    .join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
    .where(
        Assignment.person_id == bindparam("person_id"),
        Assignment.status == AssignmentStatus.IN_PROGRESS,
    )
    .order_by(Assignment.last_activity_at.desc(), Assignment.id.desc())
    .limit(1)
)
_STORED = select(Answer.question_key, Answer.value_text).where(
    Answer.assignment_id == bindparam("assignment_id")
)
_EXPIRE = (
    update(Assignment)
    .where(Assignment.id == bindparam("assignment_id"), Assignment.status.in_(OPEN_ASSIGNMENT))
    .values(status=AssignmentStatus.EXPIRED)
)
_UPSERTS: dict[str, Insert] = {}


class _State(NamedTuple):
    id: int
    status: str
    due_at: datetime
    snapshot_id: int
    digest: str


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


class AnswerRepository(Repository):
    async def open(
        self, actor: Actor, assignment_id: int, now: datetime | None = None
    ) -> Sheet | None:
        """The actor's own assignment, or None (someone else's id gets nothing).

        An open assignment past its due date is marked expired on the way.
        """
        if actor.person_id is None:
            return None
        parameters = {"assignment_id": assignment_id, "person_id": actor.person_id}
        # On the session's connection: plain columns need none of the ORM's execution.
        connection = await self.session.connection()
        rows = (await connection.execute(_OPEN, parameters)).all()
        if not rows:
            return None
        stored = [(row[5], row[6]) for row in rows if row[5] is not None]
        first = rows[0]
        state = _State(first[0], first[1], first[2], first[3], first[4])
        return await self._sheet(state, stored, now or utcnow())

    async def active(self, actor: Actor, now: datetime | None = None) -> Sheet | None:
        """The assignment the actor is answering now (most recent activity), for free text."""
        if actor.person_id is None:
            return None
        row = (await self.session.execute(_ACTIVE, {"person_id": actor.person_id})).first()
        if row is None:
            return None
        stored = await self.session.execute(_STORED, {"assignment_id": row[0]})
        state = _State(*row)
        return await self._sheet(state, [(key, text) for key, text in stored], now or utcnow())

    async def pending(self, actor: Actor, now: datetime | None = None) -> list[PendingItem]:
        """The actor's assignments still to answer, soonest due first; overdue ones expire."""
        if actor.person_id is None:
            return []
        moment = now or utcnow()
        zoned = with_person_zone(
            select(
                Assignment.id,
                Assignment.status,
                Assignment.due_at,
                QuestionnaireSnapshot.definition,
                Organization.timezone,
            )
        )
        rows = await self.session.execute(
            zoned.join(QuestionnaireSnapshot, QuestionnaireSnapshot.id == Assignment.snapshot_id)
            .where(
                Assignment.person_id == actor.person_id,
                Assignment.status.in_(OPEN_ASSIGNMENT),
            )
            .order_by(Assignment.due_at, Assignment.id)
        )
        items: list[PendingItem] = []
        for assignment_id, status, due_at, definition, zone_name in rows.all():
            if due_at <= moment:
                await self.session.execute(_EXPIRE, {"assignment_id": assignment_id})
                continue
            title = str(definition.get("title", ""))
            started = status != AssignmentStatus.PENDING
            items.append(PendingItem(assignment_id, title, local(due_at, zone_name), started))
        return items

    async def start(self, sheet: Sheet, now: datetime | None = None) -> None:
        """The person opened the questionnaire: it becomes the one their text goes to."""
        sheet.ensure_open()
        await self._mark_in_progress(sheet, now or utcnow())

    async def save(
        self, sheet: Sheet, question: Question, response: Response, now: datetime | None = None
    ) -> None:
        """Store one answer (a change overwrites the same row) and drop answers of the
        follow-up questions it hid. Raises InvalidAnswer, or a domain error when closed."""
        sheet.ensure_open()
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
        # Opening the questionnaire already did this; one statement less per answer.
        if sheet.status is not AssignmentStatus.IN_PROGRESS:
            await self._mark_in_progress(sheet, moment)
        sheet.answers = answers

    async def submit(self, sheet: Sheet, now: datetime | None = None) -> bool:
        """Make the answers final; False when a visible question is still unanswered."""
        sheet.ensure_open()
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
            status = await self.session.scalar(
                select(Assignment.status).where(Assignment.id == sheet.id)
            )
            sheet.status = AssignmentStatus(status or AssignmentStatus.EXPIRED)
            raise sheet.closed_error()
        sheet.status = AssignmentStatus.SUBMITTED
        return True

    async def _mark_in_progress(self, sheet: Sheet, moment: datetime) -> None:
        await self.session.execute(
            update(Assignment)
            .where(Assignment.id == sheet.id)
            .values(
                status=AssignmentStatus.IN_PROGRESS,
                started_at=func.coalesce(Assignment.started_at, moment),
                last_activity_at=moment,
            )
            .execution_options(synchronize_session=False)
        )
        sheet.status = AssignmentStatus.IN_PROGRESS

    async def _sheet(
        self, state: _State, stored: list[tuple[str, str | None]], now: datetime
    ) -> Sheet:
        status = AssignmentStatus(state.status)
        if status in OPEN_ASSIGNMENT and state.due_at <= now:
            await self.session.execute(_EXPIRE, {"assignment_id": state.id})
            status = AssignmentStatus.EXPIRED
        questionnaire = await self._questionnaire(state.snapshot_id, state.digest)
        answers: dict[str, Response] = {}
        for key, text in stored:
            if key not in questionnaire:
                continue
            try:
                answers[key] = decode(questionnaire.question(key), text)
            except InvalidAnswer:
                continue  # cannot happen for rows this module wrote; ask the question again
        return Sheet(state.id, status, state.due_at, questionnaire, answers)

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
        connection = await self.session.connection()
        await connection.execute(_upsert_statement(connection.dialect.name), values)
