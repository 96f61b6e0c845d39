"""Inline keyboards. Labels come from the locale catalogue; payloads from bot.telegram.callbacks."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram.callbacks import ForgetCb


def forget_confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("forget.confirm"), callback_data=ForgetCb(confirm=True))
    builder.button(text=_("forget.keep"), callback_data=ForgetCb(confirm=False))
    builder.adjust(1)
    return builder.as_markup()
