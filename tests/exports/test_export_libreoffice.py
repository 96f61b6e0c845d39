"""Real spreadsheet software opens the workbook: LibreOffice headless converts every sheet
to CSV; a file it rejects fails here. Also shows that injected formulas stay text."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exports.workbook import ExportOptions
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
        ExportOptions(include_register=True, target_student_share=0.7),
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
