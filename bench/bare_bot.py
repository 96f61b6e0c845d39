"""The baseline for bench/answers.py: an aiogram bot making the same Bot API calls per
answer as nastavnik (answerCallbackQuery, editMessageReplyMarkup, sendMessage with a
1…10 keyboard) with no database, no middlewares and no locale catalogue."""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


class AnswerCb(CallbackData, prefix="sa"):
    """The same callback data as nastavnik's answer buttons."""

    a: int
    q: int
    v: str


QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "20"))


def question(q: int) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            InlineKeyboardButton(text=str(v), callback_data=AnswerCb(a=1, q=q, v=str(v)).pack())
            for v in range(start, start + 5)
        ]
        for start in (1, 6)
    ]
    return f"Вопрос {q + 1} из {QUESTIONS}\n\nВопрос {q}", InlineKeyboardMarkup(
        inline_keyboard=rows
    )


async def survey(message: Message) -> None:
    await message.answer("Анкеты, которые ждут ваших ответов")
    text, markup = question(0)
    await message.answer(text, reply_markup=markup)


async def answer(query: CallbackQuery, callback_data: AnswerCb, bot: Bot) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    following = callback_data.q + 1
    if following < QUESTIONS:
        text, markup = question(following)
        await bot.send_message(query.from_user.id, text, reply_markup=markup)
    else:
        await bot.send_message(query.from_user.id, "Проверьте ответы")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(survey, Command("survey"))
    dispatcher.callback_query.register(answer, AnswerCb.filter())
    await dispatcher.start_polling(bot)


if __name__ == "__main__":
    asyncio.run(main())
