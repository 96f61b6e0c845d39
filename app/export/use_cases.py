"""/export: choose the territory (when there is a choice), the period and what to build
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

from app.export.actions import ChooseKind, ChoosePeriod, ChooseRound, ChooseScope
from app.export.build import KINDS
from app.monitoring.rounds import keeps, round_period, round_scope, rounds_of_scope
from app.reply import Reply
from app.screens import Button, Msg, Screen, Text
from app.uow import UnitOfWork
from exports.period import Period, parse_range
from storage.repositories.export_scope import ExportScope, ExportScopeRepository
from storage.repositories.invites import ScopeDenied
from storage.repositories.rounds import RoundRepository, RoundRow
from surveys.access import Actor

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
    round_id: int | None = None  # a monitoring round's workbook (frozen once it closed)


def scope_label(scope: ExportScope) -> Text:
    return scope.title or Msg("export.scope_region")


class Export:
    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor
        self.scopes = ExportScopeRepository(uow.session)

    async def start(self, today: date) -> Reply:
        scopes = await self.scopes.choices(self.actor)
        if not scopes:
            return Reply((Screen.of("export.no_scope"),), step=None)
        if len(scopes) == 1:
            rounds = await rounds_of_scope(self.uow.session, self.actor, scopes[0])
            return Reply((periods(scopes[0], today, rounds),), step=None)
        rows = tuple((Button(scope_label(scope), ChooseScope(*_ids(scope))),) for scope in scopes)
        return Reply((Screen.of("export.choose_scope", rows),), step=None)

    async def scope_chosen(self, municipality: int, organization: int, today: date) -> Reply:
        scope = await self._resolve(municipality, organization)
        if scope is None:
            return Reply((Screen.of("export.denied"),), drop=True)
        rounds = await rounds_of_scope(self.uow.session, self.actor, scope)
        return Reply((periods(scope, today, rounds),), drop=True)

    async def round_chosen(self, round_id: int) -> Reply | Ready:
        """A round's workbook: its district (or the region) and period, for its keepers."""
        found = await RoundRepository(self.uow.session).get(round_id)
        if found is None or not keeps(self.actor, found.municipality_id):
            return Reply((Screen.of("export.denied"),), drop=True)
        return Ready(round_scope(found), round_period(found), round_id=found.id)

    async def period_chosen(self, municipality: int, organization: int, year: int) -> Reply:
        scope = await self._resolve(municipality, organization)
        if scope is None:
            return Reply((Screen.of("export.denied"),), drop=True)
        if year == 0:
            ids = {"municipality": municipality, "organization": organization}
            return Reply(
                (Screen.of("export.ask_range"),),
                drop=True,
                step=Step.DATES,
                restart=True,
                data=ids,
            )
        return Reply((kinds(scope, Period.academic_year(year)),), drop=True)

    async def kind_chosen(self, chosen: ChooseKind) -> Reply | Ready:
        scope = await self._resolve(chosen.municipality, chosen.organization)
        period = _period_of(chosen.start, chosen.end)
        if scope is None or period is None or chosen.kind not in KINDS:
            return Reply((Screen.of("export.denied"),), drop=True)
        return Ready(scope, period, KINDS[chosen.kind])

    async def dates_typed(self, typed: str, given: Mapping[str, Any]) -> Reply:
        period = parse_range(typed)
        if period is None:
            return Reply((Screen.of("export.bad_range"),))
        ids = int(given.get("municipality", 0)), int(given.get("organization", 0))
        scope = await self._resolve(*ids)
        if scope is None:  # the grant was withdrawn meanwhile
            return Reply((Screen.of("export.denied"),), step=None)
        return Reply((kinds(scope, period),), step=None)

    async def _resolve(self, municipality: int, organization: int) -> ExportScope | None:
        try:
            return await self.scopes.resolve(self.actor, municipality or None, organization or None)
        except ScopeDenied:
            return None


def periods(scope: ExportScope, today: date, rounds: Sequence[RoundRow] = ()) -> Screen:
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
                ChoosePeriod(municipality, organization, first),
            ),
        )
        for first in range(current, current - YEARS_OFFERED, -1)
    )
    rows += ((Button(Msg("export.range_button"), ChoosePeriod(municipality, organization, 0)),),)
    return Screen((Msg("export.choose_period", {"scope": scope_label(scope)}),), rows)


def kinds(scope: ExportScope, period: Period) -> Screen:
    municipality, organization = _ids(scope)
    start, end = _day_number(period.start), _day_number(period.end)
    rows = tuple(
        (
            Button(
                Msg(f"report.kind.{kind}"),
                ChooseKind(municipality, organization, start, end, kind),
            ),
        )
        for kind in KINDS
    )
    question = {"scope": scope_label(scope), "period": period.label()}
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
