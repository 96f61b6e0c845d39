"""Showing a use case's reply in Telegram: the answer on the pressed button, the screens and
files, the conversation state, and the person's command menu when their roles changed; and
`Chat`, what every handler gets besides its update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n

from app.reply import KEEP, Reply
from app.screens import Msg, Screen
from app.settings import Settings
from app.uow import UnitOfWork
from bot import render
from bot.telegram.commands import sync_chat_menu
from bot.telegram.screens import drop_buttons, redraw_buttons, send
from surveys.access import Actor


@dataclass(slots=True)
class Chat:
    """The update's unit of work, who acts, their conversation, the bot, the reader's
    language and the settings: gathered once per update (ActorMiddleware), so a handler
    takes its update and `chat`."""

    uow: UnitOfWork
    actor: Actor
    state: FSMContext
    bot: Bot
    i18n: I18n
    settings: Settings

    @property
    def locale(self) -> str:
        return self.i18n.current_locale

    async def show(self, event: CallbackQuery | Message, reply: Reply) -> None:
        await show(event, self.state, self.bot, self.i18n, reply)

    async def say(self, event: CallbackQuery | Message, text: Msg) -> None:
        """One catalogue text in answer; the conversation stays where it is."""
        await show(event, self.state, self.bot, self.i18n, Reply((Screen((text,)),)))

    async def send(self, chat_id: int, *screens: Screen) -> None:
        await send(self.bot, chat_id, self.i18n, *screens)


def saying(text: Msg) -> Callable[[Message, Chat], Awaitable[None]]:
    """A handler that answers a message with one text (input that does not fit the step:
    «please press a button», «send the file»), the conversation staying where it is."""

    async def answer(message: Message, chat: Chat) -> None:
        await chat.say(message, text)

    answer.__qualname__ = answer.__name__ = f"saying[{text.key}]"  # the update log's name
    return answer


async def show(
    event: CallbackQuery | Message, state: FSMContext, bot: Bot, i18n: I18n, reply: Reply
) -> None:
    if isinstance(event, CallbackQuery):
        await answer_press(event, i18n, reply)
        chat_id = event.from_user.id
    else:
        chat_id = event.chat.id
        if reply.notice is not None:
            await event.answer(render.text(i18n, reply.notice))
    await follow(chat_id, state, bot, i18n, reply)


async def answer_press(query: CallbackQuery, i18n: I18n, reply: Reply) -> None:
    """The notice on the pressed button; its keyboard redrawn or removed."""
    notice = render.text(i18n, reply.notice) if reply.notice is not None else None
    await query.answer(notice, show_alert=reply.alert)
    if reply.redraw is not None:
        await redraw_buttons(query, i18n, reply.redraw)
    elif reply.drop:
        await drop_buttons(query)


async def follow(chat_id: int, state: FSMContext, bot: Bot, i18n: I18n, reply: Reply) -> None:
    """The rest of a reply: the conversation kept, the screens and files sent, and the
    command menu redrawn."""
    await keep(state, reply)
    await send(bot, chat_id, i18n, *reply.screens)
    for document in reply.documents:
        await bot.send_document(
            chat_id,
            BufferedInputFile(document.content, document.name),
            caption=render.text(i18n, document.caption),
        )
    if reply.menu is not None:
        await sync_chat_menu(bot, chat_id, reply.menu)


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
