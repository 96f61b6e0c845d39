"""The `nastavnik` command as a new operator meets it, each run as a subprocess: one clear
line (Russian, with the fix) and never a traceback when something is missing; database
commands work without BOT_TOKEN; alembic keeps quiet unless LOG_LEVEL=DEBUG; every
command and option is described in Russian; `export --from` alone ends with its
academic year."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import create_i18n
from imports.directory_file import TEMPLATE_HEADERS
from service.cli.export import requested_period
from service.cli.main import build_parser, main
from tests.conftest import TOKEN
from tests.support.cli import closed_port, nastavnik
from tests.support.export_data import build_dataset

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
SECRET = "operator-test-secret-0123456789abcdef"


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    text = result.stderr
    assert "Traceback" not in text and "Unclosed" not in text, text
    assert text.count("\n") == 1, text
    return text.strip()


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """In-process runs of main() with the operator's clean environment in tmp_path."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "WEB_", "LOG_", "EXPORT_")):
            monkeypatch.delenv(key)
    return monkeypatch


def write_directory(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(["M01", "Павлоградский район", "S001", "МБОУ СОШ № 1", "школа", 600, 400, 50, 12])
    sheet.append(["M02", "Петушинский район", "C001", "Колледж", "колледж", 900, 300, 70, 20])
    workbook.save(path)
    return path


# --- 15.1: one line, never a traceback -----------------------------------------------------


def test_run_without_a_route_to_telegram(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{closed_port()}"
    result = nastavnik("run", cwd=tmp_path, env={"BOT_TOKEN": TOKEN, "BOT_API_URL": api})
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("nastavnik: нет связи с Telegram")
    assert api in line and "BOT_API_URL" in line


def unreachable_postgresql() -> str:
    return f"postgresql+asyncpg://nastavnik:hunter2@127.0.0.1:{closed_port()}/nastavnik"


def test_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path, env={"DATABASE_URL": unreachable_postgresql()})
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("nastavnik: база данных недоступна")
    assert "DATABASE_URL" in line
    assert "hunter2" not in line  # the password stays out of logs and terminals


@pytest.mark.parametrize(
    "command",
    [
        ["import-orgs", "orgs.xlsx"],
        ["invite", "--role", "methodist", "--municipality", "M01"],
        ["export", "--municipality", "M01", "--out", "m01.xlsx"],
        ["outbox"],
        ["remind"],
        ["run"],
        ["webhook"],
    ],
    ids=lambda command: command[0],
)
def test_every_other_command_says_the_same(
    operator: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    """In-process (main() is what the subprocess runs), to spare a Python start per command."""
    write_directory(tmp_path / "orgs.xlsx")
    operator.setenv("DATABASE_URL", unreachable_postgresql())
    operator.setenv("BOT_TOKEN", TOKEN)
    operator.setenv("WEBHOOK_SECRET", SECRET)
    assert main(command) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nastavnik: база данных недоступна"), err
    assert not (tmp_path / "m01.xlsx").exists()


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    result = nastavnik("export", "--municipality", "M01", "--out", "reports/m01.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert one_line(result) == (
        "Папки reports нет: создайте её (mkdir -p reports) или укажите в --out другой путь."
    )


def test_import_of_a_file_that_does_not_exist(tmp_path: Path) -> None:
    result = nastavnik("import-orgs", "организации.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    assert one_line(result) == ("Файл организации.xlsx не найден: проверьте путь и имя файла.")


def test_export_of_an_organization_of_another_municipality(
    operator: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert main(["import-orgs", str(write_directory(tmp_path / "orgs.xlsx"))]) == 0
    result = nastavnik(
        "export", "--municipality", "M02", "--org", "S001", "--out", "x.xlsx", cwd=tmp_path
    )
    assert result.returncode == 1
    assert one_line(result) == (
        "Организация S001 относится к муниципалитету M01, а не M02: "
        "укажите --municipality M01 или другую организацию."
    )


# --- 15.2: database commands need no BOT_TOKEN; alembic is quiet --------------------------


def test_migrate_without_a_token_says_one_line_and_no_alembic(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "База данных в актуальном состоянии.\n"
    assert result.stderr == ""  # no BOT_TOKEN complaint, no alembic INFO lines


def test_alembic_speaks_at_debug_level(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path, env={"LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr
    assert "alembic" in result.stderr


def test_database_commands_work_without_a_bot_token(
    operator: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = [
        ["migrate"],
        ["import-orgs", str(write_directory(tmp_path / "o.xlsx"))],
        ["invite", "--role", "curator", "--org", "S001"],
        ["export", "--municipality", "M01", "--out", "m01.xlsx"],
        ["outbox"],
        ["remind"],
        ["surveys", "list"],
    ]
    for command in commands:
        assert main(command) == 0, (command, capsys.readouterr().err)
        captured = capsys.readouterr()
        if command[0] == "invite":
            assert captured.out.startswith("Код приглашения: ")
            # Without a token (and BOT_USERNAME) the link cannot be made: one line says so.
            assert captured.err.count("\n") == 1 and "BOT_USERNAME" in captured.err
        else:
            assert captured.err == "", (command, captured.err)
    assert (tmp_path / "m01.xlsx").is_file()


@pytest.mark.parametrize("command", ["run", "webhook"])
def test_the_bot_commands_still_need_the_token(
    operator: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    operator.setenv("WEBHOOK_SECRET", SECRET)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nastavnik: не задан ")
    assert "BOT_TOKEN=123456:ABC" in err  # what a right value looks like
    assert not (tmp_path / "nastavnik.db").exists()


# --- 15.3: help in Russian; --from alone --------------------------------------------------


def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += parsers(child)
    return found


def test_every_command_and_option_is_described_in_russian() -> None:
    i18n = create_i18n("ru")
    with i18n.context():
        root = build_parser()
    every = parsers(root)
    assert {p.prog.removeprefix("nastavnik ") for p in every[1:]} >= {
        "run", "webhook", "migrate", "import-orgs", "invite", "export", "outbox", "remind",
        "surveys", "surveys check", "surveys list",
    }  # fmt: skip
    for parser in every:
        assert parser.description and CYRILLIC.search(parser.description), parser.prog
        for action in parser._actions:
            described = action.help or ""
            assert CYRILLIC.search(described), (parser.prog, action.dest, described)


def test_help_is_printed_in_russian(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as finished:
        main(["export", "--help"])
    assert finished.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "по конец того же учебного года" in out
    assert "показать эту справку" in out


def test_from_alone_ends_with_its_academic_year() -> None:
    today = date(2027, 3, 1)
    period = requested_period(date(2026, 10, 1), None, today)
    assert (period.start, period.end) == (date(2026, 10, 1), date(2027, 8, 31))
    period = requested_period(None, date(2026, 12, 31), today)
    assert (period.start, period.end) == (date(2026, 9, 1), date(2026, 12, 31))
    period = requested_period(None, None, today)
    assert (period.start, period.end) == (date(2026, 9, 1), date(2027, 8, 31))


def test_export_from_alone_runs(
    operator: pytest.MonkeyPatch,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(build_dataset(session_factory))
    operator.setenv("DATABASE_URL", database_url)
    argv = ["export", "--municipality", "M01", "--from", "01.09.2026", "--out", "m01.xlsx"]
    assert main(argv) == 0, capsys.readouterr().err
    assert "Сводка" in openpyxl.load_workbook(tmp_path / "m01.xlsx").sheetnames
