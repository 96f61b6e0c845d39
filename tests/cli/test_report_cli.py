"""`nastavnik report` as an operator runs it: a .docx справка of a municipality for an
academic year, Russian help (its mistakes: tests/cli/test_export_cli.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.main import main
from tests.cli.conftest import run_main
from tests.support.export_data import Dataset
from tests.support.report_helpers import paragraphs


async def test_report_of_a_municipality_for_a_year(
    operator_dataset: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TARGET_STUDENT_SHARE", "0.7")
    out = tmp_path / "m01.docx"
    code = await run_main(
        ["report", "--municipality", "M01", "--year", "2026/2027", "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    assert str(out) in capsys.readouterr().out
    text = "\n".join(paragraphs(out))
    assert "Территория: Павлоградский район" in text
    assert "Период: 01.09.2026–31.08.2027" in text
    assert "всего 3 программы, 4 пары и 1 группа" in text
    assert "Целевое значение 70,0% не достигнуто" in text


def test_help_is_in_russian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", "ru")
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "аналитическую справку" in out
    assert "учебный год: 2026 или 2026/2027" in out
