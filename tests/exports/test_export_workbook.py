"""Every figure of every sheet, read back from the workbook and compared with what the test
dataset (tests/export_data.py) gives when worked out by hand: exactly (`exact_workbook`, a
threshold of one person, nothing hidden) and as shown by default (`district_workbook`,
figures about fewer than three people hidden with whatever would give them away)."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports.change import previous_period
from exports.period import Period
from exports.queries import MonitoringQueries
from exports.table import Column, Table
from exports.workbook import ExportOptions, Register, build_workbook
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor, Grant
from surveys.people import Role
from tests.support.export_data import INJECTION, YEAR, build_dataset
from tests.support.export_helpers import (
    by,
    district_scope,
    export_to,
    methodists_workbook,
    russian,
    table,
)

SCHOOL_1, LYCEUM = "МБОУ СОШ № 1", "МБОУ «Лицей № 2»"
SS, TT = "ученик – ученик", "учитель – учитель"


def col(key: str) -> str:
    return russian(f"export.col.{key}")


@pytest.fixture
async def district_workbook(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> tuple:
    data = await build_dataset(session_factory)
    options = ExportOptions(register=Register.NAMES, target_student_share=0.7)
    workbook = await methodists_workbook(session_factory, data, tmp_path / "m01.xlsx", options)
    return workbook, data


@pytest.fixture
async def exact_workbook(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> tuple:
    data = await build_dataset(session_factory)
    options = ExportOptions(min_group=1, target_student_share=0.7)
    workbook = await methodists_workbook(session_factory, data, tmp_path / "m01.xlsx", options)
    return workbook, data


async def test_sheets_in_order_with_frozen_headers_and_filters(district_workbook: tuple) -> None:
    workbook, _ = district_workbook
    assert workbook.sheetnames == [
        "Сводка", "Показатели", "Динамика", "По формам", "Анкеты", "Отзывы", "Участники"
    ]  # fmt: skip
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.column_dimensions["A"].width > 8
    assert len(workbook["Сводка"]._charts) == 1
    assert len(workbook["Анкеты"]._charts) == 1


async def test_summary(exact_workbook: tuple) -> None:
    workbook, _ = exact_workbook
    sheet = workbook["Сводка"]
    rows = by(table(sheet), col("organization"))
    assert set(rows) == {SCHOOL_1, LYCEUM, None}  # None: the totals row
    programmes_ss = col("programmes_form").format(form=SS)
    programmes_tt = col("programmes_form").format(form=TT)
    expected = {
        SCHOOL_1: (1, 1, 3, 1, 4, 5, 3, 15, 13, 13 / 15, 9.0, 7.5),
        LYCEUM: (1, 0, 1, 0, 1, 1, 0, 2, 2, 1.0, None, None),
        None: (2, 1, 4, 1, 5, 6, 3, 17, 15, 15 / 17, 9.0, 7.5),
    }
    columns = [programmes_ss, programmes_tt] + [
        col(key)
        for key in (
            "pairs", "groups", "mentors", "mentees", "completed", "sent", "submitted",
            "response_rate", "mean_mentors", "mean_mentees",
        )
    ]  # fmt: skip
    for org, figures in expected.items():
        got = tuple(rows[org][c] for c in columns)
        assert got == pytest.approx(figures), org
    assert rows[None][col("municipality")] == "Итого"
    rate = next(c for c in sheet[2] if c.column == columns.index(col("response_rate")) + 3)
    assert rate.number_format == "0.0%"


async def test_indicators_against_head_counts_and_target(exact_workbook: tuple) -> None:
    workbook, _ = exact_workbook
    rows = by(table(workbook["Показатели"]), col("organization"))
    expected = {
        # head count 10–18, students reached (grade 5+, in period), share, target,
        # teachers under 35, young teachers mentored, share
        SCHOOL_1: (400, 6, 6 / 400, 0.7, 12, 1, 1 / 12),
        LYCEUM: (500, 2, 2 / 500, 0.7, 15, 0, 0.0),
        "Итого по муниципалитету": (900, 8, 8 / 900, 0.7, 27, 1, 1 / 27),
    }
    columns = [
        col(key)
        for key in (
            "students_10_18", "students_reached", "student_share", "student_target",
            "teachers_under_35", "young_teachers_reached", "young_teacher_share",
        )
    ]  # fmt: skip
    assert set(rows) == set(expected)
    for org, figures in expected.items():
        assert tuple(rows[org][c] for c in columns) == pytest.approx(figures), org
    assert col("young_teacher_target") not in next(iter(rows.values()))  # no target set


async def test_by_form(exact_workbook: tuple) -> None:
    workbook, _ = exact_workbook
    rows = by(table(workbook["По формам"]), col("form"))
    columns = [
        col(key)
        for key in (
            "programmes", "pairs", "groups", "mentors", "mentees", "completed", "sent",
            "submitted", "response_rate", "mean_mentors", "mean_mentees",
        )
    ]  # fmt: skip
    expected = {
        # student_student mentors A, F: (8 + 10) / 2; mentees B, D, G: 22 / 3
        SS: (2, 3, 1, 4, 5, 2, 15, 13, 13 / 15, 9.0, 22 / 3),
        TT: (1, 1, 0, 1, 1, 1, 2, 2, 1.0, 9.0, 8.0),
        "Итого": (3, 4, 1, 5, 6, 3, 17, 15, 15 / 17, 9.0, 7.5),
    }
    assert set(rows) == set(expected)
    for form, figures in expected.items():
        assert tuple(rows[form][c] for c in columns) == pytest.approx(figures), form


async def test_questionnaires_side_by_side_with_change(exact_workbook: tuple) -> None:
    workbook, _ = exact_workbook
    rows = table(workbook["Анкеты"])
    keyed = {(r[col("form")], r[col("question")], r[col("moment")]): r for r in rows}
    start, done = russian("export.moment.start"), russian("export.moment.completion")
    assert set(keyed) == {
        (SS, "sat_expect", start),
        (SS, "sat", done),
        (TT, "sat", done),
        (SS, "useful", done),
        (SS, "format", done),
        (SS, "topics", done),
    }

    def side(row: dict, role: str) -> tuple:
        return tuple(row[col(f"q_{k}_{role}s")] for k in ("n", "mean", "median", "distribution"))

    expect = keyed[(SS, "sat_expect", start)]
    assert side(expect, "mentor") == (4, 6.5, 6.5, _scale({5: 1, 6: 1, 7: 1, 8: 1}))
    assert side(expect, "mentee") == (4, 4.5, 4.5, _scale({3: 1, 4: 1, 5: 1, 6: 1}))
    assert expect[col("q_change_mentors")] is None

    result = keyed[(SS, "sat", done)]
    # Reports carry the methodology's wording, not the question as the person was asked.
    assert result[col("question_text")] == "Удовлетворённость программой"
    assert side(result, "mentor") == (2, 9.0, 9.0, _scale({8: 1, 10: 1}))
    n, mean, median, distribution = side(result, "mentee")
    assert (n, median, distribution) == (3, 7, _scale({6: 1, 7: 1, 9: 1}))
    assert mean == pytest.approx(22 / 3)
    # Mentors A, C, F, J expected 6.5 on average; A and F, who answered at completion, 9.
    assert result[col("q_change_mentors")] == pytest.approx(9.0 - 6.5)
    assert result[col("q_change_mentees")] == pytest.approx(22 / 3 - 4.5)

    assert side(keyed[(TT, "sat", done)], "mentee") == (1, 8.0, 8.0, _scale({8: 1}))
    useful = keyed[(SS, "useful", done)]
    assert side(useful, "mentee") == (3, pytest.approx(1 / 3), None, "да: 33%; нет: 67%")
    assert side(keyed[(SS, "format", done)], "mentee") == (
        3, None, None, "Онлайн: 67%; Очно: 33%"
    )  # fmt: skip
    assert side(keyed[(SS, "topics", done)], "mentee") == (
        3, None, None, "Учёба: 67%; Профориентация: 0%; Хобби: 67%"
    )  # fmt: skip


def _scale(counts: dict[int, int]) -> str:
    return "; ".join(f"{v}: {counts.get(v, 0)}" for v in range(1, 11))


async def test_feedback_hidden_from_groups_of_fewer_than_three(
    district_workbook: tuple,
) -> None:
    """Mentors A and F (student–student), H (teacher–teacher), mentees B and G of school 1
    wrote: no organization, form and role has three writers, so nothing is shown (the
    district in test_export_disclosure.py shows the other side)."""
    workbook, _ = district_workbook
    assert table(workbook["Отзывы"]) == []


async def test_feedback_without_names_and_injection_kept_as_text(
    exact_workbook: tuple,
) -> None:
    workbook, _ = exact_workbook
    sheet = workbook["Отзывы"]
    rows = table(sheet)
    got = sorted(
        (r[col("organization")], r[col("form")], r[col("role")], r[col("answer")]) for r in rows
    )
    assert got == sorted(
        [
            (SCHOOL_1, SS, "наставник", INJECTION),
            (SCHOOL_1, SS, "наставляемый", "Спасибо наставнику"),
            (SCHOOL_1, SS, "наставник", "+7 999 позвоните"),
            (SCHOOL_1, SS, "наставляемый", "Было интересно"),
            (SCHOOL_1, TT, "наставник", "@всем спасибо"),
        ]
    )
    assert all("Участник" not in str(value) for r in rows for value in r.values())
    for row in sheet.iter_rows(min_row=2):
        answer = row[4]
        assert answer.data_type == "s"  # never a formula
        if answer.value.startswith(("=", "+", "-", "@")):
            assert answer.quotePrefix
        assert row[5].is_date
        assert row[5].value.time() == time(0, 0)  # to the day, never to the second
        assert row[5].number_format == "DD.MM.YYYY"


async def test_register(district_workbook: tuple) -> None:
    """The register of personified accounting: who, where, in which pair or group with
    which mentor, since and until when, with which questionnaires."""
    workbook, _ = district_workbook
    rows = by(table(workbook["Участники"]), col("full_name"))
    answered = {"A": 2, "B": 2, "C": 1, "D": 2, "E": 0, "F": 2, "G": 2}
    answered |= {"H": 1, "I": 1, "J": 1, "K": 1}
    assert set(rows) == {f"Участник {letter}" for letter in answered}
    for letter, n in answered.items():
        assert rows[f"Участник {letter}"][col("answered")] == n, letter
    d = rows["Участник D"]
    assert (d[col("organization")], d[col("role")], d[col("pair")]) == (SCHOOL_1, "наставляемый", 2)
    assert d[col("pair_status")] == "работает"
    assert rows["Участник I"][col("category")] == "Молодой специалист"
    # The link: D and E are the mentees of C's group, C has no mentor of their own.
    c, e = rows["Участник C"], rows["Участник E"]
    assert d[col("mentor")] == e[col("mentor")] == c[col("person")]
    assert c[col("mentor")] is None
    assert d[col("unit")] == e[col("unit")] == c[col("unit")] != rows["Участник A"][col("unit")]
    assert (c[col("start_questionnaire")], c[col("completion_questionnaire")]) == (
        "заполнена", "не заполнена"
    )  # fmt: skip
    assert e[col("start_questionnaire")] == "не заполнена"
    assert rows["Участник H"][col("start_questionnaire")] == "не отправлена"
    assert d[col("joined")] is not None and d[col("ended")] is None
    codes = [row[col("person")] for row in rows.values()]
    assert len(set(codes)) == len(codes) and all(code.startswith("P") for code in codes)


async def test_register_without_names_by_default(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    curator = Actor(1, grants=(Grant(Role.CURATOR, organization_id=data.ids["S001"]),))
    options = ExportOptions(register=Register.ANONYMOUS)
    workbook = await export_to(
        session_factory, curator, ExportScope(data.ids["M01"], data.ids["S001"]),
        tmp_path / "s.xlsx", options,
    )  # fmt: skip
    rows = table(workbook["Участники"])
    assert len(rows) == 9 and col("full_name") not in rows[0]
    text = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row]
    assert not any(re.search(r"Участник [A-Z]", value) for value in text)


async def test_lists_read_beside_the_counting_give_the_same_cells(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """An export reads its lists on a second connection while it counts on the first
    (exports.workbook.build_workbook): every cell and the order of the sheets are those of
    the same workbook read on one connection."""
    data = await build_dataset(session_factory)
    options = ExportOptions(min_group=1, register=Register.NAMES, target_student_share=0.7)
    beside = await methodists_workbook(session_factory, data, tmp_path / "beside.xlsx", options)
    scope, period = district_scope(data), Period.academic_year(YEAR)
    async with session_factory() as session:
        await build_workbook(
            MonitoringQueries(session, scope, period),
            tmp_path / "one.xlsx",
            russian,
            options,
            previous=MonitoringQueries(session, scope, previous_period(period)),
        )
    one = openpyxl.load_workbook(tmp_path / "one.xlsx")
    assert one.sheetnames == beside.sheetnames
    for sheet in one:
        cells = list(sheet.iter_rows(values_only=True))
        assert cells == list(beside[sheet.title].iter_rows(values_only=True)), sheet.title
        assert len(cells) > 1, sheet.title


async def test_region_export_has_region_total(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await build_dataset(session_factory)
    admin = Actor(1, is_admin=True)
    workbook = await export_to(session_factory, admin, ExportScope(), tmp_path / "r.xlsx")
    indicators = by(table(workbook["Показатели"]), col("municipality"))
    total = indicators["Итого по региону"]
    # M01 as above plus S101: L and M (both students grade 8+), 200 head count
    assert total[col("students_10_18")] == 1100
    assert total[col("students_reached")] == 10
    summary = by(table(workbook["Сводка"]), col("organization"))
    assert summary[None][col("sent")] == 19


def test_print_settings_are_in_the_file(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    Table(workbook, "Сводка", [Column("a"), Column("b")], print_title="Район & Ко, 2026/2027")
    workbook.save(tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Сводка"]
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"  # the header row on every page
    assert sheet.oddHeader.center.text == "Район && Ко, 2026/2027 — Сводка"
