"""Webhook mode: an aiohttp server that takes updates from Telegram (and from MAX, at
MAX_WEBHOOK_PATH, when MAX_TOKEN is set), plus /healthz and /metrics (and the export
downloads when that area is installed).

Telegram hears "200" only after the update was processed and its transaction committed
(the update is fed within the request, not in the background): if the worker dies first,
Telegram delivers the update again, and the handled_update mark makes the second delivery
change nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.delivery import ChannelDelivery
from app.settings import Settings
from bot.max.app import subscribe as subscribe_max
from bot.max.client import MaxClient
from bot.max.delivery import MaxDelivery
from bot.max.edge import MaxEdge
from bot.max.webhook import webhook_handler
from service.web.operations import InFlight, add_operations_routes
from service.workers.background import BackgroundTasks, start_background
from storage.repositories.handled import prune as prune_handled_updates
from surveys.channels import ChannelName

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN_TIMEOUT = 50.0  # Telegram waits ~60 s for an answer; finish what we accepted


def create_web_app(
    settings: Settings,
    bot: Bot,
    dispatcher: Dispatcher,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    max_edge: MaxEdge | None = None,
) -> web.Application:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if not secret:
        raise ValueError("WEBHOOK_SECRET is required in webhook mode")
    in_flight = InFlight()

    async def on_update(request: web.Request) -> web.StreamResponse:
        with in_flight:
            update = await _update_or_refusal(request, secret, bot)
            if isinstance(update, web.Response):
                return update
            # The update parsed once: aiogram's request handler would parse the body again.
            answer: Any = await dispatcher.feed_webhook_update(bot, update)
            if isinstance(answer, TelegramMethod):
                await bot(answer)  # a handler's reply-in-webhook, made as a call instead
            return web.json_response({})

    app = web.Application()
    app.router.add_post(settings.webhook_path, on_update)
    if max_edge is not None:
        max_secret = settings.max_webhook_secret
        if settings.max_webhook_url and max_secret is None:
            raise ValueError("MAX_WEBHOOK_SECRET is required with MAX_WEBHOOK_URL")
        handler = webhook_handler(max_edge, max_secret.get_secret_value() if max_secret else None)
        app.router.add_post(settings.max_webhook_path, handler)
    # /healthz, /metrics and the signed export downloads, as in `nastavnik run`.
    add_operations_routes(app, settings, engine, session_factory, in_flight)
    return app


async def _update_or_refusal(request: web.Request, secret: str, bot: Bot) -> Update | web.Response:
    """The update, or 401 without the secret and 400 for a body that is not an update
    (aiogram would raise and answer 500)."""
    if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
        return web.Response(status=401, text="Unauthorized")
    try:
        return Update.model_validate(
            await request.json(loads=bot.session.json_loads), context={"bot": bot}
        )
    except ValueError:  # JSON, UTF-8 and pydantic's errors are ValueErrors
        log.warning("malformed webhook body", extra={"bytes": request.content_length})
        return web.Response(status=400, text="not a Telegram update\n")


async def serve_webhook(
    settings: Settings,
    bot: Bot,
    dispatcher: Dispatcher,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    background_bot: Bot,
    stop: asyncio.Event | None = None,
    max_edge: MaxEdge | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`), then stop taking requests, let the accepted
    updates finish, stop the background work, close the sessions."""
    app = create_web_app(settings, bot, dispatcher, engine, session_factory, max_edge)

    async def begin() -> BackgroundTasks:
        if settings.webhook_url:
            await bot.set_webhook(
                settings.webhook_url.rstrip("/") + settings.webhook_path,
                secret_token=settings.webhook_secret.get_secret_value()
                if settings.webhook_secret
                else None,
                allowed_updates=dispatcher.resolve_used_update_types(),
            )
        if max_edge is not None and settings.max_webhook_url:
            await subscribe_max(max_edge.client, settings)
        channels: dict[str, ChannelDelivery] = {}
        if max_edge is not None:
            channels[ChannelName.MAX] = MaxDelivery(max_edge.client)
        background = start_background(
            background_bot, settings, session_factory, dispatcher["i18n"], channels
        )
        log.info("webhook listening", extra={"port": settings.web_port})
        return background

    try:
        await serve(app, settings, session_factory, begin, stop)
    finally:
        await dispatcher.fsm.close()


async def serve(
    app: web.Application,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    begin: Callable[[], Awaitable[BackgroundTasks]],
    stop: asyncio.Event | None = None,
) -> None:
    """Serve `app` on WEB_HOST:WEB_PORT until SIGTERM/SIGINT (or `stop`). Once it listens,
    `begin` subscribes the webhooks and starts the background work it returns; at the end
    the server stops taking requests, lets the accepted updates finish, and the background
    work stops (the outbox sender finishes what it holds)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=DRAIN_TIMEOUT)
    await runner.setup()
    background: BackgroundTasks | None = None
    pruning: asyncio.Task[None] | None = None
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        background = await begin()
        pruning = asyncio.create_task(prune_every_hour(session_factory))
        await stop.wait()
        log.info("shutting down: draining updates in flight")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        # Stops listening, then waits for the requests already accepted.
        await runner.cleanup()
        if pruning is not None:
            pruning.cancel()
        if background is not None:
            await background.stop()
        log.info("stopped")


async def prune_every_hour(session_factory: async_sessionmaker[AsyncSession]) -> None:
    while True:
        try:
            removed = await prune_handled_updates(session_factory)
            log.info("handled_update pruned", extra={"removed": removed})
        except Exception as error:
            log.warning("pruning failed", extra={"error": type(error).__name__})
        await asyncio.sleep(3600)


async def run_webhook(settings: Settings) -> None:
    from bot.max.app import create_client as create_max_client
    from bot.max.app import create_edge as create_max_edge
    from service.runtime import tune_process
    from service.telegram_start import telegram_started

    async with telegram_started(settings) as telegram:
        max_client: MaxClient | None = None
        max_edge: MaxEdge | None = None
        i18n = telegram.dispatcher["i18n"]
        try:
            if settings.max_token is not None:
                max_client = create_max_client(settings)
                max_edge = create_max_edge(settings, telegram.session_factory, max_client, i18n)
            tune_process()
            await serve_webhook(
                settings,
                telegram.bot,
                telegram.dispatcher,
                telegram.engine,
                telegram.session_factory,
                telegram.background_bot,
                max_edge=max_edge,
            )
        finally:
            if max_edge is not None:
                await max_edge.services.jobs.stop()
            if max_client is not None:
                await max_client.close()
