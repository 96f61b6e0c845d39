"""The HTTP side of the stand-in: routes, parameter decoding, Bot API methods, faults."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import mimetypes
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from aiohttp import web

from tests.support.local_server import LocalServer

from .formatting import utf16_len, visible_text
from .records import BotMessage, Call, StoredFile, Upload
from .users import FakeUser

BOT_ID = 42
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes; longer data makes Telegram reject the whole keyboard

# aiogram sends every non-string parameter JSON-encoded and strings as they are, so "123" may be
# the int 123 or the text "123". These parameters are always plain strings: never JSON-decode them.
_PLAIN_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "action"}
    | {"file_id", "language_code", "secret_token", "ip_address", "business_connection_id"}
    | {"message_effect_id", "emoji", "title", "description", "short_description", "name"}
    | {"document", "photo", "sticker", "audio", "video", "voice", "animation", "thumbnail"}
)
# Methods that deliver a new message: the ones the rate limiter counts.
_SENDS = frozenset({"copyMessage", "forwardMessage"})


def _is_send(method: str) -> bool:
    return (method.startswith("send") and method != "sendChatAction") or method in _SENDS


class ApiError(Exception):
    """An ok=false answer. The HTTP status equals error_code, which is what aiogram looks at."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _Fault:
    method: str  # lower-case, Bot API method names are case-insensitive
    chat_id: int | None
    error: ApiError
    times: int


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_Handler = Callable[[dict[str, Any]], Awaitable[Any]]


def _decode(key: str, value: str) -> Any:
    if key in _PLAIN_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Merge query, form/multipart and JSON parameters; resolve attach:// to Upload."""
    params: dict[str, Any] = {key: _decode(key, value) for key, value in request.query.items()}
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.json()
        for key, value in dict(body).items():
            params[key] = _decode(key, value) if isinstance(value, str) else value
    else:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                # aiogram uploads everything as application/octet-stream; Telegram then guesses
                # the type from the file name, and so do we.
                guessed = mimetypes.guess_type(value.filename)[0] or value.content_type
                uploads[key] = Upload(value.filename, value.file.read(), guessed)
            else:
                text = value if isinstance(value, str) else bytes(value).decode()
                params[key] = _decode(key, text)
    # aiogram sends a file as `document=attach://<random>` plus a multipart part of that name.
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = uploads.get(value.removeprefix("attach://"), value)
    return params


@dataclass
class Hold:
    """A call kept waiting (see BotAPIStandIn.hold)."""

    method: str
    chat_id: int | None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


class BotAPIStandIn(LocalServer):
    """A local Telegram Bot API server that records calls and lets tests act as people."""

    def __init__(
        self,
        *,
        username: str = "nastavnik_test_bot",
        first_name: str = "Наставник",
        processing_timeout: float = 10.0,
    ) -> None:
        self.bot_user: dict[str, Any] = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.processing_timeout = processing_timeout
        self.log: list[Call] = []  # every request, getUpdates included
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope, lang) -> list
        self.webhook_url = ""
        self.allowed_updates: list[str] = []  # as the bot last asked; empty: all kinds

        super().__init__()
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)  # file ids, callback query ids
        self._pending: list[dict[str, Any]] = []
        self._polled = asyncio.Event()
        # update_id -> future resolved with len(log) once the bot confirms the update.
        self._processed: dict[int, asyncio.Future[int]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}  # per chat, shared by users and the bot
        self._messages: dict[int, list[BotMessage]] = {}
        self._files: dict[str, StoredFile] = {}
        self._paths: dict[str, str] = {}  # file_path -> file_id
        self._callbacks: dict[str, int] = {}  # callback query id -> user id
        self._answered: set[str] = set()
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._blocked: set[int] = set()
        self._per_second: int | None = None
        self._recent_sends: deque[float] = deque()
        self._chat_interval: float | None = None
        self._chat_last_send: dict[int, float] = {}
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._true,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
            }.items()
        }

    # --- lifecycle -------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._on_method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._on_file)

    # --- what tests read -------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """All requests except getUpdates, which is polling noise."""
        return [call for call in self.log if call.method != "getUpdates"]

    def sent_texts(self) -> list[str]:
        """The text of every sendMessage as it was sent: a later edit of the message (a
        progress message moving on) does not change it."""
        return [call.params.get("text", "") for call in self.calls if call.method == "sendMessage"]

    @property
    def polls(self) -> list[Call]:
        return [call for call in self.log if call.method == "getUpdates"]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, oldest first, without deleted ones."""
        return [msg for msg in self._messages.get(chat_id, []) if not msg.deleted]

    def upload(self, file_id: str) -> Upload:
        """The bytes and name of a file the bot sent (or a person uploaded)."""
        return self._files[file_id].upload

    def find_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        for msg in self._messages.get(chat_id, []):
            if msg.message_id == message_id and not msg.deleted:
                return msg
        return None

    def callback_answers(self, user_id: int) -> list[str | None]:
        """Texts of the accepted answerCallbackQuery calls for this user's presses."""
        return [
            call.params.get("text")
            for call in self.calls
            if call.method == "answerCallbackQuery"
            and not call.rejected
            and self._callbacks.get(call.params.get("callback_query_id", "")) == user_id
        ]

    async def wait_until_polling(self) -> None:
        """Return once the bot has asked getUpdates at least once (within processing_timeout).

        Useful before dp.stop_polling(), which raises if polling has not started yet.
        """
        try:
            await asyncio.wait_for(self._polled.wait(), self.processing_timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not call getUpdates within {self.processing_timeout} s"
            ) from None

    # --- acting as people ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Иван",
        language_code: str = "ru",
        username: str | None = None,
    ) -> FakeUser:
        person = FakeUser(self, user_id, first_name, language_code, username)
        self._chats[user_id] = person.chat
        return person

    def feed_only(self, raw: dict[str, Any]) -> int:
        """Queue an update for getUpdates without waiting; return its (fresh) update_id."""
        update_id = next(self._update_ids)
        self._pending.append(
            {"update_id": update_id, **{k: v for k, v in raw.items() if k != "update_id"}}
        )
        self._processed[update_id] = asyncio.get_running_loop().create_future()
        self._new_update.set()
        return update_id

    async def push_update(self, raw: dict[str, Any]) -> list[Call]:
        """Queue an update, wait until the bot has handled it, return the calls it made meanwhile.

        "Handled" means the bot asked getUpdates with offset > update_id, which aiogram does only
        after the handler returned when polling runs with handle_as_tasks=False. Updates fed
        together may reach the bot in one batch; each of them then reports the whole batch's calls.
        """
        start = len(self.log)
        update_id = self.feed_only(raw)
        try:
            end = await asyncio.wait_for(self._processed[update_id], self.processing_timeout)
        except TimeoutError:
            offsets = [call.params.get("offset") for call in self.polls[-3:]]
            raise AssertionError(
                f"the bot did not finish update {update_id} within {self.processing_timeout} s "
                f"(last getUpdates offsets: {offsets}); is it polling this stand-in with "
                "handle_as_tasks=False, and is no handler stuck?"
            ) from None
        return [call for call in self.log[start:end] if call.method != "getUpdates"]

    def next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def register_file(self, upload: Upload, kind: str = "documents") -> StoredFile:
        """Keep bytes so that getFile and the download route can serve them."""
        n = next(self._ids)
        suffix = PurePosixPath(upload.file_name).suffix
        # Telegram's file_path is ASCII ("documents/file_7.pdf"); the real name stays in JSON.
        suffix = suffix if suffix.isascii() and suffix[1:].isalnum() else ""
        stored = StoredFile(
            f"BQACAgIAAx{n:06d}", f"AgAD{n:06d}", f"{kind}/file_{n}{suffix}", upload
        )
        self._files[stored.file_id] = stored
        self._paths[stored.file_path] = stored.file_id
        return stored

    def document_json(self, stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.upload.file_name,
            "mime_type": stored.upload.mime_type,
            "file_size": len(stored.upload.content),
        }

    def new_callback_query_id(self, user_id: int) -> str:
        query_id = str(4_000_000_000_000 + next(self._ids))  # numeric strings, as Telegram's
        self._callbacks[query_id] = user_id
        return query_id

    def message_json(self, msg: BotMessage) -> dict[str, Any]:
        """A bot message as Telegram returns it (and puts it into callback_query.message)."""
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": self._chat_json(msg.chat_id),
            "from": self.bot_user,
        }
        optional = {"text": msg.text, "caption": msg.caption, "document": msg.document}
        out.update({key: value for key, value in optional.items() if value is not None})
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        # Telegram echoes only inline keyboards; a reply keyboard here would fail validation.
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        return out

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        chat_id: int | None = None,
        *,
        error_code: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with an error."""
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after  # 0 would not be a RetryAfter
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        error = ApiError(error_code, description, retry_after)
        self._faults.append(_Fault(method.lower(), chat_id, error, times))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call to this chat answers 403 until unblock()."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def hold(self, method: str, chat_id: int | None = None) -> Hold:
        """Keep the next call of `method` (to `chat_id`, if given) waiting until the test
        calls `release()`: how a test knows that background work is half done, without
        timing anything."""
        hold = Hold(method.lower(), chat_id)
        self._holds.append(hold)
        return hold

    async def _wait_if_held(self, call: Call) -> None:
        for hold in self._holds:
            if hold.method == call.method.lower() and hold.chat_id in (None, call.chat_id):
                self._holds.remove(hold)
                hold.arrived.set()
                await hold.released.wait()
                return

    def rate_limit(self, per_second: int | None = 30) -> None:
        """Answer 429 to sends beyond `per_second` in any sliding second; None switches it off."""
        self._per_second = per_second
        self._recent_sends.clear()

    def pace_chats(self, interval: float | None = 1.0) -> None:
        """Answer 429 (retry_after: the rest of the gap, rounded up to whole seconds, as
        Telegram does) to a send into a chat that got a message less than `interval` s ago:
        Telegram's ~1 message a second per chat. None switches it off."""
        self._chat_interval = interval
        self._chat_last_send.clear()

    def accepted_sends(self, chat_id: int | None = None) -> list[Call]:
        """Sends the stand-in accepted (to `chat_id`, if given), in the order they arrived;
        `Call.at` is when each arrived."""
        return [
            call
            for call in self.calls
            if _is_send(call.method) and not call.rejected and chat_id in (None, call.chat_id)
        ]

    def _check_chat_pace(self, call: Call) -> None:
        if self._chat_interval is None or call.chat_id is None or not _is_send(call.method):
            return
        last = self._chat_last_send.get(call.chat_id)
        if last is not None and call.at - last < self._chat_interval:
            wait = max(1, math.ceil(self._chat_interval - (call.at - last)))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _check_faults(self, call: Call) -> None:
        for fault in self._faults:
            if fault.method == call.method.lower() and fault.chat_id in (None, call.chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise fault.error
        if call.chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._check_chat_pace(call)
        if self._per_second is not None and _is_send(call.method):
            while self._recent_sends and call.at - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self._per_second:
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            self._recent_sends.append(call.at)
        if self._chat_interval is not None and call.chat_id is not None and _is_send(call.method):
            self._chat_last_send[call.chat_id] = call.at

    # --- HTTP ------------------------------------------------------------------------------

    async def _on_method(self, request: web.Request) -> web.Response:
        requested = request.match_info["method"]
        name, handler = self._methods.get(requested.lower(), (requested, None))
        call = Call(name, await _read_params(request), time.monotonic())
        self.log.append(call)  # before handling, so a long poll shows up while it waits
        if name == "getUpdates":
            self._polled.set()
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            await self._wait_if_held(call)
            self._check_faults(call)
            result = await handler(call.params)
        except ApiError as error:
            call.error_code = error.code
            return web.json_response(error.body(), status=error.code)
        return web.json_response({"ok": True, "result": result})

    async def _on_file(self, request: web.Request) -> web.Response:
        file_id = self._paths.get(request.match_info["path"])
        if file_id is None:
            raise web.HTTPNotFound()
        upload = self._files[file_id].upload
        return web.Response(body=upload.content, content_type=upload.mime_type)

    # --- methods ---------------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        self._chat_id(params)
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._confirm(offset)
        if "allowed_updates" in params:  # Telegram remembers it until it is given again
            self.allowed_updates = list(params["allowed_updates"] or [])
        self._drop_unasked()
        if not self._pending and not self._closing:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout", 0)))
            except TimeoutError:
                pass
        return self._pending[: int(params.get("limit", 100))]

    def _drop_unasked(self) -> None:
        """Updates of a kind the bot did not ask for (allowed_updates) never reach it, as
        in Telegram: they count as handled at once. An empty list asks for the default
        kinds, which this stand-in takes as all."""
        if not self.allowed_updates:
            return
        unasked = [
            update
            for update in self._pending
            if not any(kind in update for kind in self.allowed_updates)
        ]
        for update in unasked:
            self._pending.remove(update)
            future = self._processed.pop(update["update_id"], None)
            if future is not None and not future.done():
                future.set_result(len(self.log))

    def _confirm(self, offset: int) -> None:
        """Updates below offset are done: drop them and wake whoever waits for them."""
        self._pending = [update for update in self._pending if update["update_id"] >= offset]
        for update_id in [update_id for update_id in self._processed if update_id < offset]:
            future = self._processed.pop(update_id)
            if not future.done():
                future.set_result(len(self.log))

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text = self._visible(params, "text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_message(chat_id, text=text, reply_markup=self._markup(params))

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        document = params.get("document")
        if isinstance(document, Upload):
            stored = self.register_file(document)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]  # re-sending by file_id
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = self._visible(params, "caption") or None
        if caption and utf16_len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        return self._new_message(
            chat_id,
            caption=caption,
            document=self.document_json(stored),
            reply_markup=self._markup(params),
        )

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._message_to_edit(params)
        text = self._visible(params, "text")
        if msg.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(msg, text, self._markup(params))

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._message_to_edit(params)
        return self._apply_edit(msg, msg.text, self._markup(params))

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        msg = self.find_message(chat_id, message_id) if isinstance(message_id, int) else None
        if msg is not None:
            msg.deleted = True
            return True
        is_bot_message = any(m.message_id == message_id for m in self._messages.get(chat_id, []))
        last_id = self._last_message_id.get(chat_id, 0)
        if is_bot_message or not isinstance(message_id, int) or not 0 < message_id <= last_id:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True  # one of the user's messages; we keep no record of those

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id", "")
        if query_id not in self._callbacks or query_id in self._answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._answered.add(query_id)
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands[self._commands_key(params)] = list(params.get("commands", []))
        return True

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(params.get("file_id", ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.upload.content),
            "file_path": stored.file_path,
        }

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url", ""))
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    # --- helpers ---------------------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Someone"}
        return {"id": chat_id, "type": "supergroup", "title": "Some group"}

    def _visible(self, params: dict[str, Any], key: str) -> str:
        try:
            return visible_text(str(params.get(key, "")), params.get("parse_mode"))
        except ValueError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        msg = BotMessage(chat_id, self.next_message_id(chat_id), int(time.time()), **content)
        self._messages.setdefault(chat_id, []).append(msg)
        return self.message_json(msg)

    def _message_to_edit(self, params: dict[str, Any]) -> BotMessage:
        message_id = params.get("message_id")
        msg = None
        if isinstance(message_id, int):
            msg = self.find_message(self._chat_id(params), message_id)
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _apply_edit(
        self, msg: BotMessage, text: str | None, markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        if text == msg.text and markup == msg.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        msg.text, msg.reply_markup, msg.edit_date = text, markup, int(time.time())
        return self.message_json(msg)

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))
