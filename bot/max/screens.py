"""Screens drawn for MAX: the same texts as Telegram (bot/render.py), buttons as callback
buttons whose payload is the packed action, cut to MAX's limits.

A screen larger than one MAX message is split, never cut: a text over 4,000 characters goes
out in parts at line breaks (the buttons under the last part); rows of more than 7 buttons
are wrapped; more than 30 rows (or 210 buttons) continue in further messages, each under a
short «continued» line.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import I18n

from app.actions import pack
from app.screens import Msg, Screen
from bot import render
from bot.max.client import TEXT_LIMIT, Keyboard

ROWS_LIMIT = 30
ROW_LIMIT = 7
BUTTONS_LIMIT = 210
LABEL_LIMIT = 128


class Reader:
    """The catalogue in one reader's language (bot.render's Translator)."""

    def __init__(self, i18n: I18n, locale: str) -> None:
        self.i18n = i18n
        self.locale = locale

    def gettext(self, singular: str, plural: str | None = None, n: int = 1) -> str:
        return self.i18n.gettext(singular, plural, n, locale=self.locale)


@dataclass(frozen=True)
class Part:
    """One MAX message of a screen."""

    text: str
    keyboard: Keyboard | None = None


def parts(reader: Reader, screen: Screen) -> list[Part]:
    texts = split_text(render.body(reader, screen))
    pages = keyboard_pages(reader, screen)
    drawn = [Part(text) for text in texts[:-1]]
    drawn.append(Part(texts[-1], pages[0] if pages else None))
    more = render.text(reader, Msg("max.more_buttons"))
    drawn += [Part(more, page) for page in pages[1:]]
    return drawn


def keyboard(reader: Reader, screen: Screen, pressed: str | None = None) -> Keyboard | None:
    """The buttons that replace a pressed message's (a selection being made): of a screen
    drawn as several messages, the part holding the `pressed` payload, so that each message
    keeps its own buttons."""
    pages = keyboard_pages(reader, screen)
    for page in pages:
        if any(payload == pressed for row in page for _label, payload in row):
            return page
    return pages[0] if pages else None


def keyboard_pages(reader: Reader, screen: Screen) -> list[Keyboard]:
    rows: list[list[tuple[str, str]]] = []
    for buttons in screen.rows:
        drawn = [(_label(render.label(reader, b.label)), pack(b.action)) for b in buttons]
        rows += [drawn[start : start + ROW_LIMIT] for start in range(0, len(drawn), ROW_LIMIT)]
    pages: list[Keyboard] = []
    page: Keyboard = []
    for line in rows:
        if len(page) == ROWS_LIMIT or sum(map(len, page)) + len(line) > BUTTONS_LIMIT:
            pages.append(page)
            page = []
        page.append(line)
    if page:
        pages.append(page)
    return pages


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, broken at line ends where possible."""
    if not text:
        return ["…"]
    found: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = limit
        found.append(text[:cut])
        text = text[cut:].lstrip("\n")
    found.append(text)
    return found


def _label(text: str) -> str:
    text = text or "·"
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"
