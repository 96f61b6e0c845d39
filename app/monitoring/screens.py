"""/rounds for a round's keepers (a district's methodist, the region's coordinator, an
administrator): the rounds with their buttons, opening one step by step (kind and district
by buttons, period and deadline typed), closing one, reminding, sending the check-in.
And what a curator sees of the rounds in /status: what is still missing for their school.

Screens are plain data (app/screens.py), so the Telegram and MAX edges draw the same ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from app.curator.questionnaires import Notices
from app.monitoring.actions import (
    ChooseRoundKind,
    ChooseRoundScope,
    OnRound,
    RoundVerb,
    SendCheckins,
    StartRound,
)
from app.monitoring.outreach import remind_round, round_checkins, school_checkins
from app.monitoring.rounds import NewRound, close_round, open_round, rounds_in_view, zone
from app.reply import Reply, stale
from app.screens import Button, Msg, Row, Screen
from app.uow import UnitOfWork
from exports.period import parse_day, parse_range
from storage.models import utcnow
from storage.repositories.directory import DirectoryRepository
from storage.repositories.rounds import RoundRepository, RoundRow
from surveys.access import Actor
from surveys.errors import OutOfScope
from surveys.people import Role
from surveys.questionnaire import Catalogue
from surveys.rounds import ROUND_MOMENTS, RoundKind, deadline_day


class RoundStep(StrEnum):
    """The typed steps of opening a round (names kept in the conversation store)."""

    PERIOD = "RoundStep:period"
    DEADLINE = "RoundStep:deadline"


SHOWN = 10  # the newest rounds; older ones are in the CLI's list and their exports
LABEL_MAX = 60


def describe(found: RoundRow, where: str | None = None) -> Msg:
    """«Годовой мониторинг, Павлоградский район, 01.09.2026–31.08.2027, срок 31.05.2027»,
    the deadline day as the schools of `where` (a time zone) count it."""
    day = deadline_day(found.deadline, zone(where or found.timezone))
    return Msg(
        "rounds.describe",
        {
            "id": found.id,
            "kind": Msg(f"rounds.kind.{found.kind.value}"),
            "scope": found.municipality_name or Msg("rounds.region"),
            "start": f"{found.period_start:%d.%m.%Y}",
            "end": f"{found.period_end:%d.%m.%Y}",
            "deadline": f"{day:%d.%m.%Y}",
            "status": Msg(f"rounds.status.{found.status.value}"),
        },
    )


@dataclass(frozen=True)
class Outreach:
    """What sending needs from the edge: the questionnaires, the channel's outbox port and
    how many days a curator's check-in stays open."""

    catalogue: Catalogue
    notices: Notices
    checkin_days: int


RoundPress = StartRound | ChooseRoundKind | ChooseRoundScope | OnRound | SendCheckins


class Rounds:
    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor
        self.rounds = RoundRepository(uow.session)

    # --- the list --------------------------------------------------------------------------

    async def overview(self) -> Reply:
        listed = await rounds_in_view(self.uow.session, self.actor, limit=SHOWN)
        mine = [found for found in listed if self._keeps(found)]
        screens = [self._card(found) for found in mine]
        start = Screen(
            (Msg("rounds.none") if not mine else Msg("rounds.intro"),),
            ((Button(Msg("rounds.button.open"), StartRound()),),),
        )
        return Reply((*screens, start), step=None)

    def _keeps(self, found: RoundRow) -> bool:
        if found.municipality_id is None:
            return self.actor.covers_region
        return self.actor.covers_municipality(found.municipality_id)

    def _card(self, found: RoundRow) -> Screen:
        rows: tuple[Row, ...] = ()
        if found.is_open:
            rows = (
                (
                    Button(Msg("rounds.button.remind"), OnRound(RoundVerb.REMIND, found.id)),
                    Button(Msg("rounds.button.checkin"), OnRound(RoundVerb.CHECKIN, found.id)),
                ),
                (Button(Msg("rounds.button.close"), OnRound(RoundVerb.CLOSE, found.id)),),
            )
        return Screen((describe(found),), rows)

    # --- opening, step by step ------------------------------------------------------------

    def start(self) -> Reply:
        if not self._may_open_any():
            raise OutOfScope()
        rows = tuple(
            (Button(Msg(f"rounds.kind.{kind.value}"), ChooseRoundKind(kind.value)),)
            for kind in RoundKind
        )
        return Reply((Screen((Msg("rounds.ask_kind"),), rows),), drop=True)

    def _may_open_any(self) -> bool:
        return self.actor.covers_region or bool(self.actor.municipalities(Role.METHODIST))

    async def choose_kind(self, kind: str) -> Reply:
        if kind not in set(RoundKind):
            return stale()
        if not self._may_open_any():
            raise OutOfScope()
        choices: list[tuple[int, Msg | str]] = []
        if self.actor.covers_region:
            choices.append((0, Msg("rounds.region")))
            districts = await DirectoryRepository(self.uow.session).municipalities()
        else:
            ids = sorted(self.actor.municipalities(Role.METHODIST))
            directory = DirectoryRepository(self.uow.session)
            districts = [d for d in [await directory.municipality(i) for i in ids] if d]
        choices += [(district.id, district.name[:LABEL_MAX]) for district in districts]
        if len(choices) == 1:
            return self.choose_scope(kind, choices[0][0])
        rows = tuple((Button(label, ChooseRoundScope(kind, key)),) for key, label in choices)
        return Reply((Screen((Msg("rounds.ask_scope"),), rows),), drop=True)

    def choose_scope(self, kind: str, municipality: int) -> Reply:
        if kind not in set(RoundKind):
            return stale()
        if municipality == 0 and not self.actor.covers_region:
            raise OutOfScope()
        if municipality and not self.actor.covers_municipality(municipality):
            raise OutOfScope()
        return Reply(
            (Screen.of("rounds.ask_period"),),
            drop=True,
            step=RoundStep.PERIOD,
            restart=True,
            data={"kind": kind, "municipality": municipality},
        )

    def give_period(self, typed: str) -> Reply:
        period = parse_range(typed)
        if period is None:
            return Reply((Screen.of("rounds.bad_period"),))
        return Reply(
            (Screen.of("rounds.ask_deadline"),),
            step=RoundStep.DEADLINE,
            data={"start": period.start.isoformat(), "end": period.end.isoformat()},
        )

    async def give_deadline(self, typed: str, data: Mapping[str, Any]) -> Reply:
        day = parse_day(typed)
        if day is None:
            return Reply((Screen.of("rounds.bad_deadline"),))
        try:
            new = NewRound(
                RoundKind(str(data["kind"])),
                int(data["municipality"]) or None,
                date.fromisoformat(str(data["start"])),
                date.fromisoformat(str(data["end"])),
                day,
            )
        except (KeyError, ValueError):
            return Reply((Screen.of("fallback.stale_button"),), step=None)
        opened = await open_round(self.uow, self.actor, new, utcnow())
        return Reply(
            (Screen((Msg("rounds.opened"), describe(opened))), self._card(opened)), step=None
        )

    # --- one round ---------------------------------------------------------------------------

    async def press(self, action: RoundPress, outreach: Outreach) -> Reply:
        """A /rounds button, or the check-in button of a curator's /status: the step it
        takes (`outreach` for the ones that send questionnaires or reminders)."""
        match action:
            case StartRound():
                return self.start()
            case ChooseRoundKind(kind):
                return await self.choose_kind(kind)
            case ChooseRoundScope(kind, municipality):
                return self.choose_scope(kind, municipality)
            case OnRound(RoundVerb.CLOSE, round_id):
                return await self.ask_close(round_id)
            case OnRound(RoundVerb.CLOSE_YES, round_id):
                return await self.close(round_id)
            case OnRound(RoundVerb.REMIND, round_id):
                return await self.remind(round_id, outreach.notices)
            case OnRound(RoundVerb.CHECKIN, round_id):
                return await self.ask_checkin(round_id)
            case OnRound(_, round_id):
                return await self.checkin(round_id, outreach)
            case SendCheckins(organization, confirmed):
                return await self.school_checkin(organization, confirmed, outreach)

    async def typed(self, step: str | None, typed: str, data: Mapping[str, Any]) -> Reply:
        """A new round's period or deadline, typed at `step`."""
        if step == RoundStep.PERIOD:
            return self.give_period(typed)
        return await self.give_deadline(typed, data)

    async def ask_close(self, round_id: int) -> Reply:
        found = await self._kept(round_id)
        confirm = Button(Msg("rounds.button.close_yes"), OnRound(RoundVerb.CLOSE_YES, found.id))
        return Reply((Screen((Msg("rounds.ask_close"), describe(found)), ((confirm,),)),))

    async def close(self, round_id: int) -> Reply:
        closed = await close_round(self.uow, self.actor, round_id, utcnow())
        return Reply((Screen((Msg("rounds.closed"), describe(closed))),), drop=True)

    async def remind(self, round_id: int, notices: Notices) -> Reply:
        occasion = f"manual:{utcnow():%Y-%m-%dT%H}"  # one press an hour reminds
        sent = await remind_round(self.uow, self.actor, round_id, notices, occasion, utcnow())
        said = Msg("rounds.reminded", {"waiting": sent.pairs, "queued": sent.queued})
        return Reply((Screen((said,)),))

    async def ask_checkin(self, round_id: int) -> Reply:
        found = await self._kept(round_id)
        pairs = len(await self.rounds.active_pairs(found))
        confirm = Button(Msg("rounds.button.checkin_yes"), OnRound(RoundVerb.CHECKIN_YES, found.id))
        said = Msg("rounds.ask_checkin", {"round": describe(found), "pairs": pairs})
        return Reply((Screen((said,), ((confirm,),) if pairs else ()),))

    async def checkin(self, round_id: int, outreach: Outreach) -> Reply:
        sent = await round_checkins(
            self.uow, self.actor, round_id, outreach.catalogue, outreach.notices, utcnow()
        )
        said = Msg("rounds.checkin_sent", {"pairs": sent.pairs, "queued": sent.queued})
        return Reply((Screen((said,)),), drop=True)

    async def _kept(self, round_id: int) -> RoundRow:
        found = await self.rounds.get(round_id)
        if found is None or not self._keeps(found):
            raise OutOfScope()
        return found

    # --- a curator's view ------------------------------------------------------------------

    async def for_school(self, organization_id: int, name: str, where: str) -> Screen | None:
        """The open rounds a school answers to and what is still missing; None when no
        round is open."""
        listed = await rounds_in_view(self.uow.session, self.actor)
        district = await DirectoryRepository(self.uow.session).organization(organization_id)
        lines: list[Msg | str] = [Msg("rounds.school.title", {"school": name})]
        for found in listed:
            if not found.is_open or district is None:
                continue
            if found.municipality_id not in (None, district.municipality_id):
                continue
            moments = [moment.value for moment in ROUND_MOMENTS[found.kind]]
            progress = await self.rounds.school_progress(found, organization_id, moments)
            lines.append(describe(found, where))
            for moment in progress.moments:
                if moment.sent:
                    lines.append(
                        Msg(
                            "rounds.school.moment",
                            {
                                "moment": Msg(f"export.moment.{moment.moment}"),
                                "submitted": moment.submitted,
                                "waiting": moment.waiting,
                                "sent": moment.sent,
                            },
                        )
                    )
            if progress.without_checkin:
                lines.append(Msg("rounds.school.no_checkin", {"pairs": progress.without_checkin}))
            if not progress.waiting and not progress.without_checkin:
                lines.append(Msg("rounds.school.nothing_missing"))
        return Screen(tuple(lines)) if len(lines) > 1 else None

    async def school_checkin(
        self, organization_id: int, confirmed: bool, outreach: Outreach
    ) -> Reply:
        if organization_id not in self.actor.organizations(Role.CURATOR):
            raise OutOfScope()
        if not confirmed:
            pairs = len(await self.rounds.working_pairs(organization_id))
            confirm = Button(Msg("rounds.button.checkin_yes"), SendCheckins(organization_id, True))
            said = Msg("rounds.ask_school_checkin", {"pairs": pairs})
            return Reply((Screen((said,), ((confirm,),) if pairs else ()),))
        sent = await school_checkins(
            self.uow,
            self.actor,
            organization_id,
            outreach.catalogue,
            outreach.notices,
            outreach.checkin_days,
        )
        said = Msg("rounds.checkin_sent", {"pairs": sent.pairs, "queued": sent.queued})
        return Reply((Screen((said,)),), drop=True)
