"""A curator's bulk operations timed the way the bot's handlers perform them, with the
longest event-loop stall a concurrent probe saw meanwhile (a task sleeping 10 ms in a loop,
recording how late it woke), and the longest a concurrent one-row write transaction took
(what another person's answer would have waited).

    python -m bench.roster_and_status [--rows 3000] [--rounds 3]
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/nastavnik_<you>

Operations, on a fresh database per variant and round (SQLite file, and PostgreSQL when
BENCH_DATABASE_URL names a private database: its schema is dropped and made again):
- roster import: a real xlsx of `rows` rows through the handler's parsing path (read and
  check in threads, known names, import with personal links, the answer workbook);
- forming every pair of that roster (1 mentor + 3 mentees each) with start questionnaires
  issued and invitations queued in the outbox;
- the school's status page;
- completing the programme (completion questionnaires and their invitations).
Variants: "per-pair" (a loop of the single-pair repository calls, as the handlers did) and
"set-based" (what the handlers do now). Rounds alternate the variants' order; the summary
prints the median and the spread (min–max). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.curator import bulk
from app.curator.questionnaires import issue
from app.curator.roster import Roster
from app.notices import OutboxNotices
from app.uow import UnitOfWork
from bot import render
from bot.i18n import create_i18n
from service.runtime import tune_process
from storage.db import create_engine, create_session_factory
from storage.models import (
    Assignment,
    HandledUpdate,
    OutboxMessage,
    Pair,
    Person,
    RosterEntry,
    utcnow,
)
from storage.repositories.directory import DirectoryRepository, OrganizationRecord
from storage.repositories.pairs import PairRepository
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from storage.repositories.roster import RosterRepository
from storage.repositories.status import StatusRepository
from storage.sqlite_inline import off_the_loop
from surveys.access import Actor, Grant
from surveys.pairing import PairRefused
from surveys.people import Role
from surveys.questionnaire import Catalogue, Moment, load_catalogue
from surveys.roster_rules import HEADERS
from surveys.statuses import PairStatus
from tests.support.databases import migrate_afresh

DUE_DAYS = 14
I18N = create_i18n("ru")  # the dispatcher's, made once at start
NOTICES = OutboxNotices(I18N)
LOOP_PERIOD = 0.01
WRITE_PERIOD = 0.05
PROBE_UPDATE_IDS = itertools.count(10**12)
FIRST_TELEGRAM_ID = 700_000


class Probes:
    """What another person's update would have waited meanwhile, two ways:
    - loop: a task sleeping 10 ms again and again; how late it woke is the event-loop stall;
    - writer: every 50 ms a one-row write transaction (as an answer is stored: under the
      SQLite write turn, committed); its whole duration is what an answer waited."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.stall = 0.0
        self.write = 0.0
        self.failed_writes = 0
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Probes:
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(self._loop()), asyncio.create_task(self._writer())]
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        # Stopped, not cancelled: a write cancelled while it waits for SQLite's lock on
        # aiosqlite's thread would leave that connection in use there.
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _loop(self) -> None:
        while not self._stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(LOOP_PERIOD)
            self.stall = max(self.stall, time.perf_counter() - before - LOOP_PERIOD)

    async def _writer(self) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(WRITE_PERIOD)
            before = time.perf_counter()
            try:
                async with UnitOfWork(self.factory) as uow:
                    await uow.write()
                    await uow.session.execute(
                        insert(HandledUpdate),
                        {"update_key": f"probe:{next(PROBE_UPDATE_IDS)}", "handled_at": utcnow()},
                    )
                    await uow.commit()
            except OperationalError:  # "database is locked": an answer lost, not just late
                self.failed_writes += 1
            self.write = max(self.write, time.perf_counter() - before)


@dataclass
class Figures:
    wall: dict[str, list[float]] = field(default_factory=dict)
    stall: dict[str, list[float]] = field(default_factory=dict)
    write: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, wall: float, probes: Probes) -> None:
        self.wall.setdefault(name, []).append(wall)
        self.stall.setdefault(name, []).append(probes.stall)
        self.write.setdefault(name, []).append(probes.write)


async def timed(
    figures: Figures, school: School, name: str, work: Callable[[], Awaitable[str]]
) -> None:
    async with Probes(school.factory) as probes:
        started = time.perf_counter()
        detail = await work()
        wall = time.perf_counter() - started
    figures.add(name, wall, probes)
    print(
        f"  {name:<32} {wall * 1000:7.0f} ms, loop stall {probes.stall * 1000:5.0f} ms, "
        f"writer waited {probes.write * 1000:5.0f} ms"
        f"{f' ({probes.failed_writes} writes failed)' if probes.failed_writes else ''}; {detail}"
    )


def roster_bytes(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS.values()))
    for n in range(rows):
        role = "наставник" if n % 4 == 0 else "наставляемый"
        category = "педагог" if n % 4 == 0 else "ученик"
        grade = None if n % 4 == 0 else 5 + n % 6
        sheet.append([f"Участник Номер{n:05d}", category, grade, role, n // 4 + 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class School:
    factory: async_sessionmaker[AsyncSession]
    actor: Actor
    organization_id: int
    programme_id: int


async def fresh_school(url: str) -> tuple[School, Any]:
    await migrate_afresh(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        directory = DirectoryRepository(session)
        await directory.upsert(
            [OrganizationRecord("B01", "Район", "B001", "Школа", "school", 1, 1, 1, 1)]
        )
        org = await directory.organization_by_code("B001")
        assert org is not None
        curator = Person(
            telegram_id=1,
            full_name="Куратор",
            consent_at=utcnow(),
            consent_version="b",
            organization_id=org.id,
            locale="ru",
        )
        session.add(curator)
        await session.flush()
        actor = Actor(
            telegram_id=1,
            person_id=curator.id,
            grants=(Grant(Role.CURATOR, organization_id=org.id),),
        )
        programme = await ProgrammeRepository(session).create(
            ProgrammeDraft(
                org.id,
                "student_student",
                "Бенчмарк",
                "2026/2027",
                date(2026, 9, 1),
                date(2027, 5, 31),
            ),
            actor.person_id,
        )
    return School(factory, actor, org.id, programme.id), engine


async def import_roster(school: School, content: bytes) -> str:
    """The upload's use case (app/curator/roster.py): parse and check in threads, import
    and commit, the answer workbook in a thread."""

    async def download() -> bytes:
        return content

    with I18N.context(), I18N.use_locale("ru"):
        async with UnitOfWork(school.factory) as uow:
            reply = await Roster(uow, school.actor).upload(
                {"programme_id": school.programme_id},
                len(content),
                download,
                timedelta(days=30),
                partial(render.text, I18N),
                "https://t.me/bench?start={}".format,
            )
    (answer,) = reply.documents
    return f"{answer.caption.params['imported']} rows, answer {len(answer.content) // 1024} KiB"


async def everyone_registers(school: School) -> None:
    """Not timed: each roster row gets a registered person (directly, in bulk)."""
    async with school.factory() as session, session.begin():
        entries = list((await session.execute(select(RosterEntry.id, RosterEntry.full_name))).all())
        rows = [
            {
                "telegram_id": FIRST_TELEGRAM_ID + n,
                "external_id": FIRST_TELEGRAM_ID + n,  # as registration sets it
                "full_name": name,
                "organization_id": school.organization_id,
                "locale": "ru",
                "consent_at": utcnow(),
                "consent_version": "b",
                "registered_at": utcnow(),
            }
            for n, (_id, name) in enumerate(entries)
        ]
        ids = list(
            await session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True), rows
            )
        )
        await session.execute(
            update(RosterEntry),
            [
                {"id": entry_id, "person_id": person_id}
                for (entry_id, _name), person_id in zip(entries, ids, strict=True)
            ],
        )


async def counts(school: School) -> str:
    async with school.factory() as session:
        found = []
        for model in (Pair, Assignment, OutboxMessage):
            found.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return "pairs {}, assignments {}, outbox {}".format(*found)


# --- the per-pair way: loops of single-pair repository calls, as the handlers did ----------


async def form_per_pair(school: School, catalogue: Catalogue) -> str:
    async with UnitOfWork(school.factory) as uow:
        groups = await RosterRepository(uow.session).ready_groups(school.programme_id)
        pairs = PairRepository(uow.session)
        for group in groups:
            try:
                pair = await pairs.form(
                    school.programme_id,
                    group.mentor_id,
                    group.mentee_ids,
                    number=group.pair_number,
                )
            except PairRefused:
                continue
            await issue(uow, catalogue, NOTICES, [pair.id], Moment.START, DUE_DAYS)
        await uow.commit()
    return await counts(school)


async def complete_per_pair(school: School, catalogue: Catalogue) -> str:
    async with UnitOfWork(school.factory) as uow:
        pairs = PairRepository(uow.session)
        for pair in await pairs.of_programme(school.programme_id):
            if pair.status != PairStatus.ACTIVE:
                continue
            await pairs.complete(pair)
            await issue(uow, catalogue, NOTICES, [pair.id], Moment.COMPLETION, DUE_DAYS)
        await ProgrammeRepository(uow.session).mark_completed(school.programme_id)
        await uow.commit()
    return await counts(school)


# --- the set-based way: what the use cases run now (app/curator/bulk.py) ------------------


async def form_set_based(school: School, catalogue: Catalogue) -> str:
    """The handler's job: ready groups, then steps of multi-row statements."""
    async with school.factory() as session:
        groups = await RosterRepository(session).ready_groups(school.programme_id)
    outcome = await bulk.form_pairs(
        school.factory,
        school.actor,
        school.programme_id,
        [group.plan for group in groups],
        catalogue,
        NOTICES,
        DUE_DAYS,
    )
    return f"{await counts(school)}; {len(outcome.numbers)} formed, {outcome.refused} refused"


async def complete_set_based(school: School, catalogue: Catalogue) -> str:
    outcome = await bulk.complete_programme(
        school.factory, school.actor, school.programme_id, catalogue, NOTICES, DUE_DAYS
    )
    return f"{await counts(school)}; {outcome.pairs} completed, {outcome.queued} queued"


def in_steps_of_50(work: Callable[..., Awaitable[str]]) -> Callable[..., Awaitable[str]]:
    """The set-based path with PostgreSQL's steps as small as SQLite's (what it was before
    PAIRS_PER_STEP_POSTGRESQL): the same on SQLite."""

    async def run(*args: Any) -> str:
        saved = bulk.PAIRS_PER_STEP_POSTGRESQL
        bulk.PAIRS_PER_STEP_POSTGRESQL = bulk.PAIRS_PER_STEP  # type: ignore[misc]
        try:
            return await work(*args)
        finally:
            bulk.PAIRS_PER_STEP_POSTGRESQL = saved  # type: ignore[misc]

    return run


VARIANTS: dict[str, tuple[Callable[..., Awaitable[str]], Callable[..., Awaitable[str]]]] = {
    "per-pair": (form_per_pair, complete_per_pair),
    "set-based": (form_set_based, complete_set_based),
    "steps-of-50": (in_steps_of_50(form_set_based), in_steps_of_50(complete_set_based)),
}


async def status(school: School) -> str:
    """As the /status handler reads it: off the loop on SQLite."""
    with off_the_loop():
        async with school.factory() as session:
            rows = await StatusRepository(session).organization_pairs(school.organization_id)
    return f"{len(rows)} pairs"


async def one_run(
    url: str, variant: str, content: bytes, figures: Figures, catalogue: Catalogue
) -> None:
    school, engine = await fresh_school(url)
    form, complete = VARIANTS[variant]
    try:
        await timed(figures, school, "roster import", lambda: import_roster(school, content))
        await everyone_registers(school)
        await timed(figures, school, f"form pairs ({variant})", lambda: form(school, catalogue))
        await timed(figures, school, "status of the school", lambda: status(school))
        await timed(
            figures, school, f"complete programme ({variant})", lambda: complete(school, catalogue)
        )
    finally:
        await engine.dispose()


def spread(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:7.0f} ms "
        f"[{min(values) * 1000:.0f}–{max(values) * 1000:.0f}]"
    )


async def bench(label: str, url: Callable[[], str], args: argparse.Namespace) -> None:
    content = roster_bytes(args.rows)
    catalogue = load_catalogue()
    figures = Figures()
    names = args.variants
    size = f"{args.rows} rows ({len(content) // 1024} KiB)"
    print(f"\n{label}: roster of {size}, {args.rounds} rounds of {', '.join(names)}")
    for round_number in range(args.rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for variant in order:
            print(f" round {round_number + 1}, {variant}")
            await one_run(url(), variant, content, figures, catalogue)
    print(f"\n{label} summary, median [min–max] of {args.rounds} rounds:")
    print(f"  {'operation':<32} {'wall time':>22} {'longest loop stall':>22} {'writer waited':>22}")
    for name in figures.wall:
        print(
            f"  {name:<32} {spread(figures.wall[name]):>22} {spread(figures.stall[name]):>22} "
            f"{spread(figures.write[name]):>22}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), metavar="NAME"
    )
    args = parser.parse_args()
    tune_process()  # as the bot does once started (service/runtime.py)
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(1_000_000))
        await bench("SQLite", lambda: f"sqlite+aiosqlite:///{folder}/bench{next(runs)}.db", args)
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        await bench("PostgreSQL", lambda: pg, args)
    else:
        print("\nPostgreSQL skipped: set BENCH_DATABASE_URL to a private database")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    asyncio.run(main())
