"""Plain records the stand-in keeps and tests inspect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Upload:
    """Bytes of a file together with the name and type it was uploaded with."""

    file_name: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    """A file getFile and the download route can serve (uploaded by the bot or a person)."""

    file_id: str
    file_unique_id: str
    file_path: str  # ASCII like Telegram's "documents/file_7.pdf"; the real name is in upload
    upload: Upload


@dataclass
class Call:
    """One Bot API request as the bot made it, with parameters decoded to Python values.

    An uploaded file appears in `params` as an Upload in place of aiogram's "attach://…".
    """

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    error_code: int | None = None  # set when the stand-in answered ok=false

    @property
    def rejected(self) -> bool:
        return self.error_code is not None

    @property
    def chat_id(self) -> int | None:
        chat_id = self.params.get("chat_id")
        return chat_id if isinstance(chat_id, int) else None


@dataclass
class BotMessage:
    """A message the bot sent, as the user sees it now (edits applied, HTML rendered)."""

    chat_id: int
    message_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    document: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None  # any kind; only inline ones are echoed back
    edit_date: int | None = None
    deleted: bool = False
