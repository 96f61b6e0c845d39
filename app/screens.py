"""What a person is shown, as plain data: lines of text and rows of buttons.

Texts are catalogue keys with parameters (`Msg`), rendered by the edge in the reader's
language, or literal strings already in that language (questionnaire wording, names). Buttons
carry typed actions (app/actions.py). Use cases and views build screens; each messenger edge
draws them with its own library and limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.actions import Action


@dataclass(frozen=True, slots=True)
class Msg:
    """A catalogue text. Parameter values may be Msgs themselves (a role's name inside a
    sentence); `count` picks the plural form («1 школа», «2 школы», «5 школ»)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    count: int | None = None


Text = Msg | str


def counted(key: str, count: int) -> Msg:
    """A number with its noun in the right plural form («1 день», «3 дня», «5 дней»): a
    catalogue entry with plural forms whose text has `{n}`."""
    return Msg(key, {"n": count}, count=count)


Label = Text | tuple[Text, ...]  # parts are joined without a separator


@dataclass(frozen=True, slots=True)
class Button:
    label: Label
    action: Action


Row = tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Screen:
    """One message: its lines (joined by newlines) and its button rows."""

    lines: tuple[Label, ...]
    rows: tuple[Row, ...] = ()

    @classmethod
    def of(cls, key: str, rows: tuple[Row, ...] = (), /, **params: Any) -> Screen:
        """A screen of one catalogue text."""
        return cls((Msg(key, params),), rows)
