"""`nastavnik purge [--dry-run]`: erase the personal data of programmes completed longer ago
than the retention period (RETENTION_DAYS); the running bot does it by itself every hour."""

from __future__ import annotations

import argparse
from datetime import timedelta

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncEngine

from app.privacy.retention import purge
from app.settings import Settings
from storage.db import create_session_factory


def add_purge_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Help texts come from the catalogue: call inside an i18n context."""
    about = _("cli.help.purge")
    command = commands.add_parser("purge", help=about, description=about)
    command.add_argument("--dry-run", action="store_true", help=_("cli.help.purge.dry_run"))


async def run_purge(
    args: argparse.Namespace, settings: Settings, engine: AsyncEngine, i18n: I18n
) -> int:
    _ = i18n.gettext
    days = settings.retention_days
    programmes = await purge(
        create_session_factory(engine), timedelta(days=days), dry_run=args.dry_run
    )
    if not programmes:
        print(_("cli.purge.nothing").format(days=days))
        return 0
    heading = _("cli.purge.would") if args.dry_run else _("cli.purge.done")
    print(heading.format(days=days))
    for programme in programmes:
        print(
            _("cli.purge.programme").format(
                title=programme.title,
                organization=programme.organization,
                completed=f"{programme.completed_at:%d.%m.%Y}",
                names=programme.roster_names,
                texts=programme.free_text,
            )
        )
    print(
        _("cli.purge.total").format(
            programmes=len(programmes),
            names=sum(programme.roster_names for programme in programmes),
            texts=sum(programme.free_text for programme in programmes),
        )
    )
    return 0
