"""Benchmark of closing a monitoring round (prints figures; not a test).

The generated region of bench/export.py (100,000 people, 40,000 pairs and groups, about
2,000,000 answers at --scale 1). A region round over the academic year is opened, then timed:
  - close: the round closes and its figures are frozen (every aggregate of the workbook,
    stored as JSON in round_snapshot), as the deadline job or a keeper's button does it;
  - export: the round's workbook read back from the frozen figures.

    python -m bench.round_snapshot                      # SQLite and PostgreSQL
    python -m bench.round_snapshot --db sqlite --scale 0.1
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/<private> …

Target (issue 13): a round's snapshot builds in under a minute on both dialects.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.export import DEFAULT_PG, NOW, YEAR, Region, fill_postgres, fill_sqlite, migrate


async def measure(url: str, out: Path) -> dict[str, float]:
    from app.monitoring.rounds import OPERATOR, close_round, export_round
    from app.uow import UnitOfWork
    from bot.i18n import create_i18n
    from exports.workbook import ExportOptions
    from storage.db import create_engine, create_session_factory
    from storage.models import RoundSnapshot
    from storage.repositories.rounds import RoundRepository
    from surveys.rounds import RoundKind

    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        opened = await RoundRepository(session).open(
            RoundKind.ANNUAL,
            None,
            date(YEAR, 9, 1),
            date(YEAR + 1, 8, 31),
            NOW + timedelta(days=30),
            "Europe/Omsk",
            None,
            NOW,
        )
    assert opened is not None
    started = time.perf_counter()
    async with UnitOfWork(factory) as uow:
        await close_round(uow, OPERATOR, opened.id, NOW)
    closing = time.perf_counter() - started
    async with factory() as session:
        stored = await session.get(RoundSnapshot, opened.id)
        assert stored is not None
        size = len(json.dumps(stored.figures))
    i18n = create_i18n()
    started = time.perf_counter()
    async with factory() as session:
        await export_round(
            session,
            OPERATOR,
            opened.id,
            out,
            lambda key: i18n.gettext(key, locale="ru"),
            ExportOptions(include_register=False, target_student_share=0.7),
        )
    exporting = time.perf_counter() - started
    await engine.dispose()
    return {"close": closing, "export": exporting, "snapshot_kb": size / 1024}


def run(db: str, url: str, scale: float, work: Path) -> None:
    region = Region(scale)
    asyncio.run(migrate(url))
    if db == "sqlite":
        counts = fill_sqlite(Path(url.split("///", 1)[1]), region)
    else:
        counts = asyncio.run(fill_postgres(url, region))
    print(
        f"[{db}] {counts['person']:,} people, {counts['pair']:,} pairs and groups, "
        f"{counts['answer']:,} answers"
    )
    figures = asyncio.run(measure(url, work / f"round-{db}.xlsx"))
    print(
        f"[{db}] close + freeze {figures['close']:.1f} s (target < 60 s), snapshot "
        f"{figures['snapshot_kb']:.0f} KB; the round's workbook from it {figures['export']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 40,000 pairs")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as folder:
        work = Path(folder)
        if args.db in ("sqlite", "both"):
            run("sqlite", f"sqlite+aiosqlite:///{work / 'bench.db'}", args.scale, work)
        if args.db in ("postgresql", "both"):
            run("postgresql", args.pg_url, args.scale, work)


if __name__ == "__main__":
    main()
