"""Typed actions carried by buttons, and their compact text form.

A button names what pressing it asks for ("answer question 3 of assignment 812 with 7") as a
small frozen dataclass registered under a short prefix. Every messenger edge sends the packed
form as the button's payload (Telegram's callback data, at most 64 bytes; MAX's payload) and
turns a press back into the same object, so the edges share one vocabulary and the use cases
never see a messenger's types.

The text form is aiogram's CallbackData format (`prefix:value:value`, booleans as 1/0), so
buttons already sitting in people's chats keep working. Unpacking is strict: an unknown
prefix, a wrong number of fields, a value of the wrong type or one the action refuses (its
`__post_init__` raises ValueError) gives None, never an exception — a forged payload is just
a stale button.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, dataclass_transform, get_type_hints

SEPARATOR = ":"
TELEGRAM_LIMIT = 64  # bytes of callback data; the tightest payload limit of our channels


class Action:
    """Base of every button action; subclasses are frozen dataclasses made by @action."""

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, type], ...]]


A = TypeVar("A", bound=Action)
_REGISTRY: dict[str, type[Action]] = {}


@dataclass_transform(frozen_default=True)
def action(prefix: str) -> Callable[[type[A]], type[A]]:
    """Register a dataclass of int/str/bool fields as the action behind `prefix`."""

    def register(cls: type[A]) -> type[A]:
        if SEPARATOR in prefix or prefix in _REGISTRY:
            raise ValueError(f"action prefix {prefix!r} is taken or malformed")
        made = dataclasses.dataclass(frozen=True, slots=True)(cls)
        hints = get_type_hints(made)
        fields = tuple(
            (field.name, hints[field.name])
            for field in dataclasses.fields(made)  # type: ignore[arg-type]
        )
        for name, kind in fields:
            if kind not in (int, str, bool):
                raise TypeError(f"{cls.__name__}.{name}: only int, str and bool fields pack")
        made.prefix = prefix
        made._fields = fields
        _REGISTRY[prefix] = made
        return made

    return register


def pack(value: Action) -> str:
    parts = [value.prefix]
    for name, kind in value._fields:
        item = getattr(value, name)
        if kind is bool:
            parts.append("1" if item else "0")
        else:
            text = str(item)
            if SEPARATOR in text:
                raise ValueError(f"{type(value).__name__}.{name} may not contain {SEPARATOR!r}")
            parts.append(text)
    packed = SEPARATOR.join(parts)
    if len(packed.encode()) > TELEGRAM_LIMIT:
        raise ValueError(f"{packed!r} is longer than {TELEGRAM_LIMIT} bytes")
    return packed


def unpack(data: str | None) -> Action | None:
    """The action a payload names, or None for anything we did not make."""
    if not data:
        return None
    prefix, _, rest = data.partition(SEPARATOR)
    cls = _REGISTRY.get(prefix)
    if cls is None:
        return None
    values = rest.split(SEPARATOR) if cls._fields else []
    if len(values) != len(cls._fields) or (not cls._fields and rest):
        return None
    arguments: dict[str, Any] = {}
    for (name, kind), text in zip(cls._fields, values, strict=True):
        parsed = _parse(kind, text)
        if parsed is None:
            return None
        arguments[name] = parsed
    try:
        return cls(**arguments)
    except ValueError:
        return None


def _parse(kind: type, text: str) -> int | str | bool | None:
    if kind is bool:
        return {"1": True, "0": False, "true": True, "false": False}.get(text.lower())
    if kind is int:
        digits = text[1:] if text.startswith("-") else text
        return int(text) if digits.isdigit() and len(digits) <= 18 else None
    return text
