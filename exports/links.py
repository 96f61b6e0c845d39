"""Signed, expiring download links for one export file: the signature covers the file name
and the expiry, so a link cannot be stretched in time nor pointed at another file."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.(xlsx|docx)$")
ROUTE_PREFIX = "/exports/"


class LinkRefused(Exception):
    """The link is forged, altered, expired, or names no valid file."""


@dataclass(frozen=True)
class SignedLink:
    name: str
    expires_at: datetime
    signature: str

    def path(self) -> str:
        query = urlencode({"expires": int(self.expires_at.timestamp()), "sig": self.signature})
        return f"{ROUTE_PREFIX}{quote(self.name)}?{query}"

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path()


def _signature(secret: str, name: str, expires: int) -> str:
    message = f"{name}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, name: str, ttl: timedelta, now: datetime | None = None) -> SignedLink:
    if not SAFE_NAME.match(name):
        raise ValueError(f"not an export file name: {name!r}")
    expires = int(((now or datetime.now(UTC)) + ttl).timestamp())
    return SignedLink(name, datetime.fromtimestamp(expires, UTC), _signature(secret, name, expires))


def verify(
    secret: str, name: str, expires: str, signature: str, now: datetime | None = None
) -> None:
    """Raises LinkRefused unless the link was signed with this secret and is still valid."""
    if not SAFE_NAME.match(name) or not expires.isdigit():
        raise LinkRefused("malformed link")
    expected = _signature(secret, name, int(expires))
    if not hmac.compare_digest(expected, signature):
        raise LinkRefused("bad signature")
    if int(expires) < (now or datetime.now(UTC)).timestamp():
        raise LinkRefused("expired")
