"""Buttons of the /export dialogue. Ids are checked against the presser's scope on every
press, so a forged payload gets a refusal, never a workbook."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ExportScopeCb(CallbackData, prefix="xs"):
    municipality: int  # 0: none (the whole region, or an organization's own)
    organization: int  # 0: none


class ExportNamesCb(CallbackData, prefix="xn"):
    municipality: int
    organization: int
    names: int  # 1: the register with full names, asked for; 0: codes


class ExportPeriodCb(CallbackData, prefix="xp"):
    municipality: int
    organization: int
    year: int  # first year of the academic year; 0: the person types dates
    names: int = 0
