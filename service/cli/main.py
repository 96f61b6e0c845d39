"""The `nastavnik` command: run the bot, migrate, import the directory, make invitations."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import cast

from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from app.registration.invites import Invitations, Terms
from app.settings import Settings, SettingsError, load_settings
from app.uow import UnitOfWork
from bot.i18n import LOCALES, create_i18n
from bot.max.links import max_link
from bot.telegram.links import deep_link
from imports.directory_file import DirectoryFileError, parse_directory_file
from service.cli import rounds as rounds_cli
from service.cli import surveys as survey_cli
from service.cli.export import add_export_parser, run_export
from service.cli.parser import Parser
from service.cli.purge import add_purge_parser, run_purge
from service.cli.report import add_report_parser, run_report
from service.logs import configure_logging
from service.startup import StartupError, check_database
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories.directory import DirectoryRepository
from surveys.access import OPERATOR
from surveys.errors import OutOfScope
from surveys.people import Role

# The commands that talk to Telegram; all others need only the database.
TELEGRAM_COMMANDS = frozenset({"run", "webhook"})


def build_parser() -> argparse.ArgumentParser:
    """Texts come from the catalogue: call inside an i18n context."""
    parser = Parser(prog="nastavnik", description=_("cli.help.description"))
    # Sub-parsers are Parsers too; the other modules' helpers take the base type.
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(
            dest="command",
            required=True,
            help=_("cli.help.command"),
        ),
    )

    def command(name: str, about: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=about, description=about)

    command("run", _("cli.help.run"))
    command("webhook", _("cli.help.webhook"))
    command("migrate", _("cli.help.migrate"))
    import_orgs = command("import-orgs", _("cli.help.import_orgs"))
    import_orgs.add_argument(
        "file", type=Path, metavar=_("cli.metavar.file"), help=_("cli.help.import_orgs.file")
    )
    invite = command("invite", _("cli.help.invite"))
    invite.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in (Role.COORDINATOR, Role.METHODIST, Role.CURATOR)],
        help=_("cli.help.invite.role"),
    )
    scope = invite.add_mutually_exclusive_group(required=True)
    code = _("cli.metavar.code")
    scope.add_argument("--municipality", metavar=code, help=_("cli.help.invite.municipality"))
    scope.add_argument("--org", metavar=code, help=_("cli.help.invite.org"))
    scope.add_argument("--region", action="store_true", help=_("rounds.cli.help.invite_region"))
    number = _("cli.metavar.number")
    invite.add_argument(
        "--max-uses", type=int, default=1, metavar=number, help=_("cli.help.invite.max_uses")
    )
    invite.add_argument("--days", type=int, metavar=number, help=_("cli.help.invite.days"))
    add_export_parser(commands)
    rounds_cli.add_parser(commands)
    add_report_parser(commands)
    command("outbox", _("cli.help.outbox"))
    command("remind", _("cli.help.remind"))
    add_purge_parser(commands)
    survey_cli.add_parser(commands)
    return parser


def _operator_locale() -> str:
    # Settings are not loaded yet (and `surveys` and `--help` need none).
    locale = os.environ.get("DEFAULT_LOCALE", "ru")
    return locale if locale in LOCALES else "ru"


def main(argv: Sequence[str] | None = None) -> int:
    operator_i18n = create_i18n(_operator_locale())
    with operator_i18n.context():
        args = build_parser().parse_args(argv)
    if args.command == "surveys":
        return survey_cli.run(args)
    try:
        settings = load_settings()
        if args.command in TELEGRAM_COMMANDS and settings.bot_token is None:
            # Every channel that has a token is served: MAX alone needs no BOT_TOKEN.
            if settings.max_token is None:
                raise SettingsError("settings.error.no_token")
            if args.command == "webhook" and settings.max_webhook_secret is None:
                raise SettingsError("settings.error.max_webhook_secret_missing")
    except SettingsError as error:
        print(f"nastavnik: {error.text(operator_i18n.gettext)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    i18n = create_i18n(settings.default_locale)
    with i18n.context():
        try:
            return asyncio.run(_dispatch(args, settings, i18n))
        except KeyboardInterrupt:
            return 130
        except StartupError as error:
            print("nastavnik: " + i18n.gettext(error.key).format(**error.fields), file=sys.stderr)
            return 1


async def _dispatch(args: argparse.Namespace, settings: Settings, i18n: I18n) -> int:
    if args.command == "run":
        from service.polling import run_polling

        await run_polling(settings)
        return 0
    if args.command == "webhook" and settings.bot_token is None:  # a district on MAX alone
        from service.web.max_webhook import run_max_webhook

        await run_max_webhook(settings)
        return 0
    if args.command == "webhook":
        if settings.webhook_secret is None:
            print(i18n.gettext("production.cli.no_secret"), file=sys.stderr)
            return 2
        from service.web.server import run_webhook

        await run_webhook(settings)
        return 0
    engine = create_engine(settings.database_url, settings.db_pool)
    try:
        await check_database(engine)
        await upgrade(engine)
        if args.command == "migrate":
            print(i18n.gettext("cli.migrated"))
            return 0
        if args.command == "import-orgs":
            return await _import_orgs(args.file, engine, i18n)
        if args.command == "export":
            return await run_export(args, settings, engine, i18n)
        if args.command == "round":
            return await rounds_cli.run(args, engine, i18n)
        if args.command == "purge":
            return await run_purge(args, settings, engine, i18n)
        if args.command == "report":
            return await run_report(args, settings, engine, i18n)
        if args.command in ("outbox", "remind"):
            from service.cli.delivery import outbox_status, remind_once

            if args.command == "outbox":
                return await outbox_status(engine, i18n)
            return await remind_once(engine, settings, i18n)
        return await _invite(args, settings, engine, i18n)
    finally:
        await engine.dispose()


async def _import_orgs(path: Path, engine: object, i18n: I18n) -> int:
    _ = i18n.gettext
    try:
        parsed = parse_directory_file(path)
    except DirectoryFileError as error:
        columns = ", ".join(getattr(error, "columns", []) or [])
        text = _(f"directory.file.{error.code.value}").format(columns=columns, path=path)
        print(text, file=sys.stderr)
        return 1
    session_factory = create_session_factory(engine)  # type: ignore[arg-type]
    async with session_factory() as session, session.begin():
        created, updated = await DirectoryRepository(session).upsert(parsed.records)
    for problem in parsed.problems:
        print(
            _("directory.row_problem").format(
                row=problem.row,
                column=problem.column,
                problem=_(f"directory.problem.{problem.code.value}"),
                value=problem.value,
            ),
            file=sys.stderr,
        )
    print(
        _("directory.imported").format(
            created=created, updated=updated, skipped=len(parsed.problems)
        )
    )
    return 1 if parsed.problems else 0


async def _invite(args: argparse.Namespace, settings: Settings, engine: object, i18n: I18n) -> int:
    _ = i18n.gettext
    session_factory = create_session_factory(engine)  # type: ignore[arg-type]
    async with UnitOfWork(session_factory) as uow:
        directory = DirectoryRepository(uow.session)
        municipality_id = organization_id = None
        if args.region:  # a regional coordinator: the whole region
            pass
        elif args.municipality:
            municipality = await directory.municipality_by_code(args.municipality)
            if municipality is None:
                print(_("cli.unknown_municipality").format(code=args.municipality), file=sys.stderr)
                return 1
            municipality_id = municipality.id
        else:
            organization = await directory.organization_by_code(args.org)
            if organization is None:
                print(_("cli.unknown_organization").format(code=args.org), file=sys.stderr)
                return 1
            organization_id = organization.id
        uses = max(1, args.max_uses)
        terms = Terms(timedelta(days=args.days or settings.invite_ttl_days), uses, uses)
        try:
            invite = await Invitations(uow, OPERATOR).issue(
                Role(args.role), terms, municipality_id, organization_id
            )
        except OutOfScope:
            print(_("cli.invite_scope"), file=sys.stderr)
            return 1
    username = await _username(settings)
    print(_("cli.invite_code").format(code=invite.code))
    if username:
        print(deep_link(username, invite.code))
    else:
        print(_("cli.invite_no_username"), file=sys.stderr)
    if settings.max_bot_name:
        # The same code works in MAX: the bot answers in the messenger it was opened in.
        print(max_link(settings.max_bot_name, invite.code))
    return 0


async def _username(settings: Settings) -> str | None:
    """BOT_USERNAME when set; otherwise ask getMe, giving up quickly when offline."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if settings.bot_token is None:
        return None
    from bot.telegram.app import create_bot

    bot = create_bot(settings)
    try:
        me = await asyncio.wait_for(bot.me(), timeout=10)
        return me.username
    except (TelegramAPIError, ClientError, TimeoutError, OSError):
        return None
    finally:
        await bot.session.close()


if __name__ == "__main__":
    raise SystemExit(main())
