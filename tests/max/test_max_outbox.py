"""Invitations and reminders through the outbox reach each person in their own messenger:
one sender, one database, Telegram people through the Bot API stand-in and MAX people
through the MAX stand-in; a 429 from MAX is waited out, a person who stopped the bot in
MAX is marked unreachable."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from app.notices import queue_reminder
from bot.i18n import create_i18n
from bot.max.delivery import MaxDelivery
from service.workers.outbox import OutboxSender, SenderConfig
from storage.models import Assignment, OutboxMessage, Person
from surveys.channels import ChannelName
from tests.conftest import BotHarness
from tests.support.factories import seed_directory
from tests.support.max_harness import MaxHarness
from tests.support.survey_factories import IssuedPair, issue_pair

MENTOR_TG, MENTEE_MAX, MENTEE_TG, MENTOR2_TG = 8201, 8202, 8203, 8204
FAST = SenderConfig(
    batch_size=20,
    lease=timedelta(seconds=60),
    retry_base=0.05,
    poll_interval=0.05,
)


async def _pair(max_harness: MaxHarness) -> IssuedPair:
    """Two pairs of one school: a mentee in MAX, another in Telegram (the questionnaire
    of these tests is the mentees')."""
    ids = await seed_directory(max_harness.session_factory)
    issued = await issue_pair(
        max_harness.session_factory,
        ids["S001"],
        mentor_tg=MENTOR_TG,
        mentee_tg=MENTEE_MAX,
        mentee_channel=ChannelName.MAX,
    )
    await issue_pair(
        max_harness.session_factory,
        ids["S001"],
        mentor_tg=MENTOR2_TG,
        mentee_tg=MENTEE_TG,
        number=2,
    )
    return issued


async def _drain(harness: BotHarness, max_harness: MaxHarness) -> OutboxSender:
    channels = {ChannelName.MAX.value: MaxDelivery(max_harness.edge.client)}
    sender = OutboxSender(harness.bot, max_harness.session_factory, FAST, channels=channels)
    await asyncio.wait_for(sender.run(until_empty=True), 60)
    return sender


async def _statuses(max_harness: MaxHarness) -> dict[int, str]:
    async with max_harness.session_factory() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status))
        return {chat_id: status for chat_id, status in rows}


async def test_invitations_go_out_through_each_persons_channel(
    harness: BotHarness, max_harness: MaxHarness
) -> None:
    issued = await _pair(max_harness)
    anna = max_harness.standin.user(MENTEE_MAX, first_name="Анна")
    # MAX asks to slow down twice: the client waits it out, nothing is lost or doubled.
    max_harness.standin.fail_next("POST", "/messages", MENTEE_MAX, status=429, times=2)

    sender = await _drain(harness, max_harness)

    assert sender.stats.sent == 2 and sender.stats.dead == 0
    telegram = [c for c in harness.standin.calls if c.method == "sendMessage" and not c.rejected]
    assert [call.chat_id for call in telegram] == [MENTEE_TG]
    assert len(anna.messages) == 1
    assert "анкета" in (anna.last_text or "").lower()
    floods = [c for c in max_harness.standin.calls_to("POST", "/messages") if c.status == 429]
    assert len(floods) == 2
    # The invitation's button opens her questionnaire in MAX.
    await anna.press(anna.button("Начать"))
    assert "Вопрос 1 из 5" in (anna.last_text or "")
    assert await _statuses(max_harness) == {MENTEE_TG: "sent", MENTEE_MAX: "sent"}
    async with max_harness.session_factory() as session:
        assignment = await session.get(Assignment, issued.assignments[issued.mentee_id])
        assert assignment is not None and assignment.status == "in_progress"


async def test_a_person_who_stopped_the_bot_in_max_is_marked_unreachable(
    harness: BotHarness, max_harness: MaxHarness
) -> None:
    issued = await _pair(max_harness)
    max_harness.standin.block(MENTEE_MAX)  # stopped the bot without us hearing bot_stopped

    sender = await _drain(harness, max_harness)

    assert sender.stats.unreachable == 1
    assert await _statuses(max_harness) == {MENTEE_TG: "sent", MENTEE_MAX: "dead"}
    async with max_harness.session_factory() as session, session.begin():
        person = await session.get(Person, issued.mentee_id)
        assert person is not None and person.unreachable_at is not None
        assert person.channel == ChannelName.MAX
        # Telegram people are untouched.
        reachable = await session.scalars(select(Person).where(Person.id != issued.mentee_id))
        assert [person.unreachable_at for person in reachable] == [None] * 3
        # No reminder is queued for someone we cannot reach.
        assignment = await session.get(Assignment, issued.assignments[issued.mentee_id])
        assert assignment is not None
        assert not await queue_reminder(session, create_i18n(), assignment, "manual:test")


async def test_reminders_reach_max_people(harness: BotHarness, max_harness: MaxHarness) -> None:
    issued = await _pair(max_harness)
    anna = max_harness.standin.user(MENTEE_MAX, first_name="Анна")
    await _drain(harness, max_harness)
    async with max_harness.session_factory() as session, session.begin():
        assignment = await session.get(Assignment, issued.assignments[issued.mentee_id])
        assert assignment is not None
        assert await queue_reminder(session, create_i18n(), assignment, "manual:test")

    await _drain(harness, max_harness)

    assert len(anna.messages) == 2
    assert (anna.last_text or "").startswith("Напоминаем об анкете")
    await anna.press(anna.button("Перейти к анкете"))
    assert "Вопрос 1 из 5" in (anna.last_text or "")
