"""The locale catalogue is complete: every key the code uses exists in Russian and English,
with the same placeholders, and every enum a handler turns into text has its entries."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from app.curator.pairs import MEMBER_ACTIONS
from app.curator.status import STATUS_COLUMNS
from app.curator.status_views import StatusFilter
from app.curator.views import EDITABLE, PAIR_ACTIONS, PROGRAMME_ACTIONS
from app.settings import SETTINGS_KEYS
from bot.i18n import LOCALES, catalogue_files, read_catalogue
from bot.telegram.commands import COMMANDS
from imports.directory_file import FileProblem, ProblemCode
from imports.roster_file import RosterFileProblem
from service.startup import STARTUP_KEYS
from storage.repositories.invites import InviteProblem
from storage.repositories.status import PAIR_STATUSES
from surveys.pairing import PairProblem
from surveys.people import Category, NameProblem, Role
from surveys.programme_rules import DateProblem, TitleProblem
from surveys.questionnaire import Reason
from surveys.roster_rules import RowProblem
from tests.support.export_keys import export_dynamic_keys
from tests.support.round_keys import round_dynamic_keys

ROOT = Path(__file__).resolve().parents[2]
# Keys in code: `_("…")`, `gettext("…")`, a screen's `Msg("…")` / `Screen.of("…")`, a domain
# error's `Refused("…")` / `Stale("…")` / …, or an error class's `key = "…"`.
_CALLERS = (
    r"\b_|gettext|Msg|Screen\.of|counted|Refused|OutOfScope|Stale|NotFound|Expired|AlreadyAnswered"
    r"|StartupError"
)
LITERAL_KEY = re.compile(rf"""(?:(?:{_CALLERS})\(\s*|\bkey = )["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def catalogue(locale: str) -> dict[str, str]:
    """Key → text; a plural entry's forms are joined by newlines (so each is checked)."""
    entries = {}
    for message in read_catalogue(locale):
        if not message.id:
            continue
        if message.pluralizable:
            entries[str(message.id[0])] = "\n".join(str(form) for form in message.string)
        else:
            entries[str(message.id)] = str(message.string)
    return entries


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_entries_have_every_form_of_the_language(locale: str) -> None:
    merged = read_catalogue(locale)
    plural = [message for message in merged if message.id and message.pluralizable]
    assert plural  # «1 школа», «2 школы», «5 школ» are plural entries
    for message in plural:
        forms = [str(form) for form in message.string]
        assert len(forms) == merged.num_plurals, message.id
        assert all(form.strip() and "{n}" in form for form in forms), message.id


def test_both_languages_have_the_same_files() -> None:
    names = {locale: [path.name for path in catalogue_files(locale)] for locale in LOCALES}
    assert names["ru"] == names["en"] and names["ru"]


def used_literal_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("app", "bot", "exports", "imports", "service", "storage", "surveys"):
        for path in (ROOT / folder).rglob("*.py"):
            keys.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def dynamic_keys() -> set[str]:
    keys = {f"role.{role.value}" for role in Role}
    keys |= {f"category.{category.value}" for category in Category}
    keys |= {f"register.name_problem.{problem.value}" for problem in NameProblem}
    keys |= {f"invite.problem.{problem.value}" for problem in InviteProblem}
    keys |= {f"directory.problem.{code.value}" for code in ProblemCode}
    keys |= {f"directory.file.{code.value}" for code in FileProblem}
    keys |= {spec.description_key for spec in COMMANDS}
    keys |= set(STARTUP_KEYS)
    keys |= set(SETTINGS_KEYS)
    keys |= {f"survey.invalid.{reason.value}" for reason in Reason}
    keys |= curator_keys()
    keys |= export_dynamic_keys()
    keys |= round_dynamic_keys()
    return keys


def curator_keys() -> set[str]:
    """Keys the curator screens build from enums and fixed lists."""
    keys = {f"curator.date_problem.{problem.value}" for problem in DateProblem}
    keys |= {f"curator.programme.title_problem.{problem.value}" for problem in TitleProblem}
    keys |= {f"curator.programme.status.{status}" for status in ("draft", "active", "completed")}
    keys |= {f"curator.programme.button.{action}" for action in PROGRAMME_ACTIONS}
    keys |= {f"curator.programme.edit.{field}" for field in EDITABLE}
    keys |= {f"curator.programme.edit.ask_{field}" for field in EDITABLE}
    keys |= {f"curator.pair.status.{status}" for status in PAIR_STATUSES}
    keys |= {f"curator.pair.button.{action}" for action in PAIR_ACTIONS}
    keys |= {f"curator.pair.problem.{problem.value}" for problem in PairProblem}
    keys |= {
        f"curator.pair.{kind}.{action}" for kind in ("ask", "changed") for action in MEMBER_ACTIONS
    }
    keys |= {f"curator.roster.problem.{problem.value}" for problem in RowProblem}
    keys |= {f"curator.roster.file.{problem.value}" for problem in RosterFileProblem}
    keys |= {f"curator.status.filter.{option.value}" for option in StatusFilter}
    keys |= {f"curator.status.col.{name}" for name in STATUS_COLUMNS}
    return keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_is_translated(locale: str) -> None:
    entries = catalogue(locale)
    missing = sorted((used_literal_keys() | dynamic_keys()) - entries.keys())
    assert not missing, f"{locale} lacks {missing}"
    empty = sorted(key for key, text in entries.items() if not text.strip())
    assert not empty, f"{locale} has empty entries {empty}"


def test_russian_and_english_match() -> None:
    russian, english = catalogue("ru"), catalogue("en")
    assert russian.keys() == english.keys()
    formatter = string.Formatter()
    for key in russian:
        fields_ru = {name for _t, name, _s, _c in formatter.parse(russian[key]) if name}
        fields_en = {name for _t, name, _s, _c in formatter.parse(english[key]) if name}
        assert fields_ru == fields_en, key


def test_no_unused_entries() -> None:
    used = used_literal_keys() | dynamic_keys()
    unused = sorted(catalogue("ru").keys() - used)
    assert not unused, f"entries nobody uses: {unused}"


def test_the_literal_key_scan_finds_keys() -> None:
    """Guards the regular expression itself: a scan that found nothing would pass vacuously."""
    assert {"consent.text", "start.stranger", "cli.migrated"} <= used_literal_keys()
