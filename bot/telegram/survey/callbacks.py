"""Buttons of a questionnaire. Each names the assignment and the question's position in
the snapshot (not its key: positions keep the data far below Telegram's 64 bytes), so a
stale, doubled or forged tap can be recognised and refused."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class AnswerCb(CallbackData, prefix="sa"):
    """A scale value, "yes"/"no", or a single choice by its index."""

    a: int
    q: int
    v: str


class ToggleCb(CallbackData, prefix="st"):
    """Multi choice: `mask` is the selection after this tap (bit i = choice i), so the
    selection lives in the keyboard itself and a restart loses nothing."""

    a: int
    q: int
    mask: int


class DoneCb(CallbackData, prefix="sd"):
    a: int
    q: int
    mask: int


class SkipCb(CallbackData, prefix="sk"):
    a: int
    q: int


class BackCb(CallbackData, prefix="sb"):
    """Back from question `q`; q = -1 from the summary."""

    a: int
    q: int


class EditCb(CallbackData, prefix="se"):
    a: int
    q: int


class SubmitCb(CallbackData, prefix="ss"):
    a: int
