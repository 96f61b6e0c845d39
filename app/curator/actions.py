"""Buttons of the curator and methodist screens. Prefixes and field order are those of the
CallbackData classes they replace (`kp:open:12`), so buttons already in chats keep working.
Every id in them is checked against the presser's scope (app/policy.py): a forged button
gets a refusal, never data."""

from __future__ import annotations

from enum import StrEnum

from app.actions import Action, action


class ProgrammeVerb(StrEnum):
    OPEN = "open"
    EDIT = "edit"
    EDIT_TITLE = "edit_title"
    EDIT_STARTS_ON = "edit_starts_on"
    EDIT_ENDS_ON = "edit_ends_on"
    LINK_MENTOR = "link_mentor"
    LINK_MENTEE = "link_mentee"
    ROSTER = "roster"
    FORM_ROSTER = "form_roster"
    NEW_PAIR = "new_pair"
    PAIRS = "pairs"
    COMPLETE = "complete"
    COMPLETE_YES = "complete_yes"


class PairVerb(StrEnum):
    OPEN = "open"
    ADD = "add"
    REMOVE = "remove"
    COMPLETE = "complete"
    COMPLETE_YES = "complete_yes"
    DISSOLVE = "dissolve"


class MemberVerb(StrEnum):
    ADD = "add"
    REMOVE = "remove"


class PickStep(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    DONE = "done"


class StatusVerb(StrEnum):
    XLSX = "xlsx"
    REMIND = "remind"


@action("kp")
class OnProgramme(Action):
    """`verb` (a ProgrammeVerb) on one programme."""

    verb: str
    programme: int


@action("kn")
class NewProgramme(Action):
    """Start creating a programme in one organization (0: not chosen yet)."""

    organization: int


@action("kf")
class ChooseForm(Action):
    form: str


@action("ky")
class ChooseYear(Action):
    year: str


@action("kq")
class OnPair(Action):
    """`verb` (a PairVerb) on one pair."""

    verb: str
    pair: int


@action("km")
class ChangeMember(Action):
    """Add or remove (a MemberVerb) one mentee of a pair."""

    verb: str
    pair: int
    person: int


@action("kk")
class Pick(Action):
    """Forming a pair: pick the mentor, toggle a mentee, or finish (person 0)."""

    step: str
    person: int


@action("ks")
class ShowStatus(Action):
    """One page of an organization's status under a filter (a StatusFilter)."""

    organization: int
    view: str
    page: int


@action("ka")
class OnStatus(Action):
    """xlsx or remind (a StatusVerb), for one organization."""

    verb: str
    organization: int


@action("kd")
class ShowDistrict(Action):
    """One page of a district's organizations (methodist, admin)."""

    municipality: int
    page: int
