"""The database went away mid-update (restart, failover, a cut connection): the update's
transaction is already rolled back, so nothing is half-written; the person is asked to
repeat the step. Listed before `errors`, whose handler takes everything else."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError

from app import metrics

log = logging.getLogger(__name__)
DATABASE_FAILURES = metrics.counter(
    "nastavnik_database_failures_total", "Updates refused because the database was unreachable"
)


async def database_unavailable(event: ErrorEvent, bot: Bot, **data: Any) -> None:
    DATABASE_FAILURES.inc()
    update = event.update
    log.warning(
        "database unavailable",
        extra={"update_id": update.update_id, "error": type(event.exception).__name__},
    )
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
        try:
            await update.callback_query.answer()
        except Exception:
            log.warning("could not answer the button press")
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, _("production.retry"))
    except Exception:
        log.warning("could not ask the person to retry", extra={"update_id": update.update_id})


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(
        database_unavailable, ExceptionTypeFilter(DBAPIError, ConnectionError, TimeoutError)
    )
    return router
