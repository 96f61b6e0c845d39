"""Requests the rules refuse. Each error names the catalogue text that tells the person why;
every messenger edge handles them in one place (answers the button or the message, clears
the conversation), and nothing the request tried to write is kept."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    key: ClassVar[str] = "error.generic"
    # A refusal worth a pop-up (the person must read it) rather than a passing hint.
    alert: ClassVar[bool] = True

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.message_key = key or type(self).key
        self.params = params
        super().__init__(self.message_key)


class OutOfScope(DomainError):
    """Someone else's school, district, pair or assignment (a forged or foreign button)."""

    key = "curator.denied"


class NotFound(DomainError):
    """The thing a button names is gone (deleted, dissolved, never existed)."""

    key = "fallback.stale_button"
    alert = False


class Stale(DomainError):
    """A button of a step that has passed; pressing it changes nothing."""

    key = "fallback.stale_button"
    alert = False


class AlreadyAnswered(DomainError):
    key = "survey.already_submitted"


class Expired(DomainError):
    """Past its due date; `due` is given as a parameter of the text."""

    key = "survey.expired"


class Refused(DomainError):
    """Refused for a reason the caller names with a catalogue key."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, **params)
