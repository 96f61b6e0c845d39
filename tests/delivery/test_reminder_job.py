"""The reminder job on the real database: the right reminders, each once, in the person's
language and the organization's daytime; overdue assignments expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import create_i18n
from service.workers.reminders import ReminderJob
from storage.models import Assignment, Organization, OutboxMessage
from surveys.reminders import QuietHours, ReminderSchedule
from tests.support.delivery_data import outbox_rows, pair_with_assignments, register
from tests.support.factories import seed_directory

SCHEDULE = ReminderSchedule((3, 7), QuietHours(21, 9))
ISSUED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUE = ISSUED + timedelta(days=10)


async def setup(factory: async_sessionmaker[AsyncSession]) -> dict[str, list[int]]:
    """A pair in a Moscow school and a pair in a Vladivostok school, issued at ISSUED."""
    orgs = await seed_directory(factory)
    async with factory() as session, session.begin():
        await session.execute(
            update(Organization)
            .where(Organization.id == orgs["S002"])
            .values(timezone="Asia/Vladivostok")
        )
    moscow = await register(factory, [101, 102], orgs["S001"])
    east = await register(factory, [201, 202], orgs["S002"], locale="en")
    return {
        "moscow": await pair_with_assignments(
            factory, orgs["S001"], list(moscow.values()), ISSUED, DUE, number=1
        ),
        "east": await pair_with_assignments(
            factory, orgs["S002"], list(east.values()), ISSUED, DUE, number=2
        ),
    }


def reminder_keys(rows: list[OutboxMessage]) -> set[str]:
    return {row.dedupe_key for row in rows if row.kind == "reminder"}


async def test_reminders_follow_schedule_and_local_daytime_once_each(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await setup(session_factory)
    job = ReminderJob(session_factory, create_i18n(), SCHEDULE)

    assert (await job.run_once(ISSUED + timedelta(days=2))).queued == 0

    # Day 3, 12:00 UTC: daytime in Moscow, 22:00 in Vladivostok.
    day3 = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
    assert (await job.run_once(day3)).queued == 2
    assert (await job.run_once(day3 + timedelta(minutes=5))).queued == 0  # run twice: once
    expected = {f"assignment:{a}:reminder:auto:1" for a in ids["moscow"]}
    assert reminder_keys(await outbox_rows(session_factory)) == expected

    # Next morning in Vladivostok (00:00 UTC): their turn; Moscow is asleep and done anyway.
    morning_east = datetime(2026, 11, 6, 0, 0, tzinfo=UTC)
    assert (await job.run_once(morning_east)).queued == 2
    expected |= {f"assignment:{a}:reminder:auto:1" for a in ids["east"]}
    assert reminder_keys(await outbox_rows(session_factory)) == expected

    # Day 7 at 09:00 UTC: noon in Moscow, 19:00 in Vladivostok; the second step for all.
    day7 = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    assert (await job.run_once(day7)).queued == 4
    assert (await job.run_once(day7)).queued == 0
    expected |= {f"assignment:{a}:reminder:auto:2" for group in ids.values() for a in group}
    rows = await outbox_rows(session_factory)
    assert reminder_keys(rows) == expected

    async with session_factory() as session:
        assignments = list(await session.scalars(select(Assignment)))
    assert {(a.reminders_sent, a.last_reminded_at) for a in assignments} == {(2, day7)}
    # Each reminder in its person's language.
    english = {row.chat_id: row.text for row in rows if row.chat_id in (201, 202)}
    russian = {row.chat_id: row.text for row in rows if row.chat_id in (101, 102)}
    assert all("Напоминаем" in text for text in russian.values())
    assert all("Напоминаем" not in text for text in english.values())


async def test_answered_assignments_are_not_reminded_and_overdue_ones_expire(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await setup(session_factory)
    answered = ids["moscow"][0]
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Assignment).where(Assignment.id == answered).values(status="submitted")
        )
    job = ReminderJob(session_factory, create_i18n(), SCHEDULE)

    report = await job.run_once(datetime(2026, 11, 6, 6, 0, tzinfo=UTC))
    assert report.queued == 3 and report.expired == 0
    assert f"assignment:{answered}:reminder:auto:1" not in reminder_keys(
        await outbox_rows(session_factory)
    )

    after_due = DUE + timedelta(hours=1)
    report = await job.run_once(after_due)
    assert report == type(report)(queued=0, expired=3)
    async with session_factory() as session:
        statuses = {a.id: a.status for a in await session.scalars(select(Assignment))}
    assert statuses.pop(answered) == "submitted"
    assert set(statuses.values()) == {"expired"}
    assert (await job.run_once(after_due)).expired == 0
