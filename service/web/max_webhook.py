"""`nastavnik webhook` for a district on MAX alone (MAX_TOKEN set, no BOT_TOKEN): MAX posts
its updates to MAX_WEBHOOK_PATH, the outbox sender, reminders and the other background jobs
run beside it, /healthz, /metrics and the downloads on the same WEB_PORT. With both tokens
service/web/server.py serves both channels in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.i18n import create_i18n
from bot.max.app import create_client, create_edge, subscribe
from bot.max.delivery import MaxDelivery
from bot.max.edge import MaxEdge
from bot.max.webhook import webhook_handler
from service.max_polling import check_max
from service.runtime import tune_process
from service.startup import check_database
from service.web.operations import InFlight, add_operations_routes
from service.web.server import serve
from service.workers.background import BackgroundTasks, start_background
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from surveys.channels import ChannelName

log = logging.getLogger(__name__)


def create_max_web_app(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    edge: MaxEdge,
) -> web.Application:
    """MAX's webhook route and the operations routes; the secret is required (the CLI says
    so in one line before anything starts)."""
    if settings.max_webhook_secret is None:
        raise ValueError("MAX_WEBHOOK_SECRET is required in webhook mode")
    in_flight = InFlight()
    handler = webhook_handler(edge, settings.max_webhook_secret.get_secret_value())

    async def on_update(request: web.Request) -> web.Response:
        with in_flight:
            return await handler(request)

    app = web.Application()
    app.router.add_post(settings.max_webhook_path, on_update)
    add_operations_routes(app, settings, engine, session_factory, in_flight)
    return app


async def serve_max_webhook(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    edge: MaxEdge,
    stop: asyncio.Event | None = None,
) -> None:
    """Until SIGTERM/SIGINT (or `stop`): then stop taking requests, let the accepted updates
    finish, stop the background work."""
    app = create_max_web_app(settings, engine, session_factory, edge)

    async def begin() -> BackgroundTasks:
        if settings.max_webhook_url:
            await subscribe(edge.client, settings)
        channels = {ChannelName.MAX.value: MaxDelivery(edge.client)}
        background = start_background(None, settings, session_factory, edge.i18n, channels)
        log.info("MAX webhook listening (no BOT_TOKEN: Telegram is not served)")
        return background

    await serve(app, settings, session_factory, begin, stop)


async def run_max_webhook(settings: Settings) -> None:
    engine = create_engine(settings.database_url, settings.db_pool)
    client = create_client(settings)
    edge: MaxEdge | None = None
    try:
        await check_database(engine)
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        edge = create_edge(settings, session_factory, client, create_i18n(settings.default_locale))
        await check_max(client, settings.max_api_url)
        tune_process()
        await serve_max_webhook(settings, engine, session_factory, edge)
    finally:
        if edge is not None:
            await edge.services.jobs.stop()
        with contextlib.suppress(Exception):
            await client.close()
        await engine.dispose()
