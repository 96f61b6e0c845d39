"""A person in a dialog with the bot on MAX, driven by a test."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from .records import Call, MaxMessage, Upload

if TYPE_CHECKING:
    from .server import MaxAPIStandIn


class MaxUser:
    """Each action builds a real MAX update, waits until the bot has handled it and returns
    the calls the bot made meanwhile."""

    def __init__(self, standin: MaxAPIStandIn, user_id: int, first_name: str, locale: str) -> None:
        self.standin = standin
        self.id = user_id
        self.locale = locale
        self.user: dict[str, Any] = {
            "user_id": user_id,
            "first_name": first_name,
            "name": first_name,
            "is_bot": False,
            "last_activity_time": _now(),
        }
        self._mids = 0

    @property
    def chat_id(self) -> int:
        return self.standin.dialog_id(self.id)

    # --- actions ---------------------------------------------------------------------------

    def started(self, payload: str | None = None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "update_type": "bot_started",
            "timestamp": _now(),
            "chat_id": self.chat_id,
            "user": self.user,
            "user_locale": self.locale,
        }
        if payload is not None:
            update["payload"] = payload
        return update

    async def start(self, payload: str | None = None) -> list[Call]:
        """Open the bot: the «Начать» button, or a deep link max.ru/<bot>?start=<payload>."""
        return await self.standin.push_update(self.started(payload))

    def message(
        self, text: str | None = None, attachments: list[Any] | None = None
    ) -> dict[str, Any]:
        self._mids += 1
        return {
            "update_type": "message_created",
            "timestamp": _now(),
            "user_locale": self.locale,
            "message": {
                "sender": self.user,
                "recipient": {"chat_id": self.chat_id, "chat_type": "dialog", "user_id": None},
                "timestamp": _now(),
                "body": {
                    "mid": f"mid.u{self.id}.{self._mids:06d}",
                    "seq": self._mids,
                    "text": text,
                    "attachments": attachments or [],
                },
            },
        }

    async def send(self, text: str) -> list[Call]:
        return await self.standin.push_update(self.message(text))

    async def send_file(self, content: bytes, file_name: str) -> list[Call]:
        token, url = self.standin.new_file(Upload(file_name, content))
        attachment = {
            "type": "file",
            "payload": {"url": url, "token": token},
            "filename": file_name,
            "size": len(content),
        }
        return await self.standin.push_update(self.message(None, [attachment]))

    def pressed(self, payload: str, mid: str | None = None) -> dict[str, Any]:
        message = self._with_button(payload) if mid is None else self.standin.find(self.id, mid)
        assert message is not None, f"no bot message {mid} in the dialog with {self.id}"
        return {
            "update_type": "message_callback",
            "timestamp": _now(),
            "user_locale": self.locale,
            "callback": {
                "timestamp": _now(),
                "callback_id": self.standin.new_callback(self.id, message.mid),
                "payload": payload,
                "user": self.user,
            },
            "message": self.standin.message_json(message),
        }

    async def press(self, payload: str, mid: str | None = None) -> list[Call]:
        """Press a callback button: of the newest message showing it, or of message `mid`
        as it looks now (a stale press)."""
        return await self.standin.push_update(self.pressed(payload, mid))

    async def stop(self) -> list[Call]:
        """The person stops the bot: MAX then refuses messages to them."""
        self.standin.block(self.id)
        update = {
            "update_type": "bot_stopped",
            "timestamp": _now(),
            "chat_id": self.chat_id,
            "user": self.user,
            "user_locale": self.locale,
        }
        return await self.standin.push_update(update)

    # --- what the person sees --------------------------------------------------------------

    @property
    def messages(self) -> list[MaxMessage]:
        return self.standin.messages(self.id)

    @property
    def last_text(self) -> str | None:
        messages = self.messages
        return messages[-1].text if messages else None

    async def files(self, count: int = 1, seconds: float = 60) -> list[MaxMessage]:
        """The bot's messages carrying a file, once `count` of them have come (exports are
        built in the background); AssertionError if they have not after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            found = [message for message in self.messages if message.files]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                shown = [m.text for m in self.messages]
                raise AssertionError(f"{len(found)} of {count} files came; messages: {shown}")
            await asyncio.sleep(0.1)

    @property
    def notifications(self) -> list[str]:
        return self.standin.notifications(self.id)

    def buttons(self, mid: str | None = None) -> list[tuple[str, str]]:
        messages = self.messages
        if mid is not None:
            messages = [m for m in messages if m.mid == mid]
        return _buttons(messages[-1]) if messages else []

    def button(self, text_substring: str) -> str:
        """Payload of the first button whose text contains `text_substring`, on the newest
        message that has one."""
        for message in reversed(self.messages):
            for text, payload in _buttons(message):
                if text_substring in text:
                    return payload
        shown = {m.mid: _buttons(m) for m in self.messages if m.buttons}
        raise AssertionError(f"no button {text_substring!r} for {self.id}; shown: {shown}")

    def _with_button(self, payload: str) -> MaxMessage:
        for message in reversed(self.messages):
            if any(data == payload for _text, data in _buttons(message)):
                return message
        raise AssertionError(f"no button with payload {payload!r} in the dialog with {self.id}")


def _buttons(message: MaxMessage) -> list[tuple[str, str]]:
    return [
        (button["text"], button.get("payload") or button.get("url") or "")
        for row in message.buttons
        for button in row
    ]


def _now() -> int:
    return int(time.time() * 1000)
