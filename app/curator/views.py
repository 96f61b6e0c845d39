"""How the curator's programme and pair screens look, whatever the messenger: lists, cards,
the steps of creating a programme, the pickers of forming a pair, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.curator.actions import (
    ChangeMember,
    ChooseForm,
    ChooseYear,
    MemberVerb,
    NewProgramme,
    OnPair,
    OnProgramme,
    PairVerb,
    Pick,
    PickStep,
    ProgrammeVerb,
)
from app.screens import Button, Label, Msg, Row, Screen, counted
from storage.models import Organization, Pair, PairMember, Person, Programme
from storage.repositories.programmes import ProgrammeCounts
from surveys.forms import mentoring_form, mentoring_forms
from surveys.statuses import PairStatus, ProgrammeStatus

LABEL_MAX = 60  # characters of a button's literal text (names, titles)
PAIR_ACTIONS = (PairVerb.ADD, PairVerb.REMOVE, PairVerb.COMPLETE, PairVerb.DISSOLVE)
PROGRAMME_ACTIONS = (
    ProgrammeVerb.EDIT,
    ProgrammeVerb.LINK_MENTOR,
    ProgrammeVerb.LINK_MENTEE,
    ProgrammeVerb.ROSTER,
    ProgrammeVerb.FORM_ROSTER,
    ProgrammeVerb.NEW_PAIR,
    ProgrammeVerb.PAIRS,
    ProgrammeVerb.COMPLETE,
)
EDITABLE = ("title", "starts_on", "ends_on")


def _short(text: str | None) -> str:
    return (text or "—")[:LABEL_MAX]


def _column(buttons: Sequence[Button]) -> tuple[Row, ...]:
    return tuple((button,) for button in buttons)


def _rows_of(buttons: Sequence[Button], width: int) -> tuple[Row, ...]:
    return tuple(tuple(buttons[at : at + width]) for at in range(0, len(buttons), width))


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


# --- programmes ------------------------------------------------------------------------


def programme_list(
    programmes: Sequence[Programme], verb: ProgrammeVerb = ProgrammeVerb.OPEN
) -> Screen:
    """Programmes to open (with a "new" button) or, for /pairs, to list the pairs of."""
    if not programmes:
        text = Msg("curator.programme.none")
    elif verb is ProgrammeVerb.OPEN:
        text = Msg("curator.programme.list")
    else:
        text = Msg("curator.pair.pick_programme")
    buttons = [
        Button(_short(f"{p.title} ({p.academic_year})"), OnProgramme(verb, p.id))
        for p in programmes
    ]
    if verb is ProgrammeVerb.OPEN:
        buttons.append(Button(Msg("curator.programme.new"), NewProgramme(0)))
    return Screen((text,), _column(buttons))


def organization_choice(organizations: Sequence[Organization]) -> Screen:
    buttons = [Button(_short(org.name), NewProgramme(org.id)) for org in organizations]
    return Screen.of("curator.programme.ask_organization", _column(buttons))


def form_choice(locale: str) -> Screen:
    buttons = [Button(form.label(locale), ChooseForm(form.key)) for form in mentoring_forms()]
    return Screen.of("curator.programme.ask_form", _column(buttons))


def year_choice(years: Sequence[str]) -> Screen:
    buttons = [Button(year, ChooseYear(year)) for year in years]
    return Screen.of("curator.programme.ask_year", _rows_of(buttons, 2))


def programme_card(programme: Programme, counts: ProgrammeCounts, locale: str) -> Screen:
    form = mentoring_form(programme.form)
    text = Msg(
        "curator.programme.card",
        {
            "title": programme.title,
            "form": form.label(locale) if form else programme.form,
            "year": programme.academic_year,
            "starts": _day(programme.starts_on),
            "ends": _day(programme.ends_on),
            "status": Msg(f"curator.programme.status.{programme.status}"),
            "roster": counts.roster,
            "registered": counts.registered,
            "pairs": counts.pairs,
        },
    )
    verbs = (
        PROGRAMME_ACTIONS
        if programme.status != ProgrammeStatus.COMPLETED
        else (ProgrammeVerb.PAIRS,)
    )
    buttons = [
        Button(Msg(f"curator.programme.button.{verb}"), OnProgramme(verb, programme.id))
        for verb in verbs
    ]
    return Screen((text,), _rows_of(buttons, 2))


def programme_fields(programme_id: int) -> Screen:
    buttons = [
        Button(
            Msg(f"curator.programme.edit.{field}"),
            OnProgramme(ProgrammeVerb(f"edit_{field}"), programme_id),
        )
        for field in EDITABLE
    ]
    return Screen.of("curator.programme.edit.ask", _column(buttons))


def programme_link(role: str, link: str, expires: date, uses: int) -> Screen:
    return Screen.of(
        "curator.programme.link",
        role=Msg(f"role.{role}"),
        link=link,
        expires=_day(expires),
        uses=counted("count.registrations_up_to", uses),
    )


def confirm_programme(programme: Programme) -> Screen:
    rows = (
        (
            Button(
                Msg("curator.confirm.yes"), OnProgramme(ProgrammeVerb.COMPLETE_YES, programme.id)
            ),
        ),
        (Button(Msg("curator.confirm.no"), OnProgramme(ProgrammeVerb.OPEN, programme.id)),),
    )
    return Screen.of("curator.programme.confirm_complete", rows, title=programme.title)


# --- pairs -------------------------------------------------------------------------------


def pair_list(pairs: Sequence[Pair]) -> Screen:
    buttons = [
        Button(
            Msg(
                "curator.pair.button",
                {"number": pair.number, "status": Msg(f"curator.pair.status.{pair.status}")},
            ),
            OnPair(PairVerb.OPEN, pair.id),
        )
        for pair in pairs
    ]
    text = Msg("curator.pair.list") if pairs else Msg("curator.pair.none")
    return Screen((text,), _rows_of(buttons, 2))


def pair_card(
    pair: Pair, programme: Programme, members: Sequence[tuple[PairMember, Person]]
) -> Screen:
    lines: list[Label] = [
        Msg(
            "curator.pair.card",
            {
                "number": pair.number,
                "programme": programme.title,
                "status": Msg(f"curator.pair.status.{pair.status}"),
            },
        )
    ]
    for member, person in members:
        name = person.full_name or Msg("curator.status.forgotten")
        lines.append(("• ", Msg(f"role.{member.role}"), ": ", name))
    buttons: list[Button] = []
    if pair.status == PairStatus.ACTIVE:
        buttons = [
            Button(Msg(f"curator.pair.button.{verb}"), OnPair(verb, pair.id))
            for verb in PAIR_ACTIONS
        ]
    return Screen(tuple(lines), _column(buttons))


def confirm_pair(pair: Pair) -> Screen:
    rows = (
        (Button(Msg("curator.confirm.yes"), OnPair(PairVerb.COMPLETE_YES, pair.id)),),
        (Button(Msg("curator.confirm.no"), OnPair(PairVerb.OPEN, pair.id)),),
    )
    return Screen.of("curator.pair.confirm_complete", rows, number=pair.number)


def member_choice(verb: MemberVerb, pair_id: int, people: Sequence[Person]) -> Screen:
    """One button per person to add to (or remove from) a pair."""
    buttons = [
        Button(_short(person.full_name), ChangeMember(verb, pair_id, person.id))
        for person in people
    ]
    return Screen.of(f"curator.pair.ask.{verb}", _column(buttons))


def people_choice(step: PickStep, people: Sequence[Person], chosen: frozenset[int]) -> Screen:
    """Mentor pick (one tap) or mentee toggles (✓ marks the chosen) with a Done button."""
    buttons = [
        Button(
            _short(("✓ " if person.id in chosen else "") + (person.full_name or "—")),
            Pick(step, person.id),
        )
        for person in people
    ]
    if step is PickStep.MENTEE:
        buttons.append(Button(Msg("curator.pair.form_done"), Pick(PickStep.DONE, 0)))
        key = "curator.pair.ask_mentees"
    else:
        key = "curator.pair.ask_mentor"
    return Screen.of(key, _column(buttons))
