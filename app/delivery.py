"""Sending one outbox message through the recipient's channel: the port each messenger
gives the outbox sender (service/workers/outbox.py), and what it reports back.

An outbox row holds a text and, optionally, buttons as `{"inline_keyboard": [[{"text": …,
"callback_data": <packed action>}]]}`; each channel draws them its own way (Telegram as
they are, MAX as callback buttons with the packed action as payload). The channel is the
recipient's (person.channel), not the channel of whoever caused the message.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol


class Verdict(enum.Enum):
    SENT = "sent"
    FLOOD = "flood"  # the channel asks to slow down: waited out, never counted as a failure
    UNREACHABLE = "unreachable"  # the person blocked or stopped the bot
    REJECTED = "rejected"  # will never be accepted as it is
    TRANSIENT = "transient"  # 5xx, network: worth another try later


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: str = ""
    retry_after: float = 0.0


class ChannelDelivery(Protocol):
    """Sends one message to a user of one channel; never raises, reports an Outcome."""

    async def deliver(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> Outcome: ...


def button_rows(markup: dict[str, Any] | None) -> list[list[tuple[str, str]]]:
    """The stored inline buttons as rows of (label, packed action); ValueError when the
    stored markup is not inline buttons with callback data."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        raise ValueError("not an inline keyboard")
    drawn: list[list[tuple[str, str]]] = []
    for row in rows:
        if not isinstance(row, list):
            raise ValueError("a row is not a list")
        line = []
        for button in row:
            if not isinstance(button, dict):
                raise ValueError("a button is not an object")
            text, data = button.get("text"), button.get("callback_data")
            if not isinstance(text, str) or not isinstance(data, str):
                raise ValueError("a button without text or callback data")
            line.append((text, data))
        drawn.append(line)
    return drawn
