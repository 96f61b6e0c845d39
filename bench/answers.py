"""Answers per second one bot process stores end to end, next to a bare aiogram bot.

    python -m bench.answers [--users 200] [--questions 20]
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/nastavnik_bench

Each run starts the Bot API stand-in here and the bot as its own process polling it (long
polling, aiogram's default handle_as_tasks=True). Every simulated person opens /survey and
then taps an answer as soon as the next question arrives, so many people answer at once.
Timed: from the first tap to the last reply; one answer = tap in, answer stored, next
question out. Runs: the bare bot (no database), nastavnik on SQLite, nastavnik on
PostgreSQL (when BENCH_DATABASE_URL is set). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update

from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Answer, OutboxMessage, utcnow
from surveys.questionnaire import Catalogue, Moment, PairRole, Question, QuestionKind
from surveys.questionnaire import Questionnaire as Model
from tests.support.botapi import BotAPIStandIn
from tests.support.factories import seed_directory
from tests.support.survey_factories import issue_pair

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token"
FIRST_USER = 500_000
# BENCH_PROFILE=/tmp/bot.prof: run the bot under cProfile to see where the time goes.
PROFILE = (
    ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if "BENCH_PROFILE" in os.environ else []
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_questionnaire(questions: int) -> Model:
    return Model(
        key="bench.scale",
        version=1,
        title="Bench",
        form="student_student",
        role=PairRole.MENTEE,
        moment=Moment.START,
        questions=tuple(
            Question(key=f"q{n}", kind=QuestionKind.SCALE, text=f"Вопрос {n}?")
            for n in range(questions)
        ),
    )


class Driver(BotAPIStandIn):
    """The stand-in, tapping the first button of every question the bot sends."""

    def __init__(self, users: int) -> None:
        super().__init__(processing_timeout=120)
        self.people = [self.user(FIRST_USER + n) for n in range(users)]
        self.by_id = {person.id: person for person in self.people}
        self.timing = False
        self.taps = 0
        self.replies = 0
        self.finished = 0
        self.ready: set[int] = set()
        self.done = asyncio.Event()
        self.all_ready = asyncio.Event()
        self.last_reply = 0.0

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._send_message(params)
        chat = message["chat"]["id"]
        is_question = str(message.get("text", "")).startswith("Вопрос")
        if not self.timing:
            if is_question:
                self.ready.add(chat)
                if len(self.ready) == len(self.people):
                    self.all_ready.set()
            return message
        self.replies += 1
        self.last_reply = time.perf_counter()
        if is_question:
            self.tap(chat, message)
        else:
            self.finished += 1
            if self.finished == len(self.people):
                self.done.set()
        return message

    def tap(self, chat: int, message: dict[str, Any]) -> None:
        data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        person = self.by_id[chat]
        self.taps += 1
        self.feed_only(
            {
                "callback_query": {
                    "id": self.new_callback_query_id(chat),
                    "from": person.user,
                    "message": message,
                    "chat_instance": str(chat),
                    "data": data,
                }
            }
        )

    def command(self, chat: int, command: str) -> None:
        person = self.by_id[chat]
        self.feed_only(
            {
                "message": {
                    "message_id": self.next_message_id(chat),
                    "date": int(time.time()),
                    "chat": person.chat,
                    "from": person.user,
                    "text": command,
                    "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
                }
            }
        )


async def prepare(url: str, users: int, questions: int) -> None:
    engine = create_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    factory = create_session_factory(engine)
    ids = await seed_directory(factory)
    catalogue = Catalogue([bench_questionnaire(questions)])
    for n in range(users):
        await issue_pair(
            factory,
            ids["S001"],
            mentor_tg=FIRST_USER + 100_000 + n,
            mentee_tg=FIRST_USER + n,
            catalogue=catalogue,
            number=n + 1,
        )
    async with factory() as session, session.begin():
        # Invitations are not what is measured: keep the bot's outbox sender quiet.
        await session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
    await engine.dispose()


async def stored_answers(url: str) -> int:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        count = int(await session.scalar(select(func.count()).select_from(Answer)) or 0)
    await engine.dispose()
    return count


async def run(label: str, url: str | None, users: int, questions: int) -> float:
    if url is not None:
        await prepare(url, users, questions)
    driver = Driver(users)
    await driver.start()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": driver.base_url,
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "BENCH_QUESTIONS": str(questions),
    }
    env.pop("REDIS_URL", None)
    if url is not None:
        env["DATABASE_URL"] = url
        argv = [sys.executable, *PROFILE, "-m", "service.cli", "run"]
    else:
        argv = [sys.executable, "-m", "bench.bare_bot"]
    process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=tempfile.gettempdir())
    try:
        await driver.wait_until_polling()
    except AssertionError:
        await asyncio.sleep(60)  # slow imports on a busy machine
    # BENCH_PYSPY=/tmp/bot: sample the bot with py-spy (pip install py-spy) into a flame file.
    spy = None
    if url is not None and "BENCH_PYSPY" in os.environ:
        output = f"{os.environ['BENCH_PYSPY']}-{label}.txt"
        spy = await asyncio.create_subprocess_exec(
            *("py-spy", "record", "--nonblocking", "--gil", "--rate", "400", "--format", "raw"),
            *("--pid", str(process.pid), "-o", output),
        )
    try:
        for person in driver.people:
            driver.command(person.id, "/survey")
        await asyncio.wait_for(driver.all_ready.wait(), 300)
        driver.timing = True
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        for person in driver.people:
            driver.tap(person.id, driver.message_json(person.messages[-1]))
        await asyncio.wait_for(driver.done.wait(), 600)
        elapsed = driver.last_reply - started
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        if spy is not None:
            await spy.wait()
        await driver.stop()
    rate = driver.taps / elapsed
    stored = f", {await stored_answers(url)} rows stored" if url else ""
    print(
        f"{label:<12} {driver.taps:>6} answers in {elapsed:6.2f} s = {rate:7.1f}/s, "
        f"bot CPU {cpu / driver.taps * 1000:.1f} ms/answer{stored}"
    )
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    print(f"{args.users} people answering {args.questions} scale questions each, at once")
    rates: dict[str, float] = {}
    rates["bare"] = await run("bare aiogram", None, args.users, args.questions)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        rates["sqlite"] = await run("SQLite", url, args.users, args.questions)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        rates["postgresql"] = await run("PostgreSQL", pg, args.users, args.questions)
    else:
        print("PostgreSQL   skipped: set BENCH_DATABASE_URL")
    for name in ("sqlite", "postgresql"):
        if name in rates:
            print(f"{name}: {rates[name] / rates['bare']:.0%} of the bare bot")


if __name__ == "__main__":
    asyncio.run(main())
