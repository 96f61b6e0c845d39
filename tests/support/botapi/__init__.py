"""A local stand-in for the Telegram Bot API that the real aiogram bot talks to over HTTP.

A test starts it, points the bot at it and then acts as people::

    async with BotAPIStandIn() as standin:
        session = AiohttpSession(api=TelegramAPIServer.from_base(standin.base_url))
        bot = Bot("42:TEST", session=session)
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, polling_timeout=1)
        )
        ivan = standin.user(1001)
        calls = await ivan.send("/start")     # returns once the bot has handled the update
        await ivan.press(ivan.button("Да"))
        assert ivan.last_text == "..."
        standin.fail_next("sendMessage", ivan.id, error_code=403)

handle_as_tasks=False matters: the stand-in knows an update is handled when the bot asks
getUpdates with a higher offset, which aiogram does only after the handler returned.

Telegram behaviour imitated on purpose, because production bots trip over it: HTML parse_mode
is rendered and rejected when malformed, an edit without reply_markup drops the inline
keyboard, an edit that changes nothing is "message is not modified", callback_data over 64 bytes
is BUTTON_DATA_INVALID, a callback query can be answered once.
"""

from .records import BotMessage, Call, Upload
from .server import BOT_ID, ApiError, BotAPIStandIn
from .users import FakeUser

__all__ = ["BOT_ID", "ApiError", "BotAPIStandIn", "BotMessage", "Call", "FakeUser", "Upload"]
