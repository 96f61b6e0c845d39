"""Structured logs: one line per event, JSON when LOG_FORMAT=json.

Update lines carry ids and timings only: update id, person id (our row id, never a name or a
Telegram username), handler, outcome, duration. Message texts are never logged.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["stack"] = _stack(record)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger event key=value …` — one line, no traceback bodies."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(
            f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD and v is not None
        )
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        error = ""
        if record.exc_info and record.exc_info[0] is not None:
            error = f" error={record.exc_info[0].__name__} stack={_stack(record)}"
        return f"{stamp} {record.levelname} {record.name} {record.getMessage()} {extra}{error}"


def _stack(record: logging.LogRecord) -> str:
    """Where it failed, without the exception's message: messages may quote what people typed."""
    assert record.exc_info is not None
    frames = traceback.extract_tb(record.exc_info[2])
    return " < ".join(
        f"{frame.name}@{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
        for frame in reversed(frames)
    )


def configure_logging(level: str, fmt: str) -> None:
    """Like logging.basicConfig: leaves alone a logging that is already set up (tests)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    quiet_chatty_loggers()
    # "Context impl SQLiteImpl", "Running upgrade …" on every command: only when debugging.
    logging.getLogger("alembic").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def quiet_chatty_loggers() -> None:
    """Even at DEBUG: aiosqlite logs every statement with its parameters (names people
    typed), and aiogram's own per-update line duplicates ours."""
    for name in ("aiosqlite", "aiogram.event", "asyncpg"):
        logging.getLogger(name).setLevel(logging.WARNING)
