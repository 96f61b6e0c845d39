"""Curator-area test data, made through the real repositories: people with roles,
programmes, roster workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Person, RosterEntry, utcnow
from storage.repositories.people import PeopleRepository, Registration
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from storage.repositories.roster import RosterRepository
from surveys.access import Actor, Grant
from surveys.channels import ChannelName
from surveys.people import Category, Role
from surveys.roster_rules import HEADERS, RosterRow
from tests.conftest import BotHarness
from tests.support.botapi import FakeUser
from tests.support.botapi.records import Call, Upload
from tests.support.factories import seed_directory
from tests.support.maxapi import MaxUser


async def make_person(
    factory: async_sessionmaker[AsyncSession],
    telegram_id: int,
    name: str,
    role: Role,
    *,
    organization_id: int | None = None,
    municipality_id: int | None = None,
    category: Category | None = None,
    channel: ChannelName = ChannelName.TELEGRAM,
) -> Person:
    async with factory() as session, session.begin():
        people = PeopleRepository(session)
        person = await people.register(
            Registration(
                telegram_id=telegram_id,
                full_name=name,
                category=category,
                grade=None,
                locale="ru",
                consent_at=utcnow(),
                consent_version="test",
                guardian_consent_at=None,
                channel=channel,
            ),
            organization_id,
        )
        await people.grant(person, role, municipality_id, organization_id)
        return person


async def make_curator(
    factory: async_sessionmaker[AsyncSession],
    user_id: int,
    organization_id: int,
    channel: ChannelName = ChannelName.TELEGRAM,
) -> Person:
    """Ольга, curator of this school, in this messenger."""
    return await make_person(
        factory, user_id, "Куратор Ольга", Role.CURATOR,
        organization_id=organization_id, channel=channel,
    )  # fmt: skip


def curator_actor(person: Person, organization_id: int) -> Actor:
    assert person.telegram_id is not None
    return Actor(
        telegram_id=person.telegram_id,
        person_id=person.id,
        grants=(Grant(Role.CURATOR, organization_id=organization_id),),
    )


async def make_programme(
    factory: async_sessionmaker[AsyncSession],
    curator: Person,
    organization_id: int,
    title: str = "Наставничество 2026",
    form: str = "student_student",
) -> int:
    async with factory() as session, session.begin():
        programme = await ProgrammeRepository(session).create(
            ProgrammeDraft(
                organization_id, form, title, "2026/2027", date(2026, 9, 1), date(2027, 5, 31)
            ),
            curator.id,
        )
        return programme.id


async def curator_in_programme(
    harness: BotHarness, telegram_id: int = 7101
) -> tuple[dict[str, int], int, FakeUser]:
    """The directory seeded; Ольга, curator of S001, with a programme «Наставничество 2026»
    she has opened in /programmes: (directory ids, the programme's id, Ольга)."""
    ids = await seed_directory(harness.session_factory)
    person = await make_curator(harness.session_factory, telegram_id, ids["S001"])
    programme_id = await make_programme(harness.session_factory, person, ids["S001"])
    curator = harness.standin.user(telegram_id)
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    return ids, programme_id, curator


async def start_a_programme(curator: FakeUser | MaxUser) -> None:
    """A curator without programmes starts one in /programmes: «Новая программа», a typed
    form refused (a button is wanted), «ученик – ученик», a title refused as too short;
    the title is asked again (either messenger)."""
    await curator.send("/programmes")
    assert "Программ пока нет" in (curator.last_text or "")
    await curator.press(curator.button("Новая программа"))
    assert "форму наставничества" in (curator.last_text or "")
    await curator.send("просто текст")
    assert "кнопкой" in (curator.last_text or "")
    await curator.press(curator.button("ученик – ученик"))
    await curator.send("Ок")
    assert "слишком короткое" in (curator.last_text or "")


async def form_pair(curator: FakeUser | MaxUser, mentor: str, mentees: list[str]) -> None:
    """Through /programmes: «Наставничество 2026», «Составить пару», the mentor, the mentees
    ticked, «Готово» (either messenger)."""
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Составить пару"))
    await curator.press(curator.button(mentor))
    for mentee in mentees:
        await curator.press(curator.button(mentee))
    await curator.press(curator.button("Готово"))


async def open_a_yearly_round(methodist: FakeUser | MaxUser, period: str) -> None:
    """A district methodist's first /rounds (either messenger): none yet, «Открыть
    мониторинг», «годовой мониторинг», straight to the period (one district), a period the
    bot does not understand refused, then `period`; the bot asks for the deadline."""
    await methodist.send("/rounds")
    assert "Мониторингов пока нет" in (methodist.last_text or "")
    await methodist.press(methodist.button("Открыть мониторинг"))
    await methodist.press(methodist.button("годовой мониторинг"))
    assert "период" in (methodist.last_text or "")  # one district: no territory to choose
    await methodist.send("с сентября по май")
    assert "Не понял период" in (methodist.last_text or "")
    await methodist.send(period)


async def open_the_round_checkin(curator: FakeUser | MaxUser) -> str:
    """The curator of МБОУ СОШ № 1 while a round is open (either messenger): /status shows
    the round and one pair without the check-in; «Анкета середины программы» offers it to
    that pair. The text of /status."""
    seen = len(curator.messages)
    await curator.send("/status")
    status = "\n".join(message.text or "" for message in curator.messages[seen:])
    assert "Мониторинг — МБОУ СОШ № 1" in status
    assert "пар без анкеты середины программы: 1" in status
    await curator.press(curator.button("Анкета середины программы"))
    assert "Пар: 1" in (curator.last_text or "")
    return status


def roster_bytes(
    rows: Sequence[Sequence[object]], header: Sequence[str] = tuple(HEADERS.values())
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sent_workbook(calls: Sequence[Call]) -> Workbook:
    documents = [call for call in calls if call.method == "sendDocument"]
    assert documents, f"no document among {[call.method for call in calls]}"
    upload = documents[-1].params["document"]
    assert isinstance(upload, Upload)
    return load_workbook(io.BytesIO(upload.content))


def sheet_rows(workbook: Workbook, index: int) -> list[tuple[object, ...]]:
    return [tuple(row) for row in workbook.worksheets[index].iter_rows(values_only=True)]


async def registered_roster(
    factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    programme_id: int,
    organization_id: int,
    groups: int,
    mentees_per_group: int = 1,
    first_telegram_id: int = 600_000,
) -> list[int]:
    """A roster of `groups` pair numbers (1 mentor + `mentees_per_group` mentees each),
    imported through the repository, and everybody on it registered and bound to their
    row (in bulk: a real registration per person would take minutes). Returns the person
    ids in roster order."""
    rows = [
        RosterRow(
            row_number=2 + index,
            full_name=f"Участник Номер{index:05d}",
            category=Category.TEACHER if place == 0 else Category.STUDENT,
            grade=None if place == 0 else 7,
            role=Role.MENTOR if place == 0 else Role.MENTEE,
            pair_number=number,
        )
        for index, (number, place) in enumerate(
            (number, place)
            for number in range(1, groups + 1)
            for place in range(1 + mentees_per_group)
        )
    ]
    async with factory() as session, session.begin():
        imported = await RosterRepository(session).import_rows(
            programme_id, rows, timedelta(days=30), actor.person_id
        )
        people = list(
            await session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True),
                [
                    {
                        "telegram_id": first_telegram_id + index,
                        "external_id": first_telegram_id + index,  # as registration sets it
                        "full_name": item.row.full_name,
                        "category": item.row.category.value,
                        "organization_id": organization_id,
                        "locale": "ru",
                        "consent_at": utcnow(),
                        "consent_version": "test",
                        "registered_at": utcnow(),
                    }
                    for index, item in enumerate(imported)
                ],
            )
        )
        await session.execute(
            update(RosterEntry),
            [
                {"id": item.entry_id, "person_id": person_id}
                for item, person_id in zip(imported, people, strict=True)
            ],
        )
    return people


async def open_a_school_as_methodist(methodist: FakeUser | MaxUser) -> str:
    """The methodist of district M01 in /status (either messenger): the district's
    organizations, not another district's school; «МБОУ СОШ № 1» opened, without «Напомнить
    сейчас». The district page's text."""
    await methodist.send("/status")
    text = methodist.last_text or ""
    assert "Павлоградский район: организаций 2" in text
    assert "МБОУ СОШ № 101" not in text
    await methodist.press(methodist.button("МБОУ СОШ № 1"))
    assert "Напомнить сейчас" not in [label for label, _ in methodist.buttons()]
    return text


async def open_the_other_district_as_admin(admin: FakeUser | MaxUser) -> None:
    """The administrator's /status (either messenger): «Петушинский район», its school without
    pairs."""
    await admin.send("/status")
    await admin.press(admin.button("Петушинский район"))
    assert "МБОУ СОШ № 101: пар 0" in (admin.last_text or "")
