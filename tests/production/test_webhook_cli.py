"""`nastavnik webhook` refuses to start without its secret, and explains in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.main import main
from tests.conftest import TOKEN


def refused_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], secret: str | None
) -> str:
    """`nastavnik webhook` with that WEBHOOK_SECRET (None: unset) stops with code 2; what it
    said on stderr."""
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    if secret is None:
        monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["webhook"]) == 2
    return capsys.readouterr().err


def test_webhook_without_a_secret_does_not_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "WEBHOOK_SECRET" in refused_start(monkeypatch, capsys, None)
    assert not (tmp_path / "nastavnik.db").exists()  # nothing was migrated or served


def test_a_malformed_secret_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    err = refused_start(monkeypatch, capsys, "has spaces and ümlauts")
    assert "настройка WEBHOOK_SECRET не подходит" in err


@pytest.mark.parametrize("secret", ["short_secret", "x" * 31])
def test_a_short_secret_stops_start_up_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    secret: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    err = refused_start(monkeypatch, capsys, secret)
    assert err.count("\n") == 1
    assert "WEBHOOK_SECRET не подходит. Ожидается: от 32 до 256 символов" in err
    assert secret not in err  # a secret is never repeated
    assert "openssl rand -hex 32" in err
    assert not (tmp_path / "nastavnik.db").exists()


def test_an_empty_secret_is_a_missing_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    err = refused_start(monkeypatch, capsys, "")
    assert err.count("\n") == 1 and "WEBHOOK_SECRET" in err
