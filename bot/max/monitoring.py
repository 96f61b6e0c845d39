"""/rounds in MAX (open, list, remind, send the check-in, close) for a round's keepers, and
the check-in button of a curator's /status: each handler reads the update, calls one step of
app.monitoring.screens (the use cases the Telegram bot calls) and shows its Reply; the
rules, the scope and the commits are the use case's."""

from __future__ import annotations

from app.actions import Action
from app.monitoring.actions import (
    ChooseRoundKind,
    ChooseRoundScope,
    OnRound,
    SendCheckins,
    StartRound,
)
from app.monitoring.screens import Outreach, Rounds, RoundStep
from app.notices import OutboxNotices
from app.screens import Msg
from bot.max.conversation import data, show, step
from bot.max.edge import Turn

TYPED_STEPS = (RoundStep.PERIOD, RoundStep.DEADLINE)
ROUND_ACTIONS = (StartRound, ChooseRoundKind, ChooseRoundScope, OnRound, SendCheckins)


def _rounds(turn: Turn) -> Rounds:
    return Rounds(turn.uow, turn.actor)


def _outreach(turn: Turn) -> Outreach:
    settings = turn.services.settings
    notices = OutboxNotices(turn.reader.i18n)
    return Outreach(turn.services.catalogue, notices, settings.start_due_days)


async def command(turn: Turn) -> None:
    await show(turn, await _rounds(turn).overview())


def waiting(turn: Turn) -> bool:
    """Whether the person is typing a new round's period or deadline."""
    return step(turn) in TYPED_STEPS


async def typed(turn: Turn, text: str) -> None:
    await show(turn, await _rounds(turn).typed(step(turn), text, data(turn)))


async def pressed(turn: Turn, action: Action) -> None:
    if not isinstance(action, ROUND_ACTIONS):
        await turn.notify(Msg("fallback.stale_button"))
        return
    await show(turn, await _rounds(turn).press(action, _outreach(turn)))
