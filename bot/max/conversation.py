"""Showing a use case's Reply in MAX (the curator's steps, and every Reply-shaped answer):
the answer to the pressed button, the screens, the workbooks as files, and the
conversation step kept in the MAX state store.

A press is answered once. A redraw replaces the pressed message's buttons (a selection
being made); `drop` removes them, so that a second tap has nothing to press; a notice is a
one-time notification on the press, or a message when the person typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.curator.reply import KEEP, Reply
from app.screens import Screen
from bot.max.client import KEEP as KEEP_BUTTONS
from bot.max.client import Keep, Keyboard
from bot.max.edge import Turn
from bot.max.screens import keyboard

STEP = "step"
DATA = "data"


def step(turn: Turn) -> str | None:
    found = turn.state.get(STEP)
    return str(found) if isinstance(found, str) else None


def data(turn: Turn) -> dict[str, Any]:
    found = turn.state.get(DATA)
    return dict(found) if isinstance(found, Mapping) else {}


async def show(turn: Turn, reply: Reply) -> None:
    if turn.incoming.callback_id is not None and not turn.answered:
        await _answer_press(turn, reply)
    elif reply.notice is not None:
        await turn.show(Screen((reply.notice,)))
    keep(turn, reply)
    await turn.show(*reply.screens)
    for document in reply.documents:
        await turn.client.send_file(
            turn.user_id, document.name, document.content, turn.text(document.caption)
        )


async def _answer_press(turn: Turn, reply: Reply) -> None:
    buttons: Keyboard | Keep | None = KEEP_BUTTONS
    if reply.redraw is not None:
        buttons = keyboard(turn.reader, reply.redraw, turn.incoming.text)
    elif reply.drop:
        buttons = None
    if buttons is KEEP_BUTTONS:
        await turn.notify(reply.notice)
        return
    turn.answered = True
    await turn.client.answer(
        turn.user_id,
        turn.incoming.callback_id or "",
        notification=turn.text(reply.notice) if reply.notice is not None else None,
        text=turn.incoming.pressed_text or "…",
        keyboard=buttons,
    )


def keep(turn: Turn, reply: Reply) -> None:
    """The conversation as the reply leaves it."""
    if reply.step is None:
        turn.remember(**{STEP: None, DATA: None})
        return
    given = {} if reply.restart else data(turn)
    if reply.step != KEEP:
        turn.remember(**{STEP: str(reply.step)})
    if reply.data or reply.restart:
        turn.remember(**{DATA: {**given, **reply.data} or None})
