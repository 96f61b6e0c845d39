"""Hidden figures stay hidden against arithmetic on the whole workbook.

A district where one school has 1 mentee and 2 mentors, beside two larger schools. The
attacker reads every sheet of the methodist's workbook and writes down every equation the
visible cells give: each column's total minus its visible parts (on «Сводка», «По формам»
and «Показатели»), the same total on two sheets, a share times its published head count, a
response rate times the questionnaires sent, weighted means — with the true weights (the
number of answers behind each mean), more than a real reader has — and a change as the
difference of two means. Solving that system (exact fractions) must pin down no hidden
figure. The same attack on a workbook masked without secondary suppression does recover
figures, so the attack is a real one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import exports.figures
from exports.period import Period
from exports.queries import MonitoringQueries
from exports.suppression import Key, Relation, primary
from exports.workbook import ExportOptions
from storage.repositories.directory import DirectoryRepository, OrganizationRecord
from tests.support.export_data import YEAR, Dataset, _Builder
from tests.support.export_helpers import district_scope, methodists_workbook, russian, table
from tests.support.factories import seed_directory

SS, TT = "student_student", "teacher_teacher"
HIDDEN = "<3"
MID = OrganizationRecord(
    "M01", "Павлоградский район", "S003", "МБОУ СОШ № 3", "school", 500, 300, 40, 9
)


@dataclass(frozen=True)
class Unit:
    school: str
    form: str
    mentor: str
    mentees: str
    scores: tuple[int, ...]  # completion "sat" of the mentor, then of each mentee


# S002 is the small school: mentors X and Z share the one mentee Y.
UNITS = (
    Unit("S001", SS, "A1", "B1", (8, 9)),
    Unit("S001", SS, "A2", "B2,B3", (7, 6, 8)),
    Unit("S001", SS, "A3", "B4", (9, 5)),
    Unit("S001", TT, "T1", "U1", (10, 7)),
    Unit("S001", TT, "T2", "U2", (6, 8)),
    Unit("S001", TT, "T3", "U3", (7, 9)),
    Unit("S003", SS, "C1", "D1", (5, 6)),
    Unit("S003", SS, "C2", "D2", (8, 8)),
    Unit("S003", SS, "C3", "D3,D4", (9, 7, 4)),
    Unit("S002", SS, "X", "Y", (3, 10)),
    Unit("S002", SS, "Z", "Y", (4, 2)),
)


async def build_district(factory: async_sessionmaker[AsyncSession]) -> Dataset:
    ids = await seed_directory(factory)
    async with factory() as session, session.begin():
        await DirectoryRepository(session).upsert([MID])
        org = await DirectoryRepository(session).organization_by_code("S003")
        assert org is not None
        ids["S003"] = org.id
    dataset = Dataset(ids)
    async with factory() as session, session.begin():
        b = _Builder(session, dataset)
        await b.prepare()
        for unit in UNITS:
            for letter in (unit.mentor, *unit.mentees.split(",")):
                if letter not in dataset.people:
                    category = "teacher" if unit.form == TT else "student"
                    await b.person(letter, unit.school, category, None if unit.form == TT else 9)
        programmes: dict[tuple[str, str], int] = {}
        numbers: Counter[int] = Counter()
        for unit in UNITS:
            key = (unit.school, unit.form)
            if key not in programmes:
                programmes[key] = await b.programme(unit.school, unit.form, f"{key}")
            programme = programmes[key]
            numbers[programme] += 1
            pair = await b.pair(
                programme, numbers[programme], "completed", f"{unit.mentor}>{unit.mentees}"
            )
            people = [(unit.mentor, "mentor"), *[(m, "mentee") for m in unit.mentees.split(",")]]
            for (letter, role), score in zip(people, unit.scores, strict=True):
                await b.answers(pair, unit.form, letter, role, "start", {"sat_expect": 5})
                wish = f"отзыв {letter}"
                answers = {"sat": score, "wish": wish}
                await b.answers(pair, unit.form, letter, role, "completion", answers)
    return dataset


def answers_behind(school: str | None, form: str | None, role: str) -> int:
    """The true number of completion scale answers behind a mean (the attacker's weights)."""
    n = 0
    for unit in UNITS:
        if school not in (None, unit.school) or form not in (None, unit.form):
            continue
        n += 1 if role == "mentor" else len(unit.mentees.split(","))
    return n


class Unknowns:
    """Linear equations over the workbook's cells; a hidden cell is an unknown."""

    def __init__(self) -> None:
        self.names: dict[Key, int] = {}
        self.rows: list[tuple[dict[int, Fraction], Fraction]] = []

    def term(self, cell: tuple[Key, Any]) -> tuple[int | None, Fraction]:
        key, value = cell
        if value == HIDDEN:
            return self.names.setdefault(key, len(self.names)), Fraction(0)
        return None, Fraction(value or 0)

    def equation(self, terms: list[tuple[Fraction | int, tuple[Key, Any]]]) -> None:
        """Σ coefficient × cell = 0."""
        row: dict[int, Fraction] = {}
        constant = Fraction(0)
        for coefficient, cell in terms:
            unknown, value = self.term(cell)
            if unknown is None:
                constant -= Fraction(coefficient) * value
            else:
                row[unknown] = row.get(unknown, Fraction(0)) + Fraction(coefficient)
        if row:
            self.rows.append((row, constant))

    def determined(self) -> set[Key]:
        """Unknowns the equations pin down (reduced row echelon form, exact)."""
        size = len(self.names)
        matrix = [[row.get(j, Fraction(0)) for j in range(size)] + [c] for row, c in self.rows]
        pivots: list[int] = []
        r = 0
        for column in range(size):
            pivot = next((i for i in range(r, len(matrix)) if matrix[i][column] != 0), None)
            if pivot is None:
                continue
            matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
            lead = matrix[r][column]
            matrix[r] = [v / lead for v in matrix[r]]
            for i in range(len(matrix)):
                if i != r and matrix[i][column] != 0:
                    factor = matrix[i][column]
                    matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
            pivots.append(column)
            r += 1
        by_index = {index: key for key, index in self.names.items()}
        found = set()
        for i, column in enumerate(pivots):
            if all(matrix[i][j] == 0 for j in range(size) if j != column):
                found.add(by_index[column])
        return found


def col(key: str) -> str:
    return russian(f"export.col.{key}")


ADDITIVE = ("pairs", "groups", "mentors", "mentees", "completed", "sent", "submitted")
CODES = {"МБОУ СОШ № 1": "S001", "МБОУ «Лицей № 2»": "S002", MID.name: "S003"}
FORMS = {"ученик – ученик": SS, "учитель – учитель": TT}
Rows = dict[Any, dict[str, Any]]


class Sheet:
    """One sheet's rows by their first-column label; a cell is (its key, its value)."""

    def __init__(self, name: str, rows: Rows) -> None:
        self.name, self.rows = name, rows

    def __call__(self, row: Any, column: str) -> tuple[Key, Any]:
        return (self.name, row, column), self.rows[row][column]


def attack(workbook: openpyxl.Workbook) -> tuple[set[Key], set[Key]]:
    """(every hidden cell, the hidden cells the equations recover)."""
    system = Unknowns()
    total = russian("export.total")
    rows = table(workbook[russian("export.sheet.summary")])
    summary = Sheet(
        "summary",
        {r[col("organization")] or total: r for r in rows},
    )
    schools = [name for name in summary.rows if name != total]
    forms = Sheet(
        "forms", {r[col("form")]: r for r in table(workbook[russian("export.sheet.forms")])}
    )
    form_names = [name for name in forms.rows if name != total]
    for measure in ADDITIVE:
        c = col(measure)
        system.equation([*[(1, summary(s, c)) for s in schools], (-1, summary(total, c))])
        system.equation([*[(1, forms(f, c)) for f in form_names], (-1, forms(total, c))])
        system.equation([(1, summary(total, c)), (-1, forms(total, c))])
    # A response rate and the questionnaires sent give the questionnaires filled in.
    for sheet in (summary, forms):
        for name, row in sheet.rows.items():
            rate = row[col("response_rate")]
            if rate not in (HIDDEN, None):
                ratio = Fraction(rate).limit_denominator(1000)
                system.equation(
                    [(ratio, sheet(name, col("sent"))), (-1, sheet(name, col("submitted")))]
                )
    # Weighted means, with the true weights.
    for role in ("mentor", "mentee"):
        c = col(f"mean_{role}s")
        everyone = answers_behind(None, None, role)
        system.equation(
            [*[(answers_behind(CODES[s], None, role), summary(s, c)) for s in schools],
             (-everyone, summary(total, c))]
        )  # fmt: skip
        system.equation(
            [*[(answers_behind(None, FORMS[f], role), forms(f, c)) for f in form_names],
             (-everyone, forms(total, c))]
        )  # fmt: skip
        system.equation([(1, summary(total, c)), (-1, forms(total, c))])
    # «Показатели»: schools add up to the municipality; a share is count / head count.
    indicators = Sheet(
        "indicators",
        {r[col("organization")]: r for r in table(workbook[russian("export.sheet.indicators")])},
    )
    municipality = russian("export.municipality_total")
    for count, share, heads in (
        ("students_reached", "student_share", "students_10_18"),
        ("young_teachers_reached", "young_teacher_share", "teachers_under_35"),
    ):
        c = col(count)
        system.equation(
            [*[(1, indicators(s, c)) for s in schools], (-1, indicators(municipality, c))]
        )
        for name, row in indicators.rows.items():
            if row[col(share)] not in (HIDDEN, None):
                known = Fraction(row[col(share)]).limit_denominator(100_000) * row[col(heads)]
                system.equation([(1, indicators(name, c)), (-1, (("share", name), known))])
    # «Анкеты»: one scale question per questionnaire, so its mean is the form's mean; the
    # change is the completion mean minus the start mean.
    questionnaires = table(workbook[russian("export.sheet.questionnaires")])
    done, start = russian("export.moment.completion"), russian("export.moment.start")
    by_moment = {(r[col("form")], r[col("moment")]): r for r in questionnaires}
    for (form, moment), row in by_moment.items():
        if moment != done:
            continue
        begin = by_moment[(form, start)]
        for role in ("mentor", "mentee"):
            mean = (("questionnaires", form, done, role), row[col(f"q_mean_{role}s")])
            before = (("questionnaires", form, start, role), begin[col(f"q_mean_{role}s")])
            change = (("questionnaires", form, "change", role), row[col(f"q_change_{role}s")])
            system.equation([(1, mean), (-1, forms(form, col(f"mean_{role}s")))])
            system.equation([(1, change), (-1, mean), (1, before)])
    return set(system.names), system.determined()


@pytest.fixture
async def district(session_factory: async_sessionmaker[AsyncSession]) -> Dataset:
    return await build_district(session_factory)


async def test_no_hidden_figure_can_be_recomputed_from_the_workbook(
    session_factory: async_sessionmaker[AsyncSession], district: Dataset, tmp_path: Path
) -> None:
    workbook = await methodists_workbook(
        session_factory, district, tmp_path / "m01.xlsx", ExportOptions(target_student_share=0.7)
    )
    summary = {r[col("organization")]: r for r in table(workbook[russian("export.sheet.summary")])}
    small = summary["МБОУ «Лицей № 2»"]
    assert (small[col("mentors")], small[col("mentees")]) == (HIDDEN, HIDDEN)
    assert small[col("mean_mentors")] == HIDDEN and small[col("mean_mentees")] == HIDDEN
    hidden, recovered = attack(workbook)
    assert len(hidden) >= 8
    assert recovered == set()
    # No sheet lists the people: the register is not part of a methodist's workbook.
    assert russian("export.sheet.register") not in workbook.sheetnames


async def test_the_attack_works_where_only_small_figures_are_hidden(
    session_factory: async_sessionmaker[AsyncSession],
    district: Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without secondary suppression the same arithmetic gives the small school away."""

    def primary_only(
        basis: dict[Key, int],
        relations: list[Relation],
        min_group: int,
        follows: dict[Key, tuple[Key, ...]] | None = None,
    ) -> frozenset[Key]:
        return frozenset(primary(basis, min_group))

    monkeypatch.setattr(exports.figures, "suppress", primary_only)
    workbook = await methodists_workbook(
        session_factory, district, tmp_path / "m01.xlsx", ExportOptions(target_student_share=0.7)
    )
    hidden, recovered = attack(workbook)
    mentees = ("summary", "МБОУ «Лицей № 2»", col("mentees"))
    mean = ("summary", "МБОУ «Лицей № 2»", col("mean_mentees"))
    assert mentees in hidden and mentees in recovered
    assert mean in recovered


PEOPLE_COLUMNS = (
    "mentors", "mentees", "students_reached", "young_teachers_reached",
    "q_n_mentors", "q_n_mentees",
)  # fmt: skip


async def test_no_visible_figure_counts_one_or_two_people(
    session_factory: async_sessionmaker[AsyncSession], district: Dataset, tmp_path: Path
) -> None:
    workbook = await methodists_workbook(
        session_factory, district, tmp_path / "m01.xlsx", ExportOptions()
    )
    seen = 0
    for sheet in workbook:
        for row in table(sheet):
            for column in (col(c) for c in PEOPLE_COLUMNS):
                if column in row and row[column] != HIDDEN:
                    assert row[column] in (0, None) or row[column] >= 3, (sheet.title, row)
                    seen += 1
    assert seen >= 10


async def test_free_text_only_from_three_writers_of_a_school_form_and_role(
    session_factory: async_sessionmaker[AsyncSession], district: Dataset, tmp_path: Path
) -> None:
    workbook = await methodists_workbook(
        session_factory, district, tmp_path / "m01.xlsx", ExportOptions()
    )
    rows = table(workbook[russian("export.sheet.feedback")])
    writers = {row[col("answer")].removeprefix("отзыв ") for row in rows}
    # School 1: mentors A1–A3 and mentees B1–B4 (student–student), T1–T3 and U1–U3
    # (teacher–teacher); school 3: C1–C3, D1–D4. The lyceum's X, Z and Y: never.
    expected = {"A1", "A2", "A3", "B1", "B2", "B3", "B4", "T1", "T2", "T3", "U1", "U2", "U3"}
    expected |= {"C1", "C2", "C3", "D1", "D2", "D3", "D4"}
    assert writers == expected
    # Y answered twice (two pairs): still one person, and hidden with the two mentors.
    assert not any(row[col("organization")] == "МБОУ «Лицей № 2»" for row in rows)
    # People, not answers: at a threshold of two, the lyceum's two mentors are shown, its one
    # mentee, who wrote twice, is not.
    workbook = await methodists_workbook(
        session_factory, district, tmp_path / "two.xlsx", ExportOptions(min_group=2)
    )
    lyceum = [
        row[col("answer")]
        for row in table(workbook[russian("export.sheet.feedback")])
        if row[col("organization")] == "МБОУ «Лицей № 2»"
    ]
    assert sorted(lyceum) == ["отзыв X", "отзыв Z"]


async def test_people_behind_a_question_count_a_person_sent_it_twice_once(
    session_factory: async_sessionmaker[AsyncSession], district: Dataset
) -> None:
    """Y, the mentee of two pairs, answered every question twice: one person (the masking
    counts people; the figure is the questions' answers less such repeats)."""
    async with session_factory() as session:
        queries = MonitoringQueries(session, district_scope(district), Period.academic_year(YEAR))
        people = await queries.question_respondents()
        await queries.distributions({})  # after the distributions' pass: the same figures
        again = await queries.question_respondents()
    mentees = 4 + 4 + 1  # B1–B4, D1–D4 and Y (two answers each)
    mentors = 3 + 3 + 2  # A1–A3, C1–C3, X and Z
    for moment, key in (("start", "sat_expect"), ("completion", "sat"), ("completion", "wish")):
        assert people[(SS, moment, "mentee", key)] == mentees, (moment, key)
        assert people[(SS, moment, "mentor", key)] == mentors, (moment, key)
        assert people[(TT, moment, "mentee", key)] == 3, (moment, key)
    assert again == people
