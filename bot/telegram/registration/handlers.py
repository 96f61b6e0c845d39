"""/start with an invitation code, and the registration conversation, in Telegram. Each
handler reads the update, calls one step of app.registration and shows the reply; the
rules, the commits and what is asked next are the use case's."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.types import CallbackQuery, Message

from app.registration.use_cases import BUTTON_STEPS, STEP_OF, Joining, Press, Step
from app.reply import Reply
from app.screens import Msg
from bot.telegram.conversation import Chat, answer_press, follow, saying
from bot.telegram.filters import Magic, typed_text
from bot.telegram.screens import Pressed


async def start_with_code(message: Message, command: CommandObject, chat: Chat) -> None:
    reply = await Joining(chat.uow, chat.actor, chat.locale).start(command.args or "")
    await chat.show(message, reply)


async def button(
    query: CallbackQuery,
    action: Press,
    chat: Chat,
) -> None:
    # The pressed buttons go before the step's work: a double tap has nothing to press, and
    # a person who cannot be reached (they blocked the bot) leaves the step undone rather
    # than done and untold; they press again once they are back.
    await answer_press(query, chat.i18n, Reply(drop=True))
    joining = Joining(chat.uow, chat.actor, chat.locale)
    reply = await joining.press(action, await chat.state.get_data())
    await follow(query.from_user.id, chat.state, chat.bot, chat.i18n, reply)


async def name_given(message: Message, chat: Chat) -> None:
    joining = Joining(chat.uow, chat.actor, chat.locale)
    await chat.show(message, await joining.name(message.text or "", await chat.state.get_data()))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_code, CommandStart(deep_link=True))
    for kind, step in STEP_OF.items():
        router.callback_query.register(button, StateFilter(step), Pressed(kind))
    router.message.register(name_given, StateFilter(Step.NAME), typed_text())
    router.message.register(saying(Msg("register.name_as_text")), StateFilter(Step.NAME))
    # Stray text or a sticker while the conversation waits for a button press.
    router.message.register(
        saying(Msg("register.press_button")),
        StateFilter(*BUTTON_STEPS),
        Magic(~F.text.startswith("/")),
    )
    return router
