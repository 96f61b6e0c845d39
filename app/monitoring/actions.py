"""Buttons of the monitoring-round screens. Every id in them is checked against the
presser's scope (app/policy.py) on every press."""

from __future__ import annotations

from enum import StrEnum

from app.actions import Action, action


class RoundVerb(StrEnum):
    CLOSE = "close"
    CLOSE_YES = "close_yes"
    REMIND = "remind"
    CHECKIN = "checkin"
    CHECKIN_YES = "checkin_yes"


@action("rr")
class OnRound(Action):
    """`verb` (a RoundVerb) on one round."""

    verb: str
    round: int


@action("rn")
class StartRound(Action):
    """«Открыть мониторинг»: the kind comes next."""


@action("rk")
class ChooseRoundKind(Action):
    kind: str


@action("rm")
class ChooseRoundScope(Action):
    """The district (0: the whole region) of a round of `kind` being opened."""

    kind: str
    municipality: int


@action("rc")
class SendCheckins(Action):
    """A curator sends the mid-programme check-in to their school's working pairs."""

    organization: int
    confirmed: bool
