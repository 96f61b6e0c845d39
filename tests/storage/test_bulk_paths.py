"""The set-based paths on the real database, both dialects: forming many pairs, issuing
their questionnaires, queuing invitations in one statement, completing pairs in steps,
importing a large roster. Exact rows, nothing twice on a repeated call, nothing at all
from a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.actions import pack
from app.curator.bulk import complete_programme, form_pairs
from app.notices import OutboxNotices, _open_button
from app.survey.actions import OpenAssignment
from bot.i18n import create_i18n
from storage.bulk import STATEMENT_ROWS
from storage.models import (
    Assignment,
    Invite,
    OutboxMessage,
    Pair,
    PairMember,
    Programme,
    RosterEntry,
    utcnow,
)
from storage.repositories.assignments import AssignmentRepository
from storage.repositories.outbox import OutboxItem, OutboxRepository
from storage.repositories.pairs import PairRepository
from storage.repositories.roster import RosterRepository
from surveys.access import Actor
from surveys.errors import OutOfScope
from surveys.pairing import PairPlan, PairProblem, PairRefused
from surveys.people import Category, Role
from surveys.questionnaire import Moment, load_catalogue
from surveys.roster_rules import RosterRow
from tests.support.curator_factories import curator_actor, make_person, make_programme
from tests.support.factories import count_rows, counts, seed_directory


@dataclass
class School:
    actor: Actor
    programme_id: int
    mentors: list[int]
    mentees: list[int]
    stranger: int  # a mentee of another school


@pytest.fixture
async def school(session_factory: async_sessionmaker[AsyncSession]) -> School:
    factory = session_factory
    ids = await seed_directory(factory)
    org = ids["S001"]
    curator = await make_person(factory, 8000, "Куратор", Role.CURATOR, organization_id=org)
    programme_id = await make_programme(factory, curator, org)
    mentors = [
        (
            await make_person(factory, 8100 + n, f"Наставник {n}", Role.MENTOR, organization_id=org)
        ).id
        for n in range(3)
    ]
    mentees = [
        (await make_person(factory, 8200 + n, f"Ученик {n}", Role.MENTEE, organization_id=org)).id
        for n in range(6)
    ]
    stranger = await make_person(
        factory, 8300, "Чужой ученик", Role.MENTEE, organization_id=ids["S101"]
    )
    return School(
        curator_actor(curator, org),
        programme_id,
        mentors,
        mentees,
        stranger.id,
    )


async def _rows(factory: async_sessionmaker[AsyncSession], *columns: object) -> list[tuple]:  # type: ignore[type-arg]
    async with factory() as session:
        return [tuple(row) for row in (await session.execute(select(*columns))).all()]  # type: ignore[call-overload]


async def test_forming_many_pairs_writes_exact_rows_once(
    session_factory: async_sessionmaker[AsyncSession], school: School
) -> None:
    m, e = school.mentors, school.mentees
    plans = [
        PairPlan(m[0], (e[0],), 1),
        PairPlan(m[1], (e[1], e[2]), 5),
        PairPlan(m[0], (e[3],)),  # a mentor may lead several; no number: the next free one
    ]
    catalogue = load_catalogue()
    due = utcnow() + timedelta(days=14)
    async with session_factory() as session, session.begin():
        formation = await PairRepository(session).form_many(school.programme_id, plans)
        assert formation.refused == []
        assert [pair.number for pair in formation.formed] == [1, 5, 6]
        pair_ids = [pair.id for pair in formation.formed]
        issued = await AssignmentRepository(session).issue_many(
            pair_ids, Moment.START, catalogue, due
        )
        invitations = await AssignmentRepository(session).invitations([a.id for a in issued])
        queued = await OutboxRepository(session).enqueue_many(
            [
                OutboxItem(
                    f"assignment:{i.assignment_id}:invitation",
                    i.chat_id,
                    i.person_id,
                    "survey_invitation",
                    i.title,
                )
                for i in invitations
            ]
        )
    by_number = dict(zip((1, 5, 6), pair_ids, strict=True))
    assert sorted(await _rows(session_factory, Pair.number, Pair.status)) == [
        (1, "active"),
        (5, "active"),
        (6, "active"),
    ]
    # Every member, in the order of the plans: the order the questionnaires are issued in.
    members = [
        (by_number[1], m[0], "mentor"),
        (by_number[1], e[0], "mentee"),
        (by_number[5], m[1], "mentor"),
        (by_number[5], e[1], "mentee"),
        (by_number[5], e[2], "mentee"),
        (by_number[6], m[0], "mentor"),
        (by_number[6], e[3], "mentee"),
    ]
    assert sorted(
        await _rows(session_factory, PairMember.pair_id, PairMember.person_id, PairMember.role)
    ) == sorted(members)
    expected_assignments = sorted(
        (pair_id, person, role)
        for pair_id, person, role in await _rows(
            session_factory, PairMember.pair_id, PairMember.person_id, PairMember.role
        )
    )
    assert [(a.pair_id, a.person_id, a.role) for a in issued] == members
    stored = await _rows(
        session_factory,
        Assignment.id,
        Assignment.pair_id,
        Assignment.person_id,
        Assignment.role,
        Assignment.moment,
        Assignment.status,
    )
    assert sorted(row[1:4] for row in stored) == expected_assignments
    assert {row[4:] for row in stored} == {("start", "pending")}
    assert {row[0] for row in stored} == {a.id for a in issued}
    assert queued == 7 == len(invitations)
    assert sorted(await _rows(session_factory, OutboxMessage.dedupe_key)) == sorted(
        (f"assignment:{a.id}:invitation",) for a in issued
    )

    # The same again, as a second press would: everything refused, nothing new anywhere.
    async with session_factory() as session, session.begin():
        again = await PairRepository(session).form_many(school.programme_id, plans[:2])
        assert again.formed == []
        assert [problem for _plan, problem in again.refused] == [
            PairProblem.MENTEE_TAKEN,
            PairProblem.MENTEE_TAKEN,
        ]
        assert (
            await AssignmentRepository(session).issue_many(pair_ids, Moment.START, catalogue, due)
            == []
        )
        items = [
            OutboxItem(f"assignment:{a.id}:invitation", 1, None, "survey_invitation", "x")
            for a in issued
        ]
        assert await OutboxRepository(session).enqueue_many(items) == 0
    rows = await counts(session_factory, Pair, PairMember, Assignment, OutboxMessage)
    assert rows == [3, 7, 7, 7]


async def test_refused_plans_leave_nothing(
    session_factory: async_sessionmaker[AsyncSession], school: School
) -> None:
    m, e = school.mentors, school.mentees
    async with session_factory() as session, session.begin():
        await PairRepository(session).form(school.programme_id, m[2], [e[5]], 7)
    plans = [
        PairPlan(m[0], ()),  # nobody to mentor
        PairPlan(m[0], (m[0],)),  # only the mentor himself
        PairPlan(m[0], (school.stranger,)),  # of another school
        PairPlan(m[0], (e[5],)),  # already in pair 7
        PairPlan(e[5], (e[0],)),  # a mentee elsewhere cannot mentor
        PairPlan(m[0], (e[0],), 7),  # number taken
        PairPlan(m[0], (e[1],), 2),  # fine
        PairPlan(m[1], (e[1],), 3),  # e[1] taken by the plan before
        PairPlan(e[1], (e[2],), 4),  # e[1] is a mentee since the plan before
        PairPlan(m[1], (e[2],), 2),  # number 2 taken by a plan before
    ]
    async with session_factory() as session, session.begin():
        formation = await PairRepository(session).form_many(school.programme_id, plans)
    assert [pair.number for pair in formation.formed] == [2]
    assert formation.refused == [
        (plans[0], PairProblem.NO_MENTEES),
        (plans[1], PairProblem.NO_MENTEES),
        (plans[2], PairProblem.NOT_IN_ORGANIZATION),
        (plans[3], PairProblem.MENTEE_TAKEN),
        (plans[4], PairProblem.MENTOR_IS_MENTEE),
        (plans[5], PairProblem.NUMBER_TAKEN),
        (plans[7], PairProblem.MENTEE_TAKEN),
        (plans[8], PairProblem.MENTOR_IS_MENTEE),
        (plans[9], PairProblem.NUMBER_TAKEN),
    ]
    assert sorted(await _rows(session_factory, Pair.number)) == [(2,), (7,)]
    assert await count_rows(session_factory, PairMember) == 4

    # Another school's curator, and a closed programme: refused whole, nothing written.
    outsider = Actor(telegram_id=1, person_id=None, grants=())
    with pytest.raises(OutOfScope):
        await form_pairs(
            session_factory,
            outsider,
            school.programme_id,
            [PairPlan(m[1], (e[3],))],
            load_catalogue(),
            OutboxNotices(create_i18n()),
            14,
        )
    with pytest.raises(OutOfScope):
        await complete_programme(
            session_factory,
            outsider,
            school.programme_id,
            load_catalogue(),
            OutboxNotices(create_i18n()),
            14,
        )
    async with session_factory() as session, session.begin():
        programme = await session.get(Programme, school.programme_id)
        assert programme is not None
        programme.status = "completed"
    async with session_factory() as session, session.begin():
        with pytest.raises(PairRefused) as refused:
            await PairRepository(session).form_many(school.programme_id, [PairPlan(m[1], (e[3],))])
    assert refused.value.problem is PairProblem.PROGRAMME_CLOSED
    assert await counts(session_factory, Pair, PairMember) == [2, 4]


async def test_completing_active_pairs_in_steps(
    session_factory: async_sessionmaker[AsyncSession], school: School
) -> None:
    m, e = school.mentors, school.mentees
    async with session_factory() as session, session.begin():
        pairs = PairRepository(session)
        formation = await pairs.form_many(
            school.programme_id,
            [PairPlan(m[0], (e[0],), 3), PairPlan(m[1], (e[1],), 1), PairPlan(m[2], (e[2],), 2)],
        )
        assert len(formation.formed) == 3
        first = await session.get(Pair, formation.formed[0].id)
        assert first is not None
        await pairs.dissolve(first)  # number 3: not active
    steps: list[list[int]] = []
    while True:
        async with session_factory() as session, session.begin():
            done = await PairRepository(session).complete_active(school.programme_id, 1)
        if not done:
            break
        steps.append([pair.number for pair in done])
    assert steps == [[1], [2]]
    assert sorted(await _rows(session_factory, Pair.number, Pair.status)) == [
        (1, "completed"),
        (2, "completed"),
        (3, "dissolved"),
    ]
    completed_at = await _rows(session_factory, Pair.completed_at)
    assert sum(value is not None for (value,) in completed_at) == 2


async def test_enqueue_many_queues_each_key_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    def item(key: str, text: str = "привет") -> OutboxItem:
        return OutboxItem(key, 42, None, "notice", text, {"inline_keyboard": []})

    async with session_factory() as session, session.begin():
        outbox = OutboxRepository(session)
        assert await outbox.enqueue(
            dedupe_key="a", chat_id=42, person_id=None, kind="notice", text="x"
        )
        # "a" is queued already, "b" comes twice in the batch: each key once.
        assert await outbox.enqueue_many([item("a"), item("b"), item("b", "2"), item("c")]) == 2
        assert await outbox.enqueue_many([]) == 0
        many = [item(f"k{n}") for n in range(STATEMENT_ROWS + 20)]  # more than one statement
        assert await outbox.enqueue_many(many) == STATEMENT_ROWS + 20
        assert await outbox.enqueue_many(many) == 0
    rows = await _rows(session_factory, OutboxMessage.dedupe_key, OutboxMessage.text)
    assert len(rows) == 3 + STATEMENT_ROWS + 20
    assert ("b", "привет") in rows and ("a", "x") in rows
    statuses = await _rows(session_factory, OutboxMessage.status, OutboxMessage.attempts)
    assert set(statuses) == {("pending", 0)}


async def test_large_roster_import_in_pieces_keeps_every_link_with_its_row(
    session_factory: async_sessionmaker[AsyncSession], school: School
) -> None:
    rows = [
        RosterRow(2 + n, f"Ученик Номер{n:04d}", Category.STUDENT, 7, Role.MENTEE, n // 3 + 1)
        for n in range(STATEMENT_ROWS * 2 + 7)
    ]
    async with session_factory() as session, session.begin():
        imported = await RosterRepository(session).import_rows(
            school.programme_id, rows, timedelta(days=30), school.actor.person_id
        )
    assert [item.row for item in imported] == rows
    entries = dict(await _rows(session_factory, RosterEntry.id, RosterEntry.row_number))
    assert {entries[item.entry_id] for item in imported} == {row.row_number for row in rows}
    assert all(entries[item.entry_id] == item.row.row_number for item in imported)
    invites = dict(await _rows(session_factory, Invite.code, Invite.roster_entry_id))
    assert {code: invites[code] for code in invites} == {
        item.code: item.entry_id for item in imported
    }
    assert len(set(invites)) == len(rows)
    # The links' shared values go to the driver converted once: read back as the ORM wrote
    # them (aware UTC times, the flag, the counters).
    stored = set(
        await _rows(
            session_factory,
            Invite.created_at,
            Invite.expires_at,
            Invite.revoked,
            Invite.uses,
            Invite.max_uses,
            Invite.programme_id,
            Invite.created_by_id,
        )
    )
    ((created, expires, revoked, uses, max_uses, programme_id, created_by_id),) = stored
    assert created.tzinfo is not None and expires - created == timedelta(days=30)
    assert (revoked, uses, max_uses) == (False, 0, 1)
    assert (programme_id, created_by_id) == (school.programme_id, school.actor.person_id)
    assert set(await _rows(session_factory, RosterEntry.created_at)) == {(created,)}


def test_open_button_is_what_aiogram_would_store() -> None:
    """The invitation's keyboard is built as a plain dict for speed: the same dict."""
    button = InlineKeyboardButton(text="Начать", callback_data=pack(OpenAssignment(812)))
    model = InlineKeyboardMarkup(inline_keyboard=[[button]])
    assert _open_button(812, "Начать") == model.model_dump(exclude_none=True)
    assert InlineKeyboardMarkup.model_validate(_open_button(812, "Начать")) == model
