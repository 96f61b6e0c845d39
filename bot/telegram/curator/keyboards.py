"""Keyboards of the curator screens. Labels from the catalogue, payloads from
bot.telegram.curator.callbacks."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram.curator.callbacks import (
    FormCb,
    MemberCb,
    NewProgrammeCb,
    PairCb,
    PickCb,
    ProgrammeCb,
    YearCb,
)
from storage.models import Pair, Person, Programme
from surveys.forms import mentoring_forms
from surveys.statuses import PairStatus, ProgrammeStatus

LABEL_MAX = 60
PAIR_ACTIONS = ("add", "remove", "complete", "dissolve")
PROGRAMME_ACTIONS = (
    "edit",
    "link_mentor",
    "link_mentee",
    "roster",
    "form_roster",
    "new_pair",
    "pairs",
    "complete",
)


def programme_list(programmes: Sequence[Programme], action: str = "open") -> InlineKeyboardMarkup:
    """Programmes to open (with a "new" button) or, for /pairs, to list the pairs of."""
    builder = InlineKeyboardBuilder()
    for programme in programmes:
        label = f"{programme.title} ({programme.academic_year})"[:LABEL_MAX]
        builder.button(text=label, callback_data=ProgrammeCb(action=action, programme=programme.id))
    if action == "open":
        builder.button(
            text=_("curator.programme.new"), callback_data=NewProgrammeCb(organization=0)
        )
    builder.adjust(1)
    return builder.as_markup()


def organizations(choices: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for org_id, name in choices:
        builder.button(text=name[:LABEL_MAX], callback_data=NewProgrammeCb(organization=org_id))
    builder.adjust(1)
    return builder.as_markup()


def forms(locale: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for form in mentoring_forms():
        builder.button(text=form.label(locale), callback_data=FormCb(form=form.key))
    builder.adjust(1)
    return builder.as_markup()


def years(choices: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for year in choices:
        builder.button(text=year, callback_data=YearCb(year=year))
    builder.adjust(2)
    return builder.as_markup()


def programme_actions(programme: Programme) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    actions = PROGRAMME_ACTIONS if programme.status != ProgrammeStatus.COMPLETED else ("pairs",)
    for action in actions:
        builder.button(
            text=_(f"curator.programme.button.{action}"),
            callback_data=ProgrammeCb(action=action, programme=programme.id),
        )
    builder.adjust(2)
    return builder.as_markup()


EDITABLE = ("title", "starts_on", "ends_on")


def programme_fields(programme_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for field in EDITABLE:
        builder.button(
            text=_(f"curator.programme.edit.{field}"),
            callback_data=ProgrammeCb(action=f"edit_{field}", programme=programme_id),
        )
    builder.adjust(1)
    return builder.as_markup()


def confirm_programme(programme_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("curator.confirm.yes"),
        callback_data=ProgrammeCb(action="complete_yes", programme=programme_id),
    )
    builder.button(
        text=_("curator.confirm.no"),
        callback_data=ProgrammeCb(action="open", programme=programme_id),
    )
    builder.adjust(1)
    return builder.as_markup()


def pair_list(pairs: Sequence[Pair]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for pair in pairs:
        label = _("curator.pair.button").format(
            number=pair.number, status=_(f"curator.pair.status.{pair.status}")
        )
        builder.button(text=label, callback_data=PairCb(action="open", pair=pair.id))
    builder.adjust(2)
    return builder.as_markup()


def pair_actions(pair: Pair) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if pair.status == PairStatus.ACTIVE:
        for action in PAIR_ACTIONS:
            builder.button(
                text=_(f"curator.pair.button.{action}"),
                callback_data=PairCb(action=action, pair=pair.id),
            )
    builder.adjust(1)
    return builder.as_markup()


def confirm_pair(pair_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("curator.confirm.yes"), callback_data=PairCb(action="complete_yes", pair=pair_id)
    )
    builder.button(text=_("curator.confirm.no"), callback_data=PairCb(action="open", pair=pair_id))
    builder.adjust(1)
    return builder.as_markup()


def members(action: str, pair_id: int, persons: Sequence[Person]) -> InlineKeyboardMarkup:
    """One button per person to add to (or remove from) a pair."""
    builder = InlineKeyboardBuilder()
    for person in persons:
        builder.button(
            text=(person.full_name or "—")[:LABEL_MAX],
            callback_data=MemberCb(action=action, pair=pair_id, person=person.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def people(step: str, persons: Sequence[Person], chosen: frozenset[int]) -> InlineKeyboardMarkup:
    """Mentor pick (one tap) or mentee toggles (✓ marks the chosen) with a Done button."""
    builder = InlineKeyboardBuilder()
    for person in persons:
        mark = "✓ " if person.id in chosen else ""
        builder.button(
            text=(mark + (person.full_name or "—"))[:LABEL_MAX],
            callback_data=PickCb(step=step, person=person.id),
        )
    if step == "mentee":
        builder.button(
            text=_("curator.pair.form_done"), callback_data=PickCb(step="done", person=0)
        )
    builder.adjust(1)
    return builder.as_markup()
