"""The MAX Bot API client the edge and the outbox use: maxapi's `Bot` for the calls (base
URL from MAX_API_URL, the token in the Authorization header, retries of 502/503/504), with
what maxapi leaves to its caller done here once:

- 429 `too.many.requests` is waited out and the call made again, never dropped (maxapi
  raises it); before each call the pace (bot/max/pace.py) keeps us under 30 requests a second
  and 2 messages and 2 callback answers a second per dialog, across processes with Redis;
- MAX's errors become ours: 403 `chat.denied` (the person stopped the bot) is `Unreachable`,
  other 4xx `Rejected`, 5xx and network failures `Transient`;
- files are uploaded here (`POST /uploads?type=file`, then the returned URL) and attached by
  token: maxapi's own upload renames a workbook after its content ("report.xlsx.docx");
- a text of exactly 4,000 characters is MAX's limit, but maxapi refuses it: texts are cut
  to 3,999 (bot/max/screens.py splits longer screens anyway).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import aiohttp
from maxapi import Bot
from maxapi.client.default import DefaultConnectionProperties
from maxapi.enums.attachment import AttachmentType
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions.max import InvalidToken, MaxApiError, MaxConnection
from maxapi.types.attachments.attachment import ButtonsPayload
from maxapi.types.attachments.buttons.attachment_button import AttachmentButton
from maxapi.types.attachments.buttons.callback_button import CallbackButton
from maxapi.types.attachments.upload import AttachmentPayload, AttachmentUpload
from maxapi.types.updates.message_callback import MessageForCallback

from app import metrics
from app.settings import Settings
from bot.max.pace import Pace

log = logging.getLogger(__name__)

TEXT_LIMIT = 3999  # MAX takes 4,000; maxapi refuses the 4,000th character
FLOOD_TRIES = 6
FLOOD_WAIT_SECONDS = 1.0  # MAX gives no retry-after: a second frees the per-second windows
MAX_SENDS = metrics.counter("nastavnik_max_requests_total", "Requests made to the MAX Bot API")
MAX_FLOODS = metrics.counter("nastavnik_max_floods_total", "429 answers from the MAX Bot API")

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback payload)


class Keep(enum.Enum):
    KEEP = "keep"


KEEP = Keep.KEEP


class MaxFailure(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class Unreachable(MaxFailure):
    """The person stopped or blocked the bot (403 chat.denied)."""


class Rejected(MaxFailure):
    """MAX will never accept this call as it is (4xx)."""


class Transient(MaxFailure):
    """5xx, network, timeout: worth another try later."""


class Flooded(Transient):
    """Still 429 after waiting FLOOD_TRIES times."""


@dataclass(frozen=True)
class SentMessage:
    mid: str


def create_bot(settings: Settings) -> Bot:
    token = settings.max_token.get_secret_value() if settings.max_token else ""
    connection: dict[str, Any] = {}
    if settings.max_ca_file is not None:
        # A CA bundle of the operator's (e.g. with the Russian Trusted Root CA) instead of
        # maxapi's bundled one.
        context = ssl.create_default_context(cafile=str(settings.max_ca_file))
        connection["connector"] = aiohttp.TCPConnector(ssl=context)
    bot = Bot(
        token,
        auto_requests=False,
        auto_check_subscriptions=False,
        default_connection=DefaultConnectionProperties(**connection),
    )
    bot.set_api_url(settings.max_api_url)
    return bot


class MaxClient:
    def __init__(self, bot: Bot, pace: Pace) -> None:
        self.bot = bot
        self.pace = pace
        self._username: str | None = None
        # One call at a time per dialog and kind in this process: messages keep their order,
        # and each is paced from the moment the one before it came back.
        self._dialogs: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def close(self) -> None:
        await self.bot.close_session()

    # --- calls -----------------------------------------------------------------------------

    async def username(self) -> str | None:
        me = await self._call(None, None, self.bot.get_me)
        name = me.username
        return str(name) if name else None

    async def cached_username(self) -> str:
        """The bot's name for its links, asked once (MAX_BOT_NAME spares the call)."""
        if self._username is None:
            self._username = await self.username() or ""
        return self._username

    async def send(
        self, user_id: int, text: str, keyboard: Keyboard | None = None, *, quiet: bool = False
    ) -> SentMessage:
        attachments: list[Any] = [_keyboard(keyboard)] if keyboard else []
        sent = await self._call(
            "message",
            user_id,
            self.bot.send_message,
            user_id=user_id,
            text=text[:TEXT_LIMIT],
            attachments=attachments,
            notify=not quiet,
        )
        return SentMessage(sent.message.body.mid if sent and sent.message else "")

    async def send_file(
        self, user_id: int, file_name: str, content: bytes, caption: str | None = None
    ) -> SentMessage:
        token = await self._upload(file_name, content)
        upload = AttachmentUpload(type=UploadType.FILE, payload=AttachmentPayload(token=token))
        sent = await self._call(
            "message",
            user_id,
            self.bot.send_message,
            user_id=user_id,
            text=caption[:TEXT_LIMIT] if caption else None,
            attachments=[upload],
            sleep_after_input_media=False,
        )
        return SentMessage(sent.message.body.mid if sent and sent.message else "")

    async def set_keyboard(self, user_id: int, mid: str, keyboard: Keyboard | None) -> None:
        """Replace (or, with None, remove) the buttons of a sent message, keeping its text."""
        attachments: list[Any] = [_keyboard(keyboard)] if keyboard else []
        await self._call(
            None, user_id, self.bot.edit_message, message_id=mid, attachments=attachments
        )

    async def edit_text(self, mid: str, text: str) -> None:
        """Change the text of a sent message (a progress line), leaving its buttons."""
        await self._call(None, None, self.bot.edit_message, message_id=mid, text=text[:TEXT_LIMIT])

    async def answer(
        self,
        user_id: int,
        callback_id: str,
        *,
        notification: str | None = None,
        text: str | None = None,
        keyboard: Keyboard | Keep | None = KEEP,
    ) -> None:
        """Answer a button press (MAX wants an answer to each): a one-time notification,
        and/or the pressed message changed. `text` is the pressed message's own text, sent
        back so that it stays; `keyboard` replaces its buttons (None removes them, so that a
        second tap has nothing to press; KEEP leaves them)."""
        message = None
        if text is not None and keyboard is not KEEP:
            attachments: list[Any] = [_keyboard(keyboard)] if keyboard else []
            message = MessageForCallback(text=text[:TEXT_LIMIT], attachments=attachments)
        elif text is not None or notification is None:
            message = MessageForCallback(text=(text or "")[:TEXT_LIMIT] or None)
        await self._call(
            "answer",
            user_id,
            self.bot.send_callback,
            callback_id=callback_id,
            notification=notification,
            message=message,
        )

    async def updates(self, marker: int | None, hold_seconds: int) -> dict[str, Any]:
        result: dict[str, Any] = await self.bot.get_updates(marker=marker, timeout=hold_seconds)
        return result

    async def subscribe(self, url: str, secret: str | None, types: list[str]) -> None:
        await self._call(
            None, None, self.bot.subscribe_webhook, url=url, update_types=types, secret=secret
        )

    async def subscriptions(self) -> list[str]:
        found = await self._call(None, None, self.bot.get_subscriptions)
        return [subscription.url for subscription in found.subscriptions]

    async def unsubscribe(self, url: str) -> None:
        await self._call(None, None, self.bot.unsubscribe_webhook, url=url)

    async def download(self, url: str, limit: int) -> bytes:
        """A file a person sent, at most `limit` bytes (more is refused before reading)."""
        session = await self.bot.ensure_session()
        async with session.get(url) as response:
            if response.status != 200:
                raise Transient(response.status, "download", "file not available")
            if (response.content_length or 0) > limit:
                raise Rejected(413, "too.large", "file too large")
            content = await response.content.read(limit + 1)
        if len(content) > limit:
            raise Rejected(413, "too.large", "file too large")
        return content

    # --- the one place calls go through ----------------------------------------------------

    async def _upload(self, file_name: str, content: bytes) -> str:
        slot = await self._call(None, None, self.bot.get_upload_url, UploadType.FILE)
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("data", content, filename=file_name)
        session = await self.bot.ensure_session()
        async with session.post(slot.url, data=form) as response:
            if response.status != 200:
                raise Transient(response.status, "upload", await response.text())
            answer = await response.json(content_type=None)
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise Transient(502, "upload", "no token in the upload answer")
        return token

    async def _call(
        self, kind: str | None, dialog: int | None, method: Any, *args: Any, **kw: Any
    ) -> Any:
        if kind is None or dialog is None:
            return await self._paced(kind, dialog, method, *args, **kw)
        lock = self._dialogs.get((kind, dialog))
        if lock is None:
            lock = self._dialogs[(kind, dialog)] = asyncio.Lock()
        async with lock:
            return await self._paced(kind, dialog, method, *args, **kw)

    async def _paced(
        self, kind: str | None, dialog: int | None, method: Any, *args: Any, **kw: Any
    ) -> Any:
        for attempt in range(FLOOD_TRIES):
            await self.pace.wait(kind, dialog)
            MAX_SENDS.inc()
            try:
                return await method(*args, **kw)
            except MaxApiError as error:
                code, message = _error_fields(error.raw)
                if error.code == 429:
                    MAX_FLOODS.inc()
                    log.warning("MAX asks to slow down", extra={"attempt": attempt + 1})
                    await asyncio.sleep(FLOOD_WAIT_SECONDS * (attempt + 1))
                    continue
                if error.code == 403 and code in ("chat.denied", "error.dialog.suspended"):
                    raise Unreachable(error.code, code, message) from error
                if 400 <= error.code < 500:
                    raise Rejected(error.code, code, message) from error
                raise Transient(error.code, code, message) from error
            except InvalidToken as error:
                raise Rejected(401, "verify.token", str(error)) from error
            except (MaxConnection, aiohttp.ClientError, TimeoutError) as error:
                raise Transient(0, type(error).__name__, str(error)) from error
            finally:
                await self.pace.done(kind, dialog)
        raise Flooded(429, "too.many.requests", f"still flooded after {FLOOD_TRIES} tries")


async def quietly(call: Awaitable[object]) -> None:
    """For courtesies (a progress edit): a failure must not stop the work."""
    try:
        await call
    except MaxFailure:
        return


def _keyboard(rows: Keyboard) -> AttachmentButton:
    buttons = [[CallbackButton(text=label, payload=data) for label, data in row] for row in rows]
    return AttachmentButton(
        type=AttachmentType.INLINE_KEYBOARD,
        payload=ButtonsPayload(buttons=buttons),
        bot=None,
    )


def _error_fields(raw: object) -> tuple[str, str]:
    if isinstance(raw, dict):
        return str(raw.get("code", "")), str(raw.get("message", ""))
    return "", str(raw)
