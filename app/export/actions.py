"""Buttons of the /export dialogue. Prefixes and fields are those of the Telegram
CallbackData (`xs:…`, `xp:…`), so buttons already in chats keep working. Ids are checked
against the presser's scope on every press: a forged payload gets a refusal, never a
workbook."""

from __future__ import annotations

from app.actions import Action, action


@action("xs")
class ChooseScope(Action):
    municipality: int  # 0: none (the whole region, or an organization's own)
    organization: int  # 0: none


@action("xr")
class ChooseRound(Action):
    round: int  # a monitoring round: its scope and period, its frozen figures once closed
    kind: str = ""  # a key of app.export.build.KINDS; "": ask what to build


@action("xn")
class ChooseNames(Action):
    """Only offered where the register may carry names (app.policy.register_allowed)."""

    municipality: int
    organization: int
    names: bool  # the register with full names, asked for; else codes


@action("xp")
class ChoosePeriod(Action):
    municipality: int
    organization: int
    year: int  # first year of the academic year; 0: the person types dates
    names: bool = False


@action("xk")
class ChooseKind(Action):
    """What to build once territory and period are chosen: the period travels as two dates
    (YYYYMMDD), so typed dates need no conversation state at this step."""

    municipality: int
    organization: int
    start: int
    end: int
    kind: str  # a key of app.export.build.KINDS
    names: bool = False
