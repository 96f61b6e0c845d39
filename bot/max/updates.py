"""MAX updates as plain data: what happened, who did it, and the key that marks it handled.

MAX updates carry no update id. The handled-update key is built from what identifies the
event itself, so a redelivery (webhook retry, a poll repeated after a crash) finds the same
key: a press by its callback_id, a message by its mid, a start or stop by who and when.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Kind(enum.Enum):
    STARTED = "bot_started"
    MESSAGE = "message_created"
    PRESS = "message_callback"
    STOPPED = "bot_stopped"
    OTHER = "other"


@dataclass(frozen=True)
class SentFile:
    name: str
    url: str
    size: int


@dataclass(frozen=True)
class Incoming:
    kind: Kind
    key: str  # "max:…", unique per event
    user_id: int
    locale: str | None
    text: str | None = None  # a message's text, a start's payload, a press's payload
    callback_id: str | None = None
    pressed_text: str | None = None  # the text of the message whose button was pressed
    pressed_mid: str | None = None  # and its id (to edit it later, e.g. progress)
    pressed_payloads: tuple[str, ...] = field(default=())  # its buttons' payloads
    files: tuple[SentFile, ...] = field(default=())
    dialog: bool = True


def parse(raw: dict[str, Any]) -> Incoming | None:
    """None for what is not ours to answer (malformed, another bot, updates we ignore)."""
    kind = _kind(raw.get("update_type"))
    timestamp = raw.get("timestamp")
    locale = raw.get("user_locale")
    if kind is Kind.PRESS:
        callback = raw.get("callback") or {}
        user_id = _user_id(callback.get("user"))
        callback_id = callback.get("callback_id")
        if user_id is None or not isinstance(callback_id, str) or not callback_id:
            return None
        message = raw.get("message") or {}
        body = message.get("body") or {}
        return Incoming(
            kind,
            f"max:cb:{callback_id}"[:80],
            user_id,
            locale,
            text=callback.get("payload"),
            callback_id=callback_id,
            pressed_text=body.get("text"),
            pressed_mid=body.get("mid") if isinstance(body.get("mid"), str) else None,
            pressed_payloads=_payloads(body.get("attachments")),
        )
    if kind is Kind.MESSAGE:
        message = raw.get("message") or {}
        sender = message.get("sender") or {}
        user_id = _user_id(sender)
        body = message.get("body") or {}
        mid = body.get("mid")
        if user_id is None or sender.get("is_bot") or not isinstance(mid, str):
            return None
        recipient = message.get("recipient") or {}
        return Incoming(
            kind,
            f"max:m:{mid}"[:80],
            user_id,
            locale,
            text=body.get("text"),
            files=_files(body.get("attachments")),
            dialog=recipient.get("chat_type", "dialog") == "dialog",
        )
    if kind in (Kind.STARTED, Kind.STOPPED):
        user_id = _user_id(raw.get("user"))
        if user_id is None or not isinstance(timestamp, int):
            return None
        prefix = "s" if kind is Kind.STARTED else "x"
        payload = raw.get("payload") if kind is Kind.STARTED else None
        return Incoming(kind, f"max:{prefix}:{user_id}:{timestamp}", user_id, locale, payload)
    return None


def _kind(value: object) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.OTHER


def _user_id(user: object) -> int | None:
    if isinstance(user, dict) and isinstance(user.get("user_id"), int):
        return int(user["user_id"])
    return None


def _payloads(attachments: object) -> tuple[str, ...]:
    """The callback payloads of a message's inline keyboard."""
    if not isinstance(attachments, list):
        return ()
    found: list[str] = []
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("type") != "inline_keyboard":
            continue
        rows = (attachment.get("payload") or {}).get("buttons")
        for row in rows if isinstance(rows, list) else []:
            for button in row if isinstance(row, list) else []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    found.append(button["payload"])
    return tuple(found)


def _files(attachments: object) -> tuple[SentFile, ...]:
    if not isinstance(attachments, list):
        return ()
    files = []
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("type") != "file":
            continue
        payload = attachment.get("payload") or {}
        url = payload.get("url")
        if isinstance(url, str):
            size = attachment.get("size")
            files.append(SentFile(str(attachment.get("filename") or "file"), url, int(size or 0)))
    return tuple(files)
