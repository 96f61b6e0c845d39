"""The README is the operator's reference: it names every setting the code reads and every
command and subcommand `nastavnik` has (compared with app/settings.py and the parser)."""

from __future__ import annotations

from app.settings import Settings
from tests.cli.test_russian_cli import every_command
from tests.support.cli import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert not missing, missing


def test_every_command_is_in_the_readme() -> None:
    commands = [" ".join(command) for command in every_command() if command]
    assert len(commands) >= 15
    missing = [command for command in commands if f"`nastavnik {command}" not in README]
    assert not missing, missing
