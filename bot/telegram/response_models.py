"""Keeps aiogram's parsed-response models alive, so they are built once per process.

aiogram parses every Bot API reply with ``Response[method.__returning__]``. pydantic caches
parametrised generic models in a WeakValueDictionary, and a model class only dies in a full
garbage collection; a bot that allocates a lot (SQLAlchemy rows, sessions) collects often,
so the model was rebuilt again and again (about a fifth of the bot's CPU in the answers
benchmark). Holding a strong reference here makes pydantic's own cache hit every time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

_PINNED: dict[Any, type[Response[Any]]] = {}


class PinResponseModels(BaseRequestMiddleware):
    """Builds (once) and holds the response model before aiogram looks it up."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
