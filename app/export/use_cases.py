"""/export: choose the territory (when there is a choice), codes or names for the register
(asked only where names may be given: app.policy.register_allowed), the period and what to build
(the workbook, the «аналитическая справка» or both); then the edge builds the files in the
background (app/export/build.py) and sends them.

Every press is checked against the actor's scope again (a grant withdrawn meanwhile, a
forged button): a refusal, never a workbook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app import policy
from app.export.actions import ChooseKind, ChooseNames, ChoosePeriod, ChooseRound, ChooseScope
from app.export.build import KINDS
from app.export.plan import register_for
from app.monitoring.rounds import keeps, round_period, round_scope, rounds_of_scope
from app.reply import Reply
from app.screens import Button, Msg, Screen, Text
from app.uow import UnitOfWork
from exports.period import Period, parse_range
from exports.workbook import Register
from storage.repositories.export_scope import ExportScope
from storage.repositories.rounds import RoundRepository, RoundRow
from surveys.access import Actor
from surveys.errors import OutOfScope, Refused

YEARS_OFFERED = 3  # the current academic year and the two before it


class Step(StrEnum):
    """The conversation step, named as conversations in progress have it in the store."""

    DATES = "ExportStates:dates"  # waiting for typed dates


@dataclass(frozen=True)
class Ready:
    """What to build: the edge starts the job."""

    scope: ExportScope
    period: Period
    kinds: tuple[str, ...] = ("workbook",)
    register: Register = Register.NONE
    round_id: int | None = None  # a monitoring round's workbook (frozen once it closed)


def scope_label(scope: ExportScope) -> Text:
    return scope.title or Msg("export.scope_region")


class Export:
    def __init__(self, uow: UnitOfWork, actor: Actor, beyond_school: bool = False) -> None:
        self.uow = uow
        self.actor = actor
        self.beyond_school = beyond_school  # EXPORT_REGISTER_BEYOND_SCHOOL

    async def start(self, today: date) -> Reply:
        scopes = await policy.export_choices(self.uow.session, self.actor)
        if not scopes:
            return Reply((Screen.of("export.no_scope"),), step=None)
        if len(scopes) == 1:
            return Reply((await self._after_scope(scopes[0], today),), step=None)
        rows = tuple((Button(scope_label(scope), ChooseScope(*_ids(scope))),) for scope in scopes)
        return Reply((Screen.of("export.choose_scope", rows),), step=None)

    async def scope_chosen(self, municipality: int, organization: int, today: date) -> Reply:
        scope = await self._resolve(municipality, organization)
        if scope is None:
            return Reply((Screen.of("export.denied"),), drop=True)
        return Reply((await self._after_scope(scope, today),), drop=True)

    async def round_chosen(self, round_id: int, kind: str = "") -> Reply | Ready:
        """A round's workbook and/or справка (asked first): its district (or the region)
        and period, for its keepers; the register as the privacy rules give it without
        names."""
        found = await RoundRepository(self.uow.session).get(round_id)
        if found is None or not keeps(self.actor, found.municipality_id):
            return Reply((Screen.of("export.denied"),), drop=True)
        scope = round_scope(found)
        if not kind:
            return Reply((round_kinds(found),), drop=True)
        if kind not in KINDS:
            return Reply((Screen.of("export.denied"),), drop=True)
        register = self._register(scope, False) or Register.NONE
        return Ready(scope, round_period(found), KINDS[kind], register, round_id=found.id)

    async def names_chosen(
        self, municipality: int, organization: int, names: bool, today: date
    ) -> Reply:
        scope = await self._allowed(municipality, organization, names)
        if isinstance(scope, str):
            return Reply((Screen.of(scope),), drop=True)
        return Reply((periods(scope, today, names),), drop=True)

    async def period_chosen(
        self, municipality: int, organization: int, year: int, names: bool = False
    ) -> Reply:
        scope = await self._allowed(municipality, organization, names)
        if isinstance(scope, str):
            return Reply((Screen.of(scope),), drop=True)
        if year == 0:
            ids = {"municipality": municipality, "organization": organization, "names": names}
            return Reply(
                (Screen.of("export.ask_range"),),
                drop=True,
                step=Step.DATES,
                restart=True,
                data=ids,
            )
        return Reply((kinds(scope, Period.academic_year(year), names),), drop=True)

    async def kind_chosen(self, chosen: ChooseKind) -> Reply | Ready:
        scope = await self._resolve(chosen.municipality, chosen.organization)
        period = _period_of(chosen.start, chosen.end)
        if scope is None or period is None or chosen.kind not in KINDS:
            return Reply((Screen.of("export.denied"),), drop=True)
        register = self._register(scope, chosen.names)
        if register is None:
            return Reply((Screen.of("export.names_denied"),), drop=True)
        return Ready(scope, period, KINDS[chosen.kind], register)

    async def dates_typed(self, typed: str, given: Mapping[str, Any]) -> Reply:
        period = parse_range(typed)
        if period is None:
            return Reply((Screen.of("export.bad_range"),))
        ids = int(given.get("municipality", 0)), int(given.get("organization", 0))
        names = bool(given.get("names"))
        scope = await self._allowed(*ids, names)
        if isinstance(scope, str):  # the grant was withdrawn meanwhile
            return Reply((Screen.of(scope),), step=None)
        return Reply((kinds(scope, period, names),), step=None)

    async def _allowed(
        self, municipality: int, organization: int, names: bool
    ) -> ExportScope | str:
        """The territory, if the actor may have it (with names, if they asked for them);
        otherwise the key of the refusal."""
        scope = await self._resolve(municipality, organization)
        if scope is None:
            return "export.denied"
        if self._register(scope, names) is None:
            return "export.names_denied"
        return scope

    async def _after_scope(self, scope: ExportScope, today: date) -> Screen:
        """The register's names are asked about only where they may be given; a round's
        keeper is offered that scope's rounds with the periods."""
        if policy.register_allowed(self.actor, scope, self.beyond_school):
            return names_choice(scope)
        rounds = await rounds_of_scope(self.uow.session, self.actor, scope)
        return periods(scope, today, False, rounds)

    def _register(self, scope: ExportScope, names: bool) -> Register | None:
        try:
            return register_for(self.actor, scope, names, self.beyond_school)
        except Refused:
            return None

    async def _resolve(self, municipality: int, organization: int) -> ExportScope | None:
        try:
            return await policy.export_scope(
                self.uow.session, self.actor, municipality or None, organization or None
            )
        except OutOfScope:
            return None


def names_choice(scope: ExportScope) -> Screen:
    municipality, organization = _ids(scope)
    rows = (
        (Button(Msg("export.register.anonymous"), ChooseNames(municipality, organization, False)),),
        (Button(Msg("export.register.names"), ChooseNames(municipality, organization, True)),),
    )
    return Screen((Msg("export.register.ask", {"scope": scope_label(scope)}),), rows)


def periods(
    scope: ExportScope, today: date, names: bool, rounds: Sequence[RoundRow] = ()
) -> Screen:
    """The academic years and free dates; for a round's keeper, that scope's rounds first."""
    municipality, organization = _ids(scope)
    current = Period.current_academic_year(today).start.year
    rows: tuple[tuple[Button, ...], ...] = tuple(
        (Button(round_label(found), ChooseRound(found.id)),) for found in rounds
    )
    rows += tuple(
        (
            Button(
                Msg("export.year_button", {"year": f"{first}/{first + 1}"}),
                ChoosePeriod(municipality, organization, first, names),
            ),
        )
        for first in range(current, current - YEARS_OFFERED, -1)
    )
    other = ChoosePeriod(municipality, organization, 0, names)
    rows += ((Button(Msg("export.range_button"), other),),)
    return Screen((Msg("export.choose_period", {"scope": scope_label(scope)}),), rows)


def kinds(scope: ExportScope, period: Period, names: bool) -> Screen:
    municipality, organization = _ids(scope)
    start, end = _day_number(period.start), _day_number(period.end)
    rows = tuple(
        (
            Button(
                Msg(f"report.kind.{kind}"),
                ChooseKind(municipality, organization, start, end, kind, names),
            ),
        )
        for kind in KINDS
    )
    question = {"scope": scope_label(scope), "period": period.label()}
    return Screen((Msg("report.choose_kind", question),), rows)


def round_kinds(found: RoundRow) -> Screen:
    """What to build of a round: its workbook, its справка or both."""
    rows = tuple(
        (Button(Msg(f"report.kind.{kind}"), ChooseRound(found.id, kind)),) for kind in KINDS
    )
    scope = round_scope(found)
    question = {"scope": scope_label(scope), "period": round_label(found)}
    return Screen((Msg("report.choose_kind", question),), rows)


def _day_number(day: date) -> int:
    return int(f"{day:%Y%m%d}")


def _period_of(start: int, end: int) -> Period | None:
    """The period a kind button carries; None for a payload no screen of ours made."""
    try:
        first = datetime.strptime(str(start), "%Y%m%d").date()
        last = datetime.strptime(str(end), "%Y%m%d").date()
    except ValueError:
        return None
    return Period(first, last) if first <= last else None


def _ids(scope: ExportScope) -> tuple[int, int]:
    return scope.municipality_id or 0, scope.organization_id or 0


def round_label(found: RoundRow) -> Msg:
    return Msg(
        "rounds.export_button",
        {
            "id": found.id,
            "kind": Msg(f"rounds.kind.{found.kind.value}"),
            "start": f"{found.period_start:%d.%m.%Y}",
            "end": f"{found.period_end:%d.%m.%Y}",
            "status": Msg(f"rounds.status.{found.status.value}"),
        },
    )
