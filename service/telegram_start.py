"""The Telegram bot's start, the same in polling and webhook mode: the database checked and
migrated, two Bots (replies with retries, the outbox sender's without), the dispatcher,
Telegram checked and the command menu set; on leaving, every session closed and the engine
disposed, a failed start included (no «Unclosed client session»)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.telegram.app import counted, create_bot, create_dispatcher, with_retries
from bot.telegram.commands import set_default_menu
from service.startup import check_database, check_telegram
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StartedTelegram:
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    bot: Bot  # replies: a 429 waited out, a 5xx tried again
    background_bot: Bot  # the outbox sender: paces itself, records each outcome
    dispatcher: Dispatcher
    username: str


@asynccontextmanager
async def telegram_started(settings: Settings) -> AsyncIterator[StartedTelegram]:
    engine = create_engine(settings.database_url, settings.db_pool)
    bot = with_retries(create_bot(settings))
    background_bot = counted(create_bot(settings))
    try:
        await check_database(engine)
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        dispatcher = create_dispatcher(settings, session_factory)
        # Without retries: an unreachable Telegram is one clear line at once.
        username = await check_telegram(background_bot, settings.bot_api_url)
        await set_default_menu(bot, dispatcher["i18n"])
        yield StartedTelegram(engine, session_factory, bot, background_bot, dispatcher, username)
    finally:
        await bot.session.close()
        await background_bot.session.close()
        await engine.dispose()
