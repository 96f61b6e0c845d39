"""The `nastavnik` command as an operator uses it: settings errors, migrate, import-orgs,
invite. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from imports.directory_file import TEMPLATE_HEADERS
from service.cli.main import main
from storage.db import create_engine, create_session_factory
from storage.models import Invite, Organization
from tests.conftest import TOKEN
from tests.support.cli import nastavnik

ROWS = [
    ["M01", "Павлоградский район", "S001", "МБОУ СОШ № 1", "школа", 600, 400, 50, 12],
    ["M01", "Павлоградский район", "S002", '=HYPERLINK("x")', "школа", 800, 500, 60, 15],
    ["M02", "Петушинский район", "C001", "Колледж", "колледж", 900, 300, 70, 20],
]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(TEMPLATE_HEADERS))
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed text, as a person pasting it would get
    workbook.save(path)
    return path


def count_orgs(url: str) -> list[tuple[str, str, int]]:
    async def query() -> list[tuple[str, str, int]]:
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            rows = await session.execute(
                select(Organization.code, Organization.name, Organization.students_10_18).order_by(
                    Organization.code
                )
            )
            result = [tuple(row) for row in rows]
        await engine.dispose()
        return result  # type: ignore[return-value]

    return asyncio.run(query())


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = nastavnik("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("nastavnik: не задан ни BOT_TOKEN (Telegram), ни MAX_TOKEN")
    assert result.stderr.count("\n") == 1


def test_malformed_setting_names_it(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path, env={"BOT_TOKEN": TOKEN, "ADMIN_IDS": "12,abc"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ADMIN_IDS" in result.stderr


def test_import_is_idempotent_and_reports_bad_rows(
    operator_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_xlsx(tmp_path / "orgs.xlsx", ROWS)
    assert main(["import-orgs", str(good)]) == 0
    assert "добавлено организаций 3" in capsys.readouterr().out
    first = count_orgs(operator_env)
    assert [code for code, _n, _c in first] == ["C001", "S001", "S002"]
    assert first[2][1] == '=HYPERLINK("x")'  # stored as text

    changed = [
        *ROWS[:2],
        ["M02", "Петушинский район", "C001", "Колледж", "колледж", 900, 350, 70, 20],
        ["M02", "Петушинский район", "", "Без кода", "школа", 1, 1, 1, 1],
        ["M02", "Петушинский район", "S300", "Школа", "школа", "много", 1, 1, 1],
    ]
    assert main(["import-orgs", str(write_xlsx(tmp_path / "again.xlsx", changed))]) == 1
    captured = capsys.readouterr()
    assert "добавлено организаций 0, обновлено 3, пропущено строк с ошибками 2" in captured.out
    assert "Строка 5" in captured.err and "Строка 6" in captured.err
    assert "не число" in captured.err
    again = count_orgs(operator_env)
    assert len(again) == 3 and again[0][2] == 350


def test_a_file_that_is_not_a_table(
    operator_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "photo.xlsx"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert main(["import-orgs", str(junk)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "Файл не похож на таблицу: нужен xlsx или csv."


def test_invite_prints_code_and_deep_link(
    operator_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import-orgs", str(write_xlsx(tmp_path / "orgs.xlsx", ROWS))])
    capsys.readouterr()
    assert main(["invite", "--role", "methodist", "--municipality", "M01"]) == 0
    out = capsys.readouterr().out.splitlines()
    code = out[0].split(": ")[1]
    assert out[1] == f"https://t.me/nastavnik_test_bot?start={code}"
    assert main(["invite", "--role", "curator", "--org", "S001", "--max-uses", "2"]) == 0
    assert main(["invite", "--role", "curator", "--org", "NOPE"]) == 1
    assert "не найдена" in capsys.readouterr().err

    async def invites() -> list[tuple[str, int]]:
        engine = create_engine(operator_env)
        async with create_session_factory(engine)() as session:
            rows = await session.execute(select(Invite.role, Invite.max_uses).order_by(Invite.id))
            result = [(role, uses) for role, uses in rows]
            assert await session.scalar(select(func.count(Invite.id))) == 2
        await engine.dispose()
        return result

    assert asyncio.run(invites()) == [("methodist", 1), ("curator", 2)]


def test_invite_offline_without_username(
    operator_env: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["import-orgs", str(write_xlsx(tmp_path / "orgs.xlsx", ROWS))])
    capsys.readouterr()
    monkeypatch.delenv("BOT_USERNAME")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:9")  # nothing listens there
    assert main(["invite", "--role", "methodist", "--municipality", "M02"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Код приглашения: ")
    assert "BOT_USERNAME" in captured.err


def test_invite_prints_both_links_when_both_channels_are_configured(
    operator_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_BOT_NAME", "nastavnik_max_bot")
    main(["import-orgs", str(write_xlsx(tmp_path / "orgs.xlsx", ROWS))])
    capsys.readouterr()
    assert main(["invite", "--role", "methodist", "--municipality", "M01"]) == 0
    out = capsys.readouterr().out.splitlines()
    code = out[0].split(": ")[1]
    assert out[1:] == [
        f"https://t.me/nastavnik_test_bot?start={code}",
        f"https://max.ru/nastavnik_max_bot?start={code}",
    ]
