"""The command list, who may use each command, and the per-chat Telegram command menu."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import BotCommand, BotCommandScopeChat, Message
from aiogram.utils.i18n import I18n

from bot.i18n import LOCALES
from surveys.access import Actor
from surveys.people import Role


class Audience(Enum):
    EVERYONE = "everyone"
    REGISTERED = "registered"
    ROLES = "roles"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    audience: Audience
    roles: frozenset[Role] = frozenset()

    @property
    def description_key(self) -> str:
        return f"command.{self.name}"


PARTICIPANTS = frozenset({Role.MENTOR, Role.MENTEE})
CURATORS = frozenset({Role.CURATOR})
OVERSEERS = frozenset({Role.ADMIN, Role.METHODIST, Role.CURATOR})
# Who sees figures: the overseers and the regional coordinator (who invites nobody).
VIEWERS = OVERSEERS | {Role.COORDINATOR}
# Who opens and closes monitoring rounds: a district's methodist, the region's coordinator.
ROUND_KEEPERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.METHODIST})

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", Audience.EVERYONE),
    CommandSpec("help", Audience.EVERYONE),
    CommandSpec("survey", Audience.ROLES, PARTICIPANTS),
    CommandSpec("programmes", Audience.ROLES, CURATORS),
    CommandSpec("pairs", Audience.ROLES, CURATORS),
    CommandSpec("template", Audience.ROLES, CURATORS),
    CommandSpec("status", Audience.ROLES, VIEWERS),
    CommandSpec("export", Audience.ROLES, VIEWERS),
    CommandSpec("rounds", Audience.ROLES, ROUND_KEEPERS),
    CommandSpec("invite", Audience.ROLES, OVERSEERS),
    CommandSpec("cancel", Audience.EVERYONE),
    CommandSpec("forget", Audience.REGISTERED),
)
BY_NAME = {spec.name: spec for spec in COMMANDS}


def is_allowed(spec: CommandSpec, actor: Actor | None) -> bool:
    if spec.audience is Audience.EVERYONE:
        return True
    if actor is None:
        return False
    if spec.audience is Audience.REGISTERED:
        return actor.person_id is not None
    return bool(spec.roles & actor.roles)


def commands_for(actor: Actor | None) -> list[CommandSpec]:
    return [spec for spec in COMMANDS if is_allowed(spec, actor)]


class CommandAllowed(Filter):
    """Lets a command through only for the roles that may use it; otherwise the fallback
    router answers with a polite refusal."""

    def __init__(self, name: str) -> None:
        self.spec = BY_NAME[name]

    async def __call__(self, message: Message, actor: Actor | None = None, **_: Any) -> bool:
        return is_allowed(self.spec, actor)


def _menu(actor: Actor | None, i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=spec.name, description=i18n.gettext(spec.description_key, locale=locale))
        for spec in commands_for(actor)
    ]


async def sync_chat_menu(bot: Bot, chat_id: int, actor: Actor) -> None:
    """Show this person exactly the commands of their roles in Telegram's menu."""
    i18n = I18n.get_current(no_error=False)
    menu = _menu(actor, i18n, i18n.current_locale)
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError:
        # The menu is a convenience; /help lists the same commands if this fails.
        return


async def clear_chat_menu(bot: Bot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError:
        return


async def set_default_menu(bot: Bot, i18n: I18n) -> None:
    """Strangers see /start and /help, in Russian unless their Telegram speaks English."""
    for locale in LOCALES:
        language = None if locale == i18n.default_locale else locale
        await bot.set_my_commands(_menu(None, i18n, locale), language_code=language)
