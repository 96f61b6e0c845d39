"""`nastavnik surveys check|list`: no bot token or database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli.main import main
from surveys.questionnaire import load_catalogue


def test_check_passes_the_shipped_templates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["surveys", "check"]) == 0
    assert "ошибок нет" in capsys.readouterr().out


def test_check_reports_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "key: demo.bad\nversion: 1\ntitle: T\nform: student_student\nrole: mentee\n"
        "moment: start\nquestions:\n"
        "  - {key: a, kind: scale, text: A, scale_min: 5, scale_max: 5}\n"
        "  - {key: a, kind: yes_no, text: B}\n",
        encoding="utf-8",
    )
    assert main(["surveys", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:8:" in err and f"{bad}:9:" in err
    assert "Ошибок: 2." in err


def test_list_shows_every_installed_questionnaire(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["surveys", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    catalogue = load_catalogue()
    assert len(out) == 1 + len(catalogue)
    first = catalogue.all()[0]
    assert out[1] == (
        f"{first.key} | {first.version} | {first.form} | {first.role.value} | "
        f"{first.moment.value} | {len(first.questions)}"
    )
