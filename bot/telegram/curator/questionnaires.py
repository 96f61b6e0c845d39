"""Sending a pair's questionnaires when it is formed or completed: assignments through the
questionnaires seam, invitations through the outbox (the sender delivers them)."""

from __future__ import annotations

from datetime import timedelta

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram.notify import announce_assignments
from storage.models import utcnow
from storage.repositories.assignments import AssignmentRepository
from surveys.questionnaire import Catalogue, Moment


async def send_questionnaires(
    session: AsyncSession,
    i18n: I18n,
    catalogue: Catalogue,
    pair_id: int,
    moment: Moment,
    due_days: int,
) -> int:
    """Issue the moment's questionnaires to the pair's members; returns how many
    invitations were queued (0 when they had them already)."""
    due_at = utcnow() + timedelta(days=due_days)
    assignments = await AssignmentRepository(session).issue(pair_id, moment, catalogue, due_at)
    return await announce_assignments(session, i18n, assignments)
