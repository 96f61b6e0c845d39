"""The operator's environment for the CLI tests that call `main()` in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.polling import TOKEN


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's folder
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_USERNAME", "nastavnik_test_bot")  # invitation links offline
    monkeypatch.setenv("QUIET_HOURS", "0-0")  # the outbox sends whatever the hour
    return database_url
