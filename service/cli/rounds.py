"""`nastavnik round open|close|list`: monitoring rounds from the command line, for the
server's operator (an administrator: any district or the whole region)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.monitoring.rounds import (
    NewRound,
    close_round,
    open_round,
    rounds_in_view,
    zone,
)
from app.uow import UnitOfWork
from exports.period import parse_day
from service.cli.parser import add_command_with_actions
from storage.db import create_session_factory
from storage.models import utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.rounds import RoundRow
from surveys.access import OPERATOR
from surveys.errors import DomainError
from surveys.rounds import RoundKind, deadline_day


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Help texts come from the catalogue: call inside an i18n context."""
    actions = add_command_with_actions(
        commands, "round", _("rounds.cli.help"), _("rounds.cli.help.action")
    )
    opening = actions.add_parser(
        "open", help=_("rounds.cli.help.open"), description=_("rounds.cli.help.open")
    )
    opening.add_argument(
        "--kind",
        required=True,
        choices=[k.value for k in RoundKind],
        help=_("rounds.cli.help.kind"),
    )
    scope = opening.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--municipality", metavar=_("cli.metavar.code"), help=_("rounds.cli.help.municipality")
    )
    scope.add_argument("--region", action="store_true", help=_("rounds.cli.help.region"))
    day = _("cli.metavar.date")
    opening.add_argument(
        "--from", dest="start", required=True, metavar=day, help=_("rounds.cli.help.from")
    )
    opening.add_argument(
        "--to", dest="end", required=True, metavar=day, help=_("rounds.cli.help.to")
    )
    opening.add_argument(
        "--deadline", required=True, metavar=day, help=_("rounds.cli.help.deadline")
    )
    closing = actions.add_parser(
        "close", help=_("rounds.cli.help.close"), description=_("rounds.cli.help.close")
    )
    closing.add_argument(
        "id", type=int, metavar=_("cli.metavar.number"), help=_("rounds.cli.help.id")
    )
    actions.add_parser(
        "list", help=_("rounds.cli.help.list"), description=_("rounds.cli.help.list")
    )


async def run(args: argparse.Namespace, engine: AsyncEngine, i18n: I18n) -> int:
    factory = create_session_factory(engine)
    try:
        if args.round_command == "open":
            return await _open(args, factory, i18n)
        if args.round_command == "close":
            async with UnitOfWork(factory) as uow:
                closed = await close_round(uow, OPERATOR, args.id, utcnow())
            print(i18n.gettext("rounds.cli.closed").format(**_fields(closed, i18n)))
            return 0
        async with factory() as session:
            listed = await rounds_in_view(session, OPERATOR, limit=1000)
        if not listed:
            print(i18n.gettext("rounds.cli.none"))
        for found in listed:
            print(i18n.gettext("rounds.cli.line").format(**_fields(found, i18n)))
        return 0
    except DomainError as error:
        print(i18n.gettext(error.message_key).format(**error.params), file=sys.stderr)
        return 1


async def _open(
    args: argparse.Namespace, factory: async_sessionmaker[AsyncSession], i18n: I18n
) -> int:
    _ = i18n.gettext
    days: list[date] = []
    for value in (args.start, args.end, args.deadline):
        day = parse_day(value)
        if day is None:
            print(_("rounds.cli.bad_date").format(value=value), file=sys.stderr)
            return 2
        days.append(day)
    municipality_id = None
    if args.municipality:
        async with factory() as session:
            municipality = await DirectoryRepository(session).municipality_by_code(
                args.municipality
            )
        if municipality is None:
            print(_("cli.unknown_municipality").format(code=args.municipality), file=sys.stderr)
            return 1
        municipality_id = municipality.id
    new = NewRound(RoundKind(args.kind), municipality_id, days[0], days[1], days[2])
    async with UnitOfWork(factory) as uow:
        opened = await open_round(uow, OPERATOR, new, utcnow())
    print(_("rounds.cli.opened").format(**_fields(opened, i18n)))
    return 0


def _fields(found: RoundRow, i18n: I18n) -> dict[str, Any]:
    _ = i18n.gettext
    return {
        "id": found.id,
        "kind": _(f"rounds.kind.{found.kind.value}"),
        "scope": found.municipality_name or _("rounds.region"),
        "start": f"{found.period_start:%d.%m.%Y}",
        "end": f"{found.period_end:%d.%m.%Y}",
        "deadline": f"{deadline_day(found.deadline, zone(found.timezone)):%d.%m.%Y}",
        "status": _(f"rounds.status.{found.status.value}"),
    }
