"""The database went away mid-update (restart, failover, a cut connection): the update's
transaction is already rolled back, so nothing is half-written; the person is asked to
repeat the step. Listed before `errors`, whose handler takes everything else.

Overload is different: no free database connection within the pool's timeout, or Redis
(conversation state, chat locks) away for longer than bot/telegram/chat_state.py waits.
Nothing of the update happened, and Telegram may simply deliver it again: the error goes on
up, the webhook answers 500, the person hears nothing false and gets their answer from the
redelivery."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import metrics
from app.uow import UnitOfWork
from bot.telegram.chat_state import ChatStateUnavailable
from bot.telegram.common.errors import failure_text

log = logging.getLogger(__name__)
DATABASE_FAILURES = metrics.counter(
    "nastavnik_database_failures_total", "Updates refused because the database was unreachable"
)
REDELIVERIES = metrics.counter(
    "nastavnik_updates_for_redelivery_total",
    "Updates left for Telegram to deliver again (no database connection or Redis in time)",
)


async def overloaded(event: ErrorEvent, **data: Any) -> None:
    error = event.exception
    uow: UnitOfWork | None = data.get("uow")
    if uow is not None and uow.committed:  # done already: a redelivery would be skipped
        log.warning("overloaded after the commit", extra={"error": type(error).__name__})
        return
    REDELIVERIES.inc()
    log.warning(
        "left for redelivery",
        extra={"update_id": event.update.update_id, "error": type(error).__name__},
    )
    raise error


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
    uow: UnitOfWork | None = data.get("uow")
    text = failure_text(data) if uow is not None and uow.committed else _("production.retry")
    try:
        await bot.send_message(chat_id, text)
    except Exception:
        log.warning("could not ask the person to retry", extra={"update_id": update.update_id})


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(overloaded, ExceptionTypeFilter(PoolTimeout, ChatStateUnavailable))
    router.errors.register(
        database_unavailable, ExceptionTypeFilter(DBAPIError, ConnectionError, TimeoutError)
    )
    return router
