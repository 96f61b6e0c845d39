"""A check-in per pair member and ROUND: a programme that runs through two intermediate
rounds (two years) gets one check-in in each; within one round a double press, the job's
re-run and a restart still issue one. The curator's check-in while a round is open is that
round's (a keeper's press afterwards skips those members, and the other way round); outside
rounds it is one per member (`school`). Against the real database (SQLite and, with
TEST_DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.monitoring.outreach import Sent, school_checkins
from app.monitoring.rounds import close_round, open_round
from app.uow import UnitOfWork
from service.workers.rounds import RoundJob
from storage.db import create_engine, create_session_factory
from storage.models import Assignment, Person, Programme, utcnow
from storage.repositories.rounds import RoundRepository
from surveys.access import Actor, Grant
from surveys.people import Role
from surveys.rounds import RoundKind
from tests.rounds.test_round_checkin import CATALOGUE, NOTICES, press
from tests.rounds.test_round_snapshot import methodist, new_round
from tests.support.export_data import YEAR, build_dataset

INTERMEDIATE = RoundKind.INTERMEDIATE


async def checkins(factory: async_sessionmaker[AsyncSession]) -> Counter[tuple[int, str]]:
    """How many check-ins each person has on each occasion."""
    async with factory() as session:
        rows = await session.execute(
            select(Assignment.person_id, Assignment.occasion).where(Assignment.moment == "checkin")
        )
        return Counter((row[0], row[1]) for row in rows)


async def by_curator(
    factory: async_sessionmaker[AsyncSession], curator: Actor, school: int
) -> Sent:
    async with UnitOfWork(factory) as uow:
        return await school_checkins(uow, curator, school, CATALOGUE, NOTICES, 7)


async def test_two_rounds_two_checkins_one_within_each(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    data = await build_dataset(session_factory)
    async with session_factory() as session, session.begin():
        await session.execute(update(Person).values(external_id=Person.telegram_id))
        # Two-year programmes: they run through next year's intermediate round too.
        await session.execute(update(Programme).values(ends_on=date(YEAR + 2, 5, 31)))
    keeper = methodist(data)
    school = data.ids["S002"]
    curator = Actor(5, grants=(Grant(Role.CURATOR, organization_id=school),))
    people = {letter: data.people[letter] for letter in "CDEJK"}

    # Round 1 (this year's intermediate round).
    first = new_round(data, kind=INTERMEDIATE, deadline_day=utcnow().date() + timedelta(days=2))
    async with UnitOfWork(session_factory) as uow:
        round_1 = await open_round(uow, keeper, first, utcnow())
    async with session_factory() as session:
        progress = await RoundRepository(session).school_progress(round_1, school, ["checkin"])
    assert progress.without_checkin == 1  # J>K
    # The curator presses first: their school's pair gets the round's check-in, once.
    assert (await by_curator(session_factory, curator, school)).queued == 2
    assert (await by_curator(session_factory, curator, school)).queued == 0
    # Then the keeper, twice at once: only the other pair's three members.
    one, two = await asyncio.gather(
        press(session_factory, keeper, round_1.id), press(session_factory, keeper, round_1.id)
    )
    assert one.queued + two.queued == 3
    # Re-run, restart, the job in the last days: nothing more.
    assert (await press(session_factory, keeper, round_1.id)).queued == 0
    engine = create_engine(database_url)
    try:
        assert (await press(create_session_factory(engine), keeper, round_1.id)).queued == 0
    finally:
        await engine.dispose()
    job = RoundJob(session_factory, NOTICES)
    await job.run_once(round_1.deadline - timedelta(days=1))
    await job.run_once(round_1.deadline - timedelta(days=1))
    in_round_1 = f"round:{round_1.id}"
    assert await checkins(session_factory) == Counter(
        {(person, in_round_1): 1 for person in people.values()}
    )
    async with session_factory() as session:
        progress = await RoundRepository(session).school_progress(round_1, school, ["checkin"])
    assert progress.without_checkin == 0
    async with UnitOfWork(session_factory) as uow:
        await close_round(uow, keeper, round_1.id, utcnow())

    # Between rounds the curator's check-in is one per member (`school`).
    assert (await by_curator(session_factory, curator, school)).queued == 2
    assert (await by_curator(session_factory, curator, school)).queued == 0

    # Round 2 (next year's intermediate round): each member gets a second round check-in.
    second = new_round(
        data,
        kind=INTERMEDIATE,
        start=date(YEAR + 1, 9, 1),
        end=date(YEAR + 2, 8, 31),
        deadline_day=date(YEAR + 2, 5, 31),
    )
    async with UnitOfWork(session_factory) as uow:
        round_2 = await open_round(uow, keeper, second, utcnow())
    async with session_factory() as session:  # the check-ins of round 1 do not count
        progress = await RoundRepository(session).school_progress(round_2, school, ["checkin"])
    assert progress.without_checkin == 1
    one, two = await asyncio.gather(
        press(session_factory, keeper, round_2.id), press(session_factory, keeper, round_2.id)
    )
    assert (one.pairs, one.queued + two.queued) == (2, 5)
    assert (await press(session_factory, keeper, round_2.id)).queued == 0
    # The curator's press in round 2 is round 2's: nothing more.
    assert (await by_curator(session_factory, curator, school)).queued == 0
    async with session_factory() as session:  # round 2's status counts round 2's check-ins
        progress = await RoundRepository(session).school_progress(round_2, school, ["checkin"])
    assert (progress.moments[0].sent, progress.without_checkin) == (2, 0)
    in_round_2 = f"round:{round_2.id}"
    expected = Counter({(person, in_round_1): 1 for person in people.values()})
    expected.update({(person, in_round_2): 1 for person in people.values()})
    expected.update({(people["J"], "school"): 1, (people["K"], "school"): 1})
    assert await checkins(session_factory) == expected
