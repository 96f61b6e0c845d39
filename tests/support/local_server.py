"""What every messenger stand-in shares: an aiohttp server on a free loopback port, started
and stopped around a test (`served` makes the fixture), and the long poll it wakes when it
closes."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import pytest
from aiohttp import web

UPLOAD_LIMIT = 50 * 2**20  # bytes in one request: Telegram's upload limit for bots


class LocalServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls  # served over https with this context
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._new_update = asyncio.Event()  # set when a long poll should answer now

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        self.add_routes(app)
        # A short shutdown_timeout: stop() must not wait a minute for a dangling long poll.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Port 0: the OS picks a free one.
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # let a waiting long poll answer now
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        assert self._port, "call start() first"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._port}"


S = TypeVar("S", bound=LocalServer)


def served(kind: Callable[..., S], name: str, **options: Any) -> Any:
    """A fixture called `name` that runs a fresh `kind(**options)` for one test."""

    async def fixture() -> AsyncIterator[S]:
        async with kind(**options) as server:
            yield server

    return pytest.fixture(name=name)(fixture)
