"""Monitoring rounds against the real database (SQLite and, with TEST_DATABASE_URL,
PostgreSQL): the rules for opening one, closing by hand and at the deadline, and the frozen
figures that a later export of the round shows whatever was answered after closing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.monitoring.rounds import (
    NewRound,
    close_due,
    close_round,
    export_round,
    open_round,
    rounds_in_view,
)
from app.uow import UnitOfWork
from exports.queries import Level, MonitoringQueries
from exports.snapshot import freeze
from exports.workbook import ExportOptions
from storage.models import Answer, Assignment, RoundSnapshot
from storage.repositories.export_scope import ExportScope
from storage.repositories.rounds import RoundRepository
from surveys.access import Actor, Grant
from surveys.errors import OutOfScope, Refused
from surveys.people import Role
from surveys.rounds import RoundKind
from surveys.statuses import RoundStatus
from tests.support.export_data import NOW, YEAR, Dataset, build_dataset
from tests.support.export_helpers import export_to, russian

ANNUAL = RoundKind.ANNUAL
PERIOD = (date(YEAR, 9, 1), date(YEAR + 1, 8, 31))
DEADLINE = date(YEAR + 1, 5, 31)


def methodist(data: Dataset, district: str = "M01") -> Actor:
    return Actor(
        1, person_id=None, grants=(Grant(Role.METHODIST, municipality_id=data.ids[district]),)
    )


def new_round(data: Dataset, district: str | None = "M01", **changes: Any) -> NewRound:
    values: dict[str, Any] = {
        "kind": ANNUAL,
        "municipality_id": data.ids[district] if district else None,
        "start": PERIOD[0],
        "end": PERIOD[1],
        "deadline_day": DEADLINE,
    }
    values.update(changes)
    return NewRound(**values)


async def opened(factory: async_sessionmaker[AsyncSession], actor: Actor, new: NewRound) -> int:
    async with UnitOfWork(factory) as uow:
        return (await open_round(uow, actor, new, NOW)).id


async def district_round(factory: async_sessionmaker[AsyncSession]) -> tuple[Dataset, Actor, int]:
    """The dataset, the methodist of M01 and the annual round of M01 that methodist opened."""
    data = await build_dataset(factory)
    keeper = methodist(data)
    return data, keeper, await opened(factory, keeper, new_round(data))


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


async def answer_more(factory: async_sessionmaker[AsyncSession], data: Dataset) -> None:
    """After the round closed: E answers the start questionnaire, C the completion one."""
    async with factory() as session, session.begin():
        pending = await session.scalars(
            select(Assignment).where(
                Assignment.person_id.in_([data.people["E"], data.people["C"]]),
                Assignment.status == "pending",
            )
        )
        later = NOW + timedelta(days=30)
        for assignment in pending:
            assignment.status, assignment.submitted_at = "submitted", later
            key = "sat_expect" if assignment.moment == "start" else "sat"
            session.add(
                Answer(
                    assignment_id=assignment.id,
                    question_key=key,
                    value_text="10",
                    value_numeric=10,
                    answered_at=later,
                )
            )
            if assignment.moment == "completion":
                session.add(
                    Answer(
                        assignment_id=assignment.id,
                        question_key="wish",
                        value_text="Поздний отзыв",
                        answered_at=later,
                    )
                )


async def test_a_closed_round_exports_the_figures_it_was_closed_with(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data, keeper, round_id = await district_round(session_factory)
    options = ExportOptions(target_student_share=0.7)
    async with session_factory() as session:  # an open round reads live figures
        await export_round(session, keeper, round_id, tmp_path / "open.xlsx", russian, options)
    async with UnitOfWork(session_factory) as uow:
        closed = await close_round(uow, keeper, round_id, NOW)
    assert closed.status is RoundStatus.CLOSED and closed.closed_at == NOW
    async with session_factory() as session:
        await export_round(session, keeper, round_id, tmp_path / "before.xlsx", russian, options)

    await answer_more(session_factory, data)
    async with session_factory() as session:
        await export_round(session, keeper, round_id, tmp_path / "after.xlsx", russian, options)
    live = await export_to(
        session_factory, keeper, ExportScope(data.ids["M01"]), tmp_path / "live.xlsx", options
    )

    before, after = cells(tmp_path / "before.xlsx"), cells(tmp_path / "after.xlsx")
    assert before == cells(tmp_path / "open.xlsx")  # nothing changed between open and close
    assert after == before  # every sheet, every cell
    # …while the live workbook of the same district and period has moved on.
    assert cells(tmp_path / "live.xlsx") != before
    feedback = [
        row[4] for row in live[russian("export.sheet.feedback")].iter_rows(values_only=True)
    ]
    assert "Поздний отзыв" in feedback
    assert "Поздний отзыв" not in [row[4] for row in after[russian("export.sheet.feedback")]]


async def test_the_snapshot_holds_the_figures_of_every_level(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    data, keeper, round_id = await district_round(session_factory)
    async with UnitOfWork(session_factory) as uow:
        await close_round(uow, keeper, round_id, NOW)
    async with session_factory() as session:
        stored = await session.get(RoundSnapshot, round_id)
        assert stored is not None and stored.taken_at == NOW
        live = MonitoringQueries(session, ExportScope(data.ids["M01"]), _period())
        assert stored.figures == await freeze(live)
        total = dict(stored.figures["figures"][Level.TOTAL.value])["*"]
        by_org = dict((key, value) for key, value in stored.figures["figures"]["organization"])
    # District M01 in the academic year: S001's pairs 1–4 and the lyceum's pair 5.
    assert total["pairs"] + total["groups"] == 5
    assert set(by_org) == {data.ids["S001"], data.ids["S002"]}
    assert total["mentors"] == sum(by_org[org]["mentors"] for org in by_org)
    assert total["sent"] == sum(by_org[org]["sent"] for org in by_org)


def _period():
    from exports.period import Period

    return Period(*PERIOD)


async def test_opening_rules(session_factory: async_sessionmaker[AsyncSession]) -> None:
    data = await build_dataset(session_factory)
    keeper = methodist(data)
    refusals = [
        (new_round(data, start=PERIOD[1], end=PERIOD[0]), "rounds.dates_order"),
        (new_round(data, end=PERIOD[0] + timedelta(days=800)), "rounds.period_too_long"),
        (new_round(data, deadline_day=NOW.date() - timedelta(days=1)), "rounds.deadline_past"),
    ]
    for new, key in refusals:
        with pytest.raises(Refused) as refused:
            await opened(session_factory, keeper, new)
        assert refused.value.message_key == key
    await opened(session_factory, keeper, new_round(data))
    with pytest.raises(Refused) as refused:
        await opened(session_factory, keeper, new_round(data))
    assert refused.value.message_key == "rounds.exists"
    # Another district's methodist, a curator and the region's own round: out of scope.
    curator = Actor(2, grants=(Grant(Role.CURATOR, organization_id=data.ids["S001"]),))
    for actor, new in [
        (methodist(data, "M02"), new_round(data)),
        (curator, new_round(data)),
        (keeper, new_round(data, district=None)),
    ]:
        with pytest.raises(OutOfScope):
            await opened(session_factory, actor, new)
    # An intermediate round of the same period is another round; the region's too.
    await opened(session_factory, keeper, new_round(data, kind=RoundKind.INTERMEDIATE))
    coordinator = Actor(3, grants=(Grant(Role.COORDINATOR),))
    await opened(session_factory, coordinator, new_round(data, district=None))
    async with session_factory() as session:
        seen = {r.municipality_name for r in await rounds_in_view(session, curator)}
        other = await rounds_in_view(session, methodist(data, "M02"))
        everything = await rounds_in_view(session, coordinator)
    assert seen == {"Павлоградский район", None}
    assert [r.municipality_id for r in other] == [None]  # only the region's round
    assert len(everything) == 3


async def test_the_deadline_is_the_end_of_the_day_where_the_schools_are(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _data, _keeper, round_id = await district_round(session_factory)
    async with session_factory() as session:
        found = await RoundRepository(session).get(round_id)
    assert found is not None and found.timezone == "Europe/Moscow"
    # 31 May 24:00 in Moscow is 21:00 UTC.
    assert found.deadline.isoformat() == f"{YEAR + 1}-05-31T21:00:00+00:00"


async def test_the_closing_job_closes_rounds_past_their_deadline_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    data, keeper, due = await district_round(session_factory)
    later = await opened(
        session_factory,
        keeper,
        new_round(data, kind=RoundKind.INTERMEDIATE, deadline_day=DEADLINE + timedelta(days=10)),
    )
    after_deadline = NOW + timedelta(days=12)
    assert await close_due(session_factory, NOW) == []
    assert await close_due(session_factory, after_deadline) == [due]
    assert await close_due(session_factory, after_deadline) == []
    async with session_factory() as session:
        rounds = RoundRepository(session)
        closed, still_open = await rounds.get(due), await rounds.get(later)
        frozen = await rounds.frozen(due)
    assert closed is not None and closed.status is RoundStatus.CLOSED
    assert still_open is not None and still_open.is_open
    assert frozen is not None and frozen.taken_at == after_deadline
    with pytest.raises(Refused) as refused:
        async with UnitOfWork(session_factory) as uow:
            await close_round(uow, keeper, due, after_deadline)
    assert refused.value.message_key == "rounds.already_closed"
    with pytest.raises(OutOfScope):
        async with UnitOfWork(session_factory) as uow:
            await close_round(uow, methodist(data, "M02"), later, after_deadline)
