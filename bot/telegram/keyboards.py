"""Inline keyboards. Labels come from the locale catalogue; payloads from bot.telegram.callbacks."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram.callbacks import (
    AdultCb,
    CategoryCb,
    ConsentCb,
    ForgetCb,
    GradeCb,
    GuardianCb,
    InvitePickCb,
    InviteRoleCb,
    PageCb,
)
from surveys.people import MAX_GRADE, MIN_GRADE, Category, Role

PAGE_SIZE = 8


def consent() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("consent.agree"), callback_data=ConsentCb(agree=True))
    builder.button(text=_("consent.decline"), callback_data=ConsentCb(agree=False))
    builder.adjust(1)
    return builder.as_markup()


def categories() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for category in Category:
        builder.button(
            text=_(f"category.{category.value}"), callback_data=CategoryCb(category=category.value)
        )
    builder.adjust(1)
    return builder.as_markup()


def grades() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for grade in range(MIN_GRADE, MAX_GRADE + 1):
        builder.button(text=str(grade), callback_data=GradeCb(grade=grade))
    builder.adjust(6)
    return builder.as_markup()


def adult() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("register.adult_yes"), callback_data=AdultCb(adult=True))
    builder.button(text=_("register.adult_no"), callback_data=AdultCb(adult=False))
    builder.adjust(2)
    return builder.as_markup()


def guardian() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("register.guardian_yes"), callback_data=GuardianCb(given=True))
    builder.button(text=_("register.guardian_no"), callback_data=GuardianCb(given=False))
    builder.adjust(1)
    return builder.as_markup()


def forget_confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("forget.confirm"), callback_data=ForgetCb(confirm=True))
    builder.button(text=_("forget.keep"), callback_data=ForgetCb(confirm=False))
    builder.adjust(1)
    return builder.as_markup()


def invite_roles(roles: Sequence[Role]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role in roles:
        builder.button(text=_(f"role.{role.value}"), callback_data=InviteRoleCb(role=role.value))
    builder.adjust(1)
    return builder.as_markup()


def invite_targets(
    role: Role, targets: Sequence[tuple[int, str]], page: int, total: int
) -> InlineKeyboardMarkup:
    """One button per municipality or organization, with paging for long lists."""
    builder = InlineKeyboardBuilder()
    for target_id, name in targets:
        builder.row(
            InlineKeyboardButton(
                text=name[:60],
                callback_data=InvitePickCb(role=role.value, target=target_id).pack(),
            )
        )
    navigation: list[InlineKeyboardButton] = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                text=_("paging.previous"),
                callback_data=PageCb(role=role.value, page=page - 1).pack(),
            )
        )
    if (page + 1) * PAGE_SIZE < total:
        navigation.append(
            InlineKeyboardButton(
                text=_("paging.next"), callback_data=PageCb(role=role.value, page=page + 1).pack()
            )
        )
    if navigation:
        builder.row(*navigation)
    return builder.as_markup()
