"""`nastavnik outbox` and `nastavnik remind` as an operator runs them, on both dialects."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from service.cli.main import main
from storage.db import create_engine, create_session_factory
from storage.models import utcnow
from tests.conftest import TOKEN
from tests.support.delivery_data import pair_with_assignments, queue, register
from tests.support.factories import seed_directory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("QUIET_HOURS", "0-0")  # whatever the hour the test runs at
    return database_url


def seed(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        factory = create_session_factory(engine)
        orgs = await seed_directory(factory)
        people = await register(factory, [401, 402], orgs["S001"])
        await queue(factory, people, per_person=2)
        issued = utcnow() - timedelta(days=4)
        await pair_with_assignments(
            factory, orgs["S001"], list(people.values()), issued, utcnow() + timedelta(days=9)
        )
        await engine.dispose()

    asyncio.run(run())


def test_outbox_depth_and_a_reminder_run(
    operator_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(operator_env)
    assert main(["outbox"]) == 0
    assert "ждут отправки — 4, отправляются — 0, не доставлены — 0" in capsys.readouterr().out
    assert main(["remind"]) == 0
    assert "Напоминаний поставлено в очередь: 2. Анкет закрыто по сроку: 0." in (
        capsys.readouterr().out
    )
    assert main(["remind"]) == 0  # each step once
    assert "в очередь: 0." in capsys.readouterr().out
    assert main(["outbox"]) == 0
    assert "ждут отправки — 6" in capsys.readouterr().out


def test_bad_reminder_settings_are_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "REMINDER_DAYS": "7,3", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "outbox"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "nastavnik: setting REMINDER_DAYS is malformed: reminder days must increase"
    )
