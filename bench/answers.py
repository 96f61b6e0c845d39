"""Answers per second one bot process stores end to end, next to a bare aiogram bot.

    python -m bench.answers [--users 200] [--questions 20]
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/nastavnik_bench

Each run starts the Bot API stand-in here and the bot as its own process polling it (long
polling, aiogram's default handle_as_tasks=True). Every simulated person opens /survey and
then taps an answer as soon as the next question arrives, so many people answer at once.
Timed: from the first tap to the last reply; one answer = tap in, answer stored, next
question out. Variants: the bare bot (no database), nastavnik on SQLite, nastavnik on
PostgreSQL (when BENCH_DATABASE_URL names a private database: its schema is dropped and
made again). Each round runs every variant, the order alternating (forward, then
backward) so that a machine getting busier favours none; the summary prints the median and
the spread (min–max) of each.

Every answer must be stored and every update handled: a run in which somebody gets no reply
for --stall seconds, the bot logs an update it could not handle (e.g. no free database
connection within DB_POOL_TIMEOUT), or a person has fewer stored answers than questions
prints them, and the bench exits 1. The pool comes from the settings (DB_POOL_SIZE,
DB_MAX_OVERFLOW, DB_POOL_TIMEOUT in the environment reach the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from storage.db import create_engine, create_session_factory
from storage.models import Answer, Assignment, OutboxMessage, Person, utcnow
from surveys.questionnaire import Catalogue, Moment, Question, QuestionKind
from surveys.questionnaire import Questionnaire as Model
from surveys.statuses import OutboxStatus
from tests.support.botapi import BotAPIStandIn
from tests.support.databases import migrate_afresh
from tests.support.factories import seed_directory
from tests.support.questionnaires import questionnaire
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
    scales = (Question(f"q{n}", QuestionKind.SCALE, f"Вопрос {n}?") for n in range(questions))
    return questionnaire(
        *scales, key="bench.scale", title="Bench", form="student_student", moment=Moment.START
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
        self.sent = 0
        self.finished = 0
        self.ready: set[int] = set()
        self.done = asyncio.Event()
        self.all_ready = asyncio.Event()
        self.last_reply = 0.0

    async def progressing(self, goal: asyncio.Event, stall: float) -> bool:
        """Wait until `goal` is set (True) or the bot sent nothing for `stall` s (False)."""
        while not goal.is_set():
            seen = self.sent
            try:
                await asyncio.wait_for(goal.wait(), stall)
            except TimeoutError:
                if self.sent == seen:
                    return False
        return True

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._send_message(params)
        self.sent += 1
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
        else:  # the summary, or a failure notice: this person is through either way
            self.finished += 1
            if self.finished == len(self.ready):
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
    await migrate_afresh(url)
    engine = create_engine(url)
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
        await session.execute(
            update(OutboxMessage).values(status=OutboxStatus.SENT, sent_at=utcnow())
        )
    await engine.dispose()


@dataclass
class Outcome:
    """One run of one variant."""

    variant: str
    answers: int
    seconds: float
    cpu: float
    failures: list[str]  # empty when every answer was stored and every update handled

    @property
    def rate(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.answers * 1000 if self.answers else 0.0


async def missing_answers(url: str, users: int, questions: int) -> list[str]:
    """Every person who has fewer stored answers than questions (or more: counted twice)."""
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            select(Person.telegram_id, func.count(Answer.id))
            .join(Assignment, Assignment.person_id == Person.id)
            .outerjoin(Answer, Answer.assignment_id == Assignment.id)
            .where(Person.telegram_id < FIRST_USER + users)
            .group_by(Person.telegram_id)
        )
        stored = {int(tg or 0): int(count) for tg, count in rows}
    await engine.dispose()
    return [
        f"person {FIRST_USER + n}: {stored.get(FIRST_USER + n, 0)} of {questions} answers stored"
        for n in range(users)
        if stored.get(FIRST_USER + n, 0) != questions
    ]


def failed_updates(log: Path) -> list[str]:
    """Lines of the bot's log that report an update it could not handle."""
    markers = ("database unavailable", "handler failed", "Traceback", " ERROR ")
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(m in line for m in markers)
    ]


async def run(variant: str, url: str | None, args: argparse.Namespace, log: Path) -> Outcome:
    users, questions = args.users, args.questions
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
    with log.open("w") as stderr:
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=tempfile.gettempdir(), stderr=stderr
        )
    try:
        await driver.wait_until_polling()
    except AssertionError:
        await asyncio.sleep(60)  # slow imports on a busy machine
    # BENCH_PYSPY=/tmp/bot: sample the bot with py-spy (pip install py-spy) into a flame file.
    spy = None
    if url is not None and "BENCH_PYSPY" in os.environ:
        output = f"{os.environ['BENCH_PYSPY']}-{variant}.txt"
        spy = await asyncio.create_subprocess_exec(
            *("py-spy", "record", "--nonblocking", "--gil", "--rate", "400", "--format", "raw"),
            *("--pid", str(process.pid), "-o", output),
        )
    failures: list[str] = []
    try:
        for person in driver.people:
            driver.command(person.id, "/survey")
        if not await driver.progressing(driver.all_ready, args.stall):
            failures.append(f"{users - len(driver.ready)} people never got their first question")
        driver.timing = True
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        for chat in sorted(driver.ready):
            driver.tap(chat, driver.message_json(driver.by_id[chat].messages[-1]))
        if not await driver.progressing(driver.done, args.stall):
            stuck = len(driver.ready) - driver.finished
            failures.append(f"{stuck} people got no reply for {args.stall:.0f} s")
        elapsed = max(driver.last_reply - started, 1e-9)
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        if spy is not None:
            await spy.wait()
        await driver.stop()
    failed = failed_updates(log)
    missing = await missing_answers(url, users, questions) if url is not None else []
    failures += failed + missing
    outcome = Outcome(variant, driver.taps, elapsed, cpu, failures)
    print(
        f"  {variant:<11} {outcome.answers:>6} answers in {elapsed:6.2f} s = "
        f"{outcome.rate:7.1f}/s, bot CPU {outcome.cpu_ms:.1f} ms/answer; "
        f"failed updates {len(failed)}, people with answers missing {len(missing)}"
    )
    for failure in failures[:10]:  # the stuck first, then failed updates, then missing answers
        print(f"    {failure[:160]}")
    if len(failures) > 10:
        print(f"    … and {len(failures) - 10} more")
    return outcome


def spread(values: list[float], unit: str) -> str:
    return f"{statistics.median(values):7.1f} {unit} [{min(values):.1f}–{max(values):.1f}]"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--stall", type=float, default=60.0, help="seconds without any reply that end a run"
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=("bare", "sqlite", "postgresql"),
        default=["bare", "sqlite", "postgresql"],
    )
    args = parser.parse_args()
    pg = os.environ.get("BENCH_DATABASE_URL")
    variants = [v for v in args.variants if v != "postgresql" or pg]
    pool = ", ".join(
        f"{name}={os.environ[name]}"
        for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT")
        if name in os.environ
    )
    print(
        f"{args.users} people answering {args.questions} scale questions each, at once; "
        f"{args.rounds} rounds of {', '.join(variants)} (order alternating); "
        f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; "
        f"pool {pool or 'from the settings defaults'}"
    )
    if not pg:
        print("PostgreSQL skipped: set BENCH_DATABASE_URL to a private database")
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(args.rounds):
            order = variants if round_number % 2 == 0 else variants[::-1]
            print(f"round {round_number + 1}")
            for variant in order:
                url = {
                    "bare": None,
                    "sqlite": f"sqlite+aiosqlite:///{folder}/bench{round_number}.db",
                    "postgresql": pg,
                }[variant]
                log = Path(folder) / f"bot-{variant}-{round_number}.log"
                outcomes.append(await run(variant, url, args, log))
    print(
        f"summary, median [min–max] of {args.rounds} rounds; load average {os.getloadavg()[0]:.2f}"
    )
    bare = [o.rate for o in outcomes if o.variant == "bare"]
    for variant in variants:
        mine = [o for o in outcomes if o.variant == variant]
        ratio = ""
        if bare:  # the yardstick: each run against the bare bot's median
            ratios = [o.rate / statistics.median(bare) * 100 for o in mine]
            ratio = f"{spread(ratios, '%')} of the bare bot's median, "
        print(
            f"  {variant:<11} {spread([o.rate for o in mine], 'answers/s')}, "
            f"CPU {spread([o.cpu_ms for o in mine], 'ms/answer')}, {ratio}"
            f"failures in {sum(bool(o.failures) for o in mine)} of {len(mine)} runs"
        )
    failed = [o for o in outcomes if o.failures]
    if failed:
        print(f"FAILED: {len(failed)} runs lost answers or updates (listed above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
