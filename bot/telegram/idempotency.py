"""Each Telegram update is applied once, however often it is delivered.

The update id is recorded in handled_update in the SAME transaction as the handler's writes
(this middleware runs inside DbSessionMiddleware). If the transaction rolls back, the mark
goes with it and a redelivery is processed afresh; once committed, a redelivery is skipped.

PostgreSQL: the mark is inserted first, so a second worker holding the same update waits on
the row lock and then sees it taken. SQLite (one process; updates of a chat run one at a
time): a look-up first, and the mark added to the first commit the update makes, so the
single writer lock is not held while the handler talks to Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject, Update
from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app import metrics
from bot.telegram.deferred_fsm import apply_fsm_writes, begin_fsm_writes, end_fsm_writes
from bot.telegram.update_logs import UpdateTrace
from storage.models import HandledUpdate, utcnow
from storage.upsert import insert_ignore

log = logging.getLogger(__name__)
# Telegram gives up redelivering an update after 24 hours; a week is a wide margin.
KEEP_MARKS = timedelta(days=7)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
DUPLICATES = metrics.counter("nastavnik_duplicate_updates_total", "Redelivered updates skipped")


class HandledUpdateMiddleware(BaseMiddleware):
    """Marks the update handled, commits, and only then applies its conversation-state writes
    (bot/telegram/deferred_fsm.py), so the database and the FSM move on together or not at all."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        session: AsyncSession = data["session"]
        first_mark = session.get_bind().dialect.name == "postgresql"
        if first_mark:
            if not await _mark(session, event.update_id):
                return _skip(event, data)
        elif (await session.execute(_SEEN, {"update_id": event.update_id})).first():
            return _skip(event, data)
        writes, token = begin_fsm_writes()
        if not first_mark:
            # A handler may commit early (an answer is stored before the next question is
            # sent): the mark must ride on the first commit, whichever it is.
            session.sync_session.info[_MARK_ON_COMMIT] = event.update_id
        try:
            result = await handler(event, data)
            await session.commit()
        finally:
            end_fsm_writes(token)
            session.sync_session.info.pop(_MARK_ON_COMMIT, None)
        storage: BaseStorage | None = data.get("fsm_storage")
        if storage is not None:
            await apply_fsm_writes(storage, writes)
        return result


# Core statements on the table (not the ORM entity): no unit-of-work or bulk-insert paths.
_TABLE = cast(Table, HandledUpdate.__table__)
_MARK_ON_COMMIT = "handled_update_to_mark"
_SEEN = select(HandledUpdate.update_id).where(HandledUpdate.update_id == bindparam("update_id"))
_MARK = insert(_TABLE)


@sa_event.listens_for(Session, "before_commit")
def _mark_on_first_commit(session: Session) -> None:
    """Writes the handled-update mark in the first commit of the update's session (SQLite).

    One listener for every session (registering one per update is costly); sessions that
    carry no pending mark pass straight through."""
    update_id = session.info.pop(_MARK_ON_COMMIT, None)
    if update_id is not None:
        session.execute(_MARK, {"update_id": update_id, "handled_at": utcnow()})


async def _mark(session: AsyncSession, update_id: int) -> bool:
    """True when this worker took the update; False when it was handled (or is held) already."""
    values = {"update_id": update_id, "handled_at": utcnow()}
    return await insert_ignore(session, HandledUpdate, ["update_id"], **values)


def _skip(event: Update, data: dict[str, Any]) -> None:
    DUPLICATES.inc()
    trace: UpdateTrace | None = data.get("trace")
    if trace is not None:
        trace.duplicate = True
    return None


async def prune_handled_updates(session_factory: async_sessionmaker[AsyncSession]) -> int:
    """Forget marks too old to matter; returns how many went."""
    async with session_factory() as session, session.begin():
        result = await session.execute(
            delete(HandledUpdate).where(HandledUpdate.handled_at < utcnow() - KEEP_MARKS)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
