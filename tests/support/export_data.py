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
from surveys.questionnaire.model import Choice, Question, QuestionKind
from tests.support.factories import seed_directory

YEAR = 2026
NOW = datetime(2027, 5, 20, 12, 0, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://evil.example","click")'


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
            Question(
                "format",
                QuestionKind.SINGLE_CHOICE,
                "Формат встреч",
                choices=(Choice("online", "Онлайн"), Choice("offline", "Очно")),
            ),
            Question(
                "topics",
                QuestionKind.MULTI_CHOICE,
                "Темы",
                choices=(
                    Choice("study", "Учёба"),
                    Choice("career", "Профориентация"),
                    Choice("hobby", "Хобби"),
                ),
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
        values: dict[str, str | int | None] | None,
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


async def build_dataset(factory: async_sessionmaker[AsyncSession]) -> Dataset:
    dataset = Dataset(await seed_directory(factory))
    async with factory() as session, session.begin():
        b = _Builder(session, dataset)
        await b.prepare()
        for letter, org, category, grade in [
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
        ]:
            await b.person(letter, org, category, grade)

        p1 = await b.programme("S001", SS, "Ученики помогают ученикам")
        pair1 = await b.pair(p1, 1, "completed", "A>B")
        await b.answers(pair1, SS, "A", "mentor", "start", {"sat_expect": 6})
        await b.answers(
            pair1,
            SS,
            "A",
            "mentor",
            "completion",
            {
                "sat": 8,
                "useful": "yes",
                "format": "online",
                "topics": "study,career",
                "wish": INJECTION,
            },
        )
        await b.answers(pair1, SS, "B", "mentee", "start", {"sat_expect": 5})
        await b.answers(
            pair1,
            SS,
            "B",
            "mentee",
            "completion",
            {
                "sat": 9,
                "useful": "yes",
                "format": "offline",
                "topics": "study",
                "wish": "Спасибо наставнику",
            },
        )
        pair2 = await b.pair(p1, 2, "active", "C>D,E")
        await b.answers(pair2, SS, "C", "mentor", "start", {"sat_expect": 7})
        await b.answers(pair2, SS, "C", "mentor", "completion", None)
        await b.answers(pair2, SS, "D", "mentee", "start", {"sat_expect": 4})
        await b.answers(
            pair2,
            SS,
            "D",
            "mentee",
            "completion",
            {"sat": 6, "useful": "no", "format": "online", "topics": "hobby", "wish": None},
        )
        await b.answers(pair2, SS, "E", "mentee", "start", None)
        pair3 = await b.pair(p1, 3, "completed", "F>G")
        await b.answers(pair3, SS, "F", "mentor", "start", {"sat_expect": 8})
        await b.answers(
            pair3,
            SS,
            "F",
            "mentor",
            "completion",
            {
                "sat": 10,
                "useful": "yes",
                "format": "offline",
                "topics": "career",
                "wish": "+7 999 позвоните",
            },
        )
        await b.answers(pair3, SS, "G", "mentee", "start", {"sat_expect": 6})
        await b.answers(
            pair3,
            SS,
            "G",
            "mentee",
            "completion",
            {
                "sat": 7,
                "useful": "no",
                "format": "online",
                "topics": "study,hobby",
                "wish": "Было интересно",
            },
        )

        p2 = await b.programme("S001", TT, "Молодой педагог")
        pair4 = await b.pair(p2, 1, "completed", "H>I")
        await b.answers(pair4, TT, "H", "mentor", "completion", {"sat": 9, "wish": "@всем спасибо"})
        await b.answers(pair4, TT, "I", "mentee", "completion", {"sat": 8})

        p3 = await b.programme("S002", SS, "Лицейское наставничество")
        pair5 = await b.pair(p3, 1, "active", "J>K")
        await b.answers(pair5, SS, "J", "mentor", "start", {"sat_expect": 5})
        await b.answers(pair5, SS, "K", "mentee", "start", {"sat_expect": 3})

        p4 = await b.programme("S101", SS, "Чужой район")
        pair6 = await b.pair(p4, 1, "completed", "L>M")
        await b.answers(pair6, SS, "L", "mentor", "completion", {"sat": 1, "wish": "ЧУЖОЙ ОТЗЫВ"})
        await b.answers(pair6, SS, "M", "mentee", "completion", {"sat": 2})

        p5 = await b.programme("S001", SS, "Прошлый год", first_year=YEAR - 1)
        pair7 = await b.pair(p5, 1, "completed", "N>O")
        await b.answers(pair7, SS, "N", "mentor", "completion", {"sat": 1, "wish": "СТАРЫЙ ОТЗЫВ"})
        await b.answers(pair7, SS, "O", "mentee", "completion", {"sat": 1})
    return dataset
