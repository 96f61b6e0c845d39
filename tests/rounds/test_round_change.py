"""A round beside the previous round of the same kind (Δ): the round's workbook («Динамика»,
every figure of «Сводка» and «Показатели») and its справка show the previous round's figures,
as that round's own workbook shows them, and the change; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.monitoring.rounds import close_round, export_round, previous_round, report_round
from app.uow import UnitOfWork
from exports.workbook import ExportOptions
from storage.repositories.rounds import RoundRepository
from surveys.access import Actor
from surveys.rounds import RoundKind
from tests.exports.test_change import KEYS, LAST_YEAR, THIS_YEAR, district_dynamics, totals
from tests.rounds.test_round_snapshot import answer_more, methodist, new_round, opened
from tests.support.export_data import NOW, YEAR, Dataset, build_dataset
from tests.support.export_helpers import I18N, russian, table
from tests.support.report_helpers import MADE_ON, number, paragraphs, tables

# min_group 1: nothing hidden, so every change is a number to check.
OPEN_FIGURES = ExportOptions(min_group=1, target_student_share=0.7)
LAST = {"start": date(YEAR - 1, 9, 1), "end": date(YEAR, 8, 31)}
ADMIN = Actor(9, is_admin=True)


async def close(factory: async_sessionmaker[AsyncSession], round_id: int) -> None:
    async with UnitOfWork(factory) as uow:
        await close_round(uow, ADMIN, round_id, NOW)


async def two_rounds(factory: async_sessionmaker[AsyncSession]) -> tuple[Dataset, dict[str, int]]:
    """M01's annual rounds of last year and this year (both closed), and rounds that are
    not their previous: another kind, another district, the region's."""
    data = await build_dataset(factory)
    keeper = methodist(data)
    ids = {
        "last": await opened(factory, keeper, new_round(data, **LAST)),
        "this": await opened(factory, keeper, new_round(data)),
        "intermediate": await opened(factory, keeper, new_round(data, kind=RoundKind.INTERMEDIATE)),
        "m02": await opened(factory, ADMIN, new_round(data, district="M02")),
        "region_last": await opened(factory, ADMIN, new_round(data, district=None, **LAST)),
        "region": await opened(factory, ADMIN, new_round(data, district=None)),
    }
    await close(factory, ids["last"])
    await close(factory, ids["this"])
    return data, ids


async def workbook_of(
    factory: async_sessionmaker[AsyncSession], round_id: int, path: Path
) -> openpyxl.Workbook:
    async with factory() as session:
        await export_round(session, ADMIN, round_id, path, russian, OPEN_FIGURES)
    return openpyxl.load_workbook(path)


async def last_and_this(
    factory: async_sessionmaker[AsyncSession], ids: dict[str, int], folder: Path
) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    """The workbooks of M01's annual rounds of last year and of this year (`two_rounds`)."""
    last = await workbook_of(factory, ids["last"], folder / "last.xlsx")
    return last, await workbook_of(factory, ids["this"], folder / "this.xlsx")


async def test_the_previous_round_is_of_the_same_kind_and_scope(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _data, ids = await two_rounds(session_factory)
    async with session_factory() as session:
        rounds = RoundRepository(session)
        found: dict[str, Any] = {}
        for name, round_id in ids.items():
            this = await rounds.get(round_id)
            assert this is not None
            earlier = await previous_round(session, this)
            found[name] = None if earlier is None else earlier[0].id
    assert found == {
        "last": None,
        "this": ids["last"],
        "intermediate": None,  # the annual rounds are another kind
        "m02": None,  # M01's rounds are another district's
        "region_last": None,
        "region": ids["region_last"],  # the region's own, not a district's
    }


async def test_round_workbook_shows_the_previous_round_and_the_change(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data, ids = await two_rounds(session_factory)
    last, this = await last_and_this(session_factory, ids, tmp_path)
    assert "Динамика" not in last.sheetnames  # no earlier round to compare with
    total, now, before = district_dynamics(this, last)
    delta = russian("report.col.delta")
    for key in KEYS:
        row = total[russian(f"export.col.{key}")]
        if now[key] is None or before[key] is None:
            assert row[delta] is None, key
        else:
            assert row[delta] == pytest.approx(now[key] - before[key]), key
    # Last year: the one pair N>O of the school № 1; this year five mentors, six mentees.
    mentors, mentees = total["Наставники"], total["Наставляемые"]
    assert (mentors[LAST_YEAR], mentors[THIS_YEAR], mentors[delta]) == (1, 5, 4)
    assert (mentees[LAST_YEAR], mentees[THIS_YEAR], mentees[delta]) == (1, 6, 5)

    # Both rounds are frozen: answers arriving later change neither side.
    await answer_more(session_factory, data)
    again = await workbook_of(session_factory, ids["this"], tmp_path / "again.xlsx")
    assert table(again["Динамика"]) == table(this["Динамика"])


async def test_round_report_shows_the_previous_round_and_the_change(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    _data, ids = await two_rounds(session_factory)
    last, this = await last_and_this(session_factory, ids, tmp_path)
    path = tmp_path / "this.docx"
    async with session_factory() as session:
        await report_round(session, ADMIN, ids["this"], path, I18N, OPEN_FIGURES, MADE_ON)
    summary = tables(path)[0]
    assert summary[0] == [russian("report.col.figure"), THIS_YEAR, LAST_YEAR,
                          russian("report.col.delta"), russian("report.col.target")]  # fmt: skip
    rows = {row[0]: row for row in summary[1:]}
    now, before = totals(this), totals(last)
    for key in KEYS:
        row = rows[russian(f"export.col.{key}")]
        assert number(row[1]) == pytest.approx(now[key], abs=0.0006), key
        assert number(row[2]) == pytest.approx(before[key], abs=0.0006), key
    assert rows["Наставники"][1:4] == ["5", "1", "+4"]
    assert rows["Наставляемые"][1:4] == ["6", "1", "+5"]
    text = "\n".join(paragraphs(path))
    assert (
        f"сравниваются с предыдущим мониторингом того же вида: № {ids['last']} за период "
        f"{LAST_YEAR} (закрыт, данные зафиксированы)" in text
    )
    assert "По сравнению с периодом 01.09.2025–31.08.2026: охват обучающихся" in text
    assert "наставников +4, наставляемых +5." in text


async def test_hidden_figures_of_the_previous_round_stay_hidden(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    _data, ids = await two_rounds(session_factory)
    options = ExportOptions(target_student_share=0.7)  # the usual min_group 3
    path, first = tmp_path / "this.docx", tmp_path / "last.docx"
    async with session_factory() as session:
        await report_round(session, ADMIN, ids["this"], path, I18N, options, MADE_ON)
        await report_round(session, ADMIN, ids["last"], first, I18N, options, MADE_ON)
    rows = {row[0]: row for row in tables(path)[0][1:]}
    # Last year's one mentor is a figure about one person: hidden, and so is the change.
    assert rows["Наставники"][1:4] == ["5", "<3", "<3"]
    # The first round has nothing before it: its own figures and a line saying so.
    assert len(tables(first)[0][0]) == 2
    assert "Предыдущего мониторинга того же вида нет" in "\n".join(paragraphs(first))
