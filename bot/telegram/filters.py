"""Filters that run on the event loop.

aiogram runs a synchronous filter (a magic `F.…` expression, a plain function) through
`asyncio.to_thread`: a thread-pool round trip per check, a few dozen checks per update. Our
checks are attribute look-ups, so every filter we register is a coroutine: `Magic` wraps an
F-expression in aiogram's public `Filter` class.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class Magic(Filter):
    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


def typed_text() -> Magic:
    """A text message that is not a command."""
    return Magic(F.text & ~F.text.startswith("/"))
