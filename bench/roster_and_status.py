"""How long a roster upload of the largest accepted size takes (read, check, import, answer
workbook) and how long a school's status query takes, on a fresh SQLite file (or
BENCH_DATABASE_URL). Prints figures; asserts nothing.

    python bench/roster_and_status.py [rows]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook
from sqlalchemy import select

from exports.roster_workbook import result_workbook
from imports.roster_file import MAX_ROWS, read_roster
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Person, RosterEntry, utcnow
from storage.repositories.directory import DirectoryRepository, OrganizationRecord
from storage.repositories.pairs import PairRepository
from storage.repositories.programmes import ProgrammeDraft, ProgrammeRepository
from storage.repositories.roster import RosterRepository
from storage.repositories.status import StatusRepository
from surveys.access import Actor, Grant
from surveys.people import Role
from surveys.roster_rules import HEADERS, check_rows


def roster(rows: int) -> bytes:
    import io

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS.values()))
    for n in range(rows):
        role = "наставник" if n % 4 == 0 else "наставляемый"
        sheet.append([f"Участник Номер{n:05d}", "ученик", 5 + n % 6, role, n // 4 + 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{label:<44} {1000 * (now - started):9.1f} ms")
    return now


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/bench.db"
        engine = create_engine(url)
        await upgrade(engine)
        factory = create_session_factory(engine)
        async with factory() as session, session.begin():
            directory = DirectoryRepository(session)
            await directory.upsert(
                [OrganizationRecord("B01", "Район", "B001", "Школа", "school", 1, 1, 1, 1)]
            )
            org = await directory.organization_by_code("B001")
            assert org is not None
            curator = Person(
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
        content = roster(rows)
        print(f"roster: {rows} rows, {len(content) / 1024:.0f} KiB (limit {MAX_ROWS} rows)")
        started = time.perf_counter()
        parsed = read_roster(content)
        started = timed("read workbook (openpyxl read-only)", started)
        checked = check_rows(parsed.columns, parsed.rows)
        started = timed("check rows", started)
        async with factory() as session, session.begin():
            imported = await RosterRepository(session).import_rows(
                programme, checked.rows, timedelta(days=30), actor.person_id
            )
        started = timed(f"import {len(imported)} rows + personal links", started)
        links = [
            (
                r.row.row_number,
                r.row.full_name,
                r.row.role.value,
                r.row.pair_number,
                f"https://t.me/bot?start={r.code}",
            )
            for r in imported
        ]
        answer = result_workbook("Ссылки", ["a", "b", "c", "d", "e"], links, "Ошибки", [], [])
        started = timed(f"answer workbook ({len(answer) / 1024:.0f} KiB)", started)

        # Everyone registers (directly), pairs are formed: then the status query.
        async with factory() as session, session.begin():
            entries = list(await session.scalars(select(RosterEntry)))
            people = [
                Person(
                    full_name=entry.full_name,
                    consent_at=utcnow(),
                    consent_version="b",
                    organization_id=org.id,
                    locale="ru",
                )
                for entry in entries
            ]
            session.add_all(people)
            await session.flush()
            for entry, person in zip(entries, people, strict=True):
                entry.person_id = person.id
        started = timed(f"register {len(entries)} people (directly)", started)
        async with factory() as session, session.begin():
            groups = await RosterRepository(session).ready_groups(programme.id)
            pairs = PairRepository(session)
            for group in groups:
                await pairs.form(
                    programme.id, group.mentor_id, group.mentee_ids, number=group.pair_number
                )
        started = timed(f"form {len(groups)} pairs from the roster", started)
        async with factory() as session:
            statuses = await StatusRepository(session).organization_pairs(org.id)
        timed(f"status of the school ({len(statuses)} pairs)", started)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else MAX_ROWS))
