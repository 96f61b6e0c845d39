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
from service.runtime import tune_process
from service.telegram_start import telegram_started
from service.web.operations import start_operations_server
from service.workers.background import start_background
from surveys.channels import ChannelName

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Poll until SIGINT/SIGTERM, or until `stop` is set when one is given (tests)."""
    if settings.bot_token is None:  # a district on MAX alone (the CLI checked MAX_TOKEN)
        from service.max_polling import run_max_polling

        await run_max_polling(settings)
        return
    async with telegram_started(settings) as telegram:
        bot, dispatcher, session_factory = (
            telegram.bot,
            telegram.dispatcher,
            telegram.session_factory,
        )
        log.info("polling as @%s", telegram.username)
        operations = await start_operations_server(settings, telegram.engine, session_factory)
        max_polling, max_stop, max_client, edge = None, asyncio.Event(), None, None
        channels: dict[str, ChannelDelivery] = {}
        if settings.max_token is not None:
            max_client = create_max_client(settings)
            edge = create_max_edge(settings, session_factory, max_client, dispatcher["i18n"])
            log.info("MAX polling as %s", await max_client.username())
            max_polling = asyncio.create_task(poll_max(edge, max_stop))
            channels[ChannelName.MAX] = MaxDelivery(max_client)
        background = start_background(
            telegram.background_bot, settings, session_factory, dispatcher["i18n"], channels
        )
        tune_process()
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


async def _stop_on(stop: asyncio.Event, dispatcher: Dispatcher) -> None:
    await stop.wait()
    while True:
        try:
            await dispatcher.stop_polling()
            return
        except RuntimeError:  # set before polling began: stop it as soon as it has
            await asyncio.sleep(0.05)
