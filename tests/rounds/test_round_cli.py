"""`nastavnik round open|close|list` and `nastavnik export --round` as an operator runs
them, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Invite
from tests.cli.conftest import operator_dataset, operator_env, refused_in_one_line, run_main
from tests.exports.test_report import INDICATORS, SUMMARY
from tests.rounds.test_round_snapshot import answer_more
from tests.support.cli import ROOT
from tests.support.export_data import Dataset
from tests.support.export_helpers import by, russian, table
from tests.support.report_helpers import number, paragraphs, tables

__all__ = ["operator_dataset", "operator_env"]  # the fixtures of the CLI tests
OPEN = ["round", "open", "--kind", "annual", "--municipality", "M01"]
DATES = ["--from", "01.09.2026", "--to", "31.08.2027", "--deadline", "20.12.2099"]
REGION_INTERMEDIATE = ["round", "open", "--kind", "intermediate", "--region", *DATES]


async def test_open_list_close_and_export_a_round(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_main([*OPEN, *DATES]) == 0
    said = capsys.readouterr().out
    assert "№ 1" in said and "Павлоградский район" in said and "20.12.2099" in said
    assert await run_main(REGION_INTERMEDIATE) == 0
    capsys.readouterr()
    assert await run_main(["round", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("идёт сбор" in line for line in listed)
    assert any("весь регион" in line and "промежуточный" in line for line in listed)

    assert await run_main(["round", "close", "1"]) == 0
    assert "зафиксированы" in capsys.readouterr().out
    out = tmp_path / "round.xlsx"
    assert await run_main(["export", "--round", "1", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    summary = openpyxl.load_workbook(out)["Сводка"]
    schools = {row[1] for row in summary.iter_rows(min_row=2, values_only=True) if row[1]}
    assert schools == {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»"}


async def test_mistakes_get_one_line_and_change_nothing(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = [
        ([*OPEN[:-1], "M99", *DATES], "M99"),
        (
            [*OPEN, "--from", "31.02.2026", "--to", "31.08.2027", "--deadline", "20.12.2099"],
            "31.02.2026",
        ),
        (
            [*OPEN, "--from", "01.09.2027", "--to", "31.08.2026", "--deadline", "20.12.2099"],
            "позже",
        ),
        (
            [*OPEN, "--from", "01.09.2026", "--to", "31.08.2027", "--deadline", "01.01.2020"],
            "прошёл",
        ),
        (["round", "close", "7"], "№ 7"),
        (["export", "--round", "7", "--out", str(tmp_path / "x.xlsx")], "№ 7"),
        (
            ["export", "--round", "1", "--municipality", "M01", "--out", str(tmp_path / "x.xlsx")],
            "--round",
        ),
        (["export", "--round", "1", "--region", "--out", str(tmp_path / "x.xlsx")], "--round"),
    ]
    await refused_in_one_line(capsys, cases)
    assert await run_main(["round", "list"]) == 0
    assert "Мониторингов пока нет" in capsys.readouterr().out
    assert not (tmp_path / "x.xlsx").exists()


def test_help_is_in_russian() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "round", "open", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DEFAULT_LOCALE": "ru"},
    )
    assert "последний день сдачи" in result.stdout
    assert "--region" in result.stdout and "годовой" in result.stdout


async def test_invite_a_regional_coordinator(
    operator_dataset: Dataset,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BOT_USERNAME", "nastavnik_test_bot")
    assert await run_main(["invite", "--role", "coordinator", "--region"]) == 0
    assert "?start=" in capsys.readouterr().out
    # A coordinator's scope is the region; a district or a school is someone else's role,
    # and nobody else gets the whole region.
    for argv in (
        ["invite", "--role", "coordinator", "--municipality", "M01"],
        ["invite", "--role", "methodist", "--region"],
    ):
        assert await run_main(argv) == 1
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    async with session_factory() as session:
        invites = (await session.execute(select(Invite.role, Invite.municipality_id))).all()
    assert [tuple(row) for row in invites] == [("coordinator", None)]


async def test_report_of_a_round_equals_its_workbook(
    operator_dataset: Dataset,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`nastavnik report --round`: the справка of a closed round is written from its frozen
    figures, so it shows the round's workbook's figures even after later answers."""
    monkeypatch.setenv("TARGET_STUDENT_SHARE", "0.7")
    assert await run_main([*OPEN, *DATES]) == 0
    assert await run_main(["round", "close", "1"]) == 0
    await answer_more(session_factory, operator_dataset)  # answers after the round closed
    book, report = tmp_path / "round.xlsx", tmp_path / "round.docx"
    assert await run_main(["export", "--round", "1", "--out", str(book)]) == 0
    argv = ["report", "--municipality", "M01", "--round", "1", "--out", str(report)]
    assert await run_main(argv) == 0, capsys.readouterr().err
    assert str(report) in capsys.readouterr().out

    shown = {row[0]: number(row[1]) for row in tables(report)[0][1:]}
    workbook = openpyxl.load_workbook(book)
    totals = by(table(workbook["По формам"]), russian("export.col.form"))["Итого"]
    district = by(table(workbook["Показатели"]), russian("export.col.organization"))[
        "Итого по муниципалитету"
    ]
    expected = {
        russian(f"export.col.{key}"): totals[russian(f"export.col.{key}")] for key in SUMMARY
    }
    expected |= {
        russian(f"export.col.{key}"): district[russian(f"export.col.{key}")] for key in INDICATORS
    }
    assert shown.keys() == expected.keys()
    for label, value in expected.items():
        assert shown[label] == pytest.approx(value, abs=0.0006), label
    text = "\n".join(paragraphs(report))
    assert "Территория: Павлоградский район" in text
    assert "Мониторинг: № 1, годовой мониторинг; данные зафиксированы" in text
    assert "Предыдущего мониторинга того же вида нет" in text

    # The live справка of the same district and period has moved on; the round's has not.
    live = tmp_path / "live.docx"
    assert (
        await run_main(["report", "--municipality", "M01", "--year", "2026", "--out", str(live)])
        == 0
    )
    live_shown = {row[0]: number(row[1]) for row in tables(live)[0][1:]}
    submitted = russian("export.col.submitted")
    assert live_shown[submitted] == shown[submitted] + 2  # E's start and C's completion


async def test_report_of_a_round_mistakes_get_one_line(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_main([*OPEN, *DATES]) == 0
    assert await run_main(REGION_INTERMEDIATE) == 0
    capsys.readouterr()
    out = tmp_path / "r.docx"
    cases = [
        (["--round", "7", "--out", str(out)], "№ 7"),
        (["--municipality", "M02", "--round", "1", "--out", str(out)], "M02"),
        (["--municipality", "M99", "--round", "1", "--out", str(out)], "M99"),
        (["--municipality", "M01", "--round", "2", "--out", str(out)], "весь регион"),
        (["--round", "1", "--year", "2026", "--out", str(out)], "--round"),
        (["--round", "1", "--out", str(tmp_path / "r.xlsx")], ".docx"),
        (["--out", str(out)], "--municipality"),
    ]
    await refused_in_one_line(capsys, [(["report", *argv], said) for argv, said in cases])
    assert not out.exists()
    # A region's round needs no district: its справка is the region's.
    assert await run_main(["report", "--round", "2", "--out", str(out)]) == 0
    assert "Мониторинг: № 2, промежуточный мониторинг; сбор ещё идёт" in "\n".join(paragraphs(out))
