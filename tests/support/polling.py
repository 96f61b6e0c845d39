"""The real bot polling the Bot API stand-in, started and stopped around a test (or twice in
one test: a restart)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings, load_settings
from bot.telegram.app import create_bot, create_dispatcher, with_retries
from tests.support.botapi import BotAPIStandIn

TOKEN = "123456:TEST-token"
ADMIN_ID = 900_001


def bot_settings(
    standin: BotAPIStandIn, database_url: str, redis_url: str | None, **more: object
) -> Settings:
    """The settings of a bot talking to `standin`; `more` as load_settings takes them."""
    return load_settings(
        bot_token=TOKEN,
        bot_api_url=standin.base_url,
        database_url=database_url,
        admin_ids=str(ADMIN_ID),
        redis_url=redis_url,
        **more,
    )


@asynccontextmanager
async def polling_bot(
    standin: BotAPIStandIn,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[tuple[Bot, Dispatcher]]:
    """A fresh Bot and Dispatcher polling `standin` until the block ends."""
    bot = with_retries(create_bot(settings))  # as `nastavnik run` answers (service/polling.py)
    dispatcher = create_dispatcher(settings, session_factory)
    # handle_as_tasks=False: each update is finished before the next getUpdates, which is
    # how the stand-in knows that the bot is done with an update.
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_as_tasks=False, handle_signals=False, polling_timeout=1
        )
    )
    await standin.wait_until_polling()
    try:
        yield bot, dispatcher
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await dispatcher.storage.close()
        await bot.session.close()
