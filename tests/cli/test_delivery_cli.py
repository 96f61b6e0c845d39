"""`nastavnik outbox` and `nastavnik remind` as an operator runs them, on both dialects."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from service.cli.main import main
from storage.db import create_engine, create_session_factory
from storage.models import utcnow
from tests.conftest import TOKEN
from tests.support.cli import nastavnik
from tests.support.delivery_data import pair_with_assignments, queue, register
from tests.support.factories import seed_directory


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
    result = nastavnik("outbox", cwd=tmp_path, env={"BOT_TOKEN": TOKEN, "REMINDER_DAYS": "7,3"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "nastavnik: настройка REMINDER_DAYS=7,3 не подходит. Ожидается: дни через запятую по "
        "возрастанию, каждый больше 0 (пусто — без напоминаний); например, REMINDER_DAYS=3,7"
    )
