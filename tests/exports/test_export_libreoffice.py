"""Real spreadsheet software opens the workbook: LibreOffice headless converts every sheet
to CSV; a file it rejects fails here. Also shows that injected formulas stay text."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import exports.table
from exports.workbook import ExportOptions, Register
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from tests.support.export_data import INJECTION, build_dataset
from tests.support.export_helpers import export_to

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)


def convert(source: Path, target: str, out: Path, profile: Path) -> None:
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


async def test_libreoffice_opens_and_converts_every_sheet(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data = await build_dataset(session_factory)
    source = tmp_path / "monitoring.xlsx"
    await export_to(
        session_factory,
        Actor(1, is_admin=True),
        ExportScope(data.ids["M01"]),
        source,
        # Threshold of one: every figure shown, to check how LibreOffice formats them.
        ExportOptions(register=Register.NAMES, target_student_share=0.7, min_group=1),
    )
    out = tmp_path / "out"
    # Sheet -1: one CSV per sheet (LibreOffice 7.2+), UTF-8, cells as shown.
    convert(
        source,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        out,
        tmp_path / "profile",
    )
    produced = sorted(path.name for path in out.glob("*.csv"))
    assert len(produced) == 7, produced
    feedback = next(path for path in out.glob("*.csv") if "Отзывы" in path.name)
    answers = [row[4] for row in csv.reader(feedback.open(encoding="utf-8"))][1:]
    assert INJECTION in answers  # shown as the text typed, not evaluated
    assert "+7 999 позвоните" in answers and "@всем спасибо" in answers
    summary = next(path for path in out.glob("*.csv") if "Сводка" in path.name)
    assert "86.7%" in summary.read_text(encoding="utf-8")  # 13 of 15, formatted as percent
    convert(source, "pdf", out, tmp_path / "profile")
    assert (out / "monitoring.pdf").stat().st_size > 1000


PAGE = re.compile(rb"/Type\s*/Page(?!s)")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)")


def pdf_pages(path: Path) -> tuple[int, list[tuple[float, float]]]:
    """(pages, their sizes) of a PDF LibreOffice wrote (uncompressed page objects)."""
    data = path.read_bytes()
    sizes = [(float(w), float(h)) for w, h in MEDIA_BOX.findall(data)]
    return len(PAGE.findall(data)), sizes


async def print_to_pdf(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path, name: str
) -> tuple[int, list[tuple[float, float]], int]:
    data = await build_dataset(factory)
    source = tmp_path / f"{name}.xlsx"
    workbook = await export_to(
        factory,
        Actor(1, is_admin=True),
        ExportScope(data.ids["M01"]),
        source,
        ExportOptions(register=Register.ANONYMOUS, title="Павлоградский район, 2026/2027"),
    )
    convert(source, "pdf", tmp_path / "out", tmp_path / "profile")
    pages, sizes = pdf_pages(tmp_path / "out" / f"{name}.pdf")
    return pages, sizes, len(workbook.sheetnames)


async def test_every_sheet_prints_on_one_page_wide_in_landscape(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The test district is a few rows per sheet: one page wide is one page per sheet, but
    «Динамика» (a row per figure and school) which runs two pages down. The widest sheet
    («Анкеты», 15 columns) takes several pages across when not fitted."""
    pages, sizes, sheets = await print_to_pdf(session_factory, tmp_path, "fitted")
    assert sheets == 7 and sheets <= pages <= sheets + 1
    assert sizes and all(width > height for width, height in sizes)  # landscape


async def test_without_the_print_layout_sheets_spill_across_pages(
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: the same workbook with openpyxl's default page setup."""
    monkeypatch.setattr(exports.table, "_print_layout", lambda *args: None)
    pages, _sizes, sheets = await print_to_pdf(session_factory, tmp_path, "unfitted")
    assert pages > sheets
