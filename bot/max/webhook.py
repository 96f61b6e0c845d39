"""MAX's webhook: each update is one POST with the subscription's secret in the
X-Max-Bot-Api-Secret header. MAX retries anything but a 200 (for up to 8 hours), so an
update whose reply could not be sent answers 500 and comes again; the handled-update mark
makes the second delivery change nothing that the first committed."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.max.client import Transient
from bot.max.edge import MaxEdge

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Max-Bot-Api-Secret"


def webhook_handler(
    edge: MaxEdge, secret: str | None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def on_update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is not None and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401, text="Unauthorized")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="not a MAX update\n")
        if not isinstance(body, dict) or not isinstance(body.get("update_type"), str):
            return web.Response(status=400, text="not a MAX update\n")
        try:
            await edge.handle(body)
        except Transient as error:
            log.warning("MAX update not finished, MAX will retry: %s", error)
            return web.Response(status=500, text="try again\n")
        return web.json_response({"ok": True})

    return on_update
