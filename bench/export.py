"""Benchmark of the monitoring export (prints figures; not a test).

A generated region: 100,000 people, 40,000 pairs and groups, ~2,000,000 answers, bulk
inserted (sqlite3 executemany / PostgreSQL COPY; generation time is not the figure). Then,
each in a fresh subprocess so that peak memory (ru_maxrss) belongs to that step alone:
  - export: the whole region's workbook, from the database, as an admin would get it;
  - floor: openpyxl write-only writing the very same cells from memory (values read from the
    exported workbook beforehand, outside the timing).

    python bench/export.py                      # SQLite and PostgreSQL (BENCH_DATABASE_URL)
    python bench/export.py --db sqlite --scale 0.1
    python bench/export.py --keep /tmp/before       # then bench/export_cells.py compares
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/nastavnik_exports_bench"
FORMS = (
    "student_student",
    "teacher_teacher",
    "university_student_student",
    "employer_student",
    "employer_college_student",
    "lecturer_student",
)
YEAR = 2026
NOW = datetime(2027, 5, 20, 12, 0, tzinfo=UTC)
WISHES = (
    "Спасибо за поддержку и терпение",
    "Хотелось бы больше встреч",
    "=1+1 проверка",
    "Было интересно, узнал много нового о профессии",
)


# --- the generated region --------------------------------------------------------------------


def definition(form: str, role: str, moment: str) -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    scales = 8 if moment == "start" else 6
    for i in range(1, scales + 1):
        questions.append(
            {"key": f"q{i}", "kind": "scale", "text": f"Оценка {i}", "metric": f"m{i}"}
        )
    questions.append({"key": f"q{scales + 1}", "kind": "yes_no", "text": "Было ли полезно?"})
    if moment == "completion":
        choices = [{"key": k, "label": k.title()} for k in ("a", "b", "c")]
        questions.append(
            {"key": "q8", "kind": "single_choice", "text": "Формат", "choices": choices}
        )
        questions.append({"key": "q9", "kind": "multi_choice", "text": "Темы", "choices": choices})
    questions.append({"key": "q10", "kind": "text", "text": "Пожелания", "optional": True})
    return {
        "key": f"bench.{form}.{role}.{moment}", "version": 1, "title": "Анкета", "form": form,
        "role": role, "moment": moment, "questions": questions,
    }  # fmt: skip


def answer_value(kind: str, rng: random.Random) -> tuple[str | None, int | None]:
    if kind == "scale":
        value = rng.randint(3, 10)
        return str(value), value
    if kind == "yes_no":
        yes = rng.random() < 0.7
        return ("yes" if yes else "no"), int(yes)
    if kind == "single_choice":
        return rng.choice("abc"), None
    if kind == "multi_choice":
        return ",".join(sorted(rng.sample("abc", rng.randint(1, 3)))), None
    return (rng.choice(WISHES), None) if rng.random() < 0.5 else (None, None)


class Region:
    """Rows of every table, as generators of tuples in column order."""

    def __init__(self, scale: float) -> None:
        self.rng = random.Random(20261123)
        self.municipalities = 10
        self.orgs_per_municipality = 30
        self.pairs = int(40_000 * scale)
        self.orgs = self.municipalities * self.orgs_per_municipality
        self.snapshots = [
            (form, role, moment)
            for form in FORMS
            for role in ("mentor", "mentee")
            for moment in ("start", "completion")
        ]
        self.definitions = [definition(*key) for key in self.snapshots]

    def municipality_rows(self) -> Iterator[tuple[Any, ...]]:
        for m in range(1, self.municipalities + 1):
            yield (m, f"M{m:02d}", f"Муниципальный район {m}")

    def organization_rows(self) -> Iterator[tuple[Any, ...]]:
        for o in range(1, self.orgs + 1):
            m = (o - 1) // self.orgs_per_municipality + 1
            yield (o, m, f"S{o:04d}", f"МБОУ СОШ № {o}", "school", 900, 600, 70, 15, "Europe/Omsk")

    @staticmethod
    def form_of(programme: int) -> str:
        """Two programmes per organization, of different forms."""
        org, second = (programme - 1) // 2 + 1, (programme - 1) % 2
        return FORMS[(org + second) % len(FORMS)]

    def programme_rows(self) -> Iterator[tuple[Any, ...]]:
        for o in range(1, self.orgs + 1):
            for f in range(2):
                form = self.form_of((o - 1) * 2 + f + 1)
                yield (
                    (o - 1) * 2 + f + 1, o, form, f"Программа {form}", f"{YEAR}/{YEAR + 1}",
                    date(YEAR, 9, 15), date(YEAR + 1, 5, 31), "active", NOW,
                )  # fmt: skip

    def people_pairs_members(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        people, pairs, members = [], [], []
        person_id = 0
        programmes = self.orgs * 2
        for p in range(1, self.pairs + 1):
            programme = (p - 1) % programmes + 1
            org = (programme - 1) // 2 + 1
            status = "completed" if p % 5 < 3 else "active"
            pairs.append((p, programme, (p - 1) // programmes + 1, status, NOW))
            size = 4 if p % 4 == 0 else 2  # a group: one mentor and three mentees
            for seat in range(size):
                person_id += 1
                role = "mentor" if seat == 0 else "mentee"
                category = "teacher" if programme % 2 == 0 and role == "mentor" else "student"
                grade = None if category == "teacher" else self.rng.randint(5, 11)
                people.append(
                    (person_id, 10_000_000 + person_id, f"Участник {person_id}", category, grade,
                     org, "ru", NOW, "1", NOW)
                )  # fmt: skip
                members.append((person_id, p, person_id, role, NOW))
        return people, pairs, members

    def assignments_answers(
        self, members: list[tuple[Any, ...]], pairs: list[tuple[Any, ...]]
    ) -> tuple[list[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
        programme_of = {pair[0]: pair[1] for pair in pairs}
        assignments = []
        assignment_id = 0
        for _member_id, pair_id, person_id, role, _ in members:
            form = FORMS[
                ((programme_of[pair_id] - 1) // 2 + 1 + (programme_of[pair_id] - 1) % 2)
                % len(FORMS)
            ]
            for moment in ("start", "completion"):
                assignment_id += 1
                snapshot = self.snapshots.index((form, role, moment)) + 1
                assignments.append(
                    (assignment_id, pair_id, person_id, role, moment, snapshot, "submitted",
                     NOW, NOW, NOW, 0)
                )  # fmt: skip

        def answers() -> Iterator[tuple[Any, ...]]:
            answer_id = 0
            for assignment in assignments:
                for question in self.definitions[assignment[5] - 1]["questions"]:
                    answer_id += 1
                    text, numeric = answer_value(question["kind"], self.rng)
                    yield (answer_id, assignment[0], question["key"], text, numeric, NOW)

        return assignments, answers()


TABLES = {
    "municipality": "id, code, name",
    "organization": "id, municipality_id, code, name, kind, students_total, students_10_18, "
    "teachers_total, teachers_under_35, timezone",
    "questionnaire_snapshot": "id, key, version, digest, form, role, moment, definition, "
    "created_at",
    "programme": "id, organization_id, form, title, academic_year, starts_on, ends_on, status, "
    "created_at",
    "person": "id, telegram_id, full_name, category, grade, organization_id, locale, consent_at, "
    "consent_version, registered_at",
    "pair": "id, programme_id, number, status, created_at",
    "pair_member": "id, pair_id, person_id, role, joined_at",
    "assignment": "id, pair_id, person_id, role, moment, snapshot_id, status, created_at, due_at, "
    "submitted_at, reminders_sent",
    "answer": "id, assignment_id, question_key, value_text, value_numeric, answered_at",
}


def table_rows(region: Region) -> Iterator[tuple[str, Any]]:
    yield "municipality", region.municipality_rows()
    yield "organization", region.organization_rows()
    yield (
        "questionnaire_snapshot",
        (
            (i + 1, d["key"], 1, "bench", d["form"], d["role"], d["moment"], d, NOW)
            for i, d in enumerate(region.definitions)
        ),
    )
    yield "programme", region.programme_rows()
    people, pairs, members = region.people_pairs_members()
    yield "person", people
    yield "pair", pairs
    yield "pair_member", members
    assignments, answers = region.assignments_answers(members, pairs)
    yield "assignment", assignments
    yield "answer", answers


async def migrate(url: str) -> None:
    from tests.support.databases import migrate_afresh

    await migrate_afresh(url)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _batches(rows: Any, size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill_sqlite(path: Path, region: Region) -> dict[str, int]:
    counts: dict[str, int] = {}
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    for table, rows in table_rows(region):
        columns = TABLES[table]
        marks = ", ".join("?" for _ in columns.split(","))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for batch in _batches(rows):
            connection.executemany(statement, [tuple(map(_sqlite_value, r)) for r in batch])
            counts[table] = counts.get(table, 0) + len(batch)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return counts


async def fill_postgres(url: str, region: Region) -> dict[str, int]:
    import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

    counts: dict[str, int] = {}
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for table, rows in table_rows(region):
            columns = [c.strip() for c in TABLES[table].split(",")]
            for batch in _batches(rows):
                if table == "questionnaire_snapshot":
                    batch = [(*r[:7], json.dumps(r[7], ensure_ascii=False), r[8]) for r in batch]
                await connection.copy_records_to_table(table, records=batch, columns=columns)
                counts[table] = counts.get(table, 0) + len(batch)
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return counts


# --- the measured steps (each in its own subprocess) ------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


async def measure_export(url: str, out: Path) -> dict[str, float]:
    from app.export.plan import ExportPlan, write_export
    from bot.i18n import create_i18n
    from exports.period import Period
    from exports.workbook import ExportOptions, Register
    from storage.db import create_engine, create_session_factory
    from storage.repositories.export_scope import ExportScope
    from surveys.access import OPERATOR

    i18n = create_i18n()
    engine = create_engine(url)
    baseline = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    async with create_session_factory(engine)() as session:
        await write_export(
            session,
            OPERATOR,
            # The register with names: the heaviest workbook (an operator allowed it).
            ExportPlan(ExportScope(), Period.academic_year(YEAR), Register.NAMES, True),
            out,
            lambda key: i18n.gettext(key, locale="ru"),
            ExportOptions(target_student_share=0.7),
        )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "baseline_mb": baseline}


def measure_floor(source: Path, out: Path) -> dict[str, float]:
    """The same cells, already in memory, written by openpyxl write-only: the floor."""
    from openpyxl import Workbook, load_workbook

    book = load_workbook(source, read_only=True)
    sheets = [
        (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book
    ]
    book.close()
    cells = sum(len(row) for _t, rows in sheets for row in rows)
    rows_total = sum(len(rows) for _t, rows in sheets)
    started, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(out)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": rows_total,
        "cells": cells,
    }


def child(*args: str, script: str = __file__) -> dict[str, float]:
    """Runs `script` with `args` in a fresh interpreter; its last line of output is JSON."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, script, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"step {args[0]} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _seconds(runs: list[dict[str, float]]) -> str:
    return ", ".join(f"{figures['seconds']:.1f}" for figures in runs)


def _cpu(runs: list[dict[str, float]]) -> float:
    return min(figures["cpu"] for figures in runs)


def generate(db: str, url: str, scale: float) -> dict[str, int]:
    """A fresh schema filled with the region; prints and returns the rows per table."""
    region = Region(scale)
    asyncio.run(migrate(url))
    started = time.perf_counter()
    if db == "sqlite":
        counts = fill_sqlite(Path(url.split("///", 1)[1]), region)
    else:
        counts = asyncio.run(fill_postgres(url, region))
    generated = time.perf_counter() - started
    print(
        f"[{db}] generated in {generated:.0f} s: {counts['person']:,} people, "
        f"{counts['pair']:,} pairs and groups, {counts['assignment']:,} questionnaires, "
        f"{counts['answer']:,} answers"
    )
    return counts


def run(db: str, url: str, scale: float, work: Path, repeat: int, keep: Path | None) -> None:
    generate(db, url, scale)
    out = work / f"export-{db}.xlsx"
    exports, floors = [], []
    for _ in range(repeat):  # alternated, best of each: the machine is shared and noisy
        exports.append(child("--measure-export", url, str(out)))
        floors.append(child("--measure-floor", str(out), str(work / f"floor-{db}.xlsx")))
    export = min(exports, key=lambda figures: figures["seconds"])
    floor = min(floors, key=lambda figures: figures["seconds"])
    export["peak_mb"] = max(figures["peak_mb"] for figures in exports)
    if keep is not None:  # for bench/export_cells.py: the same cells before and after a change
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, keep / out.name)
    size_mb = out.stat().st_size / 2**20
    print(
        f"[{db}] export {export['seconds']:.1f} s (runs: {_seconds(exports)}), "
        f"peak {export['peak_mb']:.0f} MB "
        f"(interpreter and imports {export['baseline_mb']:.0f} MB), file {size_mb:.1f} MB"
    )
    ratio = export["seconds"] / floor["seconds"]
    print(
        f"[{db}] floor  {floor['seconds']:.1f} s (runs: {_seconds(floors)}) "
        f"for the same {floor['rows']:,.0f} rows / "
        f"{floor['cells']:,.0f} cells  ->  export/floor = {ratio:.2f} "
        "(targets: <= 1.5, peak < 300 MB)"
    )
    # CPU of this process alone: steadier than wall time on a shared machine, but on
    # PostgreSQL it leaves out the server's share of the work (so it is not the target).
    print(
        f"[{db}] cpu    export {_cpu(exports):.1f} s, floor {_cpu(floors):.1f} s  ->  "
        f"{_cpu(exports) / _cpu(floors):.2f}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure-export":
        print(json.dumps(asyncio.run(measure_export(sys.argv[2], Path(sys.argv[3])))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--measure-floor":
        print(json.dumps(measure_floor(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 40,000 pairs")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each step; best is shown")
    parser.add_argument("--keep", type=Path, help="folder to keep the exported workbooks in")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as folder:
        work = Path(folder)
        if args.db in ("sqlite", "both"):
            run(
                "sqlite",
                f"sqlite+aiosqlite:///{work / 'bench.db'}",
                args.scale,
                work,
                args.repeat,
                args.keep,
            )
        if args.db in ("postgresql", "both"):
            run("postgresql", args.pg_url, args.scale, work, args.repeat, args.keep)


if __name__ == "__main__":
    main()
