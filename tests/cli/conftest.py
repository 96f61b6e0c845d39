"""The operator's environment for the CLI tests that call `main()` in this process, and
that call."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.cli.main import main
from tests.support.export_data import Dataset, build_dataset
from tests.support.polling import TOKEN


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's folder
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_USERNAME", "nastavnik_test_bot")  # invitation links offline
    monkeypatch.setenv("QUIET_HOURS", "0-0")  # the outbox sends whatever the hour
    return database_url


@pytest.fixture
async def operator_dataset(
    operator_env: str, session_factory: async_sessionmaker[AsyncSession]
) -> Dataset:
    """The export test dataset (tests/support/export_data.py) in the operator's database."""
    return await build_dataset(session_factory)


async def run_main(argv: list[str]) -> int:
    """`nastavnik ARGV` in this process; main() runs its own event loop, so in a thread."""
    return await asyncio.to_thread(main, argv)


async def refused_in_one_line(
    capsys: pytest.CaptureFixture[str], cases: list[tuple[list[str], str]]
) -> None:
    """Each `nastavnik ARGV` fails, saying one line (no traceback) that mentions its text."""
    for argv, mentioned in cases:
        code = await run_main(argv)
        err = capsys.readouterr().err
        assert code != 0, argv
        assert mentioned in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
