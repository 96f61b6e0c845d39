"""The routes an operator's tools call, served in both run modes: /healthz (the database
answers), /metrics (Prometheus), and the signed export downloads. Webhook mode mounts them
beside the webhook; `nastavnik run` serves them alone on WEB_PORT."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import metrics
from app.settings import Settings
from service.web.exports import add_export_routes
from storage.models import OutboxMessage
from surveys.statuses import OutboxStatus

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 3.0


class InFlight:
    """Webhook requests being processed now (a gauge on /metrics)."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> None:
        self.count += 1

    def __exit__(self, *_: object) -> None:
        self.count -= 1


def add_operations_routes(
    app: web.Application,
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    in_flight: InFlight | None = None,
) -> None:
    async def healthz(_: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("health check failed", extra={"error": type(error).__name__})
            return web.Response(status=503, text="database unreachable\n")
        return web.Response(text="ok\n")

    async def metrics_page(_: web.Request) -> web.Response:
        gauges: dict[str, tuple[str, float]] = {}
        if in_flight is not None:
            gauges["nastavnik_updates_in_flight"] = ("Webhook updates in progress", in_flight.count)
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), session_factory() as session:
                depth = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                )
            gauges["nastavnik_outbox_depth"] = ("Messages waiting to be sent", float(depth or 0))
        except Exception as error:
            log.warning("outbox depth unavailable", extra={"error": type(error).__name__})
        return web.Response(
            body=metrics.render(gauges), headers={"Content-Type": metrics.CONTENT_TYPE}
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    add_export_routes(app, settings)


async def start_operations_server(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> web.AppRunner | None:
    """For `nastavnik run`: the routes alone on WEB_HOST:WEB_PORT. A port in use is logged
    and the bot runs without them (a second bot on a developer's machine still starts)."""
    app = web.Application()
    add_operations_routes(app, settings, engine, session_factory)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as error:
        log.warning(
            "health and metrics server not started: %s (set WEB_PORT to a free port)",
            error.strerror or error,
            extra={"port": settings.web_port},
        )
        await runner.cleanup()
        return None
    log.info("health and metrics on port %s", settings.web_port)
    return runner
