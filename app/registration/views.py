"""How registration, invitations and the person's menu look, whatever the messenger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.registration.actions import (
    ChooseCategory,
    ChooseGrade,
    GiveConsent,
    GuardianConsent,
    InviteInto,
    InvitePage,
    InviteRole,
    SayAdult,
)
from app.screens import Button, Label, Msg, Row, Screen, Text
from surveys.people import MAX_GRADE, MIN_GRADE, Category, Role

LABEL_MAX = 60  # characters of a button's literal text (a school's name)
GRADES_PER_ROW = 6


def role_name(role: Role) -> Msg:
    return Msg(f"role.{role.value}")


def lines(items: Sequence[Label]) -> Label:
    """Labels one under another, as one label (a parameter of a longer text)."""
    parts: list[Text] = []
    for index, item in enumerate(items):
        if index:
            parts.append("\n")
        parts.extend(item if isinstance(item, tuple) else (item,))
    return tuple(parts)


def roles(is_admin: bool, places: Sequence[tuple[Role, Text]]) -> Label:
    """One line per role: «• куратор — МБОУ СОШ № 1»."""
    items: list[Label] = [("• ", role_name(Role.ADMIN))] if is_admin else []
    items.extend(("• ", role_name(role), " — ", place) for role, place in places)
    return lines(items) if items else Msg("roles.none")


def commands(names: Sequence[str]) -> Label:
    """«/survey — ответить на анкету», one line per command."""
    return lines([(f"/{name}", " — ", Msg(f"command.{name}")) for name in names])


# --- registration ----------------------------------------------------------------------


def _column(*buttons: Button) -> tuple[Row, ...]:
    return tuple((button,) for button in buttons)


def consent(role: Role, place: Text) -> Screen:
    return Screen.of(
        "consent.text",
        _column(
            Button(Msg("consent.agree"), GiveConsent(agree=True)),
            Button(Msg("consent.decline"), GiveConsent(agree=False)),
        ),
        role=role_name(role),
        place=place,
    )


def categories() -> Screen:
    return Screen.of(
        "register.ask_category",
        _column(*(Button(Msg(f"category.{c.value}"), ChooseCategory(c.value)) for c in Category)),
    )


def grades() -> Screen:
    buttons = [Button(str(grade), ChooseGrade(grade)) for grade in range(MIN_GRADE, MAX_GRADE + 1)]
    rows = tuple(
        tuple(buttons[at : at + GRADES_PER_ROW]) for at in range(0, len(buttons), GRADES_PER_ROW)
    )
    return Screen.of("register.ask_grade", rows)


def adult() -> Screen:
    return Screen.of(
        "register.ask_adult",
        (
            (
                Button(Msg("register.adult_yes"), SayAdult(adult=True)),
                Button(Msg("register.adult_no"), SayAdult(adult=False)),
            ),
        ),
    )


def guardian() -> Screen:
    return Screen.of(
        "register.ask_guardian",
        _column(
            Button(Msg("register.guardian_yes"), GuardianConsent(given=True)),
            Button(Msg("register.guardian_no"), GuardianConsent(given=False)),
        ),
    )


def registered(name: str, roles: Label) -> Screen:
    return Screen.of("register.done", name=name, roles=roles)


def role_added(roles: Label) -> Screen:
    return Screen.of("invite.role_added", roles=roles)


# --- the person's menu -----------------------------------------------------------------


def menu(name: str, roles: Label, commands: Label) -> Screen:
    return Screen.of("start.menu", name=name, roles=roles, commands=commands)


def help_screen(registered: bool, command_lines: Label) -> Screen:
    intro = Msg("help.registered") if registered else Msg("help.stranger")
    return Screen((intro, "", command_lines))


# --- invitations -----------------------------------------------------------------------


def invite_roles(roles: Sequence[Role]) -> Screen:
    return Screen.of(
        "invite.ask_role", _column(*(Button(role_name(r), InviteRole(r.value)) for r in roles))
    )


def invite_targets(
    role: Role, targets: Sequence[tuple[int, str]], page: int, total: int, page_size: int
) -> Screen:
    """One button per municipality or organization, with paging for long lists."""
    rows: list[Row] = [
        (Button(name[:LABEL_MAX], InviteInto(role.value, target)),) for target, name in targets
    ]
    navigation: list[Button] = []
    if page > 0:
        navigation.append(Button(Msg("paging.previous"), InvitePage(role.value, page - 1)))
    if (page + 1) * page_size < total:
        navigation.append(Button(Msg("paging.next"), InvitePage(role.value, page + 1)))
    if navigation:
        rows.append(tuple(navigation))
    if role is Role.METHODIST:
        return Screen.of("invite.ask_municipality", tuple(rows))
    return Screen.of("invite.ask_organization", tuple(rows))


def invite_created(
    role: Role, place: Text, link: str, expires_at: datetime, max_uses: int
) -> Screen:
    return Screen.of(
        "invite.created",
        role=role_name(role),
        place=place,
        link=link,
        expires=expires_at.strftime("%d.%m.%Y"),
        uses=max_uses,
    )
