"""Plain records the MAX stand-in keeps and tests inspect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Upload:
    file_name: str
    content: bytes


@dataclass
class Call:
    """One request as the bot made it: method, path, query and JSON body."""

    method: str  # GET, POST, PUT, DELETE
    path: str  # "/messages"
    query: dict[str, str]
    body: Any
    at: float  # time.monotonic()
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def rejected(self) -> bool:
        return self.status != 200

    @property
    def user_id(self) -> int | None:
        value = self.query.get("user_id")
        return int(value) if value and value.lstrip("-").isdigit() else None


@dataclass
class MaxMessage:
    """A message the bot sent into a dialog, as the person sees it now (edits applied)."""

    mid: str
    user_id: int
    chat_id: int
    timestamp: int
    text: str | None = None
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    files: list[Upload] = field(default_factory=list)
    format: str | None = None
    edited: bool = False

    def body_json(self) -> dict[str, Any]:
        attachments: list[dict[str, Any]] = []
        if self.buttons:
            attachments.append({"type": "inline_keyboard", "payload": {"buttons": self.buttons}})
        return {"mid": self.mid, "seq": 0, "text": self.text, "attachments": attachments}
