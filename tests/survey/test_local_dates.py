"""Dates people read are on their school's clock (the directory's time zone), not UTC: a
questionnaire due at 20:00 UTC is due the next day in Vladivostok (UTC+10) and the same day
in Moscow (UTC+3), in the invitation, in /survey's list and in a reminder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.notices import queue_reminder
from bot.i18n import create_i18n
from storage.models import Assignment, Organization, OutboxMessage, utcnow
from tests.conftest import BotHarness
from tests.support.factories import seed_directory
from tests.support.survey_factories import deliver_invitations, issue_pair

MENTOR, MENTEE = 7_101, 7_102


async def test_due_dates_are_shown_on_the_schools_clock(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    async with harness.session_factory() as session, session.begin():
        await session.execute(
            update(Organization)
            .where(Organization.id == ids["S001"])
            .values(timezone="Asia/Vladivostok")
        )
    due = (utcnow() + timedelta(days=10)).replace(hour=20, minute=0, second=0, microsecond=0)
    utc_day, local_day = f"{due:%d.%m.%Y}", f"{due + timedelta(days=1):%d.%m.%Y}"
    issued = await issue_pair(
        harness.session_factory, ids["S001"], mentor_tg=MENTOR, mentee_tg=MENTEE, due_at=due
    )
    anna = harness.standin.user(MENTEE, first_name="Анна")

    assert await deliver_invitations(harness.session_factory, harness.bot) >= 1
    assert f"до {local_day}" in (anna.last_text or "")
    assert utc_day not in (anna.last_text or "")

    await anna.send("/survey")
    listing = "\n".join(message.text or "" for message in anna.messages[-3:])
    assert f"до {local_day}" in listing and utc_day not in listing

    async with harness.session_factory() as session, session.begin():
        assignment = await session.get(Assignment, issued.assignments[issued.mentee_id])
        assert assignment is not None
        assert await queue_reminder(session, create_i18n(), assignment, "manual:test")
    async with harness.session_factory() as session:
        reminder = await session.scalar(
            select(OutboxMessage.text).where(OutboxMessage.kind == "reminder")
        )
    assert reminder is not None and f"до {local_day}" in reminder


async def test_the_default_zone_is_moscow(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    due = (utcnow() + timedelta(days=10)).replace(hour=20, minute=0, second=0, microsecond=0)
    await issue_pair(
        harness.session_factory, ids["S002"], mentor_tg=MENTOR, mentee_tg=MENTEE, due_at=due
    )
    anna = harness.standin.user(MENTEE, first_name="Анна")
    assert await deliver_invitations(harness.session_factory, harness.bot) >= 1
    assert f"до {due:%d.%m.%Y}" in (anna.last_text or "")  # 23:00 in Moscow, the same day
