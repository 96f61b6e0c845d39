"""A district on MAX alone in production: `nastavnik webhook` with MAX_TOKEN and no BOT_TOKEN
subscribes its MAX_WEBHOOK_URL and serves MAX's updates posted there (the real command in a
process of its own, against the MAX stand-in over HTTP); without either token, or without
MAX_WEBHOOK_SECRET, it says in one Russian line what to set."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from service.cli.main import main
from tests.max.test_max_alone import ADMIN, _env
from tests.support.cli import spawn_nastavnik
from tests.support.maxapi import MaxAPIStandIn
from tests.support.workers import free_port

SECRET = "max-webhook-secret-0123456789abcdefgh"


async def _healthy(port: int) -> bool:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return True
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    return False


async def test_webhook_serves_max_without_a_telegram_token(tmp_path: Path) -> None:
    async with MaxAPIStandIn(processing_timeout=90) as standin:
        port = free_port()
        env = _env(tmp_path, standin.base_url, port)
        url = f"http://127.0.0.1:{port}/max/webhook"
        env.update(MAX_WEBHOOK_URL=url, MAX_WEBHOOK_SECRET=SECRET)
        log_path = tmp_path / "webhook.log"
        process = spawn_nastavnik("webhook", tmp_path, env, log_path)
        try:
            assert await _healthy(port), log_path.read_text(errors="replace")
            for _ in range(100):  # subscribed just after the server started listening
                if standin.subscriptions:
                    break
                await asyncio.sleep(0.1)
            assert [s["url"] for s in standin.subscriptions] == [url]
            assert standin.subscriptions[0]["secret"] == SECRET
            stranger = standin.user(8911)
            await stranger.start()  # posted to our webhook by the stand-in
            assert "ссылке-приглашению" in (stranger.last_text or "")
            admin = standin.user(ADMIN)
            await admin.send("/invite")
            assert admin.buttons(), admin.last_text
            # Without the secret a body is refused.
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json={"update_type": "bot_started"}) as response:
                    assert response.status == 401
            assert not standin.calls_to("GET", "/updates")  # no long polling beside it
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(process.wait, 60)
        assert code == 0, log_path.read_text(errors="replace")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "nastavnik: не задан ни BOT_TOKEN (Telegram), ни MAX_TOKEN (MAX): задайте хотя бы"),
        (
            {"MAX_TOKEN": "max-test-token"},
            "nastavnik: без BOT_TOKEN webhook принимает только MAX, и для этого нужен "
            "MAX_WEBHOOK_SECRET",
        ),
    ],
    ids=["no token", "MAX without its secret"],
)
def test_webhook_says_what_to_set(
    given: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("BOT_TOKEN", "MAX_TOKEN", "MAX_WEBHOOK_SECRET", "MAX_WEBHOOK_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in given.items():
        monkeypatch.setenv(key, value)
    assert main(["webhook"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1, err
    assert not (tmp_path / "nastavnik.db").exists()  # nothing was started
