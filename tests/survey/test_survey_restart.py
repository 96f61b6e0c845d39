"""SIGKILL the bot in the middle of a questionnaire, start a new process on the same
database: the person continues at the first unanswered question, nothing lost or doubled.

The bot runs as `python -m service.cli.main run` (long polling with aiogram's default
handle_as_tasks=True), so the test waits for the bot's replies, not for update offsets.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.actions import pack
from app.survey.actions import AnswerWith
from storage.models import Answer, Assignment
from tests.conftest import TOKEN
from tests.support.botapi import BotAPIStandIn
from tests.support.botapi.records import BotMessage
from tests.support.botapi.users import FakeUser
from tests.support.factories import seed_directory
from tests.support.local_server import served
from tests.support.survey_factories import issue_pair

ROOT = Path(__file__).resolve().parents[2]
MENTEE = 7302
WAIT = 20.0
STARTUP = 90.0  # importing aiogram's types alone takes seconds on a busy CI machine


class BotProcess:
    def __init__(self, standin: BotAPIStandIn, database_url: str, cwd: Path) -> None:
        self.standin = standin
        self.database_url = database_url
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": self.standin.base_url,
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        polls = len(self.standin.polls)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "service.cli", "run", cwd=self.cwd, env=env
        )
        await until(lambda: len(self.standin.polls) > polls, "the bot never polled", STARTUP)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None


async def until(condition: Callable[[], bool], what: str, wait: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.02)


def last_text(person: FakeUser) -> str:
    return person.last_text or ""


async def act(person: FakeUser, action: Callable[[], dict[str, object]]) -> None:
    """Feed one update and wait until the bot answered it with a new message."""
    before = len(person.messages)
    person.standin.feed_only(action())
    await until(lambda: len(person.messages) > before, "the bot did not reply")


def press(person: FakeUser, data: str, message: BotMessage) -> dict[str, object]:
    return person.press_update(data, message)


def tap(person: FakeUser, text: str) -> Callable[[], dict[str, object]]:
    """The newest button whose label contains `text`, as a person would tap it."""

    def update() -> dict[str, object]:
        data = person.button(text)
        message = next(
            m
            for m in reversed(person.messages)
            if any(
                b.get("callback_data") == data
                for row in (m.reply_markup or {}).get("inline_keyboard", [])
                for b in row
            )
        )
        return press(person, data, message)

    return update


def say(person: FakeUser, text: str) -> Callable[[], dict[str, object]]:
    def update() -> dict[str, object]:
        content: dict[str, object] = {
            "message_id": person.standin.next_message_id(person.id),
            "date": 0,
            "chat": person.chat,
            "from": person.user,
            "text": text,
        }
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"message": content}

    return update


async def answers(factory: async_sessionmaker[AsyncSession]) -> dict[str, str | None]:
    async with factory() as session:
        rows = await session.execute(select(Answer.question_key, Answer.value_text))
        return dict(rows.all())  # type: ignore[arg-type]


async def answer_count(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Answer)) or 0)


standin_fixture = served(BotAPIStandIn, "standin", processing_timeout=WAIT)


async def test_sigkill_in_the_middle_loses_and_doubles_nothing(
    standin: BotAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    ids = await seed_directory(session_factory)
    issued = await issue_pair(session_factory, ids["S001"], mentor_tg=7301, mentee_tg=MENTEE)
    aid = issued.assignments[issued.mentee_id]
    anna = standin.user(MENTEE, first_name="Анна")
    bot = BotProcess(standin, database_url, tmp_path)

    await bot.start()
    try:
        # The bot's own outbox sender delivers the invitation; its button opens the survey.
        await until(lambda: "Начать анкету" in str(anna.buttons()), "no invitation")
        await act(anna, tap(anna, "Начать анкету"))
        await until(lambda: "Вопрос 1 из 5" in last_text(anna), "no first question")
        await act(anna, tap(anna, "9"))
        yes_no_message = anna.messages[-1]
        await act(anna, tap(anna, "Да"))
        assert "Вопрос 3 из 6" in last_text(anna)
        await act(anna, say(anna, "В кружке"))
        assert "Вопрос 4 из 6" in last_text(anna)
        await bot.kill()
        assert await answers(session_factory) == {
            "useful": "9",
            "met_before": "yes",
            "where": "В кружке",
        }

        # Kill again a moment after a tap arrives, wherever that lands. With
        # handle_as_tasks=True the update is confirmed on receipt, so a kill before the
        # commit drops the tap (the buttons were not taken away: the person taps again);
        # after the commit the answer is there exactly once.
        await bot.start()
        standin.feed_only(tap(anna, "Очно")())
        await asyncio.sleep(0.05)
        await bot.kill()
        await bot.start()
        await act(anna, say(anna, "/survey"))
        await until(lambda: "Вопрос " in last_text(anna), "did not resume")
        if "Вопрос 4 из 6" in last_text(anna):
            assert "format" not in await answers(session_factory)
            await act(anna, tap(anna, "Очно"))
        assert "Вопрос 5 из 6" in last_text(anna)
        assert (await answers(session_factory))["format"] == "offline"

        # The old "Нет" button of question 2 (already answered): refused, nothing stored.
        calls = len(standin.calls)
        standin.feed_only(press(anna, pack(AnswerWith(aid, 1, "no")), yes_no_message))
        await until(
            lambda: any(c.method == "answerCallbackQuery" for c in standin.calls[calls:]),
            "the stale tap was not answered",
        )
        assert "уже пройден" in (anna.answers_to_callbacks[-1] or "")

        # A toggle edits the keyboard instead of sending a message.
        standin.feed_only(tap(anna, "Учёба")())
        await until(lambda: "✅ Учёба" in str(anna.messages[-1].reply_markup), "no toggle")
        await act(anna, tap(anna, "Готово"))
        await act(anna, say(anna, "Спасибо"))
        assert "проверьте ответы" in last_text(anna)
        await act(anna, tap(anna, "Отправить"))
        assert "ответы отправлены" in last_text(anna)
    finally:
        if bot.process is not None:
            await bot.kill()

    assert await answers(session_factory) == {
        "useful": "9",
        "met_before": "yes",
        "where": "В кружке",
        "format": "offline",
        "topics": "study",
        "wishes": "Спасибо",
    }
    assert await answer_count(session_factory) == 6
    async with session_factory() as session:
        assignment = await session.get(Assignment, aid)
        assert assignment is not None and assignment.status == "submitted"
