"""The HTTP side of the MAX stand-in: routes, limits, faults, long polling and webhooks."""

from __future__ import annotations

import asyncio
import itertools
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.local_server import LocalServer

from .records import Call, MaxMessage, Upload
from .users import MaxUser

BOT_ID = 777_000
TEXT_LIMIT = 4000
ROWS_LIMIT = 30
ROW_LIMIT = 7
WIDE_ROW_LIMIT = 3  # a row with a link, open_app or request_* button
WIDE_BUTTONS = frozenset({"link", "open_app", "request_geo_location", "request_contact"})
BUTTONS_LIMIT = 210
BUTTON_TEXT_LIMIT = 128
PAYLOAD_LIMIT = 1024
BOT_PER_SECOND = 30
DIALOG_MESSAGES_PER_SECOND = 2
DIALOG_ANSWERS_PER_SECOND = 2
SECRET_HEADER = "X-Max-Bot-Api-Secret"


class MaxError(Exception):
    """An error answer in MAX's shape: HTTP status and {"code": …, "message": …}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass
class _Fault:
    method: str
    path: str
    user_id: int | None
    error: MaxError
    times: int


class _Window:
    """Requests in the last second, to answer 429 beyond a rate."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def admit(self, now: float, limit: int) -> bool:
        while self.times and now - self.times[0] >= 1.0:
            self.times.popleft()
        if len(self.times) >= limit:
            return False
        self.times.append(now)
        return True


class MaxAPIStandIn(LocalServer):
    """A local MAX Bot API that records requests and lets tests act as people."""

    def __init__(
        self,
        *,
        token: str = "max-test-token",
        username: str = "nastavnik_max_bot",
        processing_timeout: float = 10.0,
        enforce_rates: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.token = token
        self.username = username
        self.processing_timeout = processing_timeout
        self.enforce_rates = enforce_rates
        self.log: list[Call] = []
        self.subscriptions: list[dict[str, Any]] = []
        self.files: dict[str, Upload] = {}  # token -> bytes, uploaded by the bot or a person
        super().__init__(tls)  # https with this context: the certificate tests
        self._last_seq = 0
        self._ids = itertools.count(1)
        self._pending: list[tuple[int, dict[str, Any]]] = []  # (sequence number, update)
        self._polled = asyncio.Event()
        self._processed: dict[int, asyncio.Future[int]] = {}
        self._messages: dict[int, list[MaxMessage]] = {}  # by user id
        self._callbacks: dict[str, tuple[int, str]] = {}  # callback id -> (user id, mid)
        self._uploads: dict[str, Upload | None] = {}  # upload slot -> what arrived there
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._bot_window = _Window()
        self._dialog_messages: dict[int, _Window] = {}
        self._dialog_answers: dict[int, _Window] = {}
        self._users: dict[int, MaxUser] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/upload/{slot}", self._on_upload)
        app.router.add_get("/files/{token}", self._on_file)
        app.router.add_route("*", "/{path:.*}", self._on_request)

    # --- what tests read -------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request except long polls."""
        return [call for call in self.log if call.path != "/updates"]

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def messages(self, user_id: int) -> list[MaxMessage]:
        return list(self._messages.get(user_id, []))

    def notifications(self, user_id: int) -> list[str]:
        """Texts of accepted callback answers' notifications for this person's presses."""
        return [
            str(call.body.get("notification"))
            for call in self.calls_to("POST", "/answers")
            if not call.rejected
            and self._callbacks.get(call.query.get("callback_id", ""), (0, ""))[0] == user_id
            and call.body.get("notification")
        ]

    async def wait_until_polling(self) -> None:
        try:
            await asyncio.wait_for(self._polled.wait(), self.processing_timeout)
        except TimeoutError:
            raise AssertionError("the bot did not ask GET /updates in time") from None

    # --- acting as people ------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "Ольга", locale: str = "ru") -> MaxUser:
        person = MaxUser(self, user_id, first_name, locale)
        self._users[user_id] = person
        return person

    def dialog_id(self, user_id: int) -> int:
        """MAX dialogs have their own chat ids, unlike Telegram's private chats."""
        return 5_000_000_000 + user_id

    def new_callback(self, user_id: int, mid: str) -> str:
        callback_id = f"cb.{next(self._ids):08d}.{user_id}"
        self._callbacks[callback_id] = (user_id, mid)
        return callback_id

    def new_file(self, upload: Upload) -> tuple[str, str]:
        """Keep bytes a person sends; returns (token, download URL)."""
        token = f"ft{next(self._ids):08d}"
        self.files[token] = upload
        return token, f"{self.base_url}/files/{token}"

    def find(self, user_id: int, mid: str) -> MaxMessage | None:
        return next((m for m in self._messages.get(user_id, []) if m.mid == mid), None)

    def feed_only(self, update: dict[str, Any]) -> int:
        self._last_seq += 1
        seq = self._last_seq
        self._pending.append((seq, update))
        self._processed[seq] = asyncio.get_running_loop().create_future()
        self._new_update.set()
        return seq

    async def push_update(self, update: dict[str, Any]) -> list[Call]:
        """Deliver an update (by webhook when subscribed, else to the next long poll), wait
        until the bot has handled it, return the calls it made meanwhile."""
        start = len(self.log)
        if self.subscriptions:
            await self._post_to_webhook(update)
            return [call for call in self.log[start:] if call.path != "/updates"]
        seq = self.feed_only(update)
        try:
            end = await asyncio.wait_for(self._processed[seq], self.processing_timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not finish update {seq} in time (is it polling with a marker?)"
            ) from None
        return [call for call in self.log[start:end] if call.path != "/updates"]

    async def _post_to_webhook(self, update: dict[str, Any]) -> None:
        """Like MAX: anything but 200 is a failed delivery, retried (here a few times)."""
        subscription = self.subscriptions[0]
        headers = {}
        if subscription.get("secret"):
            headers[SECRET_HEADER] = subscription["secret"]
        async with aiohttp.ClientSession() as session:
            for _attempt in range(3):
                async with session.post(
                    subscription["url"], json=update, headers=headers
                ) as response:
                    if response.status == 200:
                        return
                await asyncio.sleep(0.05)
        raise AssertionError(f"the webhook did not take the update: {update['update_type']}")

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path: str,
        user_id: int | None = None,
        *,
        status: int = 429,
        code: str | None = None,
        message: str = "injected failure",
        times: int = 1,
    ) -> None:
        code = code or {429: "too.many.requests", 403: "chat.denied"}.get(status, "internal")
        self._faults.append(_Fault(method, path, user_id, MaxError(status, code, message), times))

    def block(self, user_id: int) -> None:
        """The person stopped (blocked) the bot: messages to them answer 403 chat.denied."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    # --- HTTP ------------------------------------------------------------------------------

    async def _on_request(self, request: web.Request) -> web.Response:
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = None
        call = Call(
            request.method,
            "/" + request.match_info["path"],
            dict(request.query),
            body,
            time.monotonic(),
            dict(request.headers),
        )
        self.log.append(call)
        try:
            self._authorize(request)
            self._check_faults(call)
            result = await self._route(call)
        except MaxError as error:
            call.status = error.status
            return web.json_response(
                {"code": error.code, "message": error.message}, status=error.status
            )
        return web.json_response(result)

    def _authorize(self, request: web.Request) -> None:
        if "access_token" in request.query:
            raise MaxError(401, "verify.token", "access_token in query is not supported")
        if request.headers.get("Authorization") != self.token:
            raise MaxError(401, "verify.token", "Invalid access_token")

    def _check_faults(self, call: Call) -> None:
        user_id = call.user_id
        if call.path == "/answers":
            user_id = self._callbacks.get(call.query.get("callback_id", ""), (None, ""))[0]
        for fault in self._faults:
            if (
                fault.method == call.method
                and fault.path == call.path
                and fault.user_id in (None, user_id)
            ):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise fault.error
        if not self.enforce_rates or call.path == "/updates":
            return
        if not self._bot_window.admit(call.at, BOT_PER_SECOND):
            raise MaxError(429, "too.many.requests", "Too many requests")
        if call.method == "POST" and call.path == "/messages" and user_id is not None:
            window = self._dialog_messages.setdefault(user_id, _Window())
            if not window.admit(call.at, DIALOG_MESSAGES_PER_SECOND):
                raise MaxError(429, "too.many.requests", "Too many messages to this dialog")
        if call.path == "/answers" and user_id is not None:
            window = self._dialog_answers.setdefault(user_id, _Window())
            if not window.admit(call.at, DIALOG_ANSWERS_PER_SECOND):
                raise MaxError(429, "too.many.requests", "Too many callback answers")

    async def _route(self, call: Call) -> Any:
        match call.method, call.path:
            case "GET", "/me":
                return {
                    "user_id": BOT_ID,
                    "first_name": "Наставник",
                    "name": "Наставник",
                    "username": self.username,
                    "is_bot": True,
                    "last_activity_time": int(time.time() * 1000),
                }
            case "GET", "/updates":
                return await self._get_updates(call)
            case "GET", "/subscriptions":
                return {"subscriptions": self.subscriptions}
            case "POST", "/subscriptions":
                return self._subscribe(call.body or {})
            case "DELETE", "/subscriptions":
                url = call.query.get("url")
                self.subscriptions = [s for s in self.subscriptions if s["url"] != url]
                return {"success": True}
            case "POST", "/messages":
                return self._send(call)
            case "PUT", "/messages":
                return self._edit(call)
            case "POST", "/answers":
                return self._answer(call)
            case "POST", "/uploads":
                return self._upload_slot(call)
        raise MaxError(404, "not.found", f"no such method: {call.method} {call.path}")

    async def _get_updates(self, call: Call) -> dict[str, Any]:
        self._polled.set()
        if self.subscriptions:
            raise MaxError(405, "method.not.allowed", "bot is subscribed to a webhook")
        marker = call.query.get("marker")
        if marker and marker.isdigit():
            self._commit(int(marker))
        if not self._pending and not self._closing:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), float(call.query.get("timeout", 0)))
            except TimeoutError:
                pass
        batch = self._pending[: int(call.query.get("limit", 100))]
        # The marker points to the next upcoming update.
        next_marker = batch[-1][0] + 1 if batch else self._last_seq + 1
        return {"updates": [update for _seq, update in batch], "marker": next_marker}

    def _commit(self, marker: int) -> None:
        self._pending = [(seq, update) for seq, update in self._pending if seq >= marker]
        for seq in [seq for seq in self._processed if seq < marker]:
            future = self._processed.pop(seq)
            if not future.done():
                future.set_result(len(self.log))

    def _subscribe(self, body: dict[str, Any]) -> dict[str, Any]:
        url = str(body.get("url", ""))
        if not url.startswith(("https://", "http://127.0.0.1")):
            raise MaxError(400, "proto.payload", "url must start with https://")
        secret = body.get("secret")
        if secret is not None and not (
            5 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)
        ):
            raise MaxError(400, "proto.payload", "secret: 5-256 characters A-Z, a-z, 0-9, _, -")
        self.subscriptions = [s for s in self.subscriptions if s["url"] != url]
        self.subscriptions.append(
            {
                "url": url,
                "time": int(time.time() * 1000),
                "update_types": body.get("update_types"),
                "secret": secret,
            }
        )
        return {"success": True}

    def _send(self, call: Call) -> dict[str, Any]:
        user_id = call.user_id
        if user_id is None:
            raise MaxError(400, "proto.payload", "user_id is required in a dialog")
        if user_id in self._blocked:
            raise MaxError(403, "chat.denied", "error.dialog.suspended")
        body = call.body if isinstance(call.body, dict) else {}
        message = MaxMessage(
            f"mid.{next(self._ids):016x}",
            user_id,
            self.dialog_id(user_id),
            int(time.time() * 1000),
        )
        self._fill(message, body, replace_attachments=True)
        if not message.text and not message.files:
            raise MaxError(400, "proto.payload", "text or attachments are required")
        self._messages.setdefault(user_id, []).append(message)
        return {"message": self.message_json(message)}

    def _edit(self, call: Call) -> dict[str, Any]:
        mid = call.query.get("message_id", "")
        message = next(
            (m for messages in self._messages.values() for m in messages if m.mid == mid), None
        )
        if message is None:
            raise MaxError(404, "not.found", "message not found")
        body = call.body if isinstance(call.body, dict) else {}
        self._fill(message, body, replace_attachments=body.get("attachments") is not None)
        message.edited = True
        return {"success": True}

    def _answer(self, call: Call) -> dict[str, Any]:
        callback_id = call.query.get("callback_id", "")
        if callback_id not in self._callbacks:
            raise MaxError(400, "proto.payload", "unknown callback_id")
        body = call.body if isinstance(call.body, dict) else {}
        notification = body.get("notification")
        if notification is not None and not isinstance(notification, str):
            raise MaxError(400, "proto.payload", "notification must be a string")
        if isinstance(body.get("message"), dict):
            user_id, mid = self._callbacks[callback_id]
            message = self.find(user_id, mid)
            if message is not None:
                self._fill(
                    message,
                    body["message"],
                    replace_attachments=body["message"].get("attachments") is not None,
                )
                message.edited = True
        return {"success": True}

    def _upload_slot(self, call: Call) -> dict[str, Any]:
        kind = call.query.get("type")
        if kind not in ("image", "video", "audio", "file"):
            raise MaxError(400, "proto.payload", "type must be image, video, audio or file")
        slot = f"u{next(self._ids):08d}"
        self._uploads[slot] = None
        return {"url": f"{self.base_url}/upload/{slot}"}

    async def _on_upload(self, request: web.Request) -> web.Response:
        slot = request.match_info["slot"]
        if slot not in self._uploads or self._uploads[slot] is not None:
            return web.json_response({"code": "not.found", "message": "no such upload"}, status=404)
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, aiohttp.BodyPartReader) or part.name != "data":
            return web.json_response({"code": "proto.payload", "message": "data"}, status=400)
        upload = Upload(part.filename or "file", await part.read())
        self._uploads[slot] = upload
        self.files[slot] = upload
        return web.json_response({"token": slot})

    async def _on_file(self, request: web.Request) -> web.Response:
        upload = self.files.get(request.match_info["token"])
        if upload is None:
            raise web.HTTPNotFound()
        return web.Response(body=upload.content, content_type="application/octet-stream")

    # --- validation ------------------------------------------------------------------------

    def _fill(
        self, message: MaxMessage, body: dict[str, Any], *, replace_attachments: bool
    ) -> None:
        text = body.get("text")
        if text is not None:
            if not isinstance(text, str) or len(text) > TEXT_LIMIT:
                raise MaxError(400, "proto.payload", f"text: must be at most {TEXT_LIMIT} chars")
            message.text = text
        message.format = body.get("format")
        if not replace_attachments:
            return
        buttons: list[list[dict[str, Any]]] = []
        files: list[Upload] = []
        for attachment in body.get("attachments") or []:
            kind = attachment.get("type")
            payload = attachment.get("payload") or {}
            if kind == "inline_keyboard":
                buttons = self._keyboard(payload.get("buttons"))
            elif kind == "file":
                upload = self.files.get(str(payload.get("token")))
                if upload is None:
                    raise MaxError(400, "attachment.not.ready", "")
                files.append(upload)
            else:
                raise MaxError(400, "proto.payload", f"attachment type {kind!r} not expected")
        message.buttons, message.files = buttons, files

    @staticmethod
    def _keyboard(rows: Any) -> list[list[dict[str, Any]]]:
        if not isinstance(rows, list) or not rows:
            raise MaxError(400, "proto.payload", "buttons: at least one row")
        if len(rows) > ROWS_LIMIT:
            raise MaxError(400, "proto.payload", f"buttons: at most {ROWS_LIMIT} rows")
        if sum(len(row) for row in rows) > BUTTONS_LIMIT:
            raise MaxError(400, "proto.payload", f"buttons: at most {BUTTONS_LIMIT} buttons")
        for row in rows:
            wide = any(button.get("type") in WIDE_BUTTONS for button in row)
            if not row or len(row) > (WIDE_ROW_LIMIT if wide else ROW_LIMIT):
                raise MaxError(400, "proto.payload", "buttons: too many buttons in a row")
            for button in row:
                text = button.get("text")
                if not isinstance(text, str) or not 1 <= len(text) <= BUTTON_TEXT_LIMIT:
                    raise MaxError(400, "proto.payload", "button text: 1-128 characters")
                if button.get("type") == "callback":
                    payload = button.get("payload")
                    if not isinstance(payload, str) or len(payload) > PAYLOAD_LIMIT:
                        raise MaxError(400, "proto.payload", "button payload: up to 1024 chars")
        return rows

    def message_json(self, message: MaxMessage) -> dict[str, Any]:
        return {
            "sender": {
                "user_id": BOT_ID,
                "first_name": "Наставник",
                "username": self.username,
                "is_bot": True,
            },
            "recipient": {
                "chat_id": message.chat_id,
                "chat_type": "dialog",
                "user_id": message.user_id,
            },
            "timestamp": message.timestamp,
            "body": message.body_json(),
        }
