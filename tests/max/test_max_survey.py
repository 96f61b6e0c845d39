"""Answering a questionnaire in MAX, driven over HTTP through the MAX stand-in: the same
use cases and screens as Telegram, one database."""

from __future__ import annotations

from sqlalchemy import func, select

from app.actions import pack
from app.survey.actions import Change
from storage.models import Answer, Assignment, HandledUpdate, Person
from surveys.channels import ChannelName
from tests.support.max_harness import MaxHarness, running_max
from tests.support.maxapi import MaxAPIStandIn, MaxUser
from tests.support.survey_factories import (
    IssuedPair,
    answer_where_format_and_topics,
    pair_in_a_new_directory,
)

MENTOR_TG, MENTEE_MAX = 8101, 8102


async def stored(harness: MaxHarness, assignment_id: int) -> dict[str, str | None]:
    async with harness.session_factory() as session:
        rows = await session.execute(
            select(Answer.question_key, Answer.value_text).where(
                Answer.assignment_id == assignment_id
            )
        )
        return {key: value for key, value in rows}


async def setup(harness: MaxHarness) -> tuple[IssuedPair, MaxUser]:
    issued = await pair_in_a_new_directory(
        harness.session_factory,
        mentor_tg=MENTOR_TG,
        mentee_tg=MENTEE_MAX,
        mentee_channel=ChannelName.MAX,
    )
    return issued, harness.standin.user(MENTEE_MAX, first_name="Анна")


async def test_whole_questionnaire_in_max(max_harness: MaxHarness) -> None:
    issued, anna = await setup(max_harness)
    aid = issued.assignments[issued.mentee_id]
    await anna.send("/survey")
    assert "Вопрос 1 из 5" in (anna.last_text or "")
    assert [text for text, _ in anna.buttons()] == [str(n) for n in range(1, 11)]
    # Five scale buttons a row, as on Telegram; payloads are the packed actions.
    assert [len(row) for row in anna.messages[-1].buttons] == [5, 5]

    await anna.press(anna.button("8"))
    assert "Вопрос 2 из 5" in (anna.last_text or "")
    # The pressed buttons went with the answer to the press: nothing to tap twice.
    assert anna.messages[-2].buttons == []
    await anna.press(anna.button("Да"))
    await answer_where_format_and_topics(anna)
    await anna.send("Больше встреч")
    assert "проверьте ответы" in (anna.last_text or "")
    await anna.press(anna.button("Отправить"))
    assert "ответы отправлены" in (anna.last_text or "")
    assert await stored(max_harness, aid) == {
        "useful": "8",
        "met_before": "yes",
        "where": "В лагере «Орлёнок»",
        "format": "mixed",
        "topics": "study,projects",
        "wishes": "Больше встреч",
    }
    async with max_harness.session_factory() as session:
        assignment = await session.get(Assignment, aid)
        assert assignment is not None and assignment.status == "submitted"
        marks = await session.scalars(select(HandledUpdate.update_key))
        assert all(key.startswith("max:") for key in marks)
    # A forged change after submitting is refused once, as a notification on the press.
    summary = anna.messages[-2]
    await anna.press(pack(Change(aid, 0)), mid=summary.mid)
    assert "уже отправлена" in anna.notifications[-1]
    # Every request carried the token in the Authorization header, never in the query.
    assert all(
        call.headers.get("Authorization") == max_harness.standin.token
        for call in max_harness.standin.log
    )
    assert not any("access_token" in call.query for call in max_harness.standin.log)


async def test_redelivered_press_changes_nothing(max_harness: MaxHarness) -> None:
    issued, anna = await setup(max_harness)
    aid = issued.assignments[issued.mentee_id]
    await anna.send("/survey")
    press = anna.pressed(anna.button("7"))
    await max_harness.standin.push_update(press)
    sent = len(anna.messages)
    # MAX hands the same update again (a webhook retry, a poll after a crash).
    await max_harness.standin.push_update(press)
    assert len(anna.messages) == sent
    assert await stored(max_harness, aid) == {"useful": "7"}
    async with max_harness.session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(Answer))
    assert count == 1


async def test_restart_mid_questionnaire_continues_where_she_was(
    max_standin: MaxAPIStandIn, database_url: str, session_factory
) -> None:
    async with running_max(max_standin, database_url, session_factory) as harness:
        issued, anna = await setup(harness)
        aid = issued.assignments[issued.mentee_id]
        await anna.send("/survey")
        await anna.press(anna.button("9"))
        await anna.press(anna.button("Нет"))
        assert "Вопрос 3 из 5" in (anna.last_text or "")
    # The bot restarts: memory state is gone, the answers are not.
    async with running_max(max_standin, database_url, session_factory) as harness:
        await anna.send("/survey")
        assert "Вопрос 3 из 5" in (anna.last_text or "")
        await anna.press(anna.button("Онлайн"))
        assert await stored(harness, aid) == {"useful": "9", "met_before": "no", "format": "online"}


async def test_stranger_gets_help_and_stopping_marks_unreachable(max_harness: MaxHarness) -> None:
    issued, anna = await setup(max_harness)
    stranger = max_harness.standin.user(8999)
    await stranger.start()
    assert "приглашению" in (stranger.last_text or "")
    await anna.stop()
    async with max_harness.session_factory() as session:
        person = await session.get(Person, issued.mentee_id)
        assert person is not None and person.unreachable_at is not None
    # She comes back: reachable again.
    max_harness.standin.unblock(anna.id)
    await anna.start()
    async with max_harness.session_factory() as session:
        person = await session.get(Person, issued.mentee_id)
        assert person is not None and person.unreachable_at is None
