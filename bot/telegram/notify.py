"""Messages that go out through the outbox, rendered in the recipient's own language."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from app.actions import pack
from app.survey.actions import OpenAssignment
from storage.models import Assignment, Person, QuestionnaireSnapshot
from storage.repositories.outbox import OutboxRepository


def _open_button(assignment: Assignment, label: str) -> dict[str, object]:
    button = InlineKeyboardButton(text=label, callback_data=pack(OpenAssignment(assignment.id)))
    return InlineKeyboardMarkup(inline_keyboard=[[button]]).model_dump(exclude_none=True)


async def queue_reminder(
    session: AsyncSession, i18n: I18n, assignment: Assignment, dedupe_suffix: str
) -> bool:
    """Queue one reminder about an unanswered assignment. The suffix names the occasion
    ("auto:1", "manual:2026-11-23T10") so that each occasion reminds at most once."""
    person = await session.get(Person, assignment.person_id)
    snapshot = await session.get(QuestionnaireSnapshot, assignment.snapshot_id)
    if person is None or snapshot is None or person.telegram_id is None:
        return False
    if person.unreachable_at is not None:
        return False
    with i18n.use_locale(person.locale):
        text = i18n.gettext("survey.reminder").format(
            title=snapshot.definition.get("title", snapshot.key),
            due=assignment.due_at.strftime("%d.%m.%Y"),
        )
        markup = _open_button(assignment, i18n.gettext("survey.continue"))
    return await OutboxRepository(session).enqueue(
        dedupe_key=f"assignment:{assignment.id}:reminder:{dedupe_suffix}",
        chat_id=person.telegram_id,
        person_id=person.id,
        kind="reminder",
        text=text,
        reply_markup=markup,
    )


async def announce_assignments(
    session: AsyncSession, i18n: I18n, assignments: Sequence[Assignment]
) -> int:
    """Queue one invitation per new assignment; returns how many were queued."""
    outbox = OutboxRepository(session)
    queued = 0
    for assignment in assignments:
        person = await session.get(Person, assignment.person_id)
        snapshot = await session.get(QuestionnaireSnapshot, assignment.snapshot_id)
        if person is None or snapshot is None or person.telegram_id is None:
            continue
        with i18n.use_locale(person.locale):
            text = i18n.gettext("survey.invitation").format(
                title=snapshot.definition.get("title", snapshot.key),
                due=assignment.due_at.strftime("%d.%m.%Y"),
            )
            markup = _open_button(assignment, i18n.gettext("survey.begin"))
        queued += await outbox.enqueue(
            dedupe_key=f"assignment:{assignment.id}:invitation",
            chat_id=person.telegram_id,
            person_id=person.id,
            kind="survey_invitation",
            text=text,
            reply_markup=markup,
        )
    return queued


class OutboxNotices:
    """app.curator.questionnaires.Notices for Telegram: texts in the person's language with
    an inline button that opens the questionnaire."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def invitations(self, session: AsyncSession, assignments: Sequence[Assignment]) -> int:
        return await announce_assignments(session, self.i18n, assignments)

    async def reminder(self, session: AsyncSession, assignment: Assignment, occasion: str) -> bool:
        return await queue_reminder(session, self.i18n, assignment, occasion)
