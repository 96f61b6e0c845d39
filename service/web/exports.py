"""aiohttp routes for signed export downloads; the webhook server mounts them with
`add_export_routes(app, settings)`."""

from __future__ import annotations

import re

from aiohttp import web

from app.settings import Settings
from exports.links import ROUTE_PREFIX, LinkRefused, verify

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# A Unix time in seconds, as links are signed with.
EXPIRES = re.compile(r"[0-9]{1,12}")


def add_export_routes(app: web.Application, settings: Settings) -> None:
    """Mounts GET /exports/{name} when links are enabled (EXPORT_LINK_SECRET set)."""
    if settings.export_link_secret is None:
        return
    secret = settings.export_link_secret.get_secret_value()
    folder = settings.export_dir.resolve()

    async def download(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        expires = request.query.get("expires", "")
        if not EXPIRES.fullmatch(expires) or not request.query.get("sig"):
            raise web.HTTPBadRequest(text="malformed link: expires and sig are required")
        try:
            verify(secret, name, expires, request.query.get("sig", ""))
        except LinkRefused:
            # One answer for forged, altered and expired links: nothing to learn from it.
            raise web.HTTPForbidden(text="link expired or invalid") from None
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file():
            raise web.HTTPNotFound(text="export no longer available")
        return web.FileResponse(
            path,
            headers={
                "Content-Type": CONTENT_TYPES[path.suffix],
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
            },
        )

    app.router.add_get(ROUTE_PREFIX + "{name}", download)
