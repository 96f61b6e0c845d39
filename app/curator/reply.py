"""What a curator's step shows and what becomes of the conversation it is part of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

from app.screens import Msg, Screen

KEEP: Final = "keep"


class Step(StrEnum):
    """Steps of the curator's conversations. The names are those the conversations in
    progress already have in the conversation store."""

    FORM = "ProgrammeStep:form"
    TITLE = "ProgrammeStep:title"
    YEAR = "ProgrammeStep:year"
    STARTS_ON = "ProgrammeStep:starts_on"
    ENDS_ON = "ProgrammeStep:ends_on"
    NEW_VALUE = "ProgrammeEdit:value"
    MENTOR = "PairForming:mentor"
    MENTEES = "PairForming:mentees"
    ROSTER = "RosterUpload:waiting"
    ROUND_PERIOD = "RoundStep:period"  # app/monitoring: opening a round, typed dates
    ROUND_DEADLINE = "RoundStep:deadline"


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
    # The conversation step from now on (a name the edge keeps); None ends the
    # conversation, KEEP leaves it as it is.
    step: Step | Literal["keep"] | None = KEEP
    # Merged into the conversation's data; with `restart`, the old data goes first.
    data: Mapping[str, Any] = field(default_factory=dict)
    restart: bool = False


def stale() -> Reply:
    """A button of another step: said on the button, nothing changes."""
    return Reply(notice=Msg("fallback.stale_button"))
