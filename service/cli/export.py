"""`nastavnik export`: the monitoring workbook from the command line, for the server's
operator (an administrator: any municipality or organization)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from bot.telegram.export.jobs import export_options
from exports.period import Period, parse_day
from exports.run import export_workbook
from storage.db import create_session_factory
from storage.repositories.directory import DirectoryRepository
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor


def add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write the monitoring workbook (xlsx)")
    export.add_argument("--municipality", required=True, help="municipality code")
    export.add_argument("--org", help="organization code (of that municipality)")
    export.add_argument("--from", dest="start", help="first day, DD.MM.YYYY or YYYY-MM-DD")
    export.add_argument("--to", dest="end", help="last day (default: the academic year)")
    export.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    export.add_argument("--no-register", action="store_true", help="leave out «Участники» (names)")


def _period(args: argparse.Namespace, i18n: I18n) -> Period | None:
    _ = i18n.gettext
    if args.start is None and args.end is None:
        return Period.current_academic_year(date.today())
    if args.start is None or args.end is None:
        print(_("export.cli.dates_together"), file=sys.stderr)
        return None
    days = []
    for value in (args.start, args.end):
        day = parse_day(value)
        if day is None:
            print(_("export.cli.bad_date").format(value=value), file=sys.stderr)
            return None
        days.append(day)
    if days[0] > days[1]:
        print(_("export.cli.dates_together"), file=sys.stderr)
        return None
    return Period(days[0], days[1])


async def run_export(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    _ = i18n.gettext
    period = _period(args, i18n)
    if period is None:
        return 2
    operator = Actor(telegram_id=0, is_admin=True)
    async with create_session_factory(engine)() as session:
        directory = DirectoryRepository(session)
        municipality = await directory.municipality_by_code(args.municipality)
        if municipality is None:
            print(_("cli.unknown_municipality").format(code=args.municipality), file=sys.stderr)
            return 1
        scope = ExportScope(municipality.id, None, municipality.name)
        if args.org:
            org = await directory.organization_by_code(args.org)
            if org is None or org.municipality_id != municipality.id:
                print(_("cli.unknown_organization").format(code=args.org), file=sys.stderr)
                return 1
            scope = ExportScope(municipality.id, org.id, org.name)
        options = export_options(
            settings, i18n.current_locale, include_register=not args.no_register
        )
        await export_workbook(session, operator, scope, period, args.out, _, options)
    print(_("export.cli.written").format(path=args.out))
    return 0
