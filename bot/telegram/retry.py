"""Bot API calls that survive Telegram's bad moments: 429 waits retry_after, 5xx and network
errors back off exponentially. Bounded, so an update still finishes within Telegram's
webhook patience; what still fails is raised to the handler as before."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, Response
from aiogram.methods.base import TelegramType

from app import metrics

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)


class RetryMiddleware(BaseRequestMiddleware):
    """Tries a call up to `attempts` times; counts sends and 429s for /metrics. With one
    attempt it only counts (the outbox sender's Bot: it has its own retry policy)."""

    def __init__(self, attempts: int = 6, first_delay: float = 0.2, max_delay: float = 5.0) -> None:
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        delay = self.first_delay
        for attempt in range(1, self.attempts + 1):
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                metrics.RATE_LIMITED.inc(method=name)
                if attempt == self.attempts:
                    raise
                wait = min(float(error.retry_after), self.max_delay * 6)
                reason = "429"
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt == self.attempts:
                    raise
                wait, reason = delay, type(error).__name__
                delay = min(delay * 2, self.max_delay)
            else:
                if name.startswith("send") and name != "sendChatAction":
                    metrics.MESSAGES_SENT.inc(method=name)
                return response
            metrics.API_RETRIES.inc(reason=reason)
            log.warning("bot api retry", extra={"method": name, "reason": reason, "wait_s": wait})
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


class TolerantCallbackAnswers(BaseRequestMiddleware):
    """Answering a button press is a courtesy (it stops the spinner). A redelivered update
    answers the same query again, which Telegram refuses ("query is too old"): that must not
    fail the update, or a redelivery could never be processed."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ != AnswerCallbackQuery.__api_method__:
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        except TelegramBadRequest:
            log.info("callback query already answered or expired")
            return Response[TelegramType](ok=True, result=True)
