"""Scope: every curator and methodist command and button, tried by people of other scopes
with forged callback data, is refused and shows no data; the use cases refuse too."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.curator.actions import NewProgramme, ProgrammeVerb
from app.curator.pairs import Deadlines, Pairs
from app.curator.programmes import Programmes
from app.curator.roster import Roster
from app.curator.status import Reader, Status
from app.notices import OutboxNotices
from app.screens import Screen
from app.uow import UnitOfWork
from bot import render
from bot.i18n import create_i18n
from bot.telegram.screens import MESSAGE_LIMIT
from storage.models import Invite, OutboxMessage, Pair, Programme, RosterEntry
from storage.repositories.pairs import PairRepository
from storage.repositories.status import StatusRepository
from surveys.access import Actor, Grant
from surveys.errors import OutOfScope
from surveys.pairing import PairProblem, PairRefused
from surveys.people import Category, Role
from surveys.questionnaire import load_catalogue
from tests.conftest import BotHarness
from tests.support.curator_factories import make_person, make_programme, roster_bytes
from tests.support.factories import seed_directory

SECRET_NAMES = ("Наставник Тайный", "Ученица Скрытая", "Наставничество 2026")


async def _victim_school(factory: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    """School S001 with a curator, a programme and one pair with questionnaires."""
    ids = await seed_directory(factory)
    org = ids["S001"]
    curator = await make_person(factory, 7601, "Куратор Ольга", Role.CURATOR, organization_id=org)
    programme_id = await make_programme(factory, curator, org)
    mentor = await make_person(
        factory,
        7602,
        "Наставник Тайный",
        Role.MENTOR,
        organization_id=org,
        category=Category.TEACHER,
    )
    mentee = await make_person(
        factory,
        7603,
        "Ученица Скрытая",
        Role.MENTEE,
        organization_id=org,
        category=Category.STUDENT,
    )
    async with factory() as session, session.begin():
        pair = await PairRepository(session).form(programme_id, mentor.id, [mentee.id])
    return ids, programme_id, pair.id, mentor.id


async def _snapshot(harness: BotHarness) -> tuple[int, ...]:
    async with harness.session_factory() as session:
        counts = []
        for model in (Programme, Pair, Invite, RosterEntry, OutboxMessage):
            counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
        statuses = await session.scalar(select(func.count(Pair.id)).where(Pair.status == "active"))
        return (*counts, int(statuses or 0))


async def test_forged_buttons_of_another_scope_are_refused(harness: BotHarness) -> None:
    ids, programme_id, pair_id, mentor_id = await _victim_school(harness.session_factory)
    make = harness.session_factory
    await make_person(make, 7610, "Чужой Куратор", Role.CURATOR, organization_id=ids["S101"])
    await make_person(make, 7611, "Соседний Куратор", Role.CURATOR, organization_id=ids["S002"])
    await make_person(make, 7612, "Чужой Методист", Role.METHODIST, municipality_id=ids["M02"])
    await make_person(make, 7613, "Свой Методист", Role.METHODIST, municipality_id=ids["M01"])
    await make_person(make, 7614, "Просто Наставник", Role.MENTOR, organization_id=ids["S001"])
    forged = [
        *(
            f"kp:{action}:{programme_id}"
            for action in (
                "open",
                "edit",
                "edit_title",
                "edit_ends_on",
                "link_mentor",
                "link_mentee",
                "roster",
                "form_roster",
                "new_pair",
                "pairs",
                "complete",
                "complete_yes",
            )
        ),
        *(
            f"kq:{action}:{pair_id}"
            for action in ("open", "complete", "complete_yes", "dissolve", "add", "remove")
        ),
        f"km:add:{pair_id}:{mentor_id}",
        f"km:remove:{pair_id}:{mentor_id}",
        f"kn:{ids['S001']}",
        f"ks:{ids['S001']}:all:0",
        f"ks:{ids['S001']}:unans:1",
        f"ka:xlsx:{ids['S001']}",
        f"ka:remind:{ids['S001']}",
        f"kd:{ids['M01']}:0",
        f"kk:mentor:{mentor_id}",
    ]
    # Who may not: curators of other schools, a methodist of another district, a mentor;
    # the district's own methodist may look (status) but not change or remind.
    looking_allowed = {
        f"ks:{ids['S001']}:all:0",
        f"ks:{ids['S001']}:unans:1",
        f"ka:xlsx:{ids['S001']}",
        f"kd:{ids['M01']}:0",
    }
    before = await _snapshot(harness)
    for telegram_id in (7610, 7611, 7612, 7613, 7614):
        person = harness.standin.user(telegram_id)
        for data in forged:
            if telegram_id == 7613 and data in looking_allowed:
                continue
            start = len(harness.standin.calls)
            await _press_forged(person, data)
            answer = person.answers_to_callbacks[-1] or ""
            assert "вне вашей зоны" in answer or "не действует" in answer, (
                telegram_id,
                data,
                answer,
            )
            shown = " ".join(
                str(call.params.get("text", "")) + str(call.params.get("caption", ""))
                for call in harness.standin.calls[start:]
            )
            assert not any(name in shown for name in SECRET_NAMES), (telegram_id, data, shown)
            assert not [c for c in harness.standin.calls[start:] if c.method == "sendDocument"]
    assert await _snapshot(harness) == before

    # Commands of the curator area are refused outright for a mentor.
    mentor = harness.standin.user(7614)
    for command in ("/programmes", "/pairs", "/template", "/status"):
        await mentor.send(command)
        assert "недоступна" in (mentor.last_text or "")


async def _press_forged(person, data: str) -> None:  # type: ignore[no-untyped-def]
    """Press data that is on no message of theirs: an old message of the chat, or a fresh
    /help answer to carry it (Telegram accepts any data a client sends)."""
    if not person.messages:
        await person.send("/help")
    await person.press(data, message_id=person.messages[-1].message_id)


async def test_methodist_of_the_district_sees_but_cannot_remind(harness: BotHarness) -> None:
    ids, _programme_id, _pair_id, _mentor = await _victim_school(harness.session_factory)
    await make_person(
        harness.session_factory, 7620, "Свой Методист", Role.METHODIST, municipality_id=ids["M01"]
    )
    methodist = harness.standin.user(7620)
    await methodist.send("/help")
    await methodist.press(f"ks:{ids['S001']}:all:0", message_id=methodist.messages[-1].message_id)
    assert "Наставник Тайный" in (methodist.last_text or "")
    await methodist.press(f"ka:remind:{ids['S001']}", message_id=methodist.messages[-1].message_id)
    assert "вне вашей зоны" in (methodist.answers_to_callbacks[-1] or "")
    async with harness.session_factory() as session:
        assert (
            await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "reminder")
            )
            == 0
        )


async def test_use_cases_refuse_outside_scope(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids, programme_id, pair_id, _mentor_id = await _victim_school(session_factory)
    other_curator = Actor(
        telegram_id=1, person_id=None, grants=(Grant(Role.CURATOR, organization_id=ids["S101"]),)
    )
    other_methodist = Actor(
        telegram_id=2, grants=(Grant(Role.METHODIST, municipality_id=ids["M02"]),)
    )
    own_methodist = Actor(
        telegram_id=3, grants=(Grant(Role.METHODIST, municipality_id=ids["M01"]),)
    )
    roster = roster_bytes([("Новый Человек", "педагог", None, "наставник", 5)])

    async def download() -> bytes:
        return roster

    i18n = create_i18n()
    reader = Reader(partial(render.text, i18n), MESSAGE_LIMIT)
    notices = OutboxNotices(i18n)
    deadlines = Deadlines(7, 14)
    async with UnitOfWork(session_factory) as uow:
        for actor in (other_curator, other_methodist, own_methodist):
            programmes = Programmes(uow, actor, "ru")
            pairs = Pairs(uow, actor, load_catalogue(), notices, deadlines)
            with pytest.raises(OutOfScope):
                await programmes.open(programme_id)
            with pytest.raises(OutOfScope):
                await programmes.link(
                    programme_id, ProgrammeVerb.LINK_MENTEE, timedelta(days=1), 5, _link
                )
            with pytest.raises(OutOfScope):
                await Roster(uow, actor).upload(
                    {"programme_id": programme_id},
                    None,
                    download,
                    timedelta(days=1),
                    reader.say,
                    str,
                )
            with pytest.raises(OutOfScope):
                await pairs.dissolve(pair_id)
            with pytest.raises(OutOfScope):
                await Status(uow, actor, reader).remind(ids["S001"], notices)
        for actor in (other_curator, other_methodist):
            with pytest.raises(OutOfScope):
                await Status(uow, actor, reader).organization(ids["S001"], "all", 0)
        with pytest.raises(OutOfScope):
            await Status(uow, other_methodist, reader).district(ids["M01"], 0)
        listed = await Programmes(uow, other_curator, "ru").overview()
        assert [button.action for row in listed.screens[0].rows for button in row] == [
            NewProgramme(0)
        ]
        seen = await Status(uow, own_methodist, reader).organization(ids["S001"], "all", 0)
        assert isinstance(seen, Screen) and "№1 ·" in str(seen.lines[0])
        summary = await StatusRepository(uow.session).municipality_summary(ids["M01"])
        assert [(s.name, s.pairs, s.mentors, s.mentees) for s in summary] == [
            ("МБОУ «Лицей № 2»", 0, 0, 0),
            ("МБОУ СОШ № 1", 1, 1, 1),
        ]
    async with session_factory() as session:
        assert await session.scalar(select(func.count(RosterEntry.id))) == 0
        assert await session.scalar(select(func.count(Invite.id))) == 0


async def _link(code: str) -> str:
    return code


async def test_pairs_only_from_the_programmes_organization(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids, programme_id, _pair_id, mentor_id = await _victim_school(session_factory)
    stranger = await make_person(
        session_factory, 7630, "Чужой Ученик", Role.MENTEE, organization_id=ids["S002"]
    )
    async with session_factory() as session:
        with pytest.raises(PairRefused) as refused:
            await PairRepository(session).form(programme_id, mentor_id, [stranger.id])
        assert refused.value.problem is PairProblem.NOT_IN_ORGANIZATION
