"""The operator reads only Russian (DEFAULT_LOCALE=ru, the default): a malformed setting is
one line naming the variable, what it takes and a right value; argparse's help and errors
come in the catalogue's words, one line with the fix, never «usage:» or «error:»."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from app.settings import SettingsError, load_settings
from bot.i18n import create_i18n
from service.cli.main import build_parser, main
from tests.support.cli import nastavnik

ENGLISH = re.compile(
    r"usage:|options:|positional arguments|show this help|error:|required|invalid|"
    r"choose from|expected|unrecognized|not allowed|Traceback",
)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
SECRET = "operator-test-secret-0123456789abcdef"


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """main() in this process with a clean environment (no .env, no developer's settings)."""
    monkeypatch.chdir(tmp_path)
    for key in ("BOT_TOKEN", "MAX_TOKEN", "DATABASE_URL", "DEFAULT_LOCALE", "WEBHOOK_SECRET"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


# --- settings ------------------------------------------------------------------------------


def test_a_malformed_number_is_one_russian_line_with_the_fix(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path, env={"DB_POOL_SIZE": "abc"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "nastavnik: настройка DB_POOL_SIZE=abc не подходит. Ожидается: целое число от 1 до 500; "
        "например, DB_POOL_SIZE=20\n"
    )
    assert not (tmp_path / "nastavnik.db").exists()  # nothing was started


def test_the_operator_may_read_english(tmp_path: Path) -> None:
    result = nastavnik("migrate", cwd=tmp_path, env={"DB_POOL_SIZE": "0", "DEFAULT_LOCALE": "en"})
    assert result.returncode == 2
    assert result.stderr == (
        "nastavnik: setting DB_POOL_SIZE=0 does not fit. Expected: a whole number from 1 to 500; "
        "for example, DB_POOL_SIZE=20\n"
    )


# Every setting with a rule, a value it refuses, and what the line must say.
MALFORMED = {
    "BOT_TOKEN": ("no-colon-token", "@BotFather"),
    "BOT_API_URL": ("api.telegram.org", "http://"),
    "DATABASE_URL": ("mysql://root:hunter2@db/x", "postgresql+asyncpg://"),
    "DB_POOL_SIZE": ("abc", "от 1 до 500"),
    "DB_MAX_OVERFLOW": ("-1", "от 0 до 500"),
    "DB_POOL_TIMEOUT": ("0", "больше 0 и не больше 600"),
    "ADMIN_IDS": ("12,abc", "через запятую"),
    "MAX_ADMIN_IDS": ("x", "через запятую"),
    "DEFAULT_LOCALE": ("de", "ru или en"),
    "INVITE_TTL_DAYS": ("400", "от 1 до 365"),
    "INVITE_MAX_USES": ("0", "от 1 до 10000"),
    "START_DUE_DAYS": ("0", "от 1 до 90"),
    "COMPLETION_DUE_DAYS": ("x", "от 1 до 90"),
    "LOG_LEVEL": ("LOUD", "CRITICAL"),
    "LOG_FORMAT": ("xml", "text или json"),
    "EXPORT_MIN_GROUP": ("0", "от 1 до 100"),
    "EXPORT_REGISTER_BEYOND_SCHOOL": ("maybe", "true или false"),
    "TARGET_STUDENT_SHARE": ("1.5", "от 0 до 1"),
    "TARGET_YOUNG_TEACHER_SHARE": ("70%", "от 0 до 1"),
    "EXPORT_LINK_SECRET": ("short", "не короче 32"),
    "EXPORT_LINK_TTL_HOURS": ("0", "от 1 до 720"),
    "EXPORT_DOCUMENT_LIMIT_MB": ("5000", "от 1 до 2000"),
    "TIME_ZONE": ("Moscow", "IANA"),
    "CHAT_LOCK_SECONDS": ("0", "больше 0"),
    "WEBHOOK_SECRET": ("short secret", "от 32 до 256"),
    "WEB_PORT": ("70000", "от 1 до 65535"),
    "MAX_API_URL": ("platform-api2.max.ru", "http://"),
    "MAX_WEBHOOK_SECRET": ("short", "от 32 до 256"),
    "OUTBOX_RATE_PER_SECOND": ("0", "от 1 до 1000"),
    "OUTBOX_CHAT_INTERVAL_SECONDS": ("-1", "от 0 до 60"),
    "OUTBOX_BATCH_SIZE": ("0", "от 1 до 1000"),
    "OUTBOX_LEASE_SECONDS": ("0", "от 1 до 3600"),
    "OUTBOX_MAX_ATTEMPTS": ("0", "от 1 до 100"),
    "OUTBOX_RETRY_BASE_SECONDS": ("-5", "от 0 до 3600"),
    "OUTBOX_POLL_SECONDS": ("0", "больше 0"),
    "REMINDER_DAYS": ("7,3", "по возрастанию"),
    "QUIET_HOURS": ("night", "НАЧАЛО-КОНЕЦ"),
    "REMINDER_INTERVAL_SECONDS": ("0", "от 1 до 86400"),
    "RETENTION_DAYS": ("0", "от 1 до 3650"),
}
SECRETS = {
    "BOT_TOKEN",
    "DATABASE_URL",
    "EXPORT_LINK_SECRET",
    "WEBHOOK_SECRET",
    "MAX_WEBHOOK_SECRET",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_every_malformed_setting_says_what_fits_in_russian(
    name: str, operator: pytest.MonkeyPatch
) -> None:
    value, rule = MALFORMED[name]
    operator.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = raised.value.text(create_i18n("ru").gettext)
    assert "\n" not in line and CYRILLIC.search(line), line
    assert f"настройка {name}" in line and rule in line, line
    assert f"например, {name}=" in line, line  # a right value to copy
    if name in SECRETS:
        assert value not in line  # tokens, passwords and keys are never repeated
    else:
        assert f"{name}={value} " in line


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            {"PUBLIC_BASE_URL": "https://bot.example.org"},
            "nastavnik: задан PUBLIC_BASE_URL, но не задан EXPORT_LINK_SECRET",
        ),
        (
            {"MAX_WEBHOOK_URL": "https://bot.example.org/max"},
            "nastavnik: задан MAX_WEBHOOK_URL, но не задан MAX_WEBHOOK_SECRET",
        ),
    ],
)
def test_settings_that_go_together(
    given: dict[str, str],
    expected: str,
    operator: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in given.items():
        operator.setenv(key, value)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1, err
    assert "$(openssl rand -hex 32)" in err


# --- argparse ------------------------------------------------------------------------------


def test_the_commands_help_is_russian(tmp_path: Path) -> None:
    result = nastavnik("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("использование: nastavnik [-h] КОМАНДА ...")
    assert "\nпараметры:\n" in result.stdout and "\nкоманды:\n" in result.stdout
    assert "показать эту справку и выйти" in result.stdout
    assert not ENGLISH.search(result.stdout), result.stdout


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's argv prefix (reads the parser; changes nothing)."""
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += commands(child, (*path, name))
    return found


def every_command() -> list[tuple[str, ...]]:
    with create_i18n("ru").context():
        return commands(build_parser())


def test_every_command_is_listed() -> None:
    assert {" ".join(command) for command in every_command()} >= {
        "", "run", "webhook", "migrate", "import-orgs", "invite", "export", "round",
        "round open", "round close", "round list", "report", "outbox", "remind", "purge",
        "surveys", "surveys check", "surveys list",
    }  # fmt: skip


@pytest.mark.parametrize("command", every_command(), ids=lambda command: " ".join(command))
def test_every_commands_help_is_russian(
    command: tuple[str, ...], operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as finished:
        main([*command, "--help"])
    assert finished.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("использование: nastavnik"), out
    assert "-h, --help" in out and "показать эту справку и выйти" in out
    assert not ENGLISH.search(out), out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            [],
            "nastavnik: не указано обязательное: КОМАНДА. Добавьте; что в нём писать — "
            "в «nastavnik --help».",
        ),
        (
            ["foo"],
            "nastavnik: команды «foo» нет. Есть: run, webhook, migrate, import-orgs, invite, "
            "export, round, report, outbox, remind, purge, surveys; справка — «nastavnik --help».",
        ),
        (
            ["invite", "--org", "S001"],
            "nastavnik invite: не указано обязательное: --role. Добавьте; что в нём писать — "
            "в «nastavnik invite --help».",
        ),
        (
            ["invite", "--role", "teacher", "--org", "S001"],
            "nastavnik invite: --role teacher — такого значения нет. "
            "Можно: coordinator, methodist, curator.",
        ),
        (
            ["invite", "--role", "curator"],
            "nastavnik invite: укажите один из параметров --municipality, --org, --region; "
            "что в них писать — в «nastavnik invite --help».",
        ),
        (
            ["invite", "--role", "curator", "--org", "S001", "--region"],
            "nastavnik invite: --region и --org вместе не указываются: оставьте один из них.",
        ),
        (
            ["invite", "--role", "curator", "--org", "S001", "--days", "week"],
            "nastavnik invite: --days week — нужно целое число, например --days 3.",
        ),
        (
            ["export", "--municipality", "M01", "--out"],
            "nastavnik export: после --out нужно значение; что писать — "
            "в «nastavnik export --help».",
        ),
        (
            ["migrate", "--force"],
            "nastavnik: лишнее в команде: --force. Уберите это; что можно указать — "
            "в «nastavnik --help».",
        ),
        (
            ["round", "reopen"],
            "nastavnik round: команды «reopen» нет. Есть: open, close, list; "
            "справка — «nastavnik round --help».",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_argument_errors_are_one_russian_line_with_the_fix(
    argv: list[str],
    expected: str,
    operator: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as finished:
        main(argv)
    assert finished.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == expected + "\n"


def test_an_argument_error_in_a_process_of_its_own(tmp_path: Path) -> None:
    result = nastavnik("export", "--round", "first", "--out", "r.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "nastavnik export: --round first — нужно целое число, например --round 3.\n"
    )
