"""`nastavnik surveys check|list`: questionnaire files need no bot token or database."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from aiogram.utils.i18n import gettext

from bot.i18n import create_i18n
from service.cli.parser import add_command_with_actions
from surveys.questionnaire import TEMPLATES_DIR, check_paths, load_catalogue


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Help texts come from the catalogue: call inside an i18n context."""
    actions = add_command_with_actions(
        commands, "surveys", gettext("cli.help.surveys"), gettext("cli.help.command")
    )
    about = gettext("cli.help.surveys.check")
    check = actions.add_parser("check", help=about, description=about)
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar=gettext("cli.metavar.path"),
        help=gettext("cli.help.surveys.check.paths"),
    )
    about = gettext("cli.help.surveys.list")
    actions.add_parser("list", help=about, description=about)


def run(args: argparse.Namespace) -> int:
    # The operator's language for CLI texts; no settings needed to check files.
    i18n = create_i18n(os.environ.get("DEFAULT_LOCALE", "ru"))
    _ = i18n.gettext
    with i18n.context():
        if args.surveys_command == "check":
            paths = args.paths or [TEMPLATES_DIR]
            errors = check_paths(paths)
            for error in errors:
                print(error, file=sys.stderr)
            if errors:
                print(_("survey.cli.check_failed").format(count=len(errors)), file=sys.stderr)
                return 1
            count = sum(len(list(p.glob("*.y*ml"))) if p.is_dir() else 1 for p in paths)
            print(_("survey.cli.check_ok").format(count=count))
            return 0
        print(_("survey.cli.list_header"))
        for questionnaire in load_catalogue().all():
            print(
                _("survey.cli.list_row").format(
                    key=questionnaire.key,
                    version=questionnaire.version,
                    form=questionnaire.form,
                    role=questionnaire.role.value,
                    moment=questionnaire.moment.value,
                    count=len(questionnaire.questions),
                )
            )
        return 0
