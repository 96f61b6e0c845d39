"""`nastavnik webhook` refuses to start without its secret, and explains in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.main import main
from tests.conftest import TOKEN


def test_webhook_without_a_secret_does_not_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["webhook"]) == 2
    assert "WEBHOOK_SECRET" in capsys.readouterr().err
    assert not (tmp_path / "nastavnik.db").exists()  # nothing was migrated or served


def test_a_malformed_secret_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", "has spaces and ümlauts")
    assert main(["webhook"]) == 2
    assert "WEBHOOK_SECRET is malformed" in capsys.readouterr().err
