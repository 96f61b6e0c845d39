"""Unexpected failures: undo the update's writes, tell the person, keep the bot alive."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


async def unexpected_error(event: ErrorEvent, **data: Any) -> None:
    log.exception("handler failed on update %s", event.update.update_id, exc_info=event.exception)
    session: AsyncSession | None = data.get("session")
    if session is not None:
        await session.rollback()
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    bot: Bot | None = data.get("bot")
    if chat_id is not None and bot is not None:
        try:
            await bot.send_message(chat_id, _("error.generic"))
        except Exception:
            log.warning("could not tell chat about the failure")


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(unexpected_error)
    return router
