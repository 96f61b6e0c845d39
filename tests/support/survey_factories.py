"""Questionnaire test data through the real repositories: a programme, a pair of
registered people, assignments issued and announced as the curator commands will do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.notices import announce_assignments
from bot.i18n import create_i18n
from storage.models import Assignment, OutboxMessage, Pair, PairMember, Programme, utcnow
from storage.repositories.assignments import AssignmentRepository
from storage.repositories.people import PeopleRepository, Registration
from surveys.channels import ChannelName
from surveys.people import Category, Role
from surveys.questionnaire import Catalogue, Moment, Questionnaire, load_file
from tests.support.botapi import FakeUser
from tests.support.factories import seed_directory
from tests.support.maxapi import MaxUser

ALL_KINDS = Path(__file__).with_name("data") / "all_kinds.yaml"


def all_kinds() -> Questionnaire:
    return load_file(ALL_KINDS)


@dataclass(frozen=True)
class IssuedPair:
    programme_id: int
    pair_id: int
    mentor_id: int  # person ids
    mentee_id: int
    assignments: dict[int, int]  # person id -> assignment id


async def answer_where_format_and_topics(anna: FakeUser | MaxUser) -> None:
    """all_kinds.yaml from «Где именно?» (the follow-up a «Да» opens) to question 6: a typed
    place, «Смешанный», and Учёба and Проекты chosen (the selection redrawn in place on the
    pressed message) with «Готово»; the same in either messenger."""
    assert "Где именно?" in (anna.last_text or "")
    await anna.send("В лагере «Орлёнок»")
    assert "Вопрос 4 из 6" in (anna.last_text or "")
    await anna.press(anna.button("Смешанный"))
    await anna.press(anna.button("Учёба"))
    await anna.press(anna.button("Проекты"))
    assert [t for t, _ in anna.buttons()][:3] == ["✅ Учёба", "▫️ Профессия", "✅ Проекты"]
    await anna.press(anna.button("Готово"))
    assert "Вопрос 6 из 6" in (anna.last_text or "")


async def register(
    session: AsyncSession,
    telegram_id: int,
    role: Role,
    organization_id: int,
    name: str,
    channel: ChannelName = ChannelName.TELEGRAM,
) -> int:
    people = PeopleRepository(session)
    person = await people.register(
        Registration(
            telegram_id=telegram_id,
            full_name=name,
            category=Category.TEACHER if role is Role.MENTOR else Category.STUDENT,
            grade=None if role is Role.MENTOR else 9,
            locale="ru",
            consent_at=utcnow(),
            consent_version="test",
            guardian_consent_at=None if role is Role.MENTOR else utcnow(),
            channel=channel,
        ),
        organization_id,
    )
    await people.grant(person, role, None, organization_id)
    return person.id


async def add_programme(
    session: AsyncSession, organization_id: int, title: str, form: str = "student_student"
) -> Programme:
    """A programme of the 2026/2027 school year (01.09.2026–31.05.2027), flushed."""
    programme = Programme(
        organization_id=organization_id,
        form=form,
        title=title,
        academic_year="2026/2027",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 5, 31),
    )
    session.add(programme)
    await session.flush()
    return programme


async def pair_in_a_new_directory(
    factory: async_sessionmaker[AsyncSession], **options: Any
) -> IssuedPair:
    """The directory seeded (tests/support/factories.seed_directory), then `issue_pair` in its
    school S001 with these options."""
    ids = await seed_directory(factory)
    return await issue_pair(factory, ids["S001"], **options)


async def issue_pair(
    factory: async_sessionmaker[AsyncSession],
    organization_id: int,
    *,
    mentor_tg: int,
    mentee_tg: int,
    catalogue: Catalogue | None = None,
    moment: Moment = Moment.START,
    due_at: datetime | None = None,
    number: int = 1,
    form: str = "student_student",
    mentee_channel: ChannelName = ChannelName.TELEGRAM,
) -> IssuedPair:
    """A programme (or the existing one of the organization), one pair, both members
    registered, their questionnaires issued and the invitations queued."""
    catalogue = catalogue or Catalogue([all_kinds()])
    async with factory() as session, session.begin():
        programme = await session.scalar(
            select(Programme).where(Programme.organization_id == organization_id)
        )
        if programme is None:
            programme = await add_programme(session, organization_id, "Наставничество 2026", form)
        pair = Pair(programme_id=programme.id, number=number)
        session.add(pair)
        await session.flush()
        mentor = await register(session, mentor_tg, Role.MENTOR, organization_id, "Петров Пётр")
        mentee = await register(
            session, mentee_tg, Role.MENTEE, organization_id, "Иванова Анна", mentee_channel
        )
        session.add_all(
            [
                PairMember(pair_id=pair.id, person_id=mentor, role="mentor"),
                PairMember(pair_id=pair.id, person_id=mentee, role="mentee"),
            ]
        )
        await session.flush()
        issued = await AssignmentRepository(session).issue(
            pair.id, moment, catalogue, due_at or utcnow() + timedelta(days=14)
        )
        await announce_assignments(session, create_i18n(), issued)
        return IssuedPair(
            programme.id,
            pair.id,
            mentor,
            mentee,
            {assignment.person_id: assignment.id for assignment in issued},
        )


async def deliver_invitations(factory: async_sessionmaker[AsyncSession], bot: Bot) -> int:
    """What the outbox sender does, minimally: send each queued message once."""
    async with factory() as session, session.begin():
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        )
        for row in rows:
            markup = (
                InlineKeyboardMarkup.model_validate(row.reply_markup) if row.reply_markup else None
            )
            await bot.send_message(row.chat_id, row.text, reply_markup=markup)
            row.status = "sent"
            row.sent_at = utcnow()
        return len(rows)


async def assignment(factory: async_sessionmaker[AsyncSession], assignment_id: int) -> Assignment:
    async with factory() as session:
        found = await session.get(Assignment, assignment_id)
        assert found is not None
        return found
