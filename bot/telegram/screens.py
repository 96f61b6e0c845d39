"""Screens drawn with aiogram: text in the reader's language, inline keyboards whose
callback data is the packed action, and a filter that turns a press back into its action."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n

from app.actions import Action, pack, unpack
from app.screens import Screen
from bot import render

MESSAGE_LIMIT = 4096  # characters of a Telegram message


def text_of(i18n: I18n, screen: Screen) -> str:
    return render.body(i18n, screen)[:MESSAGE_LIMIT]


def markup(i18n: I18n, screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=render.label(i18n, button.label), callback_data=pack(button.action)
                )
                for button in row
            ]
            for row in screen.rows
        ]
    )


async def send(bot: Bot, chat_id: int, i18n: I18n, *screens: Screen) -> None:
    for screen in screens:
        await bot.send_message(chat_id, text_of(i18n, screen), reply_markup=markup(i18n, screen))


async def redraw_buttons(query: CallbackQuery, i18n: I18n, screen: Screen) -> None:
    """Replace the pressed message's keyboard (a multi-choice selection being made)."""
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup(i18n, screen))


async def reply(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a button press with a new message in the same private chat."""
    if query.bot is not None:
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the pressed keyboard so that a second tap has nothing to press."""
    if not isinstance(query.message, Message) or query.message.reply_markup is None:
        return
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        # Already gone (a double tap raced us): the goal is reached either way.
        return


class Pressed(Filter):
    """Matches a button press carrying one of `kinds`; the handler gets it as `action`."""

    def __init__(self, *kinds: type[Action]) -> None:
        self.kinds = kinds

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        action = unpack(query.data)
        if isinstance(action, self.kinds):
            return {"action": action}
        return False
