"""Last resort: anything no other handler took gets a polite answer and changes nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.telegram.commands import BY_NAME
from bot.telegram.filters import Magic


async def command_not_taken(message: Message) -> None:
    """A known command reaching here was refused by its role filter; others are unknown."""
    name = (message.text or "/").split()[0][1:].split("@")[0].lower()
    if name in BY_NAME:
        await message.answer(_("access.denied"))
    else:
        await message.answer(_("fallback.unknown_command"))


async def stray_message(message: Message) -> None:
    await message.answer(_("fallback.stray"))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("fallback.stale_button"), show_alert=False)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(command_not_taken, Magic(F.text.startswith("/")))
    router.message.register(stray_message)
    router.callback_query.register(stale_button)
    return router
