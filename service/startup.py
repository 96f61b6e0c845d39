"""What a command needs before it starts: the database and, for the bot, Telegram. A failure
is a StartupError with a catalogue key; the `nastavnik` command prints it as one line."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiohttp import ClientError
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

# A host that drops packets would otherwise keep a command silent for a minute or more.
CONNECT_TIMEOUT = 10.0


# The catalogue texts a StartupError may name.
STARTUP_KEYS = (
    "cli.database_unreachable",
    "cli.telegram_unreachable",
    "cli.telegram_token_refused",
)


class StartupError(Exception):
    """`key` names a catalogue text; `fields` fill its placeholders."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"TimeoutError ({CONNECT_TIMEOUT:g} s)"
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


async def check_database(engine: AsyncEngine) -> None:
    """One `SELECT 1`; raises StartupError("cli.database_unreachable") on any failure."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any driver's any failure: the database is not usable
        url = make_url(engine.url).render_as_string(hide_password=True)
        raise StartupError("cli.database_unreachable", url=url, reason=_reason(error)) from None


async def check_telegram(bot: Bot, api_url: str) -> str:
    """The bot's username from getMe; StartupError when Telegram cannot be reached or
    refuses the token."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            me = await bot.me()
    except TelegramUnauthorizedError:
        raise StartupError("cli.telegram_token_refused") from None
    except (TelegramNetworkError, ClientError, OSError, TimeoutError) as error:
        raise StartupError("cli.telegram_unreachable", url=api_url, reason=_reason(error)) from None
    except TelegramAPIError as error:
        raise StartupError("cli.telegram_unreachable", url=api_url, reason=_reason(error)) from None
    return me.username or ""
