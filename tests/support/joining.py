"""A person following an invitation link in Telegram, step by step as they would."""

from __future__ import annotations

from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.botapi import FakeUser
from tests.support.factories import school_invite


async def join(user: FakeUser, code: str, name: str | None = None, *buttons: str) -> None:
    """/start with `code` and consent; then the name, if given, and the buttons pressed in
    turn (category, grade, guardian…)."""
    await user.send(f"/start {code}")
    await user.press(user.button("Даю согласие"))
    if name is not None:
        await user.send(name)
    for label in buttons:
        await user.press(user.button(label))


async def invited(
    harness: BotHarness, role: Role, user_id: int, name: str | None = None, *buttons: str
) -> tuple[dict[str, int], FakeUser]:
    """The directory seeded (its ids), and person `user_id` who follows an invitation into
    the first school as `role` through `join`'s steps."""
    ids, invite = await school_invite(harness.session_factory, role)
    user = harness.standin.user(user_id)
    await join(user, invite.code, name, *buttons)
    return ids, user
