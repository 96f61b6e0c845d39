"""`nastavnik run`: the bot by long polling, with the outbox sender and reminders beside it,
and /healthz and /metrics on WEB_PORT (the same routes as webhook mode). With MAX_TOKEN set,
the MAX channel long-polls beside Telegram against the same database.

Replies get the webhook mode's Bot: a 429 is waited out and a 5xx tried again
(bot/telegram/retry.py), so a reply is not dropped when a person taps faster than Telegram
lets the bot answer one chat. The outbox sender gets a Bot of its own, without those
retries: it paces itself and records each outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Dispatcher

from app.delivery import ChannelDelivery
from app.settings import Settings
from bot.max.app import create_client as create_max_client
from bot.max.app import create_edge as create_max_edge
from bot.max.app import poll as poll_max
from bot.max.delivery import MaxDelivery
from bot.telegram.app import counted, create_bot, create_dispatcher, with_retries
from bot.telegram.commands import set_default_menu
from service.runtime import freeze_startup_objects
from service.startup import check_database, check_telegram
from service.web.operations import start_operations_server
from service.workers.background import start_background
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from surveys.channels import ChannelName

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Poll until SIGINT/SIGTERM, or until `stop` is set when one is given (tests)."""
    if settings.bot_token is None:  # a district on MAX alone (the CLI checked MAX_TOKEN)
        from service.max_polling import run_max_polling

        await run_max_polling(settings)
        return
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
        log.info("polling as @%s", username)
        operations = await start_operations_server(settings, engine, session_factory)
        max_polling, max_stop, max_client, edge = None, asyncio.Event(), None, None
        channels: dict[str, ChannelDelivery] = {}
        if settings.max_token is not None:
            max_client = create_max_client(settings)
            edge = create_max_edge(settings, session_factory, max_client, dispatcher["i18n"])
            log.info("MAX polling as %s", await max_client.username())
            max_polling = asyncio.create_task(poll_max(edge, max_stop))
            channels[ChannelName.MAX] = MaxDelivery(max_client)
        background = start_background(
            background_bot, settings, session_factory, dispatcher["i18n"], channels
        )
        freeze_startup_objects()
        stopper = None if stop is None else asyncio.create_task(_stop_on(stop, dispatcher))
        try:
            # The session stays open until the sender has finished its last send.
            await dispatcher.start_polling(
                bot, close_bot_session=False, handle_signals=stop is None
            )
        finally:
            if stopper is not None:
                stopper.cancel()
            max_stop.set()
            if max_polling is not None:
                with contextlib.suppress(Exception):
                    await max_polling
            if edge is not None:
                await edge.services.jobs.stop()
            if max_client is not None:
                await max_client.close()
            await background.stop()
            if operations is not None:
                await operations.cleanup()
    finally:
        # Every path, a failed start included: no «Unclosed client session».
        await bot.session.close()
        await background_bot.session.close()
        await engine.dispose()


async def _stop_on(stop: asyncio.Event, dispatcher: Dispatcher) -> None:
    await stop.wait()
    while True:
        try:
            await dispatcher.stop_polling()
            return
        except RuntimeError:  # set before polling began: stop it as soon as it has
            await asyncio.sleep(0.05)
