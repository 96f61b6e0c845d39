"""Benchmark of the «аналитическая справка» for a region (prints figures; not a test).

The region of bench/export.py (100,000 people, 40,000 pairs and groups, ~2,000,000 answers,
bulk inserted), then in a fresh subprocess each: the справка of the whole region (an
administrator's) and of one municipality (a methodist's). Each run checks that nothing failed:
the file opens, its summary table has every figure, and the participants it counts are the
people generated. Exit status 1 when a check fails or a справка takes a minute or more.

    python bench/monitoring.py                       # SQLite and PostgreSQL (BENCH_DATABASE_URL)
    python bench/monitoring.py --db sqlite --scale 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.export import (  # noqa: E402
    DEFAULT_PG,
    YEAR,
    child,
    generate,
    peak_mb,
)

LIMIT_SECONDS = 60.0


async def measure_report(url: str, municipality: str | None, out: Path) -> dict[str, float]:
    from app.export.run import export_report
    from bot.i18n import create_i18n
    from exports.period import Period
    from exports.workbook import ExportOptions
    from storage.db import create_engine, create_session_factory
    from storage.repositories.directory import DirectoryRepository
    from storage.repositories.export_scope import ExportScope
    from surveys.access import OPERATOR

    i18n = create_i18n()
    engine = create_engine(url)
    baseline = peak_mb()
    async with create_session_factory(engine)() as session:
        scope = ExportScope()
        if municipality is not None:
            found = await DirectoryRepository(session).municipality_by_code(municipality)
            assert found is not None, municipality
            scope = ExportScope(found.id, None, found.name)
        started = time.perf_counter()
        await export_report(
            session,
            OPERATOR,
            scope,
            Period.academic_year(YEAR),
            out,
            i18n,
            ExportOptions(target_student_share=0.7, target_young_teacher_share=0.5),
            date(YEAR + 1, 6, 1),
        )
        seconds = time.perf_counter() - started
    await engine.dispose()
    return {"seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": baseline}


def read_back(out: Path) -> dict[str, float]:
    """What the file says: it opens, and its summary table has the figures."""
    import docx

    from bot.i18n import create_i18n

    i18n = create_i18n()
    document = docx.Document(str(out))
    summary = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}

    def figure(key: str) -> float:
        text = summary[i18n.gettext(f"export.col.{key}", locale="ru")]
        plain = text.replace("\xa0", "").replace(",", ".")
        return float(plain.rstrip("%")) / (100 if plain.endswith("%") else 1)

    return {
        "size_kb": out.stat().st_size / 1024,
        "pictures": len(document.inline_shapes),
        "tables": len(document.tables),
        "summary_rows": len(summary),
        "mentors": figure("mentors"),
        "mentees": figure("mentees"),
        "pairs": figure("pairs") + figure("groups"),
        "sent": figure("sent"),
        "response_rate": figure("response_rate"),
    }


def run(db: str, url: str, scale: float, work: Path) -> list[str]:
    """Returns what failed (empty: all checks passed)."""
    counts = generate(db, url, scale)
    failed: list[str] = []
    for label, municipality in (("region", None), ("municipality M01", "M01")):
        out = work / f"spravka-{db}-{municipality or 'region'}.docx"
        args = ["--measure", url, municipality or "-", str(out)]
        figures = child(*args, script=__file__)
        print(
            f"[{db}] справка, {label}: {figures['seconds']:.1f} s, "
            f"peak {figures['peak_mb']:.0f} MB (imports {figures['baseline_mb']:.0f} MB), "
            f"{figures['size_kb']:.0f} KB, "
            f"{figures['tables']:.0f} tables, {figures['pictures']:.0f} charts; "
            f"{figures['mentors']:,.0f} mentors, {figures['mentees']:,.0f} mentees, "
            f"{figures['pairs']:,.0f} pairs and groups, {figures['sent']:,.0f} questionnaires, "
            f"{figures['response_rate']:.1%} answered"
        )
        if figures["seconds"] >= LIMIT_SECONDS:
            failed.append(f"[{db}] {label}: {figures['seconds']:.1f} s, over a minute")
        if figures["summary_rows"] < 17 or figures["pictures"] < 2:
            failed.append(f"[{db}] {label}: summary or charts missing")
        if municipality is None:
            people = figures["mentors"] + figures["mentees"]
            if people != counts["person"] or figures["pairs"] != counts["pair"]:
                failed.append(
                    f"[{db}] region counts {people:,.0f} people, not {counts['person']:,}"
                )
            if figures["sent"] != counts["assignment"]:
                failed.append(f"[{db}] region counts {figures['sent']:,.0f} questionnaires")
    return failed


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        municipality = None if sys.argv[3] == "-" else sys.argv[3]
        out = Path(sys.argv[4])
        figures = asyncio.run(measure_report(sys.argv[2], municipality, out))
        print(json.dumps(figures | read_back(out)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 40,000 pairs")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as folder:
        work = Path(folder)
        if args.db in ("sqlite", "both"):
            failed += run("sqlite", f"sqlite+aiosqlite:///{work / 'bench.db'}", args.scale, work)
        if args.db in ("postgresql", "both"):
            failed += run("postgresql", args.pg_url, args.scale, work)
    for line in failed:
        print(f"FAILED {line}")
    print("all checks passed" if not failed else f"{len(failed)} check(s) failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
