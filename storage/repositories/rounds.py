"""Monitoring rounds and their frozen figures."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update

from storage.models import (
    Assignment,
    MonitoringRound,
    Municipality,
    Organization,
    Pair,
    Programme,
    RoundSnapshot,
)
from storage.repositories.base import Repository
from storage.upsert import insert_ignore
from surveys.questionnaire import Moment
from surveys.rounds import RoundKind, round_occasion, round_scope_key
from surveys.statuses import (
    OPEN_ASSIGNMENT,
    AssignmentStatus,
    PairStatus,
    ProgrammeStatus,
    RoundStatus,
    sources_of,
)


@dataclass(frozen=True)
class RoundRow:
    id: int
    kind: RoundKind
    status: RoundStatus
    municipality_id: int | None  # None: the whole region
    municipality_name: str | None
    period_start: date
    period_end: date
    deadline: datetime
    timezone: str  # the scope's: where the deadline day ends
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status is RoundStatus.OPEN


@dataclass(frozen=True)
class MomentProgress:
    """One moment's questionnaires of a round in one school: issued, answered, waiting."""

    moment: str
    sent: int
    submitted: int
    waiting: int  # pending or in progress, not past due


@dataclass(frozen=True)
class SchoolProgress:
    moments: tuple[MomentProgress, ...]
    active_pairs: int
    without_checkin: int  # active pairs whose members have no check-in questionnaire yet

    @property
    def waiting(self) -> int:
        return sum(moment.waiting for moment in self.moments)


@dataclass(frozen=True)
class FrozenFigures:
    round_id: int
    taken_at: datetime
    figures: dict[str, Any]


_ROUND = (
    select(
        MonitoringRound.id,
        MonitoringRound.kind,
        MonitoringRound.status,
        MonitoringRound.municipality_id,
        Municipality.name,
        MonitoringRound.period_start,
        MonitoringRound.period_end,
        MonitoringRound.deadline,
        MonitoringRound.timezone,
        MonitoringRound.opened_at,
        MonitoringRound.closed_at,
    )
    .outerjoin(Municipality, Municipality.id == MonitoringRound.municipality_id)
    .order_by(MonitoringRound.deadline.desc(), MonitoringRound.id.desc())
)


def _row(values: Any) -> RoundRow:
    (id_, kind, status, municipality_id, name, start, end, deadline, zone, opened, closed) = values
    return RoundRow(
        id_,
        RoundKind(kind),
        RoundStatus(status),
        municipality_id,
        name,
        start,
        end,
        deadline,
        zone,
        opened,
        closed,
    )


def _of_round(found: RoundRow) -> Any:
    """A round's questionnaires: start and completion whenever issued; check-ins only the
    round's own or those issued since it opened (a check-in is one per round)."""
    return (
        (Assignment.moment != Moment.CHECKIN.value)
        | (Assignment.occasion == round_occasion(found.id))
        | (Assignment.created_at >= found.opened_at)
    )


class RoundRepository(Repository):
    async def open(
        self,
        kind: RoundKind,
        municipality_id: int | None,
        start: date,
        end: date,
        deadline: datetime,
        timezone: str,
        opened_by: int | None,
        now: datetime,
    ) -> RoundRow | None:
        """A new open round; None when the same round (scope, kind, period) exists."""
        inserted = await insert_ignore(
            self.session,
            MonitoringRound,
            ["scope_key", "kind", "period_start", "period_end"],
            kind=kind.value,
            status=RoundStatus.OPEN.value,
            municipality_id=municipality_id,
            scope_key=round_scope_key(municipality_id),
            period_start=start,
            period_end=end,
            deadline=deadline,
            timezone=timezone,
            opened_by_id=opened_by,
            opened_at=now,
        )
        if not inserted:
            return None
        found = await self._one(
            _ROUND.where(
                MonitoringRound.scope_key == round_scope_key(municipality_id),
                MonitoringRound.kind == kind.value,
                MonitoringRound.period_start == start,
                MonitoringRound.period_end == end,
            )
        )
        assert found is not None
        return found

    async def get(self, round_id: int) -> RoundRow | None:
        return await self._one(_ROUND.where(MonitoringRound.id == round_id))

    async def previous(self, found: RoundRow) -> RoundRow | None:
        """The round of the same kind and scope (the district, or the region) whose period
        began last before this one's: what the round's figures are compared with."""
        return await self._one(
            _ROUND.where(
                MonitoringRound.scope_key == round_scope_key(found.municipality_id),
                MonitoringRound.kind == found.kind.value,
                MonitoringRound.period_start < found.period_start,
                MonitoringRound.id != found.id,
            )
            .order_by(None)
            .order_by(MonitoringRound.period_start.desc(), MonitoringRound.id.desc())
        )

    async def _one(self, statement: Select[*tuple[Any, ...]]) -> RoundRow | None:
        row = (await self.session.execute(statement.limit(1))).first()
        return None if row is None else _row(row)

    async def listed(
        self,
        municipality_ids: Collection[int] | None,
        *,
        region: bool,
        status: RoundStatus | None = None,
        limit: int = 50,
    ) -> list[RoundRow]:
        """Rounds of these districts (None: of every district) and, with `region`, the
        region's own; newest deadline first."""
        statement = _ROUND
        if municipality_ids is not None:
            in_districts = MonitoringRound.municipality_id.in_(sorted(municipality_ids))
            statement = statement.where(
                in_districts | MonitoringRound.municipality_id.is_(None) if region else in_districts
            )
        elif not region:
            statement = statement.where(MonitoringRound.municipality_id.is_not(None))
        if status is not None:
            statement = statement.where(MonitoringRound.status == status.value)
        rows = await self.session.execute(statement.limit(limit))
        return [_row(row) for row in rows]

    async def due(self, now: datetime, limit: int = 100) -> list[int]:
        """Open rounds whose deadline has passed: the closing job's work."""
        rows = await self.session.scalars(
            select(MonitoringRound.id)
            .where(
                MonitoringRound.status == RoundStatus.OPEN.value,
                MonitoringRound.deadline <= now,
            )
            .order_by(MonitoringRound.deadline, MonitoringRound.id)
            .limit(limit)
        )
        return list(rows)

    async def close(self, round_id: int, now: datetime, closed_by: int | None) -> bool:
        """Mark the round closed; False when it was not open (closed already, by hand or
        by the job: only one of them freezes the figures)."""
        result = await self.session.execute(
            update(MonitoringRound)
            .where(
                MonitoringRound.id == round_id,
                MonitoringRound.status.in_(sorted(sources_of(RoundStatus.CLOSED))),
            )
            .values(status=RoundStatus.CLOSED.value, closed_at=now, closed_by_id=closed_by)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def freeze(self, round_id: int, taken_at: datetime, figures: dict[str, Any]) -> None:
        await insert_ignore(
            self.session,
            RoundSnapshot,
            ["round_id"],
            round_id=round_id,
            taken_at=taken_at,
            figures=figures,
        )

    async def frozen(self, round_id: int) -> FrozenFigures | None:
        row = (
            await self.session.execute(
                select(RoundSnapshot.taken_at, RoundSnapshot.figures).where(
                    RoundSnapshot.round_id == round_id
                )
            )
        ).first()
        return None if row is None else FrozenFigures(round_id, row[0], row[1])

    async def zone_of(self, municipality_id: int | None) -> str | None:
        """The time zone most of the scope's schools keep (a district sits in one)."""
        statement = select(Organization.timezone, func.count(Organization.id)).group_by(
            Organization.timezone
        )
        if municipality_id is not None:
            statement = statement.where(Organization.municipality_id == municipality_id)
        rows = (await self.session.execute(statement)).all()
        return max(rows, key=lambda row: (row[1], row[0]))[0] if rows else None

    # --- what a round waits for ---------------------------------------------------------------

    def _round_pairs(self, found: RoundRow, organization_id: int | None) -> Any:
        """Pairs (not dissolved) of the programmes a round covers: its district or region,
        its period; narrowed to one school when `organization_id` is given."""
        statement = (
            select(Pair.id)
            .join(Programme, Programme.id == Pair.programme_id)
            .join(Organization, Organization.id == Programme.organization_id)
            .where(
                Pair.status != PairStatus.DISSOLVED,
                Programme.starts_on <= found.period_end,
                Programme.ends_on >= found.period_start,
            )
        )
        if organization_id is not None:
            statement = statement.where(Organization.id == organization_id)
        elif found.municipality_id is not None:
            statement = statement.where(Organization.municipality_id == found.municipality_id)
        return statement

    async def school_progress(
        self, found: RoundRow, organization_id: int, moments: Collection[str]
    ) -> SchoolProgress:
        pairs = self._round_pairs(found, organization_id).subquery()
        waiting = Assignment.status.in_(sorted(OPEN_ASSIGNMENT))
        rows = await self.session.execute(
            select(
                Assignment.moment,
                func.count(Assignment.id),
                func.sum(case((Assignment.status == AssignmentStatus.SUBMITTED, 1), else_=0)),
                func.sum(case((waiting, 1), else_=0)),
            )
            .where(
                Assignment.pair_id.in_(select(pairs.c.id)),
                Assignment.moment.in_(moments),
                _of_round(found),
            )
            .group_by(Assignment.moment)
        )
        counted = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in rows}
        active = self._round_pairs(found, organization_id).where(Pair.status == PairStatus.ACTIVE)
        active_pairs = int(
            await self.session.scalar(select(func.count()).select_from(active.subquery())) or 0
        )
        checked_in = select(Assignment.pair_id).where(
            Assignment.moment == Moment.CHECKIN.value, _of_round(found)
        )
        without = int(
            await self.session.scalar(
                select(func.count()).select_from(
                    active.where(Pair.id.not_in(checked_in)).subquery()
                )
            )
            or 0
        )
        return SchoolProgress(
            tuple(MomentProgress(m, *counted.get(m, (0, 0, 0))) for m in moments),
            active_pairs,
            without,
        )

    async def waiting_assignments(
        self, found: RoundRow, moments: Collection[str], now: datetime
    ) -> list[Assignment]:
        """The round's unanswered questionnaires, not past due: whom to remind."""
        pairs = self._round_pairs(found, None)
        rows = await self.session.scalars(
            select(Assignment)
            .where(
                Assignment.pair_id.in_(pairs),
                Assignment.moment.in_(moments),
                _of_round(found),
                Assignment.status.in_(sorted(OPEN_ASSIGNMENT)),
                Assignment.due_at > now,
            )
            .order_by(Assignment.id)
        )
        return list(rows)

    async def active_pairs(self, found: RoundRow) -> list[int]:
        """The round's working pairs: who gets the mid-programme check-in."""
        statement = self._round_pairs(found, None).where(Pair.status == PairStatus.ACTIVE)
        return list(await self.session.scalars(statement.order_by(Pair.id)))

    async def working_pairs(self, organization_id: int) -> list[int]:
        """A school's working pairs (active, in active programmes): a curator's check-in."""
        rows = await self.session.scalars(
            select(Pair.id)
            .join(Programme, Programme.id == Pair.programme_id)
            .where(
                Programme.organization_id == organization_id,
                Programme.status == ProgrammeStatus.ACTIVE,
                Pair.status == PairStatus.ACTIVE,
            )
            .order_by(Pair.id)
        )
        return list(rows)

    async def open_covering(self, organization_id: int) -> RoundRow | None:
        """The open round a school answers to: its district's (the latest opened), else the
        region's; None when none is open."""
        district = select(Organization.municipality_id).where(Organization.id == organization_id)
        return await self._one(
            _ROUND.where(
                MonitoringRound.status == RoundStatus.OPEN.value,
                (MonitoringRound.municipality_id == district.scalar_subquery())
                | MonitoringRound.municipality_id.is_(None),
            )
            .order_by(None)
            .order_by(
                MonitoringRound.municipality_id.is_(None),
                MonitoringRound.opened_at.desc(),
                MonitoringRound.id.desc(),
            )
        )

    async def in_last_days(self, now: datetime, until: datetime) -> list[int]:
        """Open rounds whose deadline falls between now and `until`: remind once more."""
        rows = await self.session.scalars(
            select(MonitoringRound.id).where(
                MonitoringRound.status == RoundStatus.OPEN.value,
                MonitoringRound.deadline > now,
                MonitoringRound.deadline <= until,
            )
        )
        return list(rows)
