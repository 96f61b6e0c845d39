"""Buttons of the /export dialogue. Ids are checked against the presser's scope on every
press, so a forged payload gets a refusal, never a workbook."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ExportScopeCb(CallbackData, prefix="xs"):
    municipality: int  # 0: none (the whole region, or an organization's own)
    organization: int  # 0: none


class ExportPeriodCb(CallbackData, prefix="xp"):
    municipality: int
    organization: int
    year: int  # first year of the academic year; 0: the person types dates


class ExportKindCb(CallbackData, prefix="xk"):
    """What to build once territory and period are chosen: the period travels as two dates
    (YYYYMMDD), so a typed range needs no conversation state at this step."""

    municipality: int
    organization: int
    start: int
    end: int
    kind: str  # a key of KINDS
