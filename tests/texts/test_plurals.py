"""Numbers with nouns go through the catalogue's plural forms (gettext's ngettext through
`app.screens.counted`), never an abbreviation like «{days} дн.», and the Russian forms
follow the Russian rule (1 день, 2 дня, 5 дней, 11 дней, 21 день). That every plural
entry has all its forms is checked in test_catalogue.py."""

from __future__ import annotations

import re

import pytest

from app.screens import Msg, counted
from bot.i18n import LOCALES, create_i18n, read_catalogue
from bot.render import text

# «5 дн.», «3 ч.», «10 мин.»: a number placeholder followed by a cut-off unit.
ABBREVIATED_UNIT = re.compile(r"\{\w+\}\s+(?:дн|ч|мин|сек|мес|шт|чел|нед)\.")


def test_no_abbreviated_units_after_numbers() -> None:
    for locale in LOCALES:
        for message in read_catalogue(locale):
            forms = message.string if message.pluralizable else (message.string,)
            for form in forms:
                assert not ABBREVIATED_UNIT.search(str(form)), (locale, message.id, form)


@pytest.mark.parametrize(
    ("count", "russian", "english"),
    [
        (1, "1 день", "1 day"),
        (2, "2 дня", "2 days"),
        (4, "4 дня", "4 days"),
        (5, "5 дней", "5 days"),
        (11, "11 дней", "11 days"),
        (14, "14 дней", "14 days"),
        (21, "21 день", "21 days"),
        (22, "22 дня", "22 days"),
        (111, "111 дней", "111 days"),
    ],
)
def test_days_in_a_sentence_take_the_right_form(count: int, russian: str, english: str) -> None:
    i18n = create_i18n()
    message = Msg(
        "curator.pair.completed", {"number": 7, "queued": 2, "days": counted("count.days", count)}
    )
    for locale, expected in (("ru", russian), ("en", english)):
        with i18n.use_locale(locale):
            assert text(i18n, message).endswith(f" {expected}."), locale


def test_a_limit_reads_in_the_genitive_after_up_to() -> None:
    i18n = create_i18n()
    with i18n.use_locale("ru"):
        hints = [
            text(i18n, Msg("survey.hint.text", {"max": counted("count.characters_up_to", n)}))
            for n in (1, 2, 1000)
        ]
        too_long = text(
            i18n,
            Msg(
                "survey.invalid.too_long",
                {"length": counted("count.characters", 1001), "max": 1000},
            ),
        )
    assert [hint.split("(")[1] for hint in hints] == [
        "не больше 1 символа).",
        "не больше 2 символов).",
        "не больше 1000 символов).",
    ]
    assert too_long.startswith("Ответ слишком длинный: 1001 символ, а можно не больше 1000.")
