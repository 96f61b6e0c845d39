"""The outbox: messages queued in the same transaction as the change that causes them,
sent later by service.workers.outbox at Telegram's pace. A dedupe key makes queuing idempotent.

A sender claims a batch by moving it to "sending" with its name and a lease. On PostgreSQL
the claim skips rows another sender has locked (FOR UPDATE SKIP LOCKED), so any number of
senders share the table without two of them holding the same message; SQLite serialises
writers, and its compiler drops the lock clause. A lease that ran out (its sender died) is
claimable again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from storage.bulk import breathe, pieces
from storage.models import OutboxMessage, Person, utcnow
from storage.repositories.base import Repository
from storage.upsert import insert_ignore_many
from surveys.channels import ChannelName
from surveys.statuses import OutboxStatus

_ERROR_LENGTH = 300  # OutboxMessage.last_error


@dataclass(frozen=True)
class OutboxItem:
    """A message to queue: the dedupe key names the occasion, so queuing twice sends once."""

    dedupe_key: str
    chat_id: int
    person_id: int | None
    kind: str
    text: str
    reply_markup: dict[str, Any] | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    """A message one sender holds until `lease_until`."""

    id: int
    chat_id: int
    person_id: int | None
    kind: str
    text: str
    reply_markup: dict[str, Any] | None
    attempts: int
    lease_until: datetime
    channel: str = ChannelName.TELEGRAM  # the recipient's (person.channel)
    unreachable: bool = False  # the person blocked the bot and has not written since


@dataclass(frozen=True)
class OutboxDepth:
    pending: int  # waiting, due now or later
    sending: int  # claimed by a sender
    dead: int

    @property
    def unsent(self) -> int:
        return self.pending + self.sending


class OutboxRepository(Repository):
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
        item = OutboxItem(dedupe_key, chat_id, person_id, kind, text, reply_markup, not_before)
        return await self.enqueue_many([item]) == 1

    async def enqueue_many(self, items: Sequence[OutboxItem]) -> int:
        """Queue each message once per dedupe key, in one statement per STATEMENT_ROWS
        (ON CONFLICT DO NOTHING: a key queued before, or twice in `items`, is skipped);
        returns how many were queued now."""
        now = utcnow()
        queued = 0
        for index, piece in enumerate(pieces(items)):
            if index:
                await breathe()
            rows = [
                {
                    "dedupe_key": item.dedupe_key,
                    "chat_id": item.chat_id,
                    "person_id": item.person_id,
                    "kind": item.kind,
                    "text": item.text,
                    "reply_markup": item.reply_markup,
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": item.not_before or now,
                    "created_at": now,
                }
                for item in piece
            ]
            inserted = await insert_ignore_many(self.session, OutboxMessage, ["dedupe_key"], rows)
            queued += len(inserted)
        return queued

    async def claim(
        self, sender: str, limit: int, lease: timedelta, now: datetime | None = None
    ) -> list[ClaimedMessage]:
        """Take up to `limit` due messages for `sender`, and any whose lease ran out (their
        sender died): that is how a dead sender's claims come back.
        Call in a short transaction of its own and commit right away: the row locks are
        held until then."""
        now = now or utcnow()
        claimable = or_(
            and_(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
            ),
            and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
        )
        ids = (
            select(OutboxMessage.id)
            .where(claimable)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        # Two statements rather than UPDATE … WHERE id IN (subquery): the locked ids are
        # fixed before the update, whatever plan PostgreSQL picks for the subquery. The
        # update checks again: SQLite has no row locks (and pysqlite reads outside the
        # transaction), so only what is still claimable when the write lock is held counts.
        candidates = list(await self.session.scalars(ids))
        if not candidates:
            return []
        lease_until = now + lease
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates), claimable)
            .values(status=OutboxStatus.SENDING, claimed_by=sender, lease_until=lease_until)
            .returning(
                OutboxMessage.id,
                OutboxMessage.chat_id,
                OutboxMessage.person_id,
                OutboxMessage.kind,
                OutboxMessage.text,
                OutboxMessage.reply_markup,
                OutboxMessage.attempts,
                OutboxMessage.next_attempt_at,
            )
            .execution_options(synchronize_session=False)
        )
        rows = list((await self.session.execute(statement)).all())
        rows.sort(key=lambda row: (row.next_attempt_at, row.id))  # RETURNING has no order
        recipients = await self._recipients({row.person_id for row in rows} - {None})
        return [
            ClaimedMessage(
                row.id,
                row.chat_id,
                row.person_id,
                row.kind,
                row.text,
                row.reply_markup,
                row.attempts,
                lease_until,
                *recipients.get(row.person_id, (ChannelName.TELEGRAM, False)),
            )
            for row in rows
        ]

    async def _recipients(self, person_ids: set[int]) -> dict[int, tuple[str, bool]]:
        """Each recipient's channel (a message goes out through the messenger they use) and
        whether they blocked the bot (a 403 seen by any sender) and have not come back:
        their messages are given up without asking the messenger again."""
        if not person_ids:
            return {}
        rows = await self.session.execute(
            select(Person.id, Person.channel, Person.unreachable_at).where(
                Person.id.in_(sorted(person_ids))
            )
        )
        return {person_id: (channel, gone is not None) for person_id, channel, gone in rows}

    async def _settle(self, message_id: int, sender: str, **values: Any) -> bool:
        """Change a message this sender still holds; False when the claim was lost."""
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claimed_by == sender,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sent(self, message_id: int, sender: str, now: datetime | None = None) -> bool:
        return await self._settle(
            message_id,
            sender,
            status=OutboxStatus.SENT,
            sent_at=now or utcnow(),
            attempts=OutboxMessage.attempts + 1,
            lease_until=None,
            last_error=None,
        )

    async def reschedule(
        self, message_id: int, sender: str, at: datetime, error: str | None, *, failed: bool
    ) -> bool:
        """Back to pending until `at`; `failed` counts the attempt (a flood-control wait does
        not)."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": at,
            "lease_until": None,
        }
        if failed:
            values["attempts"] = OutboxMessage.attempts + 1
        if error is not None:
            values["last_error"] = error[:_ERROR_LENGTH]
        return await self._settle(message_id, sender, **values)

    async def mark_dead(self, message_id: int, sender: str, error: str) -> bool:
        return await self._settle(
            message_id,
            sender,
            status=OutboxStatus.DEAD,
            attempts=OutboxMessage.attempts + 1,
            lease_until=None,
            last_error=error[:_ERROR_LENGTH],
        )

    async def mark_unreachable(
        self, chat_id: int, person_id: int | None, error: str, now: datetime | None = None
    ) -> int:
        """The person blocked the bot: note it, and give up every unsent message to the
        chat at once rather than asking Telegram again for each. Returns how many."""
        now = now or utcnow()
        if person_id is not None:
            await self.session.execute(
                update(Person)
                .where(Person.id == person_id, Person.unreachable_at.is_(None))
                .values(unreachable_at=now)
                .execution_options(synchronize_session=False)
            )
        # By person where known: a chat id of one messenger may be a user id of another.
        addressed = (
            OutboxMessage.person_id == person_id
            if person_id is not None
            else OutboxMessage.chat_id == chat_id
        )
        result = await self.session.execute(
            update(OutboxMessage)
            .where(addressed, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.DEAD, last_error=error[:_ERROR_LENGTH])
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, sender: str) -> int:
        """Hand back everything this sender still holds, due at once (a clean stop)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_by == sender, OutboxMessage.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.PENDING, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def depth(self) -> OutboxDepth:
        rows = await self.session.execute(
            select(OutboxMessage.status, func.count())
            .where(
                OutboxMessage.status.in_(
                    (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.DEAD)
                )
            )
            .group_by(OutboxMessage.status)
        )
        counts = {status: int(count) for status, count in rows}
        return OutboxDepth(
            counts.get(OutboxStatus.PENDING, 0),
            counts.get(OutboxStatus.SENDING, 0),
            counts.get(OutboxStatus.DEAD, 0),
        )
