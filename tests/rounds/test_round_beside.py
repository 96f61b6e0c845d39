"""«Сводка» and «Показатели» of a round's workbook show, beside each figure, the previous
round of the same kind and the change (Δ), and on «Показатели» each share's distance from
its target: the previous round's cells equal that round's own workbook, Δ their difference,
and what either workbook hides stays hidden (a Δ touching a hidden figure too). On SQLite
and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.monitoring.rounds import export_round
from exports.workbook import ExportOptions
from tests.exports.test_change import LAST_YEAR
from tests.rounds.test_round_change import ADMIN, two_rounds
from tests.support.export_helpers import russian, table

SHEETS = ("Сводка", "Показатели")
PLACE = (russian("export.col.municipality"), russian("export.col.organization"))
HIDDEN = "<3"


async def workbook(
    factory: async_sessionmaker[AsyncSession], round_id: int, path: Path, options: ExportOptions
) -> openpyxl.Workbook:
    async with factory() as session:
        await export_round(session, ADMIN, round_id, path, russian, options)
    return openpyxl.load_workbook(path)


def rows_by_place(workbook: openpyxl.Workbook, sheet: str) -> dict[tuple[Any, Any], dict[str, Any]]:
    return {(row[PLACE[0]], row[PLACE[1]]): row for row in table(workbook[sheet])}


def figures_of(row: dict[str, Any]) -> dict[str, Any]:
    """The figure columns of a row (those the previous round's workbook has as well)."""
    return {title: value for title, value in row.items() if title not in PLACE}


def previous(title: str) -> str:
    return russian("export.col.previous").format(figure=title, period=LAST_YEAR)


def delta(title: str) -> str:
    return russian("export.col.delta").format(figure=title)


@pytest.mark.parametrize("min_group", [1, 3])
async def test_round_sheets_show_the_previous_round_and_the_change(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path, min_group: int
) -> None:
    _data, ids = await two_rounds(session_factory)
    options = ExportOptions(min_group=min_group, target_student_share=0.7)
    last = await workbook(session_factory, ids["last"], tmp_path / "last.xlsx", options)
    this = await workbook(session_factory, ids["this"], tmp_path / "this.xlsx", options)
    compared = hidden = 0
    for sheet in SHEETS:
        before, now = rows_by_place(last, sheet), rows_by_place(this, sheet)
        assert set(before) == set(now)
        # The previous round's workbook (no round before it) stays as it was.
        assert not any(
            title.startswith("Δ") or LAST_YEAR in title for title in table(last[sheet])[0]
        )
        for place, row in now.items():
            then = figures_of(before[place])
            for title, was in then.items():
                if title in (russian("export.col.student_target"),) or title.startswith(
                    russian("export.col.programmes_form").split("{")[0]
                ):
                    continue  # the target and the programmes by form: not compared
                assert row[previous(title)] == (
                    pytest.approx(was) if isinstance(was, float) else was
                ), (sheet, place, title)
                is_ = row[title]
                change = row[delta(title)]
                if is_ is None or was is None:
                    assert change is None  # nothing to compare with
                elif isinstance(is_, str) or isinstance(was, str):
                    assert change == HIDDEN, (sheet, place, title)
                    hidden += 1
                else:
                    assert change == pytest.approx(is_ - was), (sheet, place, title)
                    compared += 1
            if sheet != "Показатели":
                continue
            share = row[russian("export.col.student_share")]
            from_target = row[
                russian("export.col.from_target").format(figure=russian("export.col.student_share"))
            ]
            if isinstance(share, str):
                assert from_target == HIDDEN
            elif share is not None:
                assert from_target == pytest.approx(share - 0.7)
    assert compared > (20 if min_group == 1 else 5)
    if min_group == 1:
        assert hidden == 0
        total = rows_by_place(this, "Сводка")[(russian("export.total"), None)]
        mentors = russian("export.col.mentors")
        assert (total[previous(mentors)], total[mentors], total[delta(mentors)]) == (1, 5, 4)
    else:
        # Last year's one pair stays «<3» beside this year's figures, and so does its Δ.
        assert hidden > 0
        total = rows_by_place(this, "Сводка")[(russian("export.total"), None)]
        mentors = russian("export.col.mentors")
        assert (total[previous(mentors)], total[delta(mentors)]) == (HIDDEN, HIDDEN)
