"""Wiring of the MAX edge and its two ways of receiving updates.

Long polling (development): `GET /updates` with the marker of the last batch. The marker
moves only after every update of a batch was handled (each in its own unit of work), so
a crash mid-batch makes MAX hand the batch again, and the handled-update marks skip what
was already committed. Webhook (production): service/web/server.py posts each update body
to `MaxEdge.handle`; MAX retries anything but a 200 for up to 8 hours.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.i18n import create_i18n
from bot.max.client import MaxClient, MaxFailure, create_bot
from bot.max.edge import MaxEdge, Services
from bot.max.jobs import Jobs
from bot.max.pace import create_pace
from bot.max.routes import route
from bot.max.state import create_states
from surveys.questionnaire import load_catalogue

log = logging.getLogger(__name__)

UPDATE_TYPES = ["message_created", "message_callback", "bot_started", "bot_stopped"]
POLL_TIMEOUT = 30  # seconds MAX holds a long poll open
RETRY_SECONDS = 2.0


def create_client(settings: Settings) -> MaxClient:
    return MaxClient(create_bot(settings), create_pace(settings.redis_url))


def create_edge(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    client: MaxClient,
    i18n: I18n | None = None,
) -> MaxEdge:
    services = Services(settings, load_catalogue(), session_factory, Jobs())
    return MaxEdge(
        session_factory,
        client,
        create_states(settings.redis_url),
        i18n or create_i18n(settings.default_locale),
        route,
        services,
    )


async def poll(edge: MaxEdge, stop: asyncio.Event, hold_seconds: int = POLL_TIMEOUT) -> None:
    """Long polling until `stop` is set."""
    marker: int | None = None
    while not stop.is_set():
        fetch = asyncio.ensure_future(edge.client.updates(marker, hold_seconds))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            break
        try:
            batch = fetch.result()
        except Exception as error:  # network, 5xx, 429 on the poll itself: wait and ask again
            log.warning("MAX poll failed: %s", error)
            await _pause(stop)
            continue
        try:
            for raw in batch.get("updates") or []:
                await edge.handle(raw)
        except MaxFailure as error:
            # The reply could not be sent: the marker stays, the batch comes again, and the
            # handled marks skip what was committed before.
            log.warning("MAX update not finished, asking again: %s", error)
            await _pause(stop)
            continue
        found = batch.get("marker")
        marker = int(found) if isinstance(found, int) else marker


async def _pause(stop: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
    except TimeoutError:
        pass


async def subscribe(client: MaxClient, settings: Settings) -> None:
    """Webhook mode: MAX posts updates to MAX_WEBHOOK_URL (once subscribed, long polling
    stops working for the bot)."""
    assert settings.max_webhook_url is not None
    secret = settings.max_webhook_secret
    await client.subscribe(
        settings.max_webhook_url, secret.get_secret_value() if secret else None, UPDATE_TYPES
    )
