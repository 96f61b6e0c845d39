"""The baseline for bench/webhook.py: a bare aiogram webhook bot making the same Bot API
call per update (one sendMessage in reply to /help), with nothing else: no database, no
idempotency marks, no Redis, no logs. Run: python -m bench.bare_webhook_bot API_URL PORT."""

from __future__ import annotations

import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

TOKEN = "123456:TEST-token"
SECRET = "bare-webhook-secret-0123456789abcdef"
HELP = "Бот программы наставничества. Команды: /start, /help, /cancel, /forget. " * 3


async def on_help(message: Message) -> None:
    await message.answer(HELP)


def main() -> None:
    api_url, port = sys.argv[1], int(sys.argv[2])
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    dispatcher = Dispatcher()
    dispatcher.message.register(on_help, Command("help"))
    app = web.Application()
    handler = SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token=SECRET)
    app.router.add_post("/telegram/webhook", handler.handle)
    app.router.add_get("/healthz", lambda _: web.Response(text="ok"))  # type: ignore[arg-type,return-value]
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
