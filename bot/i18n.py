"""The locale catalogue: gettext .po files under bot/locales, compiled in memory at start.

Message ids are stable keys ("start.stranger"); Russian and English are both translations,
so a missing entry shows up as a key in tests instead of silently falling back to one
language. Each area keeps its own file (common.po, survey.po, curator.po, …) in
locales/<lang>/LC_MESSAGES; they are merged into one catalogue per language. Compiling with
Babel at load time keeps the repository free of .mo binaries.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "nastavnik"
LOCALES = ("ru", "en")


def catalogue_files(locale: str, root: Path = LOCALES_DIR) -> list[Path]:
    return sorted((root / locale / "LC_MESSAGES").glob("*.po"))


def read_catalogue(locale: str, root: Path = LOCALES_DIR) -> Catalog:
    """All of a language's .po files as one catalogue; a key defined twice is an error."""
    merged = Catalog(locale=locale, domain=DOMAIN)
    for path in catalogue_files(locale, root):
        with path.open("rb") as po_file:
            part = read_po(po_file, locale=locale, domain=DOMAIN)
        for message in part:
            if not message.id:
                continue
            if message.id in merged:
                raise ValueError(f"{path}: key {message.id!r} is defined in another file too")
            merged.add(message.id, message.string)
    return merged


def compile_catalogues(root: Path = LOCALES_DIR) -> dict[str, gettext.GNUTranslations]:
    translations: dict[str, gettext.GNUTranslations] = {}
    for locale in LOCALES:
        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(locale, root))
        buffer.seek(0)
        translations[locale] = gettext.GNUTranslations(buffer)
    return translations


def create_i18n(default_locale: str = "ru") -> I18n:
    """aiogram's I18n over our catalogues. It finds no compiled .mo files under the
    locales folder (there are none: no file is named after the domain) and is handed the
    catalogues compiled here instead, through its public `locales`."""
    i18n = I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)
    i18n.locales = compile_catalogues()
    return i18n


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram's language code → one of ours ("en-GB" → "en"; anything unknown → default)."""
    if not language_code:
        return default
    language = language_code.split("-")[0].split("_")[0].lower()
    return language if language in LOCALES else default
