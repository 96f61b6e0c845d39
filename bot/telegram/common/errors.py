"""Failures of an update, handled once for every handler.

A refusal of the rules (surveys/errors.py) is told to the person in their language — as a
pop-up on the pressed button or as a reply — and the conversation they were in is left;
the unit of work has already undone whatever the update tried to write. Anything else is
unexpected: logged, and the person told to try again.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.screens import Msg
from app.uow import UnitOfWork
from bot import render
from surveys.errors import DomainError

log = logging.getLogger(__name__)


async def refused(
    event: ErrorEvent, i18n: I18n, state: FSMContext | None = None, **_data: Any
) -> None:
    error = event.exception
    assert isinstance(error, DomainError)
    text = render.text(i18n, Msg(error.message_key, error.params))
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=error.alert)
    elif update.message is not None:
        await update.message.answer(text)
    if state is not None:
        await state.clear()


async def unexpected_error(event: ErrorEvent, **data: Any) -> None:
    log.exception("handler failed on update %s", event.update.update_id, exc_info=event.exception)
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    bot: Bot | None = data.get("bot")
    if chat_id is not None and bot is not None:
        try:
            await bot.send_message(chat_id, failure_text(data))
        except Exception:
            log.warning("could not tell chat about the failure")


def failure_text(data: dict[str, Any]) -> str:
    """«Nothing was saved» only when that is true: a use case that committed and then
    failed (say, sending its reply) has saved the person's changes."""
    uow: UnitOfWork | None = data.get("uow")
    if uow is not None and uow.committed:
        return _("error.after_commit")
    return _("error.generic")


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(refused, ExceptionTypeFilter(DomainError))
    router.errors.register(unexpected_error)
    return router
