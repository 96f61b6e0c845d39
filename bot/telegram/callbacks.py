"""Inline-button payloads. Short prefixes: Telegram allows 64 bytes of callback data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ForgetCb(CallbackData, prefix="fg"):
    confirm: bool
