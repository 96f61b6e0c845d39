"""Erasing personal data (152-ФЗ): a person's, when they withdraw consent (/forget), and a
completed programme's, when the retention period after its completion has passed.

What identifies a person goes: their name and messenger id, their free-text answers, the
roster rows that name them, the messages queued to them. What counts stays: the anonymous
person row (category, organization, roles), pairs, and scale, yes/no and choice answers,
so that the figures of a school or a district do not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Update, func, or_, select, update

from storage.models import (
    Answer,
    Assignment,
    Organization,
    OutboxMessage,
    Pair,
    Person,
    Programme,
    QuestionnaireSnapshot,
    RosterEntry,
)
from storage.repositories.base import Repository
from surveys.questionnaire import QuestionKind, load_data
from surveys.statuses import OPEN_ASSIGNMENT, OutboxStatus, ProgrammeStatus, sources_of

# What an erased outbox row keeps: its status and dates, for the delivery figures.
ERASED_CHAT = 0
ERASED_TEXT = ""


@dataclass(frozen=True)
class Erased:
    """What one erasure changed, by kind of row."""

    person_id: int
    outbox_cancelled: int  # not sent yet: they will not be
    outbox_cleared: int  # every message to them, sent or not: chat id and text gone
    answers: int  # free-text answers emptied
    roster_rows: int


@dataclass(frozen=True)
class ExpiredProgramme:
    """A completed programme past the retention period, and its personal data still kept."""

    programme_id: int
    organization: str
    title: str
    completed_at: datetime
    roster_names: int  # roster rows that still carry a name
    free_text: int  # free-text answers not yet emptied


class ErasureRepository(Repository):
    async def erase_person(self, person_id: int, now: datetime) -> Erased | None:
        """Erase everything that identifies `person_id`; None when there is nothing
        (no such person, or erased before). Runs in the caller's transaction."""
        person = await self.session.get(Person, person_id, with_for_update=True)
        if person is None or person.forgotten_at is not None:
            return None
        name, telegram_id = person.full_name, person.telegram_id
        cancelled, cleared = await self._outbox(person_id, telegram_id)
        answers = await self._free_text(Assignment.person_id == person_id)
        roster = await self._roster(person_id, name, person.organization_id)
        person.telegram_id = None
        person.external_id = None
        person.full_name = None
        person.grade = None
        person.forgotten_at = now
        await self.session.flush()
        return Erased(person_id, cancelled, cleared, answers, roster)

    async def expired_programmes(self, completed_before: datetime) -> list[ExpiredProgramme]:
        """Completed programmes past the retention period whose personal data are still
        there, with what would go; oldest first. A programme still being answered (an open
        questionnaire) waits until it is closed."""
        still_open = (
            select(Assignment.id)
            .join(Pair, Pair.id == Assignment.pair_id)
            .where(Pair.programme_id == Programme.id, Assignment.status.in_(OPEN_ASSIGNMENT))
            .exists()
        )
        rows = await self.session.execute(
            select(Programme.id, Organization.name, Programme.title, Programme.completed_at)
            .join(Organization, Organization.id == Programme.organization_id)
            .where(
                Programme.status == ProgrammeStatus.COMPLETED,
                Programme.completed_at <= completed_before,
                Programme.erased_at.is_(None),
                ~still_open,
            )
            .order_by(Programme.completed_at, Programme.id)
        )
        found = []
        for programme_id, organization, title, completed_at in rows.all():
            assert completed_at is not None  # the query asks for completed_at <= …
            names = await self.session.scalar(
                select(func.count(RosterEntry.id)).where(_roster_of(programme_id))
            )
            texts = await self._free_text(_assignments_of(programme_id), erase=False)
            found.append(
                ExpiredProgramme(programme_id, organization, title, completed_at, names or 0, texts)
            )
        return found

    async def erase_programme(
        self, programme: ExpiredProgramme, now: datetime
    ) -> ExpiredProgramme | None:
        """Erase the programme's roster names and free-text answers and mark it erased;
        returns what went, None when another run did it first."""
        marked = await self._rowcount(
            update(Programme)
            .where(Programme.id == programme.programme_id, Programme.erased_at.is_(None))
            .values(erased_at=now)
        )
        if not marked:
            return None
        names = await self._rowcount(
            update(RosterEntry).where(_roster_of(programme.programme_id)).values(full_name=None)
        )
        texts = await self._free_text(_assignments_of(programme.programme_id))
        return replace(programme, roster_names=names, free_text=texts)

    async def _outbox(self, person_id: int, telegram_id: int | None) -> tuple[int, int]:
        mine: ColumnElement[bool] = OutboxMessage.person_id == person_id
        if telegram_id is not None:  # a message queued to the chat without the person id
            mine = or_(mine, OutboxMessage.chat_id == telegram_id)
        cancelled = await self._rowcount(
            update(OutboxMessage)
            .where(mine, OutboxMessage.status.in_(sources_of(OutboxStatus.CANCELLED)))
            .values(status=OutboxStatus.CANCELLED, lease_until=None)
        )
        cleared = await self._rowcount(
            update(OutboxMessage)
            .where(mine)
            .values(
                chat_id=ERASED_CHAT,
                text=ERASED_TEXT,
                reply_markup=None,
                last_error=None,
            )
        )
        return cancelled, cleared

    async def _free_text(self, assignments: ColumnElement[bool], erase: bool = True) -> int:
        """Empty (or, without `erase`, count) the free-text answers of the assignments
        matching `assignments`; the answers to other kinds of question stay for the figures."""
        snapshots = await self.session.scalars(
            select(Assignment.snapshot_id).where(assignments).distinct()
        )
        done = 0
        for snapshot_id, keys in (await self._text_keys(list(snapshots))).items():
            if not keys:
                continue
            ids = select(Assignment.id).where(assignments, Assignment.snapshot_id == snapshot_id)
            answered = (
                Answer.assignment_id.in_(ids),
                Answer.question_key.in_(keys),
                Answer.value_text.is_not(None),
            )
            if erase:
                done += await self._rowcount(
                    update(Answer).where(*answered).values(value_text=None)
                )
            else:
                done += (
                    await self.session.scalar(select(func.count(Answer.id)).where(*answered)) or 0
                )
        return done

    async def _text_keys(self, snapshot_ids: Iterable[int]) -> dict[int, list[str]]:
        rows = await self.session.execute(
            select(QuestionnaireSnapshot.id, QuestionnaireSnapshot.definition).where(
                QuestionnaireSnapshot.id.in_(list(snapshot_ids))
            )
        )
        return {
            snapshot_id: [
                question.key
                for question in load_data(definition, f"snapshot {snapshot_id}").questions
                if question.kind is QuestionKind.TEXT
            ]
            for snapshot_id, definition in rows
        }

    async def _roster(self, person_id: int, name: str | None, organization_id: int | None) -> int:
        """Rows bound to the person, and unbound rows of their organization's programmes
        with exactly their name (they registered through a general link, not their own)."""
        theirs: ColumnElement[bool] = RosterEntry.person_id == person_id
        if name and organization_id is not None:
            programmes = select(Programme.id).where(Programme.organization_id == organization_id)
            theirs = or_(
                theirs,
                (RosterEntry.person_id.is_(None))
                & (RosterEntry.full_name == name)
                & RosterEntry.programme_id.in_(programmes),
            )
        return await self._rowcount(
            update(RosterEntry)
            .where(theirs, RosterEntry.full_name.is_not(None))
            .values(full_name=None)
        )

    async def _rowcount(self, statement: Update) -> int:
        result = await self.session.execute(statement.execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _roster_of(programme_id: int) -> ColumnElement[bool]:
    return (RosterEntry.programme_id == programme_id) & RosterEntry.full_name.is_not(None)


def _assignments_of(programme_id: int) -> ColumnElement[bool]:
    return Assignment.pair_id.in_(select(Pair.id).where(Pair.programme_id == programme_id))
