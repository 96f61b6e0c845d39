"""Settings from the environment and an optional `.env` file, validated once at start."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import annotated_types
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import PoolSize
from surveys.reminders import QuietHours, ReminderSchedule
from surveys.zones import DEFAULT_ZONE

DEFAULT_BOT_API_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The settings that take one of a few words.
CHOICES = {"default_locale": ("ru", "en"), "log_format": ("text", "json")}
# MAX's production domain; its certificate is issued by the Russian Trusted Root CA.
DEFAULT_MAX_API_URL = "https://platform-api2.max.ru"
# WEBHOOK_SECRET and EXPORT_LINK_SECRET: long enough that nobody guesses them.
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Only `run` and `webhook` talk to Telegram; the database commands need no token.
    bot_token: SecretStr | None = None
    bot_api_url: str = DEFAULT_BOT_API_URL
    bot_username: str | None = None
    database_url: str = "sqlite+aiosqlite:///nastavnik.db"
    # PostgreSQL connection pool of each process (storage/db.py PoolSize says why these).
    db_pool_size: int = Field(default=PoolSize.size, ge=1, le=500)
    db_max_overflow: int = Field(default=PoolSize.max_overflow, ge=0, le=500)
    db_pool_timeout: float = Field(default=PoolSize.timeout, gt=0, le=600)
    redis_url: str | None = None
    # NoDecode: a plain "1,2,3" is friendlier in a .env than a JSON list.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: str = "ru"
    invite_ttl_days: int = Field(default=30, ge=1, le=365)
    invite_max_uses: int = Field(default=200, ge=1, le=10_000)
    # Days people have to answer the questionnaires a curator sends (start, completion).
    start_due_days: int = Field(default=14, ge=1, le=90)
    completion_due_days: int = Field(default=14, ge=1, le=90)
    log_level: str = "INFO"
    # Monitoring exports: small-group privacy threshold, indicator targets (shares 0..1),
    # and signed download links for workbooks over Telegram's 50 MB limit.
    export_min_group: int = Field(default=3, ge=1, le=100)
    # The participant register (one row per person, names on request) beyond a curator's own
    # school: for methodists, administrators and the operator's CLI. Off: they get figures.
    export_register_beyond_school: bool = False
    target_student_share: float | None = Field(default=None, ge=0, le=1)
    target_young_teacher_share: float | None = Field(default=None, ge=0, le=1)
    export_dir: Path = Path("exports_out")
    export_link_secret: SecretStr | None = None
    export_link_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    public_base_url: str | None = None
    # Telegram takes 50 MB from bots; a self-hosted Bot API server takes up to 2000 MB.
    export_document_limit_mb: int = Field(default=50, ge=1, le=2000)
    log_format: str = "text"  # text | json
    # The region's clock, for times shown outside a school (export download links); a
    # school's own times follow the directory's Organization.timezone.
    time_zone: str = DEFAULT_ZONE
    # With Redis: how long a worker may hold a chat's lock. A worker that dies holding it
    # delays that chat's next update by at most this long.
    chat_lock_seconds: float = Field(default=15.0, gt=0, le=60)
    # Webhook mode (`nastavnik webhook`): Telegram posts updates to WEBHOOK_URL, which a
    # proxy forwards to WEB_HOST:WEB_PORT + WEBHOOK_PATH; WEBHOOK_SECRET proves it is Telegram.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_path: str = "/telegram/webhook"
    web_host: str = "0.0.0.0"  # all interfaces: inside a container the published port decides
    web_port: int = Field(default=8080, ge=1, le=65535)
    # The MAX channel (bot/max): runs when MAX_TOKEN is set. MAX_ADMIN_IDS are MAX user ids;
    # MAX_BOT_NAME makes the invitation links (https://max.ru/<name>?start=<code>).
    max_token: SecretStr | None = None
    max_api_url: str = DEFAULT_MAX_API_URL
    max_bot_name: str | None = None
    max_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # A CA bundle to trust for MAX_API_URL instead of the Russian Trusted Root CA that the
    # maxapi library ships (e.g. the system store with Минцифры's root installed).
    max_ca_file: Path | None = None
    # Webhook mode for MAX: `nastavnik webhook` subscribes MAX_WEBHOOK_URL (https, port 443)
    # at start; MAX sends MAX_WEBHOOK_SECRET in the X-Max-Bot-Api-Secret header.
    max_webhook_url: str | None = None
    max_webhook_secret: SecretStr | None = None
    max_webhook_path: str = "/max/webhook"
    # The outbox sender (service/workers/outbox.py). Telegram allows about 30 messages a second per
    # bot: with several sender processes, give each its share.
    outbox_rate_per_second: int = Field(default=30, ge=1, le=1000)
    outbox_chat_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    outbox_batch_size: int = Field(default=50, ge=1, le=1000)
    outbox_lease_seconds: int = Field(default=120, ge=1, le=3600)
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    outbox_retry_base_seconds: float = Field(default=5.0, ge=0, le=3600)
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Automatic reminders (service/workers/reminders.py): days after issue, quiet hours in the
    # organization's time zone, how often the job looks.
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (3, 7)
    quiet_hours: Annotated[QuietHours, NoDecode] = QuietHours(21, 9)
    reminder_interval_seconds: int = Field(default=300, ge=1, le=86_400)
    # Personal data of a completed programme (roster names, free-text answers) are erased this
    # many days after its completion; its figures stay (`nastavnik purge`, and hourly by itself).
    retention_days: int = Field(default=365, ge=1, le=3650)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value()
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456:ABC... given by @BotFather")
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError("use " + ", ".join(LOG_LEVELS))
        return level

    def require_bot_token(self) -> SecretStr:
        """The token, for the commands that talk to Telegram."""
        if self.bot_token is None:
            raise SettingsError("settings.error.bot_token_missing")
        return self.bot_token

    @field_validator("admin_ids", "max_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _reminder_days(cls, value: object) -> object:
        days = ReminderSchedule.parse_days(value) if isinstance(value, str) else value
        if isinstance(days, tuple | list):
            ReminderSchedule(tuple(int(day) for day in days), QuietHours(0, 0))  # validates
        return days

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            message = "an IANA time zone such as Europe/Moscow or Asia/Yekaterinburg"
            raise ValueError(message) from error
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        return QuietHours.parse(value) if isinstance(value, str) else value

    @property
    def reminder_schedule(self) -> ReminderSchedule:
        return ReminderSchedule(self.reminder_days, self.quiet_hours)

    @property
    def db_pool(self) -> PoolSize:
        return PoolSize(self.db_pool_size, self.db_max_overflow, self.db_pool_timeout)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator(*CHOICES)
    @classmethod
    def _one_of_its_choices(cls, value: str, info: ValidationInfo) -> str:
        choices = CHOICES[info.field_name or ""]
        if value not in choices:
            raise ValueError("use " + " or ".join(choices))
        return value

    @field_validator(
        "webhook_secret", "export_link_secret", "max_token", "max_webhook_secret", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `WEBHOOK_SECRET=` in a .env means "not set": the command that needs it says so.
        return None if value == "" else value

    @field_validator("webhook_secret", "max_webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts up to 256 characters A-Z, a-z, 0-9, _ and -; MAX 5-256 of them;
        # we ask for MIN_SECRET_LENGTH at least.
        if value is not None and not re.fullmatch(
            rf"[A-Za-z0-9_-]{{{MIN_SECRET_LENGTH},256}}", value.get_secret_value()
        ):
            raise ValueError(
                f"use {MIN_SECRET_LENGTH}-256 characters: letters, digits, _ and - "
                "(make one with: openssl rand -hex 32)"
            )
        return value

    @field_validator("export_link_secret")
    @classmethod
    def _link_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"use at least {MIN_SECRET_LENGTH} characters (make one with: openssl rand -hex 32)"
            )
        return value

    @field_validator("bot_api_url", "max_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _links_need_a_secret(self) -> Self:
        if self.public_base_url and not self.export_link_secret:
            raise SettingProblem("settings.error.link_secret_needed")
        if self.max_webhook_url and not self.max_webhook_secret:
            raise SettingProblem("settings.error.max_secret_needed")
        return self


# A setting that holds a password or token: its value is never repeated in a message.
SECRET_SETTINGS = frozenset(
    {
        "bot_token",
        "database_url",
        "redis_url",
        "webhook_secret",
        "export_link_secret",
        "max_token",
        "max_webhook_secret",
    }
)
MAKE_A_SECRET = "$(openssl rand -hex 32)"
# What a right value looks like, where the default does not show it.
EXAMPLES: dict[str, str] = {
    "bot_token": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    "bot_api_url": DEFAULT_BOT_API_URL,
    "database_url": "postgresql+asyncpg://nastavnik:PASSWORD@127.0.0.1/nastavnik",
    "admin_ids": "123456789,987654321",
    "max_admin_ids": "123456789,987654321",
    "export_register_beyond_school": "true",
    "target_student_share": "0.1",
    "target_young_teacher_share": "0.7",
    "time_zone": "Asia/Yekaterinburg",
    "webhook_secret": MAKE_A_SECRET,
    "export_link_secret": MAKE_A_SECRET,
    "max_webhook_secret": MAKE_A_SECRET,
    "max_api_url": DEFAULT_MAX_API_URL,
    "reminder_days": "3,7",
    "quiet_hours": "21-9",
}
# The rule a setting's value keeps (a catalogue key), for the settings numbers do not describe.
RULES: dict[str, str] = {
    "bot_token": "settings.rule.bot_token",
    "bot_api_url": "settings.rule.url",
    "max_api_url": "settings.rule.url",
    "database_url": "settings.rule.database_url",
    "admin_ids": "settings.rule.ids",
    "max_admin_ids": "settings.rule.ids",
    "default_locale": "settings.rule.locale",
    "log_level": "settings.rule.log_level",
    "log_format": "settings.rule.log_format",
    "time_zone": "settings.rule.time_zone",
    "webhook_secret": "settings.rule.secret",
    "max_webhook_secret": "settings.rule.secret",
    "export_link_secret": "settings.rule.link_secret",
    "reminder_days": "settings.rule.reminder_days",
    "quiet_hours": "settings.rule.quiet_hours",
    "export_register_beyond_school": "settings.rule.bool",
}
NUMBER_RULES = ("settings.rule.whole", "settings.rule.number", "settings.rule.number_above")
ERROR_KEYS = (
    "settings.error.value",
    "settings.error.secret",
    "settings.error.link_secret_needed",
    "settings.error.max_secret_needed",
    "settings.error.max_webhook_secret_missing",
    "settings.error.bot_token_missing",
    "settings.error.no_token",
)
# Every text a settings error may name, for the catalogue test.
SETTINGS_KEYS = (*ERROR_KEYS, *sorted(set(RULES.values())), *NUMBER_RULES, "settings.rule.other")


class SettingsError(Exception):
    """A setting is missing or malformed: `key` names the catalogue's one line, `fields` fill
    it; `rule` (a catalogue key with `rule_fields`) says what a right value is."""

    def __init__(
        self,
        key: str,
        rule: str | None = None,
        rule_fields: dict[str, object] | None = None,
        **fields: object,
    ) -> None:
        super().__init__(f"{key}: {fields.get('name', '')}")
        self.key = key
        self.rule = rule
        self.rule_fields = rule_fields or {}
        self.fields = fields

    def text(self, gettext: Callable[[str], str]) -> str:
        """The one line in the language of `gettext`."""
        fields = dict(self.fields)
        if self.rule is not None:
            fields["rule"] = gettext(self.rule).format(**self.rule_fields)
        return gettext(self.key).format(**fields)


class SettingProblem(ValueError):
    """A model-wide rule broken (two settings that go together): its catalogue key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _bounds(name: str) -> tuple[object, object, bool]:
    """(lowest, highest, whether the lowest is excluded) from the field's constraints."""
    low: object = None
    high: object = None
    above = False
    for constraint in Settings.model_fields[name].metadata:
        if isinstance(constraint, annotated_types.Ge):
            low = constraint.ge
        elif isinstance(constraint, annotated_types.Gt):
            low, above = constraint.gt, True
        elif isinstance(constraint, annotated_types.Le):
            high = constraint.le
    return low, high, above


def _rule(name: str) -> tuple[str, dict[str, object]]:
    if name in RULES:
        return RULES[name], {}
    low, high, above = _bounds(name)
    if low is None or high is None:
        return "settings.rule.other", {}
    fields: dict[str, object] = {"low": low, "high": high}
    if above:
        return "settings.rule.number_above", fields
    annotation = Settings.model_fields[name].annotation
    whole = annotation is int
    return ("settings.rule.whole" if whole else "settings.rule.number"), fields


def _example(name: str) -> str:
    if name in EXAMPLES:
        return EXAMPLES[name]
    default = Settings.model_fields[name].default
    if isinstance(default, float):
        return f"{default:g}"
    return "" if default is None else str(default)


def setting_error(name: str, given: object) -> SettingsError:
    """The one line for setting `name` (a field name) given a value it does not take."""
    variable = name.upper()
    rule, rule_fields = _rule(name)
    example = f"{variable}={_example(name)}"
    if name in SECRET_SETTINGS or not isinstance(given, str | int | float):
        return SettingsError(
            "settings.error.secret", rule, rule_fields, name=variable, example=example
        )
    shown = str(given)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return SettingsError(
        "settings.error.value", rule, rule_fields, name=variable, value=shown, example=example
    )


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, SettingProblem):
            raise SettingsError(cause.key) from None
        name = str(first["loc"][0]) if first["loc"] else ""
        if name not in Settings.model_fields:  # not expected: every rule names its setting
            raise SettingsError("settings.error.secret", "settings.rule.other", name="?") from None
        raise setting_error(name, first.get("input")) from None
