"""Test data for the outbox and reminder tests, made through the real repositories where
they exist (programmes and pairs get theirs in the curator area; rows are added directly)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Assignment, OutboxMessage, Pair, PairMember, utcnow
from storage.repositories.assignments import AssignmentRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.people import PeopleRepository, Registration
from surveys.questionnaire import Moment, load_catalogue
from tests.support.survey_factories import add_programme


async def register(
    factory: async_sessionmaker[AsyncSession],
    telegram_ids: list[int],
    organization_id: int | None = None,
    locale: str = "ru",
) -> dict[int, int]:
    """People who consented; returns person id by Telegram id."""
    async with factory() as session, session.begin():
        people = PeopleRepository(session)
        ids: dict[int, int] = {}
        for telegram_id in telegram_ids:
            person = await people.register(
                Registration(
                    telegram_id, f"Человек {telegram_id}", None, None, locale, utcnow(), "1", None
                ),
                organization_id,
            )
            ids[telegram_id] = person.id
        return ids


async def queue(
    factory: async_sessionmaker[AsyncSession], people: dict[int, int], per_person: int = 1
) -> list[str]:
    """`per_person` notices to each person; returns the texts, each unique."""
    texts: list[str] = []
    async with factory() as session, session.begin():
        outbox = OutboxRepository(session)
        for n in range(per_person):
            for telegram_id, person_id in people.items():
                text = f"Сообщение {n} для {telegram_id}"
                await outbox.enqueue(
                    dedupe_key=f"test:{telegram_id}:{n}",
                    chat_id=telegram_id,
                    person_id=person_id,
                    kind="notice",
                    text=text,
                )
                texts.append(text)
    return texts


async def outbox_rows(factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def pair_with_assignments(
    factory: async_sessionmaker[AsyncSession],
    organization_id: int,
    people: list[int],
    issued_at: datetime,
    due_at: datetime,
    number: int = 1,
) -> list[int]:
    """A student–student pair (mentor, mentee) with completion questionnaires issued at
    `issued_at`; returns the assignment ids."""
    async with factory() as session, session.begin():
        programme = await add_programme(session, organization_id, f"Программа {number}")
        pair = Pair(programme_id=programme.id, number=number)
        session.add(pair)
        await session.flush()
        for person_id, role in zip(people, ("mentor", "mentee"), strict=True):
            session.add(PairMember(pair_id=pair.id, person_id=person_id, role=role))
        await session.flush()
        issued = await AssignmentRepository(session).issue(
            pair.id, Moment.COMPLETION, load_catalogue(), due_at
        )
        ids = [assignment.id for assignment in issued]
        await session.execute(
            update(Assignment).where(Assignment.id.in_(ids)).values(created_at=issued_at)
        )
        return ids


async def eventually(check: Callable[[], Awaitable[bool] | bool], seconds: float = 10.0) -> None:
    """Wait until `check()` holds, looking every 20 ms; fail after `seconds`."""
    for _ in range(int(seconds / 0.02)):
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the condition did not hold within {seconds} s")
