"""Bot worker processes for the multi-worker and crash tests: `python -m service.cli.main webhook`
of THIS checkout (PYTHONPATH), each on its own port, stopped or SIGKILLed by the test."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.conftest import ADMIN_ID, TOKEN
from tests.support.cli import ROOT, spawn_nastavnik
from tests.support.webhook_standin import SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 20) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _spawn(workdir: Path, port: int, env: dict[str, str]) -> Worker:
    log_path = workdir / f"worker-{port}-{len(list(workdir.glob('worker-*')))}.log"
    return Worker(spawn_nastavnik("webhook", workdir, env, log_path), port, log_path)


async def start_worker(
    workdir: Path,
    api_url: str,
    database_url: str,
    redis_url: str,
    port: int | None = None,
    **extra_env: str,
) -> Worker:
    port = port or free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": api_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "WEBHOOK_SECRET": SECRET,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "LOG_FORMAT": "json",
        "CHAT_LOCK_SECONDS": "3",
        **extra_env,
    }
    env.pop("WEBHOOK_URL", None)
    worker = _spawn(workdir, port, env)
    async with aiohttp.ClientSession() as client:
        for _ in range(300):
            if worker.process.poll() is not None:
                code = worker.process.returncode
                raise AssertionError(f"worker exited with {code}: {worker.log()}")
            try:
                async with client.get(worker.url + "/healthz") as response:
                    if response.status == 200:
                        return worker
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    worker.kill()
    raise AssertionError(f"worker did not become healthy: {worker.log()}")
