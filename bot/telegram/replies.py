"""Small reply helpers shared by the handlers."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the pressed keyboard so that a second tap has nothing to press."""
    if not isinstance(query.message, Message) or query.message.reply_markup is None:
        return
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        # Already gone (a double tap raced us): the goal is reached either way.
        return


async def reply(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a button press with a new message in the same private chat."""
    if query.bot is not None:
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
