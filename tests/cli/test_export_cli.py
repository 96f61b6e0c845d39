"""`nastavnik export` as an operator runs it, on SQLite and (with TEST_DATABASE_URL)
PostgreSQL; the mistakes of `export` and `report`, one clear line each."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.cli.conftest import refused_in_one_line, run_main
from tests.support.cli import ROOT
from tests.support.export_data import Dataset, build_dataset
from tests.support.export_helpers import organizations_in


async def test_export_of_an_organization_for_dates(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "s001.xlsx"
    argv = ["export", "--municipality", "M01", "--org", "S001"]
    argv += ["--from", "01.09.2026", "--to", "2027-08-31", "--out", str(out)]
    code = await run_main(argv)
    assert code == 0, capsys.readouterr().err
    assert str(out) in capsys.readouterr().out
    assert organizations_in(out) == {"МБОУ СОШ № 1"}
    # The operator is no school's curator: figures only, unless the operator allows more.
    assert "Участники" not in openpyxl.load_workbook(out).sheetnames


async def test_register_and_names_only_where_the_operator_allows_them(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "s001.xlsx"
    argv = ["export", "--municipality", "M01", "--org", "S001", "--from", "01.09.2026"]
    code = await run_main([*argv, "--with-names", "--out", str(out)])
    assert code == 2 and not out.exists()
    error = capsys.readouterr().err
    assert "EXPORT_REGISTER_BEYOND_SCHOOL" in error and len(error.strip().splitlines()) == 1

    monkeypatch.setenv("EXPORT_REGISTER_BEYOND_SCHOOL", "true")
    assert await run_main([*argv, "--out", str(out)]) == 0
    register = openpyxl.load_workbook(out)["Участники"]
    rows = list(register.iter_rows(values_only=True))
    assert rows[0][0] == "Участник (код)" and "ФИО" not in rows[0]
    assert not any("Участник " in str(v) for row in rows[1:] for v in row)  # codes only
    assert await run_main([*argv, "--with-names", "--out", str(out)]) == 0
    rows = list(openpyxl.load_workbook(out)["Участники"].iter_rows(values_only=True))
    assert rows[0][1] == "ФИО"
    assert {row[1] for row in rows[1:]} == {f"Участник {letter}" for letter in "ABCDEFGHI"}


# Each command's mistakes and what its one line mentions; {out} is the file asked for
# (it must not appear), {tmp} the test's folder.
MISTAKES = [
    ("export", "x.xlsx", [
        (["--municipality", "M99", "--out", "{out}"], "M99"),
        # S101 is another district's school.
        (["--municipality", "M01", "--org", "S101", "--out", "{out}"], "S101"),
        (["--municipality", "M01", "--from", "32.13.2026", "--to", "01.01.2027", "--out", "{out}"],
         "32.13.2026"),
        (["--municipality", "M01", "--from", "01.09.2027", "--to", "01.09.2026", "--out", "{out}"],
         "--from"),
    ]),
    ("report", "r.docx", [
        (["--municipality", "M99", "--out", "{out}"], "M99"),
        (["--municipality", "M01", "--out", "{tmp}/r.xlsx"], ".docx"),
        (["--municipality", "M01", "--year", "26", "--out", "{out}"], "--year 2026"),
        (["--municipality", "M01", "--year", "2026/2028", "--out", "{out}"], "2026/2028"),
        (["--municipality", "M01", "--year", "2026", "--from", "01.09.2026", "--out", "{out}"],
         "--year"),
        (["--municipality", "M01", "--from", "31.02.2026", "--out", "{out}"], "31.02.2026"),
        (["--municipality", "M01", "--out", "{tmp}/no/r.docx"], "mkdir"),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("command", "out_name", "cases"), MISTAKES, ids=["export", "report"])
async def test_bad_arguments_get_one_clear_line(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    out_name: str,
    cases: list[tuple[list[str], str]],
) -> None:
    out = tmp_path / out_name
    runs = [
        ([command, *(arg.format(out=out, tmp=tmp_path) for arg in argv)], said)
        for argv, said in cases
    ]
    await refused_in_one_line(capsys, runs)
    assert not out.exists()


def test_subprocess_export_without_register(
    operator_env: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    asyncio.run(build_dataset(session_factory))
    out = tmp_path / "m02.xlsx"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "export", "--municipality", "M02", "--out", str(out),
         "--from", "2026-09-01", "--to", "2027-08-31", "--no-register"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert organizations_in(out) == {"МБОУ СОШ № 101"}
    assert "Участники" not in openpyxl.load_workbook(out).sheetnames


def test_subprocess_export_of_the_whole_region(
    operator_env: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """No --municipality (or --region): every district of the region in one workbook."""
    asyncio.run(build_dataset(session_factory))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dates = ["--from", "2026-09-01", "--to", "2027-08-31"]
    outs = {"region.xlsx": [], "region-flag.xlsx": ["--region"]}
    for name, flag in outs.items():
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "export", *flag, *dates,
             "--out", str(tmp_path / name)],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    for name in outs:
        rows = list(openpyxl.load_workbook(tmp_path / name)["Сводка"].iter_rows(values_only=True))
        assert {row[0] for row in rows[1:] if row[1] == "Итого по муниципалитету"} == {
            "Павлоградский район",
            "Петушинский район",
        }
        assert {"МБОУ СОШ № 1", "МБОУ «Лицей № 2»", "МБОУ СОШ № 101"} <= organizations_in(
            tmp_path / name
        )
        assert rows[-1][0] == "Итого"


async def test_region_and_one_organization_do_not_go_together(
    operator_dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.xlsx"
    assert await run_main(["export", "--region", "--org", "S001", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "--region и --org S001 вместе не указываются: для всего региона уберите --org, "
        "для одной организации — --region.\n"
    )
    # --org alone: that organization, wherever it is.
    assert await run_main(["export", "--org", "S101", "--out", str(out)]) == 0
    assert organizations_in(out) == {"МБОУ СОШ № 101"}
