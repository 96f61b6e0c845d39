"""argparse in the operator's language, through its public API only: a formatter with the
usage prefix from the catalogue, explicit argument groups with translated titles (argparse's
own «options» and «positional arguments» groups stay empty, so they are not printed), an
explicit -h/--help, and `error()` that prints one translated line with the fix instead of
argparse's usage and English message."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any, NoReturn

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

# argparse's own messages (its documented behaviour since 3.2), turned into catalogue keys.
_ARGUMENT = re.compile(r"argument (?P<name>[^:]+): (?P<message>.*)", re.DOTALL)
_REQUIRED = re.compile(r"the following arguments are required: (?P<names>.+)")
_ONE_OF = re.compile(r"one of the arguments (?P<names>.+) is required")
_UNKNOWN = re.compile(r"unrecognized arguments: (?P<names>.+)")
_AMBIGUOUS = re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)")
_CHOICE = re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)")
_NUMBER = re.compile(r"invalid (?:int|float) value: (?P<value>.+)")
_TOGETHER = re.compile(r"not allowed with argument (?P<other>.+)")
_NEEDS_VALUE = re.compile(r"expected (?:one|at least one) argument")


def _unquote(text: str) -> str:
    return text.strip().strip("'\"")


def _listed(text: str) -> str:
    return ", ".join(_unquote(part) for part in text.split(","))


class Formatter(argparse.HelpFormatter):
    """argparse's formatter with the usage prefix in the operator's language."""

    usage_prefix = "usage: "

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, self.usage_prefix if prefix is None else prefix)


def _formatter_with(prefix: str) -> type[Formatter]:
    return type("TranslatedFormatter", (Formatter,), {"usage_prefix": prefix})


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose every word comes from the catalogue (texts taken from the
    I18n current when it is built: build it inside an i18n context)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        current = I18n.get_current()
        if current is None:
            raise RuntimeError("build the parser inside an i18n context (create_i18n().context())")
        self.i18n: I18n = current
        gettext = current.gettext
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _formatter_with(gettext("cli.help.usage")))
        super().__init__(*args, **kwargs)
        self.arguments = self.add_argument_group(gettext("cli.help.arguments"))
        self.options = self.add_argument_group(gettext("cli.help.options"))
        self.options.add_argument("-h", "--help", action="help", help=gettext("cli.help.help"))

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """Into the translated group: options to «параметры», the rest to «аргументы»."""
        optional = bool(args) and args[0][:1] in self.prefix_chars
        group = self.options if optional else self.arguments
        return group.add_argument(*args, **kwargs)

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return self.options.add_mutually_exclusive_group(**kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        gettext = self.i18n.gettext
        kwargs.setdefault("title", gettext("cli.help.commands"))
        kwargs.setdefault("metavar", gettext("cli.metavar.command"))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """One line in the operator's language with what to do; exit code 2, as argparse."""
        self.exit(2, f"{self.explain(message)}\n")

    def explain(self, message: str) -> str:
        gettext: Callable[[str], str] = self.i18n.gettext
        prog = self.prog
        match = _REQUIRED.fullmatch(message)
        if match:
            return gettext("cli.error.required").format(prog=prog, names=match["names"])
        match = _ONE_OF.fullmatch(message)
        if match:
            names = ", ".join(match["names"].split())
            return gettext("cli.error.one_of").format(prog=prog, names=names)
        match = _UNKNOWN.fullmatch(message)
        if match:
            return gettext("cli.error.unknown").format(prog=prog, names=match["names"])
        match = _AMBIGUOUS.fullmatch(message)
        if match:
            return gettext("cli.error.ambiguous").format(
                prog=prog, option=match["option"], matches=match["matches"]
            )
        match = _ARGUMENT.fullmatch(message)
        if match:
            return self._explain_argument(match["name"], match["message"], gettext)
        return gettext("cli.error.other").format(prog=prog, message=message)

    def _explain_argument(self, name: str, message: str, gettext: Callable[[str], str]) -> str:
        prog = self.prog
        name = name.split("/")[-1]  # "-h/--help" → "--help"
        match = _CHOICE.fullmatch(message)
        if match:
            choices = _listed(match["choices"])
            value = _unquote(match["value"])
            commands = (gettext("cli.metavar.command"), gettext("cli.metavar.action"))
            if name in commands:
                text = gettext("cli.error.command")
            else:
                text = gettext("cli.error.choice")
            return text.format(prog=prog, name=name, value=value, choices=choices)
        match = _NUMBER.fullmatch(message)
        if match:
            value = _unquote(match["value"])
            return gettext("cli.error.number").format(prog=prog, name=name, value=value)
        match = _TOGETHER.fullmatch(message)
        if match:
            other = match["other"].split("/")[-1]
            return gettext("cli.error.together").format(prog=prog, name=name, other=other)
        if _NEEDS_VALUE.fullmatch(message):
            return gettext("cli.error.value_needed").format(prog=prog, name=name)
        # A message of our own (a `type=` that says what is wrong in the catalogue's words).
        return gettext("cli.error.other").format(prog=prog, message=f"{name}: {message}")


def add_command_with_actions(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    about: str,
    actions_help: str,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """A command whose first argument is an action (`nastavnik round open …`); the action
    lands in `args.<name>_command`. Call inside an i18n context."""
    command = commands.add_parser(name, help=about, description=about)
    return command.add_subparsers(
        dest=f"{name}_command", required=True, metavar=_("cli.metavar.action"), help=actions_help
    )
