"""Joining and leaving in MAX, on the same use cases as Telegram: an invitation link
(https://max.ru/<bot>?start=<code> arrives as `bot_started` with the code as its payload;
«/start <code>» typed works too), consent and registration with the guardian's step, a
second role; the menu, help and /cancel (app.registration.home); /invite with MAX links;
/forget (app.privacy.forget). A person registered here belongs to MAX: the bot reaches
them here, whoever causes the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from app.privacy.actions import Withdraw, ask
from app.privacy.forget import forget
from app.registration.actions import (
    InviteInto,
    InvitePage,
    InviteRole,
)
from app.registration.home import Home
from app.registration.invites import INVITE_PRESSES, Invitations, Terms
from app.registration.use_cases import BUTTON_STEPS, JOINING_PRESSES, STEP_OF, Joining, Step
from app.reply import Reply
from app.screens import Msg, Screen
from bot.max.conversation import data, show, step
from bot.max.curator import invite_link
from bot.max.edge import Turn

JOINING_ACTIONS = JOINING_PRESSES
INVITE_ACTIONS = INVITE_PRESSES
DROPPED = Reply(drop=True)


def _joining(turn: Turn) -> Joining:
    return Joining(turn.uow, turn.actor, turn.reader.locale)


async def start(turn: Turn, code: str, commands: Sequence[str]) -> None:
    """The bot opened with a code (an invitation), or without one (the menu)."""
    if code:
        await show(turn, await _joining(turn).start(code))
    else:
        await show(turn, await Home(turn.uow, turn.actor).menu(commands))


async def help(turn: Turn, commands: Sequence[str]) -> None:
    await show(turn, Home(turn.uow, turn.actor).help(commands))


async def cancel(turn: Turn) -> None:
    in_conversation = step(turn) is not None or bool(turn.state)
    turn.forget_conversation()  # the survey's change in progress too
    await show(turn, Home.cancel(in_conversation))


# --- registration --------------------------------------------------------------------------


async def pressed(turn: Turn, action: object) -> None:
    """A registration button, taken only at its own step (an older one is stale)."""
    expected = STEP_OF.get(type(action))
    if expected is None or step(turn) != expected:
        await turn.notify(Msg("fallback.stale_button"))
        return
    # The pressed buttons go before the step's work: a double tap has nothing to press,
    # and a person who cannot be reached leaves the step undone rather than done and untold.
    await show(turn, DROPPED)
    if isinstance(action, JOINING_ACTIONS):
        await show(turn, await _joining(turn).press(action, data(turn)))


def waiting(turn: Turn) -> bool:
    return step(turn) in (Step.NAME, *BUTTON_STEPS)


async def typed(turn: Turn, text: str) -> None:
    """Text while registration waits: the name, or a hint to press a button."""
    if step(turn) == Step.NAME:
        await show(turn, await _joining(turn).name(text, data(turn)))
    else:
        await show(turn, Reply((Screen.of("register.press_button"),)))


async def not_text(turn: Turn) -> None:
    """A file while registration waits."""
    key = "register.name_as_text" if step(turn) == Step.NAME else "register.press_button"
    await show(turn, Reply((Screen.of(key),)))


# --- invitations ---------------------------------------------------------------------------


async def invite(turn: Turn) -> None:
    await show(turn, Invitations(turn.uow, turn.actor).roles())


async def invite_pressed(turn: Turn, action: InviteRole | InvitePage | InviteInto) -> None:
    settings = turn.services.settings
    terms = Terms(timedelta(days=settings.invite_ttl_days), settings.invite_max_uses)
    invitations = Invitations(turn.uow, turn.actor)
    await show(turn, await invitations.press(action, terms, partial(invite_link, turn)))


# --- /forget -------------------------------------------------------------------------------


async def forget_ask(turn: Turn) -> None:
    await show(turn, ask())


async def forget_answered(turn: Turn, action: Withdraw) -> None:
    await show(turn, DROPPED)
    if not action.confirm and turn.actor.person_id is not None:
        await show(turn, Reply((Screen.of("forget.kept"),)))
        return

    async def clear() -> None:
        turn.forget_conversation()

    withdrawal = await forget(turn.uow, turn.actor, clear, turn.services.settings.export_dir)
    await show(turn, Reply((Screen((withdrawal.said,)),)))
