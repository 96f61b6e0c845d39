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


class ExportRoundCb(CallbackData, prefix="xr"):
    round: int  # a monitoring round: its scope and period, its frozen figures once closed
