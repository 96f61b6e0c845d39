"""The mid-programme check-in a round sends reaches each member of each working pair once:
a double press (two presses at the same moment), a re-run, a restart of the process and the
curator's own check-in afterwards queue nothing more. Against the real database (SQLite and,
with TEST_DATABASE_URL, PostgreSQL, where the two presses really run side by side)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.monitoring.outreach import Sent, round_checkins, school_checkins
from app.monitoring.rounds import open_round
from app.notices import OutboxNotices
from app.uow import UnitOfWork
from bot.i18n import create_i18n
from service.workers.rounds import RoundJob
from storage.db import create_engine, create_session_factory
from storage.models import Assignment, OutboxMessage, Person, utcnow
from surveys.access import Actor, Grant
from surveys.people import Role
from surveys.questionnaire import load_catalogue
from tests.rounds.test_round_snapshot import methodist, new_round
from tests.support.export_data import build_dataset

CATALOGUE = load_catalogue()
NOTICES = OutboxNotices(create_i18n())


async def press(factory: async_sessionmaker[AsyncSession], actor: Actor, round_id: int) -> Sent:
    async with UnitOfWork(factory) as uow:
        return await round_checkins(uow, actor, round_id, CATALOGUE, NOTICES, utcnow())


async def counted(factory: async_sessionmaker[AsyncSession]) -> tuple[list[tuple[int, int]], int]:
    """The check-ins (pair, person) and the invitations queued for them."""
    async with factory() as session:
        rows = await session.execute(
            select(Assignment.pair_id, Assignment.person_id)
            .where(Assignment.moment == "checkin")
            .order_by(Assignment.pair_id, Assignment.person_id)
        )
        checkins = [(row[0], row[1]) for row in rows]
        invitations = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "survey_invitation")
        )
    return checkins, int(invitations or 0)


async def test_a_rounds_checkin_goes_once_to_each_member(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    data = await build_dataset(session_factory)
    async with session_factory() as session, session.begin():  # reachable in Telegram
        await session.execute(update(Person).values(external_id=Person.telegram_id))
    keeper = methodist(data)
    # A round due in two days (from the real clock: the check-ins are due at its deadline).
    soon = new_round(data, deadline_day=utcnow().date() + timedelta(days=2))
    async with UnitOfWork(session_factory) as uow:
        found = await open_round(uow, keeper, soon, utcnow())
    round_id = found.id

    # A double press: two presses at once, each in its own unit of work.
    first, second = await asyncio.gather(
        press(session_factory, keeper, round_id), press(session_factory, keeper, round_id)
    )
    checkins, invitations = await counted(session_factory)
    # M01's working pairs this year: the group C>D,E and the lyceum's J>K.
    people = sorted(data.people[letter] for letter in "CDEJK")
    assert sorted(person for _pair, person in checkins) == people
    assert len(set(checkins)) == len(checkins) == 5
    assert first.pairs == second.pairs == 2
    assert first.queued + second.queued == invitations == 5

    # The round's button pressed again later, or the step re-run: nothing more.
    assert (await press(session_factory, keeper, round_id)).queued == 0
    # A restart: a new process (engine) on the same database.
    engine = create_engine(database_url)
    try:
        assert (await press(create_session_factory(engine), keeper, round_id)).queued == 0
    finally:
        await engine.dispose()
    # The rounds job, run twice in the round's last days:
    # it reminds, it sends no check-in again.
    job = RoundJob(session_factory, NOTICES)
    last_days = found.deadline - timedelta(days=1)
    first_run, second_run = await job.run_once(last_days), await job.run_once(last_days)
    assert first_run.reminded > 0 and second_run.reminded == 0
    # The curator's own check-in after the round's: the pairs have theirs already.
    curator = Actor(5, grants=(Grant(Role.CURATOR, organization_id=data.ids["S002"]),))
    async with UnitOfWork(session_factory) as uow:
        sent = await school_checkins(uow, curator, data.ids["S002"], CATALOGUE, NOTICES, 7)
    assert sent.queued == 0
    assert await counted(session_factory) == (checkins, invitations)
