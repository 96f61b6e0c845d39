"""A small region with known answers for the export tests; every figure the workbook should
show can be worked out by hand from this file (see tests/exports/test_export_workbook.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Answer, Assignment, Pair, PairMember, Person, Programme
from storage.repositories.assignments import SnapshotRepository
from surveys.questionnaire import Moment, PairRole, Questionnaire
from surveys.questionnaire.model import Question, QuestionKind
from tests.support.factories import seed_directory
from tests.support.questionnaires import choosing

YEAR = 2026
NOW = datetime(2027, 5, 20, 12, 0, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://evil.example","click")'
Values = dict[str, str | int | None]  # question key → answer; numbers are scales


def _completion(form: str, role: PairRole, full: bool) -> Questionnaire:
    questions = [
        Question(
            "sat",
            QuestionKind.SCALE,
            "Насколько Вам понравилась программа?",
            metric="sat",
            label="Удовлетворённость программой",
        )
    ]
    if full:
        questions += [
            Question("useful", QuestionKind.YES_NO, "Было ли полезно?"),
            choosing("format", "Формат встреч", {"online": "Онлайн", "offline": "Очно"}),
            choosing(
                "topics",
                "Темы",
                {"study": "Учёба", "career": "Профориентация", "hobby": "Хобби"},
                many=True,
            ),
        ]
    questions.append(Question("wish", QuestionKind.TEXT, "Пожелания", optional=True))
    return Questionnaire(
        f"test.{form}.{role.value}.completion",
        1,
        "Итоги",
        form,
        role,
        Moment.COMPLETION,
        tuple(questions),
    )


def _start(form: str, role: PairRole) -> Questionnaire:
    question = Question("sat_expect", QuestionKind.SCALE, "Ожидания от программы", metric="sat")
    return Questionnaire(
        f"test.{form}.{role.value}.start", 1, "Ожидания", form, role, Moment.START, (question,)
    )


@dataclass
class Dataset:
    ids: dict[str, int]
    people: dict[str, int] = field(default_factory=dict)  # letter → person id
    telegram: dict[str, int] = field(default_factory=dict)


class _Builder:
    def __init__(self, session: AsyncSession, dataset: Dataset) -> None:
        self.session = session
        self.dataset = dataset
        self.snapshots: dict[tuple[str, str, str], int] = {}
        self.telegram_ids = count(700_001)

    async def snapshot(self, questionnaire: Questionnaire) -> int:
        stored = await SnapshotRepository(self.session).ensure(questionnaire)
        return stored.id

    async def prepare(self) -> None:
        for form, full in (("student_student", True), ("teacher_teacher", False)):
            for role in PairRole:
                self.snapshots[(form, role.value, "completion")] = await self.snapshot(
                    _completion(form, role, full)
                )
                self.snapshots[(form, role.value, "start")] = await self.snapshot(
                    _start(form, role)
                )

    async def person(self, letter: str, org: str, category: str, grade: int | None) -> int:
        telegram_id = next(self.telegram_ids)
        person = Person(
            telegram_id=telegram_id,
            full_name=f"Участник {letter}",
            category=category,
            grade=grade,
            organization_id=self.dataset.ids[org],
            consent_at=NOW,
            consent_version="1",
        )
        self.session.add(person)
        await self.session.flush()
        self.dataset.people[letter] = person.id
        self.dataset.telegram[letter] = telegram_id
        return person.id

    async def programme(self, org: str, form: str, title: str, first_year: int = YEAR) -> int:
        programme = Programme(
            organization_id=self.dataset.ids[org],
            form=form,
            title=title,
            academic_year=f"{first_year}/{first_year + 1}",
            starts_on=date(first_year, 9, 15),
            ends_on=date(first_year + 1, 5, 31),
        )
        self.session.add(programme)
        await self.session.flush()
        return programme.id

    async def pair(self, programme_id: int, number: int, status: str, members: str) -> int:
        """members: "A>B,C" — mentor A, mentees B and C."""
        pair = Pair(programme_id=programme_id, number=number, status=status)
        self.session.add(pair)
        await self.session.flush()
        mentor, mentees = members.split(">")
        for letter, role in [(mentor, "mentor")] + [(m, "mentee") for m in mentees.split(",")]:
            self.session.add(
                PairMember(pair_id=pair.id, person_id=self.dataset.people[letter], role=role)
            )
        await self.session.flush()
        return pair.id

    async def answers(
        self,
        pair_id: int,
        form: str,
        letter: str,
        role: str,
        moment: str,
        values: Values | None,
    ) -> None:
        """values None: sent but not submitted. Numbers are scales; "yes"/"no" yes/no."""
        assignment = Assignment(
            pair_id=pair_id,
            person_id=self.dataset.people[letter],
            role=role,
            moment=moment,
            snapshot_id=self.snapshots[(form, role, moment)],
            status="pending" if values is None else "submitted",
            due_at=NOW + timedelta(days=7),
            submitted_at=None if values is None else NOW,
        )
        self.session.add(assignment)
        await self.session.flush()
        for key, value in (values or {}).items():
            numeric = value if isinstance(value, int) else None
            if value in ("yes", "no"):
                numeric = 1 if value == "yes" else 0
            self.session.add(
                Answer(
                    assignment_id=assignment.id,
                    question_key=key,
                    value_text=None if value is None else str(value),
                    value_numeric=numeric,
                    answered_at=NOW,
                )
            )
        await self.session.flush()


SS, TT = "student_student", "teacher_teacher"


def _full(sat: int, useful: str, form: str, topics: str, wish: str | None) -> Values:
    """A completion questionnaire of the student form, every question answered."""
    return {"sat": sat, "useful": useful, "format": form, "topics": topics, "wish": wish}


PEOPLE = [  # letter, organization, category, grade
    ("A", "S001", "student", 10),
    ("B", "S001", "student", 7),
    ("C", "S001", "student", 11),
    ("D", "S001", "student", 6),
    ("E", "S001", "student", 3),  # below the 10–18 age band
    ("F", "S001", "student", 9),
    ("G", "S001", "student", 8),
    ("H", "S001", "teacher", None),
    ("I", "S001", "young_specialist", None),
    ("J", "S002", "student", 10),
    ("K", "S002", "student", 7),
    ("L", "S101", "student", 10),
    ("M", "S101", "student", 8),
    ("N", "S001", "student", 10),
    ("O", "S001", "student", 10),
]
# Programme (organization, form, title, first year) → its pairs (number, status, members).
PROGRAMMES = [
    (("S001", SS, "Ученики помогают ученикам", YEAR), [
        (1, "completed", "A>B"), (2, "active", "C>D,E"), (3, "completed", "F>G"),
    ]),
    (("S001", TT, "Молодой педагог", YEAR), [(1, "completed", "H>I")]),
    (("S002", SS, "Лицейское наставничество", YEAR), [(1, "active", "J>K")]),
    (("S101", SS, "Чужой район", YEAR), [(1, "completed", "L>M")]),
    (("S001", SS, "Прошлый год", YEAR - 1), [(1, "completed", "N>O")]),
]  # fmt: skip
# Who answered what, in their one pair; None: sent but not submitted.
ANSWERS: list[tuple[str, str, Values | None]] = [
    ("A", "start", {"sat_expect": 6}),
    ("A", "completion", _full(8, "yes", "online", "study,career", INJECTION)),
    ("B", "start", {"sat_expect": 5}),
    ("B", "completion", _full(9, "yes", "offline", "study", "Спасибо наставнику")),
    ("C", "start", {"sat_expect": 7}),
    ("C", "completion", None),
    ("D", "start", {"sat_expect": 4}),
    ("D", "completion", _full(6, "no", "online", "hobby", None)),
    ("E", "start", None),
    ("F", "start", {"sat_expect": 8}),
    ("F", "completion", _full(10, "yes", "offline", "career", "+7 999 позвоните")),
    ("G", "start", {"sat_expect": 6}),
    ("G", "completion", _full(7, "no", "online", "study,hobby", "Было интересно")),
    ("H", "completion", {"sat": 9, "wish": "@всем спасибо"}),
    ("I", "completion", {"sat": 8}),
    ("J", "start", {"sat_expect": 5}),
    ("K", "start", {"sat_expect": 3}),
    ("L", "completion", {"sat": 1, "wish": "ЧУЖОЙ ОТЗЫВ"}),
    ("M", "completion", {"sat": 2}),
    ("N", "completion", {"sat": 1, "wish": "СТАРЫЙ ОТЗЫВ"}),
    ("O", "completion", {"sat": 1}),
]


async def build_dataset(factory: async_sessionmaker[AsyncSession]) -> Dataset:
    dataset = Dataset(await seed_directory(factory))
    async with factory() as session, session.begin():
        b = _Builder(session, dataset)
        await b.prepare()
        for letter, org, category, grade in PEOPLE:
            await b.person(letter, org, category, grade)
        place: dict[str, tuple[int, str, str]] = {}  # letter → pair id, form, role
        for (org, form, title, first_year), pairs in PROGRAMMES:
            programme = await b.programme(org, form, title, first_year)
            for number, status, members in pairs:
                pair = await b.pair(programme, number, status, members)
                mentor, mentees = members.split(">")
                place[mentor] = (pair, form, "mentor")
                place |= {mentee: (pair, form, "mentee") for mentee in mentees.split(",")}
        for letter, moment, values in ANSWERS:
            pair, form, role = place[letter]
            await b.answers(pair, form, letter, role, moment, values)
    return dataset
