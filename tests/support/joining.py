"""A person following an invitation link in Telegram, step by step as they would."""

from __future__ import annotations

from tests.support.botapi import FakeUser


async def join(user: FakeUser, code: str, name: str | None = None, *buttons: str) -> None:
    """/start with `code` and consent; then the name, if given, and the buttons pressed in
    turn (category, grade, guardian…)."""
    await user.send(f"/start {code}")
    await user.press(user.button("Даю согласие"))
    if name is not None:
        await user.send(name)
    for label in buttons:
        await user.press(user.button(label))
