"""The monitoring figures, aggregated in the database: each function is one or two GROUP BY
queries over the programmes of a scope and period. Only the row-level sheets (free-text
answers, the register) stream rows, and they never hold them all at once.

An instance answers one export: the directory, the figures and the reach of a level are
asked for by several sheets (and the «Динамика» sheet) and queried once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from exports.period import Period
from storage.models import (
    Answer,
    Assignment,
    Municipality,
    Organization,
    Pair,
    PairMember,
    Person,
    Programme,
    QuestionnaireSnapshot,
)
from storage.repositories.export_scope import ExportScope
from surveys.people import Category
from surveys.statuses import AssignmentStatus, PairStatus

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")
ROLES = ("mentor", "mentee")
SCALE_EXCLUDED = ("yes", "no")  # yes/no answers carry 1/0 in value_numeric too
YOUNG_TEACHER_CATEGORIES = (Category.TEACHER.value, Category.YOUNG_SPECIALIST.value)
FIRST_GRADE_AGED_10 = 5  # grades 5–11 are the methodology's students aged 10(11)–18
STREAM_ROWS = 2000  # rows of the register and of the free texts fetched at a time


class Level(StrEnum):
    ORGANIZATION = "organization"
    MUNICIPALITY = "municipality"
    FORM = "form"
    TOTAL = "total"


def _key(level: Level) -> Any:
    if level is Level.ORGANIZATION:
        return Organization.id
    if level is Level.MUNICIPALITY:
        return Organization.municipality_id
    if level is Level.FORM:
        return Programme.form
    return literal_column("'*'")


def _grouped(statement: AnySelect, level: Level, *others: Any) -> AnySelect:
    # PostgreSQL refuses a constant in GROUP BY: the region total simply is not grouped.
    keys = [*others] if level is Level.TOTAL else [*others, _key(level)]
    return statement.group_by(*keys) if keys else statement


def _people(role: str) -> ColumnElement[int]:
    return func.count(func.distinct(case((PairMember.role == role, PairMember.person_id))))


def _respondents(role: str) -> ColumnElement[int]:
    """People of this role who submitted a completion questionnaire."""
    answered = and_(
        Assignment.moment == "completion",
        Assignment.status == AssignmentStatus.SUBMITTED,
        Assignment.role == role,
    )
    return func.count(func.distinct(case((answered, Assignment.person_id))))


@dataclass
class Figures:
    """One row of «Сводка» or «По формам»."""

    programmes: int = 0
    pairs: int = 0
    groups: int = 0
    completed: int = 0
    mentors: int = 0
    mentees: int = 0
    sent: int = 0
    submitted: int = 0
    addressees: int = 0  # distinct people the questionnaires went to
    score_sums: dict[str, float] = field(default_factory=dict)  # role → completion scores
    score_counts: dict[str, int] = field(default_factory=dict)
    respondents: dict[str, int] = field(default_factory=dict)  # role → people behind them

    def mean(self, role: str) -> float | None:
        answers = self.score_counts.get(role, 0)
        return self.score_sums[role] / answers if answers else None

    @property
    def response_rate(self) -> float | None:
        return self.submitted / self.sent if self.sent else None


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    municipality_id: int
    municipality: str
    code: str
    name: str
    students_10_18: int
    teachers_under_35: int


@dataclass
class Reach:
    """Numerators of the indicators: people reached, against the directory's head counts."""

    students: int = 0
    young_teachers: int = 0
    students_10_18: int = 0
    teachers_under_35: int = 0


class MonitoringQueries:
    def __init__(self, session: AsyncSession, scope: ExportScope, period: Period) -> None:
        self.session = session
        self.scope = scope
        self.period = period
        self._score_cache: dict[tuple[int, str, str], tuple[float, int]] | None = None
        self._unit_cache: list[tuple[int, int, str, int, int]] | None = None
        self._organizations: list[OrganizationRow] | None = None
        self._figures: dict[Level, dict[Any, Figures]] = {}
        self._reach: dict[Level, dict[Any, Reach]] = {}
        self._snapshots: dict[int, QuestionnaireSnapshot] | None = None
        # (the text questions it took, its rows): see _answer_counts
        self._answer_cache: tuple[Any, list[tuple[int, str, str | None, int]]] | None = None

    # --- filters ---------------------------------------------------------------------------

    def _in_scope(self, statement: AnySelect) -> AnySelect:
        statement = statement.where(
            Programme.starts_on <= self.period.end, Programme.ends_on >= self.period.start
        )
        return self._org_filter(statement)

    def _org_filter(self, statement: AnySelect) -> AnySelect:
        if self.scope.organization_id is not None:
            statement = statement.where(Organization.id == self.scope.organization_id)
        elif self.scope.municipality_id is not None:
            statement = statement.where(Organization.municipality_id == self.scope.municipality_id)
        return statement

    def _scoped(self, statement: AnySelect, level: Level, *others: Any) -> AnySelect:
        return _grouped(self._in_scope(statement), level, *others)

    async def _rows(self, statement: Select[*tuple[Any, ...]]) -> list[Any]:
        return list((await self.session.execute(statement)).all())

    async def _stream(self, statement: Select[*tuple[Any, ...]]) -> AsyncIterator[Any]:
        """The rows in batches of STREAM_ROWS: one round trip per batch, not per row, and
        plain Core rows (the statement selects columns: nothing for the ORM to do)."""
        connection = await self.session.connection()
        result = await connection.stream(statement.execution_options(yield_per=STREAM_ROWS))
        async for rows in result.partitions():
            yield rows
            # SQLite's statements run in place and never let the loop switch tasks: give
            # it a turn, so that the counting beside the lists goes on (build_workbook).
            await asyncio.sleep(0)

    # --- directory -------------------------------------------------------------------------

    async def organizations(self) -> list[OrganizationRow]:
        if self._organizations is None:
            self._organizations = await self._query_organizations()
        return list(self._organizations)

    async def _query_organizations(self) -> list[OrganizationRow]:
        statement = self._org_filter(
            select(
                Organization.id,
                Organization.municipality_id,
                Municipality.name,
                Organization.code,
                Organization.name,
                Organization.students_10_18,
                Organization.teachers_under_35,
            )
            .join(Municipality, Municipality.id == Organization.municipality_id)
            .order_by(Municipality.name, Organization.name)
        )
        return [OrganizationRow(*row) for row in await self._rows(statement)]

    # --- «Сводка», «По формам» ---------------------------------------------------------------

    async def figures(self, level: Level) -> dict[Any, Figures]:
        """Figures per organization, district, form or of the total (a fresh dict each time;
        the figures in it are shared: read them, do not change them)."""
        if level not in self._figures:
            self._figures[level] = await self._query_figures(level)
        return dict(self._figures[level])

    async def _query_figures(self, level: Level) -> dict[Any, Figures]:
        result: dict[Any, Figures] = {}
        key = _key(level)
        structure = self._scoped(
            select(
                key,
                func.count(func.distinct(Programme.id)),
                func.count(func.distinct(case((Pair.status == PairStatus.COMPLETED, Pair.id)))),
                _people("mentor"),
                _people("mentee"),
            )
            .select_from(Programme)
            .join(Organization, Organization.id == Programme.organization_id)
            .outerjoin(Pair, Pair.programme_id == Programme.id)
            .outerjoin(PairMember, PairMember.pair_id == Pair.id),
            level,
        )
        for value, programmes, completed, mentors, mentees in await self._rows(structure):
            result[value] = Figures(programmes, 0, 0, completed, mentors, mentees)

        for value, (pairs, groups) in (await self._units(level)).items():
            figures = result.setdefault(value, Figures())
            figures.pairs, figures.groups = pairs, groups

        sent = self._scoped(
            select(
                key,
                func.count(Assignment.id),
                func.sum(case((Assignment.status == AssignmentStatus.SUBMITTED, 1), else_=0)),
                func.count(func.distinct(Assignment.person_id)),
                *[_respondents(role) for role in ROLES],
            )
            .select_from(Assignment)
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id),
            level,
        )
        for value, count, submitted, addressees, *respondents in await self._rows(sent):
            figures = result.setdefault(value, Figures())
            figures.sent, figures.submitted = int(count), int(submitted or 0)
            figures.addressees = int(addressees)
            # Respondents: people who submitted a completion questionnaire (exact, distinct).
            figures.respondents = {role: int(n) for role, n in zip(ROLES, respondents, strict=True)}

        district = {}
        if level is Level.MUNICIPALITY:  # scores are summed per school: roll them up
            district = {org.id: org.municipality_id for org in await self.organizations()}
        for (org, form, role), (total, answers) in (await self._scores()).items():
            value = {
                Level.ORGANIZATION: org,
                Level.MUNICIPALITY: district.get(org),
                Level.FORM: form,
                Level.TOTAL: "*",
            }[level]
            figures = result.setdefault(value, Figures())
            figures.score_sums[role] = figures.score_sums.get(role, 0.0) + total
            figures.score_counts[role] = figures.score_counts.get(role, 0) + answers
        return result

    async def _units(self, level: Level) -> dict[Any, tuple[int, int]]:
        """Pairs and groups (a mentor with more than one mentee) per `level`. A pair lies in
        one school, district and form, so they add up: one query per school and form,
        shared by every level."""
        if self._unit_cache is None:
            per_pair = self._in_scope(
                select(
                    Organization.id.label("org"),
                    Organization.municipality_id.label("municipality"),
                    Programme.form.label("form"),
                    func.sum(case((PairMember.role == "mentee", 1), else_=0)).label("mentees"),
                )
                .select_from(Pair)
                .join(Programme, Programme.id == Pair.programme_id)
                .join(Organization, Organization.id == Programme.organization_id)
                .outerjoin(PairMember, PairMember.pair_id == Pair.id)
                .group_by(Pair.id, Organization.id, Organization.municipality_id, Programme.form)
            ).subquery()
            statement = select(
                per_pair.c.org,
                per_pair.c.municipality,
                per_pair.c.form,
                func.sum(case((per_pair.c.mentees > 1, 0), else_=1)),
                func.sum(case((per_pair.c.mentees > 1, 1), else_=0)),
            ).group_by(per_pair.c.org, per_pair.c.municipality, per_pair.c.form)
            self._unit_cache = [
                (org, municipality, str(form), int(pairs or 0), int(groups or 0))
                for org, municipality, form, pairs, groups in await self._rows(statement)
            ]
        result: dict[Any, tuple[int, int]] = {}
        for org, municipality, form, pairs, groups in self._unit_cache:
            value = {
                Level.ORGANIZATION: org,
                Level.MUNICIPALITY: municipality,
                Level.FORM: form,
                Level.TOTAL: "*",
            }[level]
            before = result.get(value, (0, 0))
            result[value] = (before[0] + pairs, before[1] + groups)
        return result

    async def _scores(self) -> dict[tuple[int, str, str], tuple[float, int]]:
        """Sum and number of completion scale answers per organization, form and role: one
        pass over the answers, shared by every level (sums and counts add up, means do not)."""
        if self._score_cache is None:
            statement = self._in_scope(
                self._answers(
                    select(
                        Organization.id,
                        Programme.form,
                        Assignment.role,
                        func.sum(Answer.value_numeric),
                        func.count(Answer.id),
                    )
                )
                .where(
                    Assignment.moment == "completion",
                    Assignment.status == AssignmentStatus.SUBMITTED,
                    Answer.value_numeric.is_not(None),
                    Answer.value_text.not_in(SCALE_EXCLUDED),
                )
                .group_by(Organization.id, Programme.form, Assignment.role)
            )
            self._score_cache = {
                (org, form, role): (float(total), int(n))
                for org, form, role, total, n in await self._rows(statement)
            }
        return self._score_cache

    def _answers(self, statement: AnySelect) -> AnySelect:
        return (
            statement.select_from(Answer)
            .join(Assignment, Assignment.id == Answer.assignment_id)
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
        )

    async def programmes_by_form(self) -> dict[tuple[int, str], int]:
        statement = self._in_scope(
            select(Programme.organization_id, Programme.form, func.count(Programme.id))
            .join(Organization, Organization.id == Programme.organization_id)
            .group_by(Programme.organization_id, Programme.form)
        )
        return {(org, form): int(n) for org, form, n in await self._rows(statement)}

    # --- «Показатели» ------------------------------------------------------------------------

    async def reach(self, level: Level) -> dict[Any, Reach]:
        """Reach per organization, district or of the total (a fresh dict each time)."""
        if level not in self._reach:
            self._reach[level] = await self._query_reach(level)
        return dict(self._reach[level])

    async def _query_reach(self, level: Level) -> dict[Any, Reach]:
        key = _key(level)
        denominators = _grouped(
            self._org_filter(
                select(
                    key,
                    func.sum(Organization.students_10_18),
                    func.sum(Organization.teachers_under_35),
                ).select_from(Organization)
            ),
            level,
        )
        result = {
            value: Reach(0, 0, int(students or 0), int(teachers or 0))
            for value, students, teachers in await self._rows(denominators)
        }
        is_student = and_(
            Person.category == Category.STUDENT.value,
            or_(Person.grade.is_(None), Person.grade >= FIRST_GRADE_AGED_10),
        )
        is_young_teacher = and_(
            PairMember.role == "mentee", Person.category.in_(YOUNG_TEACHER_CATEGORIES)
        )
        reached = self._scoped(
            select(
                key,
                func.count(func.distinct(case((is_student, Person.id)))),
                func.count(func.distinct(case((is_young_teacher, Person.id)))),
            )
            .select_from(PairMember)
            .join(Person, Person.id == PairMember.person_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id),
            level,
        )
        for value, students, young_teachers in await self._rows(reached):
            row = result.setdefault(value, Reach())
            row.students, row.young_teachers = int(students), int(young_teachers)
        return result

    # --- «Анкеты», «Отзывы» ------------------------------------------------------------------

    async def snapshots(self) -> dict[int, QuestionnaireSnapshot]:
        if self._snapshots is None:
            rows = await self.session.scalars(select(QuestionnaireSnapshot))
            self._snapshots = {snapshot.id: snapshot for snapshot in rows}
        return dict(self._snapshots)

    async def distributions(
        self, text_questions: dict[int, list[str]]
    ) -> list[tuple[int, str, str, int]]:
        """(snapshot id, question key, canonical value, answers) for every non-text answer."""
        counts = await self._answer_counts(text_questions)
        return [(s, q, v, n) for s, q, v, n in counts if v is not None]

    async def _answer_counts(
        self, text_questions: dict[int, list[str]]
    ) -> list[tuple[int, str, str | None, int]]:
        """Answers per (snapshot id, question key, value), a free-text question's answers
        counted together (value None): one pass over the answers serves «Анкеты»'s
        distributions and the people behind each question (`question_respondents`)."""
        key = tuple(sorted((s, tuple(keys)) for s, keys in text_questions.items()))
        if self._answer_cache is None or self._answer_cache[0] != key:
            # The label in both places: GROUP BY then names the column (PostgreSQL would not
            # match two renderings of the CASE, each with parameters of its own).
            value = case((self._is_text(text_questions), None), else_=Answer.value_text).label(
                "value"
            )
            statement = self._in_scope(
                self._answers(
                    select(
                        Assignment.snapshot_id,
                        Answer.question_key,
                        value,
                        func.count(),
                    )
                )
                .where(Answer.value_text.is_not(None))
                .group_by(Assignment.snapshot_id, Answer.question_key, value)
            )
            rows = [
                (int(s), str(q), None if v is None else str(v), int(n))
                for s, q, v, n in await self._rows(statement)
            ]
            self._answer_cache = (key, rows)
        return self._answer_cache[1]

    @staticmethod
    def _is_text(text_questions: dict[int, list[str]]) -> ColumnElement[bool]:
        """An answer to a free-text question. One condition per question key (the same few
        keys recur across questionnaires), the key first: SQLite then reaches only those
        answers through the (assignment, question) index."""
        snapshots_of: dict[str, list[int]] = {}
        for snapshot_id, keys in text_questions.items():
            for key in keys:
                snapshots_of.setdefault(key, []).append(snapshot_id)
        conditions = [
            and_(Answer.question_key == key, Assignment.snapshot_id.in_(snapshot_ids))
            for key, snapshot_ids in snapshots_of.items()
        ]
        return or_(False, *conditions)

    async def question_respondents(self) -> dict[tuple[str, str, str, str], int]:
        """Distinct people who answered each question: (form, moment, role, key) → people.
        Versions of a questionnaire count together, as on the «Анкеты» sheet.

        Not a second pass over the answers: an answer is unique per questionnaire sent and
        question, so the people behind a question are its answers (counted by
        `_answer_counts`) less the extra answers of those few who were sent the same
        questionnaire more than once (a mentor of two pairs), counted from their
        questionnaires alone."""
        questionnaires: dict[tuple[str, str, str], int] = {}
        number_of: dict[int, int] = {}
        versions = select(
            QuestionnaireSnapshot.id,
            QuestionnaireSnapshot.form,
            QuestionnaireSnapshot.moment,
            QuestionnaireSnapshot.role,
        )
        text_questions: dict[int, list[str]] = {}  # none: every answer counts alike here
        for snapshot_id, form, moment, role in await self._rows(versions):
            key = (str(form), str(moment), str(role))
            number_of[int(snapshot_id)] = questionnaires.setdefault(key, len(questionnaires))
            text_questions[int(snapshot_id)] = []
        if not number_of:
            return {}
        if self._answer_cache is not None:  # the distributions' pass, whatever it took as text
            counts = self._answer_cache[1]
        else:
            counts = await self._answer_counts(text_questions)
        answers: dict[tuple[int, str], int] = {}
        for snapshot_id, question, _value, n in counts:
            number = number_of.get(snapshot_id)
            if number is not None:  # None: a version made while this ran
                answers[number, question] = answers.get((number, question), 0) + n
        for number, question, extra in await self._repeated_answers(number_of):
            answers[number, question] -= extra
        keys = {number: key for key, number in questionnaires.items()}
        return {(*keys[number], question): n for (number, question), n in answers.items()}

    async def _repeated_answers(self, number_of: dict[int, int]) -> list[tuple[int, str, int]]:
        """(questionnaire number, question key, answers beyond each person's first) of the
        people sent a questionnaire more than once in the scope."""
        questionnaire = case(number_of, value=Assignment.snapshot_id)
        twice = self._in_scope(
            select(Assignment.person_id)
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
            .group_by(Assignment.person_id, questionnaire)
            .having(func.count() > 1)
        )
        if not await self._rows(twice.limit(1)):  # the usual case: nothing to take off
            return []
        labelled = questionnaire.label("questionnaire")
        statement = self._in_scope(
            self._answers(
                select(
                    labelled,
                    Answer.question_key,
                    func.count() - func.count(func.distinct(Assignment.person_id)),
                )
            )
            .where(Answer.value_text.is_not(None), Assignment.person_id.in_(twice))
            .group_by(labelled, Answer.question_key)
        )
        return [
            (int(number), str(question), int(extra))
            for number, question, extra in await self._rows(statement)
            if number is not None and extra
        ]

    async def free_texts(
        self, text_questions: dict[int, list[str]], min_group: int, until: datetime | None = None
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        """Batches of (organization, form, role, snapshot id, question key, text, answered
        on), no names;
        only from an organization, form and role (what a row shows of its writer) where at
        least `min_group` distinct people gave a free-text answer: fewer could be told apart
        by their style or what they write, or by the register of the same workbook."""
        is_text = and_(Answer.value_text.is_not(None), self._is_text(text_questions))
        if until is not None:  # a frozen round: what had been written when it closed
            is_text = and_(is_text, Answer.answered_at <= until)
        groups = (
            self._in_scope(
                self._answers(
                    select(
                        Organization.id.label("org"),
                        Programme.form.label("form"),
                        Assignment.role.label("role"),
                    )
                )
                .where(is_text)
                .group_by(Organization.id, Programme.form, Assignment.role)
                .having(func.count(func.distinct(Assignment.person_id)) >= min_group)
            )
        ).subquery()
        statement = self._in_scope(
            self._answers(
                select(
                    Organization.name,
                    Programme.form,
                    Assignment.role,
                    Assignment.snapshot_id,
                    Answer.question_key,
                    Answer.value_text,
                    Answer.answered_at,
                )
            )
            .join(
                groups,
                and_(
                    groups.c.org == Organization.id,
                    groups.c.form == Programme.form,
                    groups.c.role == Assignment.role,
                ),
            )
            .where(is_text)
            .order_by(Organization.name, Programme.form, Answer.id)
        )
        async for rows in self._stream(statement):
            # To the day: a time to the second could tell who wrote it.
            yield [
                (
                    org,
                    form,
                    role,
                    snapshot_id,
                    key,
                    text,
                    answered_at.date() if answered_at else None,
                )
                for org, form, role, snapshot_id, key, text, answered_at in rows
            ]

    # --- «Участники» -------------------------------------------------------------------------

    async def register(self) -> AsyncIterator[Sequence[RegisterRow]]:
        """The personified register: one row per pair membership, the mentor first, in
        batches (one Python step per batch, not per row, for the sheet's 100,000 rows)."""
        async for rows in self._stream(self._register_statement()):
            yield rows

    def _register_statement(self) -> Select[*tuple[Any, ...]]:
        submitted = Assignment.status == AssignmentStatus.SUBMITTED
        # 2: submitted, 1: sent and not (yet) submitted, NULL: never sent.
        state = case((submitted, 2), else_=1)

        def moment(name: str) -> Any:
            return func.max(case((Assignment.moment == name, state))).label(name)

        # Each member's questionnaires in one grouped pass over the scope's assignments,
        # joined to the members (not three correlated lookups per member).
        questionnaires = self._in_scope(
            select(
                Assignment.pair_id.label("pair_id"),
                Assignment.person_id.label("person_id"),
                moment("start"),
                moment("completion"),
                func.count(case((submitted, Assignment.id))).label("answered"),
            )
            .join(Pair, Pair.id == Assignment.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
            .group_by(Assignment.pair_id, Assignment.person_id)
        ).subquery()
        return self._in_scope(
            select(
                Person.id,
                Person.full_name,
                Organization.name,
                Person.category,
                PairMember.role,
                Programme.form,
                Programme.id,
                Programme.title,
                Pair.id,
                Pair.number,
                Pair.status,
                PairMember.joined_at,
                Pair.completed_at,
                questionnaires.c.start,
                questionnaires.c.completion,
                func.coalesce(questionnaires.c.answered, 0),
            )
            .select_from(PairMember)
            .join(Person, Person.id == PairMember.person_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
            .outerjoin(
                questionnaires,
                and_(
                    questionnaires.c.pair_id == PairMember.pair_id,
                    questionnaires.c.person_id == PairMember.person_id,
                ),
            )
            .order_by(
                Organization.name, Programme.title, Pair.number, PairMember.role.desc(), Person.id
            )
        )


QUESTIONNAIRE_STATE = {None: "none", 1: "sent", 2: "submitted"}


class RegisterRow(NamedTuple):
    """A register row's columns, in order (the rows themselves are plain Core rows)."""

    person_id: int
    full_name: str | None
    organization: str
    category: str | None
    role: str
    form: str
    programme_id: int
    programme: str
    pair_id: int
    number: int
    status: str
    joined: datetime
    ended: datetime | None
    start_state: int | None  # a QUESTIONNAIRE_STATE
    completion_state: int | None
    answered: int
