"""Routers, one per audience, built fresh for every dispatcher. Order matters: commands
that work in any state come first, the fallback (stray input, stale buttons, unknown
commands) comes last."""

from __future__ import annotations

from aiogram import Router

from bot.telegram.common import errors, fallback, reachability, unavailable
from bot.telegram.common import handlers as common
from bot.telegram.curator import pairs as curator_pairs
from bot.telegram.curator import programmes as curator_programmes
from bot.telegram.curator import roster as curator_roster
from bot.telegram.curator import status as curator_status
from bot.telegram.export import handlers as export
from bot.telegram.monitoring import handlers as monitoring
from bot.telegram.registration import handlers as registration
from bot.telegram.registration import invite
from bot.telegram.survey import handlers as survey


def get_routers() -> list[Router]:
    return [
        unavailable.create_router(),  # before errors: database failures get their own answer
        errors.create_router(),
        # Questionnaire buttons early: the most frequent update, callback data of its own.
        survey.create_button_router(),
        common.create_router(),
        reachability.create_router(),
        registration.create_router(),
        curator_programmes.create_router(),
        curator_roster.create_router(),
        curator_pairs.create_router(),
        curator_status.create_router(),
        monitoring.create_router(),
        invite.create_router(),
        export.create_router(),
        survey.create_router(),  # free text after the conversations that own their text
        fallback.create_router(),
    ]
