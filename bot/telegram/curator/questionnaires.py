"""Sending pairs' questionnaires when they are formed or completed: assignments through the
questionnaires seam, invitations through the outbox (the sender delivers them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.notify import announce_assignments
from storage.bulk import breathe
from storage.models import utcnow
from storage.repositories.assignments import AssignmentRepository
from surveys.questionnaire import Catalogue, Moment


async def send_questionnaires(
    session: AsyncSession,
    i18n: I18n,
    catalogue: Catalogue,
    pair_ids: Sequence[int],
    moment: Moment,
    due_days: int,
) -> int:
    """Issue the moment's questionnaires to the pairs' members (one multi-row insert) and
    queue their invitations (one more); returns how many invitations were queued (0 for
    members who had them already)."""
    due_at = utcnow() + timedelta(days=due_days)
    assignments = await AssignmentRepository(session).issue_many(
        pair_ids, moment, catalogue, due_at
    )
    await breathe()
    return await announce_assignments(session, i18n, assignments)
