"""Routers, one per audience, built fresh for every dispatcher. Order matters: commands
that work in any state come first, the fallback (stray input, stale buttons, unknown
commands) comes last."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    common,
    curator_pairs,
    curator_programmes,
    curator_roster,
    curator_status,
    errors,
    export,
    fallback,
    invite,
    registration,
    survey,
    unavailable,
)


def get_routers() -> list[Router]:
    modules = (
        unavailable,  # before errors: database failures get their own answer
        errors,
        common,
        registration,
        curator_programmes,
        curator_roster,
        curator_pairs,
        curator_status,
        invite,
        export,
        survey,
        fallback,
    )
    return [module.create_router() for module in modules]
