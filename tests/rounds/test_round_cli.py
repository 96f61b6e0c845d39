"""`nastavnik round open|close|list` and `nastavnik export --round` as an operator runs
them, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.cli.main import main
from tests.cli.test_export_cli import ROOT
from tests.conftest import TOKEN
from tests.support.export_data import build_dataset


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


async def run(argv: list[str]) -> int:
    """main() runs its own event loop: give it a thread of its own."""
    return await asyncio.to_thread(main, argv)


OPEN = ["round", "open", "--kind", "annual", "--municipality", "M01"]
DATES = ["--from", "01.09.2026", "--to", "31.08.2027", "--deadline", "20.12.2099"]


async def test_open_list_close_and_export_a_round(
    operator_env: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await build_dataset(session_factory)
    assert await run([*OPEN, *DATES]) == 0
    said = capsys.readouterr().out
    assert "№ 1" in said and "Павлоградский район" in said and "20.12.2099" in said
    assert await run(["round", "open", "--kind", "intermediate", "--region", *DATES]) == 0
    capsys.readouterr()
    assert await run(["round", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("идёт сбор" in line for line in listed)
    assert any("весь регион" in line and "промежуточный" in line for line in listed)

    assert await run(["round", "close", "1"]) == 0
    assert "зафиксированы" in capsys.readouterr().out
    out = tmp_path / "round.xlsx"
    assert await run(["export", "--round", "1", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    summary = openpyxl.load_workbook(out)["Сводка"]
    schools = {row[1] for row in summary.iter_rows(min_row=2, values_only=True) if row[1]}
    assert schools == {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»"}


async def test_mistakes_get_one_line_and_change_nothing(
    operator_env: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await build_dataset(session_factory)
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
        (["export", "--out", str(tmp_path / "x.xlsx")], "--municipality"),
    ]
    for argv, mentioned in cases:
        assert await run(argv) != 0, argv
        captured = capsys.readouterr()
        assert mentioned in captured.err, (argv, captured.err)
        assert len(captured.err.strip().splitlines()) == 1, captured.err
        assert "Traceback" not in captured.err
    assert await run(["round", "list"]) == 0
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
