"""Texts and numbers of the справка in the reader's language: catalogue keys (with plural
forms: «1 школа», «2 школы», «5 школ») and figures formatted the way that language writes them."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from exports.cells import SUPPRESSED

PERCENT = "#,##0.0%"
DECIMAL = "#,##0.00"
SIGNED_DECIMAL = "+#,##0.00;-#,##0.00"


class Catalogue(Protocol):
    """aiogram's I18n is one: gettext with plural forms and an explicit locale."""

    def gettext(
        self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None
    ) -> str: ...


class Words:
    def __init__(self, catalogue: Catalogue, locale: str) -> None:
        self.catalogue = catalogue
        self.locale = locale

    def _(self, key: str, count: int | None = None, **params: Any) -> str:
        """The text of `key`; with `count`, the plural form for it, which gets {n}."""
        if count is None:
            template = self.catalogue.gettext(key, locale=self.locale)
        else:
            template = self.catalogue.gettext(key, key, count, locale=self.locale)
            params = {"n": self.number(count), **params}
        return template.format(**params) if params else template

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        return format_percent(share, PERCENT, locale=self.locale)

    def decimal(self, value: float) -> str:
        return format_decimal(value, DECIMAL, locale=self.locale)

    def signed(self, value: float) -> str:
        return format_decimal(value, SIGNED_DECIMAL, locale=self.locale)

    def signed_number(self, value: int) -> str:
        """+5, -3, and 0 for no change."""
        return format_decimal(value, "+#,##0;-#,##0", locale=self.locale) if value else "0"

    def points(self, value: float) -> str:
        """A difference of two shares, in percentage points, with its sign."""
        return format_decimal(value * 100, "+#,##0.0;-#,##0.0", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, "long", locale=self.locale)

    def hidden(self, min_group: int) -> str:
        return SUPPRESSED.format(n=min_group)
