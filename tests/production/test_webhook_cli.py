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
    assert "настройка WEBHOOK_SECRET не подходит" in capsys.readouterr().err


@pytest.mark.parametrize("secret", ["short_secret", "x" * 31])
def test_a_short_secret_stops_start_up_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    secret: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["webhook"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "WEBHOOK_SECRET не подходит. Ожидается: от 32 до 256 символов" in err
    assert secret not in err  # a secret is never repeated
    assert "openssl rand -hex 32" in err
    assert not (tmp_path / "nastavnik.db").exists()


def test_an_empty_secret_is_a_missing_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    assert main(["webhook"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET" in err
