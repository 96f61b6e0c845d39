"""`nastavnik run` for a district on MAX alone (MAX_TOKEN set, no BOT_TOKEN): the MAX edge
long-polls, the outbox sender and reminders run beside it, /healthz and /metrics on
WEB_PORT. With both tokens service/polling.py runs both channels in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from app.settings import Settings
from bot.i18n import create_i18n
from bot.max.app import create_client, create_edge, poll
from bot.max.client import MaxClient, MaxFailure
from bot.max.delivery import MaxDelivery
from service.runtime import tune_process
from service.startup import StartupError, check_database
from service.web.operations import start_operations_server
from service.workers.background import start_background
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from surveys.channels import ChannelName

log = logging.getLogger(__name__)


async def check_max(client: MaxClient, api_url: str) -> str:
    """The bot's name; StartupError (one line with the fix) when MAX cannot be reached or
    refuses the token."""
    try:
        return await client.username() or ""
    except MaxFailure as error:
        raise StartupError("max.cli.unreachable", url=api_url, reason=str(error)) from None


async def run_max_polling(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Until SIGTERM/SIGINT (or `stop`)."""
    stop = stop or asyncio.Event()
    engine = create_engine(settings.database_url, settings.db_pool)
    client = create_client(settings)
    try:
        await check_database(engine)
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        i18n = create_i18n(settings.default_locale)
        edge = create_edge(settings, session_factory, client, i18n)
        name = await check_max(client, settings.max_api_url)
        log.info("MAX polling as %s (no BOT_TOKEN: Telegram is not served)", name)
        operations = await start_operations_server(settings, engine, session_factory)
        channels = {ChannelName.MAX.value: MaxDelivery(client)}
        background = start_background(None, settings, session_factory, i18n, channels)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        tune_process()
        try:
            await poll(edge, stop)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await edge.services.jobs.stop()
            await background.stop()
            if operations is not None:
                await operations.cleanup()
    finally:
        with contextlib.suppress(Exception):
            await client.close()
        await engine.dispose()
