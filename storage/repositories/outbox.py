"""The outbox: messages queued in the same transaction as the change that causes them,
sent later by bot.delivery at Telegram's pace. A dedupe key makes queuing idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, utcnow
from storage.upsert import insert_ignore


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        dedupe_key: str,
        chat_id: int,
        person_id: int | None,
        kind: str,
        text: str,
        reply_markup: dict[str, Any] | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Queue a message once per dedupe key; False when that key was queued before."""
        return await insert_ignore(
            self.session,
            OutboxMessage,
            ["dedupe_key"],
            dedupe_key=dedupe_key,
            chat_id=chat_id,
            person_id=person_id,
            kind=kind,
            text=text,
            reply_markup=reply_markup,
            status="pending",
            attempts=0,
            next_attempt_at=not_before or utcnow(),
            created_at=utcnow(),
        )
