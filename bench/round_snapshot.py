"""Benchmark of closing a monitoring round and of its справка (prints figures; not a test).

The generated region of bench/export.py (100,000 people, 40,000 pairs and groups, about
2,000,000 answers at --scale 1). Last year's region round is opened and closed first (not
timed), so this year's documents carry the comparison (Δ) too. Then this year's region round
is opened, and timed:
  - close: the round closes and its figures are frozen (every aggregate of the workbook,
    stored as JSON in round_snapshot), as the deadline job or a keeper's button does it;
  - справка: the round's «аналитическая справка» (.docx) from the frozen figures;
  - workbook: the round's workbook from the frozen figures.
Then it checks that nothing failed: the snapshot is stored, the workbook and the справка
open, and the справка's figures are the snapshot's. Exit status 1 when a check fails.

    python -m bench.round_snapshot                      # SQLite, and PostgreSQL when a URL
    python -m bench.round_snapshot --db sqlite --scale 0.1
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/<private> \
        python -m bench.round_snapshot --db postgresql

The PostgreSQL database (--pg-url, else BENCH_DATABASE_URL, else TEST_DATABASE_URL) is
dropped and migrated afresh: give a private one.

Target (issue 13): a round's snapshot and the справка each build in under a minute on both
dialects.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.export import NOW, YEAR, generate

TARGET_SECONDS = 60.0
STEPS = (
    ("close", "close + freeze (snapshot)", True),
    ("report", "справка from the snapshot", True),
    ("workbook", "workbook from the snapshot", False),
)


async def _open(factory: Any, start: date, end: date) -> int:
    from storage.repositories.rounds import RoundRepository
    from surveys.rounds import RoundKind

    async with factory() as session, session.begin():
        opened = await RoundRepository(session).open(
            RoundKind.ANNUAL, None, start, end, NOW + timedelta(days=30), "Europe/Omsk", None, NOW
        )
    assert opened is not None
    return opened.id


async def measure(url: str, work: Path, db: str) -> dict[str, Any]:
    from app.monitoring.rounds import close_round, export_round, report_round
    from app.uow import UnitOfWork
    from bot.i18n import create_i18n
    from exports.workbook import ExportOptions
    from storage.db import create_engine, create_session_factory
    from storage.models import RoundSnapshot
    from surveys.access import OPERATOR

    engine = create_engine(url)
    factory = create_session_factory(engine)
    i18n = create_i18n()
    options = ExportOptions(target_student_share=0.7, locale="ru")
    figures: dict[str, Any] = {}
    try:
        last = await _open(factory, date(YEAR - 1, 9, 1), date(YEAR, 8, 31))
        async with UnitOfWork(factory) as uow:
            await close_round(uow, OPERATOR, last, NOW)
        this = await _open(factory, date(YEAR, 9, 1), date(YEAR + 1, 8, 31))

        started = time.perf_counter()
        async with UnitOfWork(factory) as uow:
            await close_round(uow, OPERATOR, this, NOW)
        figures["close"] = time.perf_counter() - started
        async with factory() as session:
            stored = await session.get(RoundSnapshot, this)
            assert stored is not None, "no snapshot stored"
            frozen = stored.figures
        figures["snapshot_kb"] = len(json.dumps(frozen)) / 1024

        report = work / f"round-{db}.docx"
        started = time.perf_counter()
        async with factory() as session:
            await report_round(session, OPERATOR, this, report, i18n, options, date.today())
        figures["report"] = time.perf_counter() - started

        book = work / f"round-{db}.xlsx"
        translate = lambda key: i18n.gettext(key, locale="ru")  # noqa: E731
        started = time.perf_counter()
        async with factory() as session:
            await export_round(session, OPERATOR, this, book, translate, options)
        figures["workbook"] = time.perf_counter() - started
    finally:
        await engine.dispose()
    figures["problems"] = check(frozen, report, book, i18n)
    return figures


def check(frozen: dict[str, Any], report: Path, book: Path, i18n: Any) -> list[str]:
    """What must hold for the run to count: the documents open, the справка's figures are
    the snapshot's, the comparison with last year's round is there."""
    import docx
    import openpyxl

    problems: list[str] = []
    total = dict(frozen["figures"]["total"])["*"]
    rows = {
        row.cells[0].text: [c.text for c in row.cells]
        for row in docx.Document(str(report)).tables[0].rows
    }
    for key in ("pairs", "mentors", "mentees", "sent", "submitted"):
        label = i18n.gettext(f"export.col.{key}", locale="ru")
        shown = rows.get(label, ["", ""])[1].replace("\xa0", "").replace(" ", "")
        if shown != str(total[key]):
            problems.append(f"справка {label}: {shown!r}, snapshot {total[key]}")
    if len(rows.get(i18n.gettext("export.col.mentors", locale="ru"), [])) != 5:
        problems.append("справка: no comparison with the previous round")
    workbook = openpyxl.load_workbook(book, read_only=True)
    for sheet in ("Сводка", "Показатели", "Динамика"):
        if sheet not in workbook.sheetnames:
            problems.append(f"workbook: no sheet {sheet}")
    workbook.close()
    return problems


def run(db: str, url: str, scale: float, work: Path) -> dict[str, Any]:
    generate(db, url, scale)
    print(f"[{db}] load average {_load()}", flush=True)
    try:
        figures = asyncio.run(measure(url, work, db))
    except Exception as error:  # reported in the table, and the exit status says so
        print(f"[{db}] FAILED: {error!r}", flush=True)
        return {"problems": [f"{type(error).__name__}: {error}"]}
    print(
        f"[{db}] close {figures['close']:.1f} s, справка {figures['report']:.1f} s, workbook "
        f"{figures['workbook']:.1f} s, snapshot {figures['snapshot_kb']:.0f} KB; "
        f"load average {_load()}",
        flush=True,
    )
    return figures


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def table(results: dict[str, dict[str, Any]]) -> bool:
    """Prints the figures side by side with the target; True when nothing failed."""
    names = list(results)
    print(f"\n{'step':<30}" + "".join(f"{name:>14}" for name in names) + f"{'target':>12}")
    for key, label, targeted in STEPS:
        cells = []
        for name in names:
            value = results[name].get(key)
            over = targeted and value is not None and value >= TARGET_SECONDS
            cells.append("failed" if value is None else f"{value:.1f} s{' !' if over else ''}")
        target = f"< {TARGET_SECONDS:.0f} s" if targeted else "—"
        print(f"{label:<30}" + "".join(f"{cell:>14}" for cell in cells) + f"{target:>12}")
    ok = True
    for name in names:
        for problem in results[name]["problems"]:
            print(f"[{name}] check failed: {problem}")
            ok = False
    print("checks: " + ("all passed" if ok else "FAILED"))
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 40,000 pairs")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
    )
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as folder:
        work = Path(folder)
        if args.db in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
            results["sqlite"] = run("sqlite", url, args.scale, work)
        if args.db in ("postgresql", "both"):
            if args.pg_url:
                results["postgresql"] = run("postgresql", args.pg_url, args.scale, work)
            else:
                print("[postgresql] skipped: no --pg-url, BENCH_DATABASE_URL or TEST_DATABASE_URL")
    sys.exit(0 if results and table(results) else 1)


if __name__ == "__main__":
    main()
