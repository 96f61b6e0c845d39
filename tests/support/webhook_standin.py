"""The Bot API stand-in in webhook mode: updates are POSTed to the bot's workers the way
Telegram does it (secret header; redelivery until a 2xx), alternating between workers as a
load balancer would. FakeUser works unchanged: it calls push_update."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.support.botapi import BotAPIStandIn
from tests.support.botapi.records import Call

SECRET = "test-webhook-secret_1-0123456789abcdef"
PATH = "/telegram/webhook"
Hook = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Delivery:
    update_id: int
    target: str
    status: int  # 0: the connection failed


class WebhookStandIn(BotAPIStandIn):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets: list[str] = []  # worker base URLs, e.g. http://127.0.0.1:8081
        self.secret = SECRET
        self.webhook_secret: str | None = None
        self.deliveries: list[Delivery] = []
        self.hooks: dict[str, Hook] = {}  # Bot API method → called before it is answered
        self.redelivery_pause = 0.2
        self.max_attempts = 40
        self._turn = itertools.count()
        self._client: aiohttp.ClientSession | None = None

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        await super().stop()

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_secret = params.get("secret_token")
        return await super()._set_webhook(params)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        await self._hook("sendMessage", params)
        return await super()._send_message(params)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        await self._hook("answerCallbackQuery", params)
        return await super()._answer_callback_query(params)

    async def _hook(self, method: str, params: dict[str, Any]) -> None:
        hook = self.hooks.pop(method, None)
        if hook is not None:
            await hook(params)

    async def push_update(self, raw: dict[str, Any]) -> list[Call]:
        start = len(self.log)
        update = {"update_id": next(self._update_ids), **raw}
        await self.deliver(update)
        return [call for call in self.log[start:] if call.method != "getUpdates"]

    async def deliver(self, update: dict[str, Any]) -> Delivery:
        """Like Telegram: repeat until some worker answers 2xx."""
        for _ in range(self.max_attempts):
            target = self.targets[next(self._turn) % len(self.targets)]
            delivery = await self.post(update, target)
            if 200 <= delivery.status < 300:
                return delivery
            await asyncio.sleep(self.redelivery_pause)
        raise AssertionError(f"update {update['update_id']} was never accepted: {self.deliveries}")

    async def post(
        self, update: dict[str, Any], target: str, secret: str | None = SECRET
    ) -> Delivery:
        """One delivery attempt, recorded in self.deliveries."""
        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        try:
            async with self._client.post(target + PATH, json=update, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, ConnectionError, TimeoutError):
            status = 0  # no answer in time: Telegram, too, delivers it again
        delivery = Delivery(update["update_id"], target, status)
        self.deliveries.append(delivery)
        return delivery

    def new_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **raw}
