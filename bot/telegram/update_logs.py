"""One log line per Telegram update: ids and timings only (update id, person id, handler,
outcome, duration); message texts are never logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, Update

from app import metrics

log = logging.getLogger("nastavnik.update")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass
class UpdateTrace:
    """Filled in while an update travels through the dispatcher; logged when it is done."""

    handler: str | None = None
    duplicate: bool = False


class UpdateLogMiddleware(BaseMiddleware):
    """Outermost of ours: times the update and writes its one log line."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = data["trace"] = UpdateTrace()
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await handler(event, data)
        except Exception:
            outcome = "error"
            metrics.HANDLER_ERRORS.inc()
            raise
        finally:
            seconds = time.perf_counter() - started
            if trace.duplicate:
                outcome = "duplicate"
            elif outcome == "ok" and trace.handler is None:
                outcome = "unhandled"
            metrics.UPDATES_HANDLED.inc(outcome=outcome)
            metrics.UPDATE_SECONDS.observe(seconds)
            actor = data.get("actor")
            log.info(
                "update",
                extra={
                    "update_id": event.update_id if isinstance(event, Update) else None,
                    "type": event.event_type if isinstance(event, Update) else None,
                    "person_id": getattr(actor, "person_id", None),
                    "handler": trace.handler,
                    "outcome": outcome,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )


class HandlerNameMiddleware(BaseMiddleware):
    """Inner middleware: notes which handler the router picked."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace: UpdateTrace | None = data.get("trace")
        picked = data.get("handler")
        if trace is not None and picked is not None:
            callback = picked.callback
            trace.handler = f"{callback.__module__}.{callback.__qualname__}"
        return await handler(event, data)


def setup_update_logs(dispatcher: Dispatcher) -> None:
    dispatcher.update.outer_middleware(UpdateLogMiddleware())
    for name, observer in dispatcher.observers.items():
        if name not in ("update", "error"):
            observer.middleware(HandlerNameMiddleware())
