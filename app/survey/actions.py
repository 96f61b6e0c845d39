"""Buttons of a questionnaire. Each names the assignment and the question's position in the
snapshot (not its key: positions keep the payload far below 64 bytes), so a stale, doubled
or forged tap can be recognised and refused."""

from __future__ import annotations

from app.actions import Action, action


@action("so")
class OpenAssignment(Action):
    """Open (or resume) one questionnaire; the use case checks it is the presser's own."""

    assignment: int


@action("sa")
class AnswerWith(Action):
    """A scale value, "yes"/"no", or a single choice by its index."""

    a: int
    q: int
    v: str


@action("st")
class Toggle(Action):
    """Multi choice: `mask` is the selection after this tap (bit i = choice i), so the
    selection lives in the keyboard itself and a restart loses nothing."""

    a: int
    q: int
    mask: int


@action("sd")
class DoneChoosing(Action):
    a: int
    q: int
    mask: int


@action("sk")
class SkipQuestion(Action):
    a: int
    q: int


@action("sb")
class Back(Action):
    """Back from question `q`; q = -1 from the summary."""

    a: int
    q: int


@action("se")
class Change(Action):
    a: int
    q: int


@action("ss")
class Submit(Action):
    a: int
