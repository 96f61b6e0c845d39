"""Answering a questionnaire in Telegram, driven over HTTP through the Bot API stand-in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.survey_callbacks import AnswerCb, EditCb, SubmitCb
from storage.models import Answer, Assignment, utcnow
from tests.botapi.users import FakeUser
from tests.conftest import BotHarness
from tests.factories import seed_directory
from tests.survey_factories import IssuedPair, deliver_invitations, issue_pair

MENTOR, MENTEE = 7101, 7102


async def stored(harness: BotHarness, assignment_id: int) -> dict[str, tuple[str | None, int | None]]:
    async with harness.session_factory() as session:
        rows = await session.execute(
            select(Answer.question_key, Answer.value_text, Answer.value_numeric).where(
                Answer.assignment_id == assignment_id
            )
        )
        return {key: (text, number) for key, text, number in rows}


async def answer_rows(harness: BotHarness) -> int:
    async with harness.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Answer)) or 0)


async def status(harness: BotHarness, assignment_id: int) -> str:
    async with harness.session_factory() as session:
        found = await session.get(Assignment, assignment_id)
        assert found is not None
        return found.status


async def setup(harness: BotHarness, **kwargs: object) -> tuple[IssuedPair, FakeUser]:
    ids = await seed_directory(harness.session_factory)
    issued = await issue_pair(
        harness.session_factory, ids["S001"], mentor_tg=MENTOR, mentee_tg=MENTEE, **kwargs  # type: ignore[arg-type]
    )
    return issued, harness.standin.user(MENTEE, first_name="Анна")


async def open_from_invitation(harness: BotHarness, anna: FakeUser) -> None:
    assert await deliver_invitations(harness.session_factory, harness.bot) == 1
    assert "Проверочная анкета" in (anna.last_text or "")
    await anna.press(anna.button("Начать анкету"))


async def test_whole_questionnaire_of_every_kind(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await open_from_invitation(harness, anna)
    assert "Вопрос 1 из 5" in (anna.last_text or "")
    assert "Насколько полезны встречи?" in (anna.last_text or "")
    assert [text for text, _ in anna.buttons()] == [str(n) for n in range(1, 11)]

    await anna.press(anna.button("8"))
    assert await stored(harness, aid) == {"useful": ("8", 8)}
    assert "Вопрос 2 из 5" in (anna.last_text or "")

    await anna.press(anna.button("Да"))
    # The follow-up opened: the total grew.
    assert "Вопрос 3 из 6" in (anna.last_text or "")
    assert "Где именно?" in (anna.last_text or "")
    await anna.send("В лагере «Орлёнок»")
    assert "Вопрос 4 из 6" in (anna.last_text or "")

    await anna.press(anna.button("Смешанный"))
    await anna.press(anna.button("Учёба"))
    await anna.press(anna.button("Проекты"))
    assert [t for t, _ in anna.buttons()][:3] == ["✅ Учёба", "▫️ Профессия", "✅ Проекты"]
    await anna.press(anna.button("Готово"))
    assert "Вопрос 6 из 6" in (anna.last_text or "")
    await anna.send("Больше встреч")

    assert "проверьте ответы" in (anna.last_text or "")
    assert "Учёба; Проекты" in (anna.last_text or "")
    assert await stored(harness, aid) == {
        "useful": ("8", 8),
        "met_before": ("yes", 1),
        "where": ("В лагере «Орлёнок»", None),
        "format": ("mixed", None),
        "topics": ("study,projects", None),
        "wishes": ("Больше встреч", None),
    }
    await anna.press(anna.button("Отправить"))
    assert "ответы отправлены" in (anna.last_text or "")
    assert await status(harness, aid) == "submitted"
    # After submit everything is final: a forged change is refused.
    await anna.press(EditCb(a=aid, q=0).pack(), message_id=anna.messages[-2].message_id)
    assert "уже отправлена" in (anna.answers_to_callbacks[-1] or "")
    assert await answer_rows(harness) == 6
