"""Inline-button payloads. Short prefixes: Telegram allows 64 bytes of callback data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ConsentCb(CallbackData, prefix="cs"):
    agree: bool


class CategoryCb(CallbackData, prefix="ct"):
    category: str


class GradeCb(CallbackData, prefix="gr"):
    grade: int


class AdultCb(CallbackData, prefix="ad"):
    adult: bool


class GuardianCb(CallbackData, prefix="gd"):
    given: bool


class InviteRoleCb(CallbackData, prefix="ir"):
    role: str


class InvitePickCb(CallbackData, prefix="ip"):
    """A municipality (for a methodist) or an organization (for the others) by id."""

    role: str
    target: int


class PageCb(CallbackData, prefix="pg"):
    role: str
    page: int


class ForgetCb(CallbackData, prefix="fg"):
    confirm: bool
