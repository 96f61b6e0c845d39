"""A person in a private chat with the bot, driven by a test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .formatting import utf16_len
from .records import BotMessage, Call, Upload

if TYPE_CHECKING:
    from .server import BotAPIStandIn

# Placeholder media bytes: headers only, enough for the bot to download something.
_TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
_TINY_WEBP = b"RIFF\x04\x00\x00\x00WEBP"


class FakeUser:
    """Each action builds a real Update, waits until the bot has handled it and returns the
    calls the bot made meanwhile (see BotAPIStandIn.push_update). The private chat id equals
    the user id, as in Telegram."""

    def __init__(
        self,
        standin: BotAPIStandIn,
        user_id: int,
        first_name: str,
        language_code: str,
        username: str | None,
    ) -> None:
        self.standin = standin
        self.id = user_id
        self.user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username is not None:
            self.user["username"] = self.chat["username"] = username

    # --- actions ---------------------------------------------------------------------------

    async def send(self, text: str) -> list[Call]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            # Telegram marks the command (with an optional @botname) as a bot_command entity.
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return await self._send_message(content)

    async def send_sticker(self, emoji: str = "👍") -> list[Call]:
        stored = self.standin.register_file(
            Upload("sticker.webp", _TINY_WEBP, "image/webp"), "stickers"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._send_message({"sticker": sticker})

    async def send_photo(
        self, content: bytes = _TINY_JPEG, caption: str | None = None
    ) -> list[Call]:
        stored = self.standin.register_file(Upload("photo.jpg", content, "image/jpeg"), "photos")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1,
            "height": 1,
            "file_size": len(content),
        }
        message: dict[str, Any] = {"photo": [size]}
        if caption is not None:
            message["caption"] = caption
        return await self._send_message(message)

    async def send_document(
        self,
        content: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> list[Call]:
        stored = self.standin.register_file(Upload(file_name, content, mime_type))
        message: dict[str, Any] = {"document": self.standin.document_json(stored)}
        if caption is not None:
            message["caption"] = caption
        return await self._send_message(message)

    async def press(self, callback_data: str, message_id: int | None = None) -> list[Call]:
        """Press an inline button.

        Without message_id: the newest bot message that shows a button with this data (a person
        can only press what is on screen). With message_id: that message as it looks now, no
        matter its buttons, to imitate stale presses.
        """
        if message_id is None:
            msg = self._newest_with(lambda text, data: data == callback_data)
        else:
            found = self.standin.find_message(self.id, message_id)
            assert found is not None, f"no bot message {message_id} in chat {self.id}"
            msg = found
        return await self.standin.push_update(self.press_update(callback_data, msg))

    async def tap_twice(self, callback_data: str) -> tuple[str | None, str | None]:
        """Press a button of the newest bot message, then again on that same message, as a
        person tapping twice: the newest text after the first press, the callback answer to
        the second."""
        message_id = self.messages[-1].message_id
        await self.press(callback_data)
        first = self.last_text
        await self.press(callback_data, message_id=message_id)
        return first, self.answers_to_callbacks[-1]

    async def block_bot(self) -> list[Call]:
        """Block the bot: from now on every call to this chat answers 403, and Telegram tells
        the bot with a `my_chat_member` update (new status `kicked`)."""
        self.standin.block(self.id)
        return await self.standin.push_update(self._membership("member", "kicked"))

    async def unblock_bot(self) -> list[Call]:
        """Unblock the bot: calls reach the chat again, and the bot hears `member`."""
        self.standin.unblock(self.id)
        return await self.standin.push_update(self._membership("kicked", "member"))

    def _membership(self, old: str, new: str) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            shown: dict[str, Any] = {"status": status, "user": self.standin.bot_user}
            if status == "kicked":
                shown["until_date"] = 0  # for ever
            return shown

        update = {
            "chat": self.chat,
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return {"my_chat_member": update}

    def press_update(self, callback_data: str, message: BotMessage | None = None) -> dict[str, Any]:
        """The update a press on `message` (the newest by default) makes, not yet sent: for
        tests that deliver it themselves (twice, to two workers, while the bot is down)."""
        msg = message if message is not None else self.messages[-1]
        query = {
            "id": self.standin.new_callback_query_id(self.id),
            "from": self.user,
            "message": self.standin.message_json(msg),
            "chat_instance": str(-7_000_000_000_000 - self.id),  # fixed per chat, like Telegram's
            "data": callback_data,
        }
        return {"callback_query": query}

    # --- what the person sees --------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, as they look now."""
        return self.standin.messages(self.id)

    @property
    def last_text(self) -> str | None:
        """Text (or caption) of the newest bot message."""
        messages = self.messages
        return (messages[-1].text or messages[-1].caption) if messages else None

    async def documents(self, count: int = 1, seconds: float = 60) -> list[Upload]:
        """The files the bot sent here, once `count` of them have come (exports are built in
        the background); AssertionError if they have not after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            found = [m.document["file_id"] for m in self.messages if m.document]
            if len(found) >= count:
                return [self.standin.upload(file_id) for file_id in found]
            if time.monotonic() > deadline:
                shown = [m.text for m in self.messages]
                raise AssertionError(f"{len(found)} of {count} documents came; messages: {shown}")
            await asyncio.sleep(0.1)

    def buttons(self, message_id: int | None = None) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline keyboard of a message, default the newest one.

        Buttons without callback_data (url, web_app …) give their url or "".
        """
        messages = self.messages
        if message_id is not None:
            messages = [msg for msg in messages if msg.message_id == message_id]
            assert messages, f"no bot message {message_id} in chat {self.id}"
        return _buttons(messages[-1]) if messages else []

    def button(self, text_substring: str) -> str:
        """callback_data of the first button whose text contains text_substring, looking at
        the newest message that has such a button."""
        msg = self._newest_with(lambda text, data: text_substring in text)
        return next(data for text, data in _buttons(msg) if text_substring in text)

    @property
    def answers_to_callbacks(self) -> list[str | None]:
        """Texts of answerCallbackQuery for this person's presses (None: answered silently)."""
        return self.standin.callback_answers(self.id)

    # --- helpers ---------------------------------------------------------------------------

    def _newest_with(self, wanted: Callable[[str, str], bool]) -> BotMessage:
        for msg in reversed(self.messages):
            if any(wanted(text, data) for text, data in _buttons(msg)):
                return msg
        shown = {msg.message_id: _buttons(msg) for msg in self.messages if _buttons(msg)}
        raise AssertionError(f"no such button in chat {self.id}; buttons by message: {shown}")

    async def _send_message(self, content: dict[str, Any]) -> list[Call]:
        message = {
            "message_id": self.standin.next_message_id(self.id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **content,
        }
        return await self.standin.push_update({"message": message})


def _buttons(msg: BotMessage) -> list[tuple[str, str]]:
    keyboard = (msg.reply_markup or {}).get("inline_keyboard", [])
    return [
        (button["text"], button.get("callback_data") or button.get("url") or "")
        for row in keyboard
        for button in row
    ]
