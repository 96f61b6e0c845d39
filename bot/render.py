"""Screens to strings in the reader's language: shared by every messenger edge and the
outbox sender (each then applies its own keyboard format and limits)."""

from __future__ import annotations

from typing import Any, Protocol

from app.screens import Label, Msg, Screen, Text


class Translator(Protocol):
    """The catalogue in the reader's language (aiogram's I18n is one)."""

    def gettext(self, singular: str, plural: str | None = None, n: int = 1) -> str: ...


def text(i18n: Translator, value: Text) -> str:
    if isinstance(value, str):
        return value
    if value.count is None:
        template = i18n.gettext(value.key)
    else:
        template = i18n.gettext(value.key, value.key, value.count)
    if not value.params:
        return template
    return template.format(**_params(i18n, value))


def _params(i18n: Translator, value: Msg) -> dict[str, Any]:
    """Parameters that are texts themselves (a Msg, or a Label's parts: a list of roles
    with their places) are rendered in the same language first."""
    return {
        name: label(i18n, item) if isinstance(item, Msg | tuple) else item
        for name, item in value.params.items()
    }


def label(i18n: Translator, value: Label) -> str:
    if isinstance(value, tuple):
        return "".join(text(i18n, part) for part in value)
    return text(i18n, value)


def body(i18n: Translator, screen: Screen) -> str:
    return "\n".join(label(i18n, line) for line in screen.lines)
