"""Deep links: https://t.me/<bot username>?start=<code>."""

from __future__ import annotations

from aiogram import Bot

from app.settings import Settings


async def bot_username(bot: Bot, settings: Settings) -> str:
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    me = await bot.me()  # aiogram caches getMe for the bot's lifetime
    return me.username or ""


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


async def invite_link(bot: Bot, settings: Settings, code: str) -> str:
    return deep_link(await bot_username(bot, settings), code)
