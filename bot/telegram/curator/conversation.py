"""The filter that matches one verb of a curator's button. (`show` is
bot.telegram.conversation's, re-exported for the handlers that import it from here.)"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import CallbackQuery

from app.actions import Action, unpack
from bot.telegram.conversation import show

__all__ = ["Verb", "show"]


class Verb(Filter):
    """A press of a `kind` button whose `verb` field is one of `verbs`; the handler gets
    the action as `action`."""

    def __init__(self, kind: type[Action], *verbs: str) -> None:
        self.kind = kind
        self.verbs = frozenset(verbs)

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        action = unpack(query.data)
        if isinstance(action, self.kind) and getattr(action, "verb", None) in self.verbs:
            return {"action": action}
        return False
