"""Inline-button payloads of the curator and methodist screens (prefixes start with k,
away from the other areas'). Every id in them is checked against the presser's scope in
the repositories: a forged button gets a refusal, never data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ProgrammeCb(CallbackData, prefix="kp"):
    """An action on one programme: open, link_mentor, link_mentee, roster, form_roster,
    pairs, new_pair, complete, complete_yes, complete_no."""

    action: str
    programme: int


class NewProgrammeCb(CallbackData, prefix="kn"):
    """Start creating a programme in one organization (0: not chosen yet)."""

    organization: int


class FormCb(CallbackData, prefix="kf"):
    form: str


class YearCb(CallbackData, prefix="ky"):
    year: str


class PairCb(CallbackData, prefix="kq"):
    """An action on one pair: open, add, remove, dissolve, complete, complete_yes."""

    action: str
    pair: int


class MemberCb(CallbackData, prefix="km"):
    """Change a pair: add or remove one mentee."""

    action: str
    pair: int
    person: int


class PickCb(CallbackData, prefix="kk"):
    """Forming a pair: pick the mentor, toggle a mentee, or finish (person 0)."""

    step: str
    person: int


class StatusCb(CallbackData, prefix="ks"):
    """One page of an organization's status under a filter."""

    organization: int
    view: str
    page: int


class StatusActionCb(CallbackData, prefix="ka"):
    """xlsx or remind, for one organization."""

    action: str
    organization: int


class DistrictCb(CallbackData, prefix="kd"):
    """One page of a district's organizations (methodist, admin)."""

    municipality: int
    page: int
