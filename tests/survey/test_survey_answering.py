"""Answering a questionnaire in Telegram, driven over HTTP through the Bot API stand-in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.actions import pack
from app.survey.actions import AnswerWith, Change, Submit
from storage.models import Answer, Assignment, HandledUpdate, utcnow
from surveys.questionnaire import Moment, load_catalogue
from tests.conftest import BotHarness
from tests.support.botapi.users import FakeUser
from tests.support.factories import seed_directory
from tests.support.survey_factories import (
    IssuedPair,
    answer_where_format_and_topics,
    deliver_invitations,
    issue_pair,
    pair_in_a_new_directory,
)

MENTOR, MENTEE = 7101, 7102


async def stored(
    harness: BotHarness, assignment_id: int
) -> dict[str, tuple[str | None, int | None]]:
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
    issued = await pair_in_a_new_directory(
        harness.session_factory,
        mentor_tg=MENTOR,
        mentee_tg=MENTEE,
        **kwargs,  # type: ignore[arg-type]
    )
    return issued, harness.standin.user(MENTEE, first_name="Анна")


async def open_from_invitation(harness: BotHarness, anna: FakeUser) -> None:
    assert await deliver_invitations(harness.session_factory, harness.bot) >= 1
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
    await answer_where_format_and_topics(anna)
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
    await anna.press(pack(Change(aid, 0)), message_id=anna.messages[-2].message_id)
    assert "уже отправлена" in (anna.answers_to_callbacks[-1] or "")
    assert await answer_rows(harness) == 6


async def test_back_skip_summary_change_and_submit(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await open_from_invitation(harness, anna)
    await anna.press(anna.button("3"))
    await anna.press(anna.button("Да"))
    assert "Где именно?" in (anna.last_text or "")
    await anna.press(anna.button("Пропустить"))
    assert (await stored(harness, aid))["where"] == (None, None)

    # Back from "format" goes to the skipped follow-up, back again to "met_before".
    await anna.press(anna.button("Назад"))
    assert "Где именно?" in (anna.last_text or "")
    await anna.press(anna.button("Назад"))
    assert "Участвовали ли вы раньше" in (anna.last_text or "")
    assert "Сейчас ответ: Да" in (anna.last_text or "")
    # "No" hides the follow-up: its stored answer goes away, and we continue at "format".
    await anna.press(anna.button("Нет"))
    assert "where" not in await stored(harness, aid)
    assert "Вопрос 3 из 5" in (anna.last_text or "")
    assert "Какой формат" in (anna.last_text or "")

    await anna.press(anna.button("Онлайн"))
    await anna.press(anna.button("Профессия"))
    await anna.press(anna.button("Готово"))
    await anna.send("Всё хорошо")
    assert "проверьте ответы" in (anna.last_text or "")

    # Change the first answer from the summary; then the summary comes back.
    await anna.press(anna.button("✏️ 1"))
    assert "Насколько полезны встречи?" in (anna.last_text or "")
    await anna.press(anna.button("10"))
    assert "проверьте ответы" in (anna.last_text or "")
    assert await stored(harness, aid) == {
        "useful": ("10", 10),
        "met_before": ("no", 0),
        "format": ("online", None),
        "topics": ("career", None),
        "wishes": ("Всё хорошо", None),
    }
    submit = anna.button("Отправить")
    summary_id = anna.messages[-1].message_id
    await anna.press(submit)
    assert await status(harness, aid) == "submitted"
    # A double tap on «Отправить» changes nothing and says why.
    await anna.press(submit, message_id=summary_id)
    assert "уже отправлена" in (anna.answers_to_callbacks[-1] or "")
    assert await answer_rows(harness) == 5


async def test_double_stale_and_forged_taps_store_nothing_wrong(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    ids = await seed_directory(harness.session_factory)
    other = await issue_pair(
        harness.session_factory, ids["S001"], mentor_tg=7201, mentee_tg=7202, number=2
    )
    other_aid = other.assignments[other.mentee_id]
    await open_from_invitation(harness, anna)
    first_question = anna.messages[-1].message_id
    seven = anna.button("7")
    await anna.press(seven)
    # Double tap on the same button of the earlier question.
    await anna.press(seven, message_id=first_question)
    assert "уже пройден" in (anna.answers_to_callbacks[-1] or "")
    # A different value on the earlier question's message: no change either.
    await anna.press(pack(AnswerWith(aid, 0, "2")), message_id=first_question)
    assert "уже пройден" in (anna.answers_to_callbacks[-1] or "")
    # A button naming someone else's assignment.
    await anna.press(pack(AnswerWith(other_aid, 0, "5")), message_id=first_question)
    assert "не найдена" in (anna.answers_to_callbacks[-1] or "")
    # A forged value out of range and a skip of a required question.
    current = anna.messages[-1].message_id
    await anna.press(pack(AnswerWith(aid, 1, "maybe")), message_id=current)
    assert "«Да» или «Нет»" in (anna.answers_to_callbacks[-1] or "")
    # A forged button for a question not reached yet is not called "already answered".
    await anna.press(pack(AnswerWith(aid, 4, "1")), message_id=current)
    assert "ещё не дошли" in (anna.answers_to_callbacks[-1] or "")
    await anna.press(pack(Submit(aid)), message_id=current)
    assert "Сначала ответьте" in (anna.answers_to_callbacks[-1] or "")
    assert await stored(harness, aid) == {"useful": ("7", 7)}
    assert await stored(harness, other_aid) == {}
    assert await status(harness, other_aid) == "pending"


async def test_text_checks_and_stray_input(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await open_from_invitation(harness, anna)
    await anna.send("восемь")
    assert "кнопками" in (anna.messages[-2].text or "")
    assert "Вопрос 1 из 5" in (anna.last_text or "")
    await anna.press(anna.button("5"))
    await anna.press(anna.button("Да"))
    await anna.send("я" * 51)
    assert "слишком длинный: 51 символ, а можно не больше 50" in (anna.last_text or "")
    assert "where" not in await stored(harness, aid)
    await anna.send("/nonsense")
    assert "where" not in await stored(harness, aid)
    await anna.send("В школе")
    assert (await stored(harness, aid))["where"] == ("В школе", None)


async def test_survey_command_lists_and_resumes(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await anna.send("/survey")
    assert "Проверочная анкета" in (anna.messages[-2].text or "")
    assert "Вопрос 1 из 5" in (anna.last_text or "")
    await anna.press(anna.button("4"))
    await anna.press(anna.button("Нет"))
    await anna.send("/survey")
    assert "Вопрос 3 из 5" in (anna.last_text or "")
    await anna.press(anna.button("Перейти к анкете"))
    assert "Продолжаем" in (anna.messages[-2].text or "")
    assert "Вопрос 3 из 5" in (anna.last_text or "")
    assert await stored(harness, aid) == {"useful": ("4", 4), "met_before": ("no", 0)}


async def test_expired_assignment_takes_no_answers(harness: BotHarness) -> None:
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await open_from_invitation(harness, anna)
    await anna.press(anna.button("6"))
    async with harness.session_factory() as session, session.begin():
        found = await session.get(Assignment, aid)
        assert found is not None
        found.due_at = utcnow() - timedelta(minutes=1)
    await anna.press(anna.button("Да"))
    assert "истёк" in (anna.answers_to_callbacks[-1] or "")
    assert await stored(harness, aid) == {"useful": ("6", 6)}
    assert await status(harness, aid) == "expired"
    await anna.send("/survey")
    assert "анкет для вас нет" in (anna.last_text or "")


async def test_a_shipped_questionnaire_end_to_end(harness: BotHarness) -> None:
    """The real mentee completion questionnaire, long free-text answers included: every
    question reachable, the summary fits one message, the answers arrive intact."""
    issued = await pair_in_a_new_directory(
        harness.session_factory,
        mentor_tg=MENTOR,
        mentee_tg=MENTEE,
        catalogue=load_catalogue(),
        moment=Moment.COMPLETION,
    )
    aid = issued.assignments[issued.mentee_id]
    anna = harness.standin.user(MENTEE)
    await anna.send("/survey")
    asked = 0
    while "Вопрос " in (anna.last_text or ""):
        asked += 1
        labels = [text for text, _ in anna.buttons()]
        if "10" in labels:
            await anna.press(anna.button("10"))
        elif "Да" in labels:
            await anna.press(anna.button("Да"))
        elif "Готово" in labels:
            await anna.press(anna.buttons()[0][1])
            await anna.press(anna.button("Готово"))
        elif labels and labels[0] not in ("« Назад", "Пропустить"):
            await anna.press(anna.buttons()[0][1])
        else:
            await anna.send("ж" * 2000)
            assert "слишком длинный" in (anna.last_text or "")
            await anna.send("ж" * 300)
        assert asked < 40
    assert "проверьте ответы" in (anna.last_text or "")
    await anna.press(anna.button("Отправить"))
    assert await status(harness, aid) == "submitted"
    answers = await stored(harness, aid)
    assert len(answers) == asked
    assert all(text for text, _number in answers.values())


async def test_an_answer_committed_early_carries_its_update_mark(harness: BotHarness) -> None:
    """The answer is committed before the next question goes out; if sending then fails, the
    update's handled mark must already be in that commit, so a redelivery changes nothing."""
    issued, anna = await setup(harness)
    aid = issued.assignments[issued.mentee_id]
    await open_from_invitation(harness, anna)
    async with harness.session_factory() as session:
        marks_before = int(
            await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0
        )
    harness.standin.fail_next("sendMessage", MENTEE, error_code=400, description="Bad Request")
    await anna.press(anna.button("8"))
    assert await stored(harness, aid) == {"useful": ("8", 8)}
    async with harness.session_factory() as session:
        marks_after = int(
            await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0
        )
    assert marks_after == marks_before + 1
