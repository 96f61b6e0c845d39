"""Revision 0009 (a check-in per round) upgrades a database that has check-ins from before:
every row stays (answers too, though SQLite copies the assignment table), the old check-ins
become the curator's (`school`), the workbook's figures (check-ins as the third moment
included) are the same, a curator's press still issues nothing and a round's check-in goes
to those who had one before. On SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.monitoring.outreach import round_checkins, school_checkins
from app.monitoring.rounds import open_round
from app.notices import OutboxNotices
from app.uow import UnitOfWork
from bot.i18n import create_i18n
from exports.workbook import ExportOptions
from storage.db import create_session_factory
from storage.migrate import downgrade, upgrade
from storage.models import Answer, Assignment, Organization, Person, utcnow
from storage.repositories.assignments import AssignmentRepository
from storage.repositories.export_scope import ExportScope
from storage.repositories.rounds import RoundRepository
from surveys.access import Actor, Grant
from surveys.people import Role
from surveys.questionnaire import Moment, load_catalogue
from tests.rounds.test_round_snapshot import methodist, new_round
from tests.support.empty_databases import empty_database
from tests.support.export_data import Dataset, build_dataset
from tests.support.export_helpers import export_to

SCHEMA = "checkin_occasion"
BEFORE = "0008_monitoring_rounds"
CATALOGUE = load_catalogue()
NOTICES = OutboxNotices(create_i18n())


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with empty_database(request.param, tmp_path, SCHEMA) as made:
        yield made


async def checkins_as_before(factory: async_sessionmaker[AsyncSession], data: Dataset) -> None:
    """Check-ins for M01's working pairs as they were issued before 0009 (one per member,
    no occasion); C and K answer theirs."""
    async with factory() as session, session.begin():
        await session.execute(update(Person).values(external_id=Person.telegram_id))
        schools = await session.scalars(
            select(Organization.id).where(Organization.municipality_id == data.ids["M01"])
        )
        pairs: list[int] = []
        for school in schools:
            pairs += await RoundRepository(session).working_pairs(school)
        due = utcnow() + timedelta(days=7)
        await AssignmentRepository(session).issue_many(pairs, Moment.CHECKIN, CATALOGUE, due)
        answered = await session.scalars(
            select(Assignment).where(
                Assignment.moment == "checkin",
                Assignment.person_id.in_([data.people["C"], data.people["K"]]),
            )
        )
        for assignment in answered:
            assignment.status, assignment.submitted_at = "submitted", utcnow()
            session.add(Answer(assignment_id=assignment.id, question_key="sat", value_numeric=8))


async def stored(factory: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    async with factory() as session:
        assignments = await session.execute(
            select(
                Assignment.id,
                Assignment.pair_id,
                Assignment.person_id,
                Assignment.moment,
                Assignment.status,
            ).order_by(Assignment.id)
        )
        answers = await session.execute(
            select(Answer.id, Answer.assignment_id, Answer.question_key).order_by(Answer.id)
        )
        return {
            "assignments": [tuple(row) for row in assignments],
            "answers": [tuple(row) for row in answers],
        }


def cells(workbook: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


async def test_upgrading_a_database_with_checkins_from_before(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await upgrade(engine)
    factory = create_session_factory(engine)
    data = await build_dataset(factory)
    await checkins_as_before(factory, data)
    keeper = methodist(data)
    scope = ExportScope(data.ids["M01"])
    options = ExportOptions(min_group=1)
    rows_before = await stored(factory)
    checkins = [row for row in rows_before["assignments"] if row[3] == "checkin"]
    assert len(checkins) == 5 and sum(row[4] == "submitted" for row in checkins) == 2
    before = cells(await export_to(factory, keeper, scope, tmp_path / "before.xlsx", options))

    await downgrade(engine, BEFORE)  # the database as 0008 left it: one check-in per member
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(
                text(
                    "INSERT INTO assignment (pair_id, person_id, role, moment, snapshot_id,"
                    " status, created_at, due_at, reminders_sent)"
                    " SELECT pair_id, person_id, role, moment, snapshot_id, status,"
                    " created_at, due_at, reminders_sent FROM assignment"
                    " WHERE moment = 'checkin'"
                )
            )
        await connection.rollback()

    await upgrade(engine)
    await engine.dispose()  # a new process after the deployment
    factory = create_session_factory(engine)
    assert await stored(factory) == rows_before  # answers too: SQLite copied the table
    async with factory() as session:
        occasions = {
            (row[0], row[1])
            for row in await session.execute(
                select(Assignment.moment, Assignment.occasion).distinct()
            )
        }
    assert occasions == {("start", ""), ("completion", ""), ("checkin", "school")}
    after = cells(await export_to(factory, keeper, scope, tmp_path / "after.xlsx", options))
    assert after == before

    # The curator's check-in outside rounds: the old ones count, a press issues nothing.
    curator = Actor(5, grants=(Grant(Role.CURATOR, organization_id=data.ids["S002"]),))
    async with UnitOfWork(factory) as uow:
        assert (
            await school_checkins(uow, curator, data.ids["S002"], CATALOGUE, NOTICES, 7)
        ).queued == 0
    # A round opened now is a new occasion: each of the five gets its check-in, once.
    soon = new_round(data, deadline_day=utcnow().date() + timedelta(days=2))
    async with UnitOfWork(factory) as uow:
        round_id = (await open_round(uow, keeper, soon, utcnow())).id
    for expected in (5, 0):
        async with UnitOfWork(factory) as uow:
            sent = await round_checkins(uow, keeper, round_id, CATALOGUE, NOTICES, utcnow())
        assert sent.queued == expected
    async with factory() as session:
        counted = await session.scalar(
            select(func.count(Assignment.id)).where(Assignment.moment == "checkin")
        )
    assert counted == 10
