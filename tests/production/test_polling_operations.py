"""`nastavnik run` (the README's command and the image's alternative) serves /healthz and
/metrics on WEB_PORT beside long polling, so Docker's health check works for it too; the
routes are the webhook server's own (service/web/operations.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.settings import load_settings
from service.web.operations import start_operations_server
from storage.db import create_engine, create_session_factory
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from tests.conftest import TOKEN
from tests.support.botapi import BotAPIStandIn
from tests.support.cli import spawn_nastavnik
from tests.support.export_data import build_dataset
from tests.support.export_helpers import export_to
from tests.support.workers import free_port

ROOT = Path(__file__).resolve().parents[2]


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


async def test_run_serves_healthz_and_metrics_beside_polling(
    standin: BotAPIStandIn, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))},
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
    }
    log_path = tmp_path / "run.log"
    process = spawn_nastavnik("run", tmp_path, env, log_path)
    try:
        health = 0
        for _ in range(600):  # a slow machine may need a while to import everything
            assert process.poll() is None, log_path.read_text()
            try:
                health, _body = await get(f"http://127.0.0.1:{port}/healthz")
                break
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
        assert health == 200
        stranger = standin.user(7301)
        standin.feed_only(stranger_help(stranger))
        for _ in range(300):
            if stranger.last_text:
                break
            await asyncio.sleep(0.1)
        assert stranger.last_text  # polling answers while the server runs
        status, body = await get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert "process_resident_memory_bytes" in body  # prometheus_client's collectors
        assert "python_gc_collections_total" in body
        assert "nastavnik_outbox_depth 0.0" in body
        assert "nastavnik_updates_handled_total" in body
        assert "nastavnik_updates_in_flight" not in body  # a webhook-only figure
    finally:
        process.send_signal(signal.SIGINT)
        code = await asyncio.to_thread(process.wait, 30)
    log = log_path.read_text()
    assert code == 0, log
    assert "Traceback" not in log and "Unclosed" not in log, log


def stranger_help(user) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": user.chat,
            "from": user.user,
            "text": "/help",
        }
    }


async def test_a_busy_port_leaves_the_bot_running_without_the_routes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        settings = load_settings(web_host="127.0.0.1", web_port=port)
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        try:
            runner = await start_operations_server(settings, engine, create_session_factory(engine))
        finally:
            await engine.dispose()
    assert runner is None
    assert "set WEB_PORT to a free port" in caplog.text


async def test_the_export_histogram_is_observed_where_exports_are_built(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    before = metrics.EXPORT_SECONDS.count(kind="monitoring")
    operator = Actor(telegram_id=0, is_admin=True)
    await export_to(session_factory, operator, ExportScope(data.ids["M01"]), tmp_path / "x.xlsx")
    assert metrics.EXPORT_SECONDS.count(kind="monitoring") == before + 1
    assert 'nastavnik_export_seconds_count{kind="monitoring"}' in metrics.render().decode()
