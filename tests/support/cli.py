"""The `nastavnik` command run as an operator runs it: in a process of its own, with this
checkout's code and nothing from the developer's environment that the command reads."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Settings the command reads from the environment: the developer's are not the operator's.
OPERATOR_SETTINGS = ("BOT_", "DATABASE_", "WEBHOOK_", "WEB_", "LOG_", "EXPORT_")


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nastavnik(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`nastavnik ARGS` in `cwd`, with `env` as the only settings given."""
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(OPERATOR_SETTINGS)
    }
    clean |= {"PYTHONPATH": str(ROOT), "WEB_PORT": str(closed_port()), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def spawn_nastavnik(
    command: str, workdir: Path, env: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """`nastavnik COMMAND` started in a process of its own in `workdir` (away from any
    developer's .env), with exactly `env`, its output (both streams) to `log_path`."""
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", command],
            cwd=workdir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
