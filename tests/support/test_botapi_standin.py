"""The Bot API stand-in against a real, bare aiogram bot polling it over HTTP."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.support.botapi import BOT_ID, BotAPIStandIn, Upload

IVAN = 1001


def echo_router() -> Router:
    """A fresh router per test: a router can be attached to only one dispatcher."""
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Да", callback_data="answer:yes"),
                    InlineKeyboardButton(text="Нет", callback_data="answer:no"),
                ]
            ]
        )
        await message.answer("Привет! Готов?", reply_markup=keyboard)

    @router.callback_query(F.data.startswith("answer:"))
    async def answered(query: CallbackQuery) -> None:
        await query.answer("Записал")
        assert isinstance(query.message, Message) and query.data is not None
        await query.message.edit_text(f"Ответ: {query.data.removeprefix('answer:')}")

    @router.message(F.document)
    async def got_document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        data = await bot.download(message.document)
        assert data is not None
        await message.answer(f"size={len(data.read())}")

    @router.message(Command("report"))
    async def report(message: Message) -> None:
        report = BufferedInputFile(b"a;b\n1;2\n", filename="отчёт.csv")
        await message.answer_document(report, caption="Отчёт")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        assert message.text is not None
        await message.answer(message.text)

    return router


@pytest.fixture
async def bot(standin: BotAPIStandIn) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url))
    bot = Bot(f"{BOT_ID}:TEST-TOKEN", session=session)
    yield bot
    await session.close()


@pytest.fixture
async def polling(standin: BotAPIStandIn, bot: Bot) -> AsyncIterator[None]:
    dp = Dispatcher()
    dp.include_router(echo_router())
    task = asyncio.create_task(
        dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, polling_timeout=1)
    )
    await standin.wait_until_polling()  # stop_polling() raises if polling has not started
    yield
    await dp.stop_polling()
    await task


@pytest.mark.usefixtures("polling")
async def test_text_round_trip(standin: BotAPIStandIn) -> None:
    ivan = standin.user(IVAN)

    calls = await ivan.send("12345")

    assert [call.method for call in calls] == ["sendMessage"]
    # Form fields arrive as strings; chat_id is decoded to int, text stays text.
    assert calls[0].params["chat_id"] == IVAN
    assert calls[0].params["text"] == "12345"
    assert ivan.last_text == "12345"
    assert [call.method for call in standin.calls] == ["getMe", "sendMessage"]


@pytest.mark.usefixtures("polling")
async def test_update_without_reaction_returns_no_calls(standin: BotAPIStandIn) -> None:
    ivan = standin.user(IVAN)

    assert await ivan.send_sticker() == []
    assert await ivan.send_photo() == []


@pytest.mark.usefixtures("polling")
async def test_press_button_and_see_edit(standin: BotAPIStandIn) -> None:
    ivan = standin.user(IVAN)
    await ivan.send("/start")
    assert ivan.buttons() == [("Да", "answer:yes"), ("Нет", "answer:no")]

    calls = await ivan.press(ivan.button("Да"))

    assert [call.method for call in calls] == ["answerCallbackQuery", "editMessageText"]
    [message] = ivan.messages
    assert message.text == "Ответ: yes"
    assert ivan.buttons() == []  # Telegram drops the keyboard on an edit without reply_markup
    assert ivan.answers_to_callbacks == ["Записал"]

    # A stale press on the same message edits to the same text: Telegram refuses that.
    calls = await ivan.press("answer:yes", message_id=message.message_id)
    assert [(call.method, call.error_code) for call in calls] == [
        ("answerCallbackQuery", None),
        ("editMessageText", 400),
    ]


@pytest.mark.usefixtures("polling")
async def test_document_upload_and_download(standin: BotAPIStandIn) -> None:
    ivan = standin.user(IVAN)
    content = os.urandom(150_000)  # more than aiogram's 64 KiB download chunk

    calls = await ivan.send_document(content, "анкета.xlsx")

    assert [call.method for call in calls] == ["getFile", "sendMessage"]
    assert ivan.last_text == f"size={len(content)}"


@pytest.mark.usefixtures("polling")
async def test_bot_sends_document(standin: BotAPIStandIn) -> None:
    ivan = standin.user(IVAN)

    [call] = await ivan.send("/report")

    assert call.method == "sendDocument"
    assert call.params["document"] == Upload("отчёт.csv", b"a;b\n1;2\n", "text/csv")
    [message] = ivan.messages
    assert message.document is not None
    assert message.document["file_name"] == "отчёт.csv"
    assert ivan.last_text == "Отчёт"


async def test_injected_429_is_retry_after(standin: BotAPIStandIn, bot: Bot) -> None:
    standin.fail_next("sendMessage", IVAN, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(IVAN, "раз")
    await bot.send_message(IVAN, "два")

    assert raised.value.retry_after == 7
    assert [(call.params["text"], call.rejected) for call in standin.calls] == [
        ("раз", True),
        ("два", False),
    ]


async def test_blocked_chat_is_forbidden(standin: BotAPIStandIn, bot: Bot) -> None:
    standin.block(IVAN)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(IVAN, "привет")
    await bot.send_message(IVAN + 1, "другому можно")

    standin.unblock(IVAN)
    await bot.send_message(IVAN, "снова можно")


async def test_rate_limiter_rejects_31st_send(standin: BotAPIStandIn, bot: Bot) -> None:
    standin.rate_limit(per_second=30)

    results = await asyncio.gather(
        *(bot.send_message(IVAN, f"n{i}") for i in range(31)), return_exceptions=True
    )

    rejected = [result for result in results if isinstance(result, TelegramRetryAfter)]
    assert len(rejected) == 1 and rejected[0].retry_after == 1
    assert sum(call.rejected for call in standin.calls) == 1
    assert len(standin.messages(IVAN)) == 30


async def test_chat_pace_rejects_a_second_message_within_the_interval(
    standin: BotAPIStandIn, bot: Bot
) -> None:
    standin.pace_chats(2.0)
    await bot.send_message(IVAN, "первое")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(IVAN, "второе")
    assert refused.value.retry_after == 2  # the rest of the gap, in whole seconds
    await bot.send_message(IVAN + 1, "другой чат не ждёт")
    await bot.send_chat_action(IVAN, "typing")  # not a message: not paced

    assert [call.chat_id for call in standin.accepted_sends()] == [IVAN, IVAN + 1]
    standin.pace_chats(None)
    await bot.send_message(IVAN, "теперь можно")


async def test_telegram_rules(standin: BotAPIStandIn, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(IVAN, "Иванов <Ваня>", parse_mode="HTML")
    message = await bot.send_message(IVAN, "<b>Иванов</b> &lt;Ваня&gt;", parse_mode="HTML")
    assert message.text == "Иванов <Ваня>"
    too_long = InlineKeyboardButton(text="x", callback_data="x" * 65)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            IVAN, "кнопка", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[too_long]])
        )
    with pytest.raises(TelegramNotFound):
        await bot.send_photo(IVAN, "some-file-id")  # not implemented here: 404 like Telegram
