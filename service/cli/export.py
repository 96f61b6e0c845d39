"""`nastavnik export`: the monitoring workbook from the command line, for the server's
operator (an administrator: any municipality or organization; figures only, unless
EXPORT_REGISTER_BEYOND_SCHOOL lets the register in — app.policy)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncEngine

from app.export.plan import ExportAsk, export_options, plan_export, write_export
from app.monitoring.rounds import export_round
from app.settings import Settings
from exports.period import Period, parse_day
from exports.workbook import Register
from storage.db import create_session_factory
from storage.models import Municipality
from storage.repositories.directory import DirectoryRepository
from storage.repositories.export_scope import ExportScope
from surveys.access import OPERATOR
from surveys.errors import DomainError


def add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Help texts come from the catalogue: call inside an i18n context."""
    about = _("cli.help.export")
    export = commands.add_parser("export", help=about, description=about)
    code = _("cli.metavar.code")
    territory = export.add_mutually_exclusive_group()
    territory.add_argument("--municipality", metavar=code, help=_("cli.help.export.district"))
    territory.add_argument("--region", action="store_true", help=_("cli.help.export.region"))
    export.add_argument(
        "--round", type=int, metavar=_("cli.metavar.number"), help=_("rounds.cli.help.export_round")
    )
    export.add_argument("--org", metavar=code, help=_("cli.help.export.org"))
    add_dates_and_out(export, _("cli.help.export.out"))
    export.add_argument("--no-register", action="store_true", help=_("cli.help.export.no_register"))
    export.add_argument("--with-names", action="store_true", help=_("cli.help.export.with_names"))


def add_dates_and_out(parser: argparse.ArgumentParser, out_help: str) -> None:
    """--from, --to and --out, the same in `export` and `report` (inside an i18n context)."""
    day = _("cli.metavar.date")
    parser.add_argument("--from", dest="start", metavar=day, help=_("cli.help.export.from"))
    parser.add_argument("--to", dest="end", metavar=day, help=_("cli.help.export.to"))
    parser.add_argument(
        "--out", required=True, type=Path, metavar=_("cli.metavar.file"), help=out_help
    )


async def known_municipality(
    directory: DirectoryRepository, code: str, i18n: I18n
) -> Municipality | None:
    """The municipality of that code; None, said on stderr, when there is none."""
    municipality = await directory.municipality_by_code(code)
    if municipality is None:
        print(i18n.gettext("cli.unknown_municipality").format(code=code), file=sys.stderr)
    return municipality


def requested_period(start: date | None, end: date | None, today: date) -> Period:
    """Both dates as given; one alone is bounded by its own academic year; none: the
    current academic year. (The help of --from and --to says so.)"""
    if start is None and end is None:
        return Period.current_academic_year(today)
    if end is None:
        assert start is not None
        end = Period.current_academic_year(start).end
    if start is None:
        start = Period.current_academic_year(end).start
    return Period(start, end)


def period_from_args(args: argparse.Namespace, i18n: I18n) -> Period | None:
    _ = i18n.gettext
    days: list[date | None] = []
    for value in (args.start, args.end):
        day = None if value is None else parse_day(value)
        if value is not None and day is None:
            print(_("export.cli.bad_date").format(value=value), file=sys.stderr)
            return None
        days.append(day)
    period = requested_period(days[0], days[1], date.today())
    if period.start > period.end:
        print(_("export.cli.dates_order"), file=sys.stderr)
        return None
    return period


def writable_folder(out: Path, i18n: I18n) -> bool:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        print(i18n.gettext("export.cli.no_folder").format(folder=folder), file=sys.stderr)
        return False
    if not os.access(folder, os.W_OK):
        print(i18n.gettext("export.cli.folder_read_only").format(folder=folder), file=sys.stderr)
        return False
    return True


async def run_export(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    _ = i18n.gettext
    if args.round is not None:
        return await _export_round(args, settings, engine, i18n)
    if args.region and args.org:
        print(_("export.cli.region_and_org").format(org=args.org), file=sys.stderr)
        return 2
    period = period_from_args(args, i18n)
    if period is None or not writable_folder(args.out, i18n):
        return 2
    async with create_session_factory(engine)() as session:
        directory = DirectoryRepository(session)
        # Without --municipality (or with --region): the whole region, every district.
        scope = ExportScope(None, None, _("export.scope_region"))
        municipality = None
        if args.municipality is not None:
            municipality = await known_municipality(directory, args.municipality, i18n)
            if municipality is None:
                return 1
            scope = ExportScope(municipality.id, None, municipality.name)
        if args.org:
            org = await directory.organization_by_code(args.org)
            if org is None:
                print(_("cli.unknown_organization").format(code=args.org), file=sys.stderr)
                return 1
            if municipality is not None and org.municipality_id != municipality.id:
                home = await directory.municipality(org.municipality_id)
                print(
                    _("export.cli.org_elsewhere").format(
                        org=args.org,
                        municipality=args.municipality,
                        home=home.code if home else "?",
                    ),
                    file=sys.stderr,
                )
                return 1
            scope = ExportScope(org.municipality_id, org.id, org.name)
        beyond_school = settings.export_register_beyond_school
        if args.with_names and not beyond_school:
            print(_("export.cli.names_denied"), file=sys.stderr)
            return 2
        ask = ExportAsk(
            scope.municipality_id, scope.organization_id, period, with_names=args.with_names
        )
        plan = await plan_export(session, OPERATOR, ask, beyond_school)
        if args.no_register:
            plan = replace(plan, register=Register.NONE)
        options = export_options(settings, i18n.current_locale, f"{scope.title}, {period.label()}")
        await write_export(session, OPERATOR, plan, args.out, _, options)
    print(_("export.cli.written").format(path=args.out))
    return 0


async def _export_round(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    """`--round ID`: the round's scope and period; a closed round's frozen figures."""
    _ = i18n.gettext
    if args.municipality or args.region or args.org or args.start or args.end:
        print(_("rounds.cli.export_round_alone"), file=sys.stderr)
        return 2
    if not writable_folder(args.out, i18n):
        return 2
    # The operator gets figures; codes only where the operator's setting lets the register in.
    beyond_school = settings.export_register_beyond_school and not args.no_register
    register = Register.ANONYMOUS if beyond_school else Register.NONE
    options = export_options(settings, i18n.current_locale).with_register(register)
    async with create_session_factory(engine)() as session:
        try:
            await export_round(session, OPERATOR, args.round, args.out, _, options)
        except DomainError as error:
            print(_(error.message_key).format(**error.params), file=sys.stderr)
            return 1
    print(_("export.cli.written").format(path=args.out))
    return 0
