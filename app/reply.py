"""What a step of a conversation shows and what becomes of the conversation it is part of.

Every feature's use cases answer with a `Reply` (the questionnaire has its own `Turn`); each
messenger edge draws it: the notice on the pressed button, the screens, the files, and the
conversation step and data kept in that messenger's state store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from app.screens import Msg, Screen
from surveys.access import Actor

KEEP: Final = "keep"


@dataclass(frozen=True)
class Document:
    """A file sent to the person (a workbook), with its caption."""

    name: str
    content: bytes
    caption: Msg


@dataclass(frozen=True)
class Reply:
    screens: tuple[Screen, ...] = ()
    documents: tuple[Document, ...] = ()  # sent after the screens
    # Shown on the pressed button (a pop-up when `alert`), or as a reply to a message.
    notice: Msg | None = None
    alert: bool = False
    # The pressed buttons go: the step is done, a second tap has nothing to press.
    drop: bool = False
    # The pressed message's buttons are redrawn (a selection being made) instead.
    redraw: Screen | None = None
    # The conversation step from now on (a feature's `Step`, whose values are the names the
    # edge keeps); None ends the conversation, KEEP leaves it as it is.
    step: str | None = KEEP
    # Merged into the conversation's data; with `restart`, the old data goes first.
    data: Mapping[str, Any] = field(default_factory=dict)
    restart: bool = False
    # The person's roles are now these: an edge with a per-person command menu redraws it.
    menu: Actor | None = None


def stale() -> Reply:
    """A button of another step: said on the button, nothing changes."""
    return Reply(notice=Msg("fallback.stale_button"))
