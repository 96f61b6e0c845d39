"""The answer repository on both dialects: owner-only access, one row per question,
hidden answers pruned, submit only when complete and final afterwards, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Answer, utcnow
from storage.repositories.answers import AnswerRepository
from surveys.access import Actor
from surveys.errors import AlreadyAnswered, Expired
from surveys.questionnaire import SKIPPED, InvalidAnswer
from tests.support.survey_factories import pair_in_a_new_directory


async def rows(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Answer)) or 0)


async def test_answers_belong_to_their_owner_and_are_final_after_submit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    issued = await pair_in_a_new_directory(session_factory, mentor_tg=8101, mentee_tg=8102)
    aid = issued.assignments[issued.mentee_id]
    owner = Actor(telegram_id=8102, person_id=issued.mentee_id)
    mentor = Actor(telegram_id=8101, person_id=issued.mentor_id)

    async with session_factory() as session, session.begin():
        answers = AnswerRepository(session)
        assert await answers.open(mentor, aid) is None  # someone else's: nothing
        assert await answers.pending(mentor) == []
        sheet = await answers.open(owner, aid)
        assert sheet is not None and sheet.current is not None
        q = sheet.questionnaire
        await answers.save(sheet, q.question("useful"), 4)
        await answers.save(sheet, q.question("useful"), 9)  # a change overwrites
        await answers.save(sheet, q.question("met_before"), "yes")
        await answers.save(sheet, q.question("where"), SKIPPED)
        with pytest.raises(InvalidAnswer):
            await answers.save(sheet, q.question("format"), "nowhere")
        assert not await answers.submit(sheet)  # incomplete

    async with session_factory() as session, session.begin():
        answers = AnswerRepository(session)
        sheet = await answers.open(owner, aid)
        assert sheet is not None
        assert sheet.answers == {"useful": 9, "met_before": "yes", "where": SKIPPED}
        q = sheet.questionnaire
        await answers.save(sheet, q.question("met_before"), "no")  # hides "where"
        await answers.save(sheet, q.question("format"), "online")
        await answers.save(sheet, q.question("topics"), ("career",))
        await answers.save(sheet, q.question("wishes"), "ok")
        assert await answers.submit(sheet)
    assert await rows(session_factory) == 5

    async with session_factory() as session, session.begin():
        answers = AnswerRepository(session)
        sheet = await answers.open(owner, aid)
        assert sheet is not None and sheet.status == "submitted"
        with pytest.raises(AlreadyAnswered):
            await answers.save(sheet, sheet.questionnaire.question("useful"), 1)
        with pytest.raises(AlreadyAnswered):
            await answers.submit(sheet)
        assert await answers.pending(owner) == []
    assert await rows(session_factory) == 5


async def test_overdue_assignments_expire(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    issued = await pair_in_a_new_directory(
        session_factory,
        mentor_tg=8201,
        mentee_tg=8202,
        due_at=utcnow() - timedelta(seconds=1),
    )
    owner = Actor(telegram_id=8202, person_id=issued.mentee_id)
    async with session_factory() as session, session.begin():
        assert await AnswerRepository(session).pending(owner) == []
    async with session_factory() as session, session.begin():
        sheet = await AnswerRepository(session).open(owner, issued.assignments[issued.mentee_id])
        assert sheet is not None and sheet.status == "expired" and not sheet.is_open
        with pytest.raises(Expired):
            await AnswerRepository(session).save(sheet, sheet.questionnaire.question("useful"), 5)
