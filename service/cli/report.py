"""`nastavnik report`: the «аналитическая справка» (.docx) of a municipality for the server's
operator, in the operator's language (DEFAULT_LOCALE)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncEngine

from app.export.plan import export_options
from app.export.run import export_report
from app.monitoring.rounds import report_round
from app.settings import Settings
from exports.period import Period
from service.cli.export import (
    add_dates_and_out,
    known_municipality,
    period_from_args,
    writable_folder,
)
from storage.db import create_session_factory
from storage.repositories.directory import DirectoryRepository
from storage.repositories.export_scope import ExportScope
from storage.repositories.rounds import RoundRepository
from surveys.access import OPERATOR
from surveys.errors import DomainError

FIRST_YEAR, LAST_YEAR = 2000, 2100


def add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Help texts come from the catalogue: call inside an i18n context."""
    about = _("cli.help.report")
    report = commands.add_parser("report", help=about, description=about)
    code = _("cli.metavar.code")
    report.add_argument("--municipality", metavar=code, help=_("cli.help.export.municipality"))
    report.add_argument(
        "--round", type=int, metavar=_("cli.metavar.number"), help=_("rounds.cli.help.export_round")
    )
    report.add_argument("--year", metavar=_("cli.metavar.year"), help=_("cli.help.report.year"))
    add_dates_and_out(report, _("cli.help.report.out"))


def _academic_year(text: str) -> Period | None:
    """«2026», «2026/2027» or «2026-2027»: the academic year that starts in 2026."""
    first, _sep, second = text.replace("-", "/").partition("/")
    if not first.isdigit() or not FIRST_YEAR <= int(first) <= LAST_YEAR:
        return None
    if second and second != str(int(first) + 1):
        return None
    return Period.academic_year(int(first))


def _requested(args: argparse.Namespace, i18n: I18n) -> Period | None:
    _ = i18n.gettext
    if args.year is None:
        return period_from_args(args, i18n)
    if args.start or args.end:
        print(_("report.cli.year_and_dates"), file=sys.stderr)
        return None
    period = _academic_year(args.year)
    if period is None:
        print(_("report.cli.bad_year").format(value=args.year), file=sys.stderr)
    return period


async def run_report(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    _ = i18n.gettext
    if args.out.suffix.lower() != ".docx":
        print(_("report.cli.not_docx").format(path=args.out), file=sys.stderr)
        return 2
    if args.round is not None:
        return await _report_round(args, settings, engine, i18n)
    if args.municipality is None:
        print(_("report.cli.scope_needed"), file=sys.stderr)
        return 2
    period = _requested(args, i18n)
    if period is None or not writable_folder(args.out, i18n):
        return 2
    async with create_session_factory(engine)() as session:
        directory = DirectoryRepository(session)
        municipality = await known_municipality(directory, args.municipality, i18n)
        if municipality is None:
            return 1
        scope = ExportScope(municipality.id, None, municipality.name)
        options = export_options(settings, i18n.current_locale, municipality.name)
        await export_report(session, OPERATOR, scope, period, args.out, i18n, options, date.today())
    print(_("report.cli.written").format(path=args.out))
    return 0


async def _report_round(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    """`--round ID`: the round's district (or region) and period, from its frozen figures
    once it closed; `--municipality`, when given, must be the round's own district."""
    _ = i18n.gettext
    if args.year or args.start or args.end:
        print(_("report.cli.round_and_dates"), file=sys.stderr)
        return 2
    if not writable_folder(args.out, i18n):
        return 2
    async with create_session_factory(engine)() as session:
        found = await RoundRepository(session).get(args.round)
        if found is None:
            print(_("rounds.not_found").format(id=args.round), file=sys.stderr)
            return 1
        if args.municipality is not None:
            directory = DirectoryRepository(session)
            municipality = await known_municipality(directory, args.municipality, i18n)
            if municipality is None:
                return 1
            if municipality.id != found.municipality_id:
                scope = found.municipality_name or _("rounds.region")
                said = _("report.cli.round_elsewhere").format(
                    id=found.id, code=args.municipality, scope=scope
                )
                print(said, file=sys.stderr)
                return 1
        title = found.municipality_name or _("export.scope_region")
        options = export_options(settings, i18n.current_locale, title)
        try:
            await report_round(session, OPERATOR, found.id, args.out, i18n, options, date.today())
        except DomainError as error:
            print(_(error.message_key).format(**error.params), file=sys.stderr)
            return 1
    print(_("report.cli.written").format(path=args.out))
    return 0
