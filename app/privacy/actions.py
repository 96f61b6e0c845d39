"""The /forget confirmation buttons. Prefix and field are those of the Telegram CallbackData
they replace (`fg:1`), so buttons already in chats keep working."""

from __future__ import annotations

from app.actions import Action, action
from app.reply import Reply
from app.screens import Button, Msg, Screen


@action("fg")
class Withdraw(Action):
    confirm: bool


def ask() -> Reply:
    """/forget: what it erases, and two buttons; the conversation in progress ends."""
    rows = (
        (Button(Msg("forget.confirm"), Withdraw(True)),),
        (Button(Msg("forget.keep"), Withdraw(False)),),
    )
    return Reply((Screen.of("forget.ask", rows),), step=None)
