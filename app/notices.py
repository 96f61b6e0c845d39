"""Messages about questionnaires that go out through the outbox, rendered in the
recipient's own language, to the recipient's own channel (person.channel; the outbox
sender draws the button the way that messenger wants, app/delivery.py). Whoever causes
them — a curator in Telegram or in MAX, the reminder job — queues the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import pack
from app.survey.actions import OpenAssignment
from storage.models import Assignment, Person, QuestionnaireSnapshot
from storage.repositories.assignments import AssignmentRepository, IssuedAssignment
from storage.repositories.directory import DirectoryRepository
from storage.repositories.outbox import OutboxItem, OutboxRepository
from surveys.zones import local


class I18n(Protocol):
    """The catalogue, switched to each recipient's language (aiogram's I18n is one)."""

    def use_locale(self, locale: str) -> AbstractContextManager[None]: ...

    def gettext(self, singular: str, plural: str | None = None, n: int = 1) -> str: ...


def _open_button(assignment_id: int, label: str) -> dict[str, Any]:
    """The button as the outbox stores it (Telegram's InlineKeyboardMarkup shape), built as a
    plain dict: thousands of invitations are rendered at once when pairs are formed in bulk."""
    data = pack(OpenAssignment(assignment_id))
    return {"inline_keyboard": [[{"text": label, "callback_data": data}]]}


async def queue_reminder(
    session: AsyncSession, i18n: I18n, assignment: Assignment, dedupe_suffix: str
) -> bool:
    """Queue one reminder about an unanswered assignment. The suffix names the occasion
    ("auto:1", "manual:2026-11-23T10") so that each occasion reminds at most once."""
    person = await session.get(Person, assignment.person_id)
    snapshot = await session.get(QuestionnaireSnapshot, assignment.snapshot_id)
    if person is None or snapshot is None or person.external_id is None:
        return False
    if person.unreachable_at is not None:
        return False
    zone_name = await DirectoryRepository(session).time_zone(person.organization_id)
    with i18n.use_locale(person.locale):
        text = i18n.gettext("survey.reminder").format(
            title=snapshot.definition.get("title", snapshot.key),
            due=local(assignment.due_at, zone_name).strftime("%d.%m.%Y"),
        )
        markup = _open_button(assignment.id, i18n.gettext("survey.continue"))
    return await OutboxRepository(session).enqueue(
        dedupe_key=f"assignment:{assignment.id}:reminder:{dedupe_suffix}",
        chat_id=person.external_id,  # their id in the channel they registered from
        person_id=person.id,
        kind="reminder",
        text=text,
        reply_markup=markup,
    )


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


async def announce_assignments(
    session: AsyncSession, i18n: I18n, assignments: Sequence[_HasId]
) -> int:
    """Queue one invitation per new assignment, all in one statement; returns how many
    were queued (an assignment announced before is not announced again)."""
    invitations = await AssignmentRepository(session).invitations([a.id for a in assignments])
    wording: dict[str, tuple[str, str]] = {}
    items: list[OutboxItem] = []
    for invitation in invitations:
        if invitation.locale not in wording:
            with i18n.use_locale(invitation.locale):
                wording[invitation.locale] = (
                    i18n.gettext("survey.invitation"),
                    i18n.gettext("survey.begin"),
                )
        text, begin = wording[invitation.locale]
        items.append(
            OutboxItem(
                dedupe_key=f"assignment:{invitation.assignment_id}:invitation",
                chat_id=invitation.chat_id,
                person_id=invitation.person_id,
                kind="survey_invitation",
                text=text.format(
                    title=invitation.title, due=invitation.due_at.strftime("%d.%m.%Y")
                ),
                reply_markup=_open_button(invitation.assignment_id, begin),
            )
        )
    return await OutboxRepository(session).enqueue_many(items)


class OutboxNotices:
    """app.curator.questionnaires.Notices for every channel: texts in the person's language
    with a button that opens the questionnaire."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def invitations(
        self, session: AsyncSession, assignments: Sequence[IssuedAssignment]
    ) -> int:
        return await announce_assignments(session, self.i18n, assignments)

    async def reminder(self, session: AsyncSession, assignment: Assignment, occasion: str) -> bool:
        return await queue_reminder(session, self.i18n, assignment, occasion)
