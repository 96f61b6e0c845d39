"""Curator-area test data, made through the real repositories: people with roles,
programmes, roster workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Person, utcnow
from storage.repositories.people import PeopleRepository, Registration
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from surveys.access import Actor, Grant
from surveys.people import Category, Role
from surveys.roster_rules import HEADERS
from tests.support.botapi.records import Call, Upload


async def make_person(
    factory: async_sessionmaker[AsyncSession],
    telegram_id: int,
    name: str,
    role: Role,
    *,
    organization_id: int | None = None,
    municipality_id: int | None = None,
    category: Category | None = None,
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
            ),
            organization_id,
        )
        await people.grant(person, role, municipality_id, organization_id)
        return person


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
