"""Showing a curator step's reply in Telegram: the answer on the pressed button, the
screens, the conversation state; and the filter that matches one verb of a button."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.actions import Action, unpack
from app.curator.reply import KEEP, Reply
from bot import render
from bot.telegram.screens import drop_buttons, redraw_buttons, send


async def show(
    event: CallbackQuery | Message, state: FSMContext, bot: Bot, i18n: I18n, reply: Reply
) -> None:
    if isinstance(event, CallbackQuery):
        chat_id = event.from_user.id
        notice = render.text(i18n, reply.notice) if reply.notice is not None else None
        await event.answer(notice, show_alert=reply.alert)
        if reply.redraw is not None:
            await redraw_buttons(event, i18n, reply.redraw)
        elif reply.drop:
            await drop_buttons(event)
    else:
        chat_id = event.chat.id
        if reply.notice is not None:
            await event.answer(render.text(i18n, reply.notice))
    await keep(state, reply)
    await send(bot, chat_id, i18n, *reply.screens)
    for document in reply.documents:
        await bot.send_document(
            chat_id,
            BufferedInputFile(document.content, document.name),
            caption=render.text(i18n, document.caption),
        )


async def keep(state: FSMContext, reply: Reply) -> None:
    """The conversation as the reply leaves it."""
    if reply.step is None:
        await state.clear()
        return
    if reply.step != KEEP:
        if reply.restart:
            await state.clear()
        await state.set_state(reply.step)
    if reply.data:
        await state.update_data(dict(reply.data))


class Verb(Filter):
    """A press of a `kind` button whose `verb` field is one of `verbs`; the handler gets
    the action as `action`."""

    def __init__(self, kind: type[Action], *verbs: str) -> None:
        self.kind = kind
        self.verbs = frozenset(verbs)

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        action = unpack(query.data)
        if isinstance(action, self.kind) and getattr(action, "verb", None) in self.verbs:
            return {"action": action}
        return False
