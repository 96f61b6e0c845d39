"""Monitoring rounds: a methodist (for a district) or a regional coordinator (for the region)
opens one, curators see it in /status, and at the deadline (the closing job) or by hand it
closes and its figures are frozen, so the round's exports show what was reported.

Shared by the bot edges, the CLI and the workers; scope is app.policy's."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import policy
from app.metrics import observe_export
from app.uow import UnitOfWork
from exports.period import Period
from exports.queries import MonitoringQueries
from exports.report.build import build_report
from exports.report.words import Catalogue, Words
from exports.snapshot import FrozenQueries, freeze
from exports.workbook import ExportOptions, Progress, Translate, build_workbook
from storage.repositories.directory import DirectoryRepository
from storage.repositories.export_scope import ExportScope
from storage.repositories.rounds import RoundRepository, RoundRow
from storage.sqlite_inline import off_the_loop
from surveys.access import Actor
from surveys.errors import OutOfScope, Refused
from surveys.people import Role
from surveys.rounds import RoundKind, check_new_round, deadline_at

FALLBACK_ZONE = "Europe/Moscow"  # Organization.timezone's default


@dataclass(frozen=True)
class NewRound:
    kind: RoundKind
    municipality_id: int | None  # None: the whole region
    start: date
    end: date
    deadline_day: date  # the round closes at the end of this day, the schools' time


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


async def open_round(uow: UnitOfWork, actor: Actor, new: NewRound, now: datetime) -> RoundRow:
    """Open a round; refused when its dates cannot be right or the same round is open."""
    policy.require_round_keeper(actor, new.municipality_id)
    rounds = RoundRepository(uow.session)
    if new.municipality_id is not None:
        if await DirectoryRepository(uow.session).municipality(new.municipality_id) is None:
            raise OutOfScope()
    where = zone(await rounds.zone_of(new.municipality_id))
    deadline = deadline_at(new.deadline_day, where)
    check_new_round(new.start, new.end, deadline, now)
    await uow.write()
    opened = await rounds.open(
        new.kind, new.municipality_id, new.start, new.end, deadline, where.key, actor.person_id, now
    )
    if opened is None:
        raise Refused("rounds.exists")
    await uow.commit()
    return opened


async def open_round_kept(session: AsyncSession, actor: Actor | None, round_id: int) -> RoundRow:
    """An open round the actor keeps (`actor` None: a job, which keeps every round)."""
    found = await RoundRepository(session).get(round_id)
    if found is None:
        raise Refused("rounds.not_found", id=round_id)
    if actor is not None:
        policy.require_round_keeper(actor, found.municipality_id)
    if not found.is_open:
        raise Refused("rounds.already_closed")
    return found


async def close_round(
    uow: UnitOfWork, actor: Actor | None, round_id: int, now: datetime
) -> RoundRow:
    """Close a round and freeze its figures. `actor` None: the deadline job."""
    rounds = RoundRepository(uow.session)
    found = await open_round_kept(uow.session, actor, round_id)
    # The long read first, outside SQLite's writer turn: other updates go on meanwhile.
    with off_the_loop():
        figures = await freeze(live_queries(uow.session, found))
    await uow.write()
    if not await rounds.close(round_id, now, actor.person_id if actor else None):
        raise Refused("rounds.already_closed")  # the job (or someone) closed it meanwhile
    await rounds.freeze(round_id, now, figures)
    await uow.commit()
    closed = await rounds.get(round_id)
    assert closed is not None
    return closed


async def close_due(session_factory: async_sessionmaker[AsyncSession], now: datetime) -> list[int]:
    """The closing job's run: close every round whose deadline has passed, one unit of work
    each (a round someone closed by hand meanwhile is skipped). Returns the closed ids."""
    async with session_factory() as session:
        due = await RoundRepository(session).due(now)
    closed: list[int] = []
    for round_id in due:
        async with UnitOfWork(session_factory) as uow:
            try:
                await close_round(uow, None, round_id, now)
            except Refused:
                continue
        closed.append(round_id)
    return closed


def round_scope(found: RoundRow) -> ExportScope:
    if found.municipality_id is None:
        return ExportScope()
    return ExportScope(found.municipality_id, None, found.municipality_name or "")


def round_period(found: RoundRow) -> Period:
    return Period(found.period_start, found.period_end)


def live_queries(session: AsyncSession, found: RoundRow) -> MonitoringQueries:
    return MonitoringQueries(session, round_scope(found), round_period(found))


async def queries_of(session: AsyncSession, found: RoundRow) -> MonitoringQueries:
    """A round's figures: frozen once it closed, live while it is open."""
    frozen = await RoundRepository(session).frozen(found.id)
    if frozen is None:
        return live_queries(session, found)
    return FrozenQueries(
        session, round_scope(found), round_period(found), frozen.figures, frozen.taken_at
    )


async def round_queries(
    session: AsyncSession, actor: Actor, round_id: int
) -> tuple[RoundRow, MonitoringQueries]:
    """What an export or a report of a round reads: the frozen figures of a closed round,
    the live ones of an open round. For the round's keepers (its district's methodist, the
    region's coordinators and administrators)."""
    found = await RoundRepository(session).get(round_id)
    if found is None:
        raise Refused("rounds.not_found", id=round_id)
    policy.require_round_keeper(actor, found.municipality_id)
    return found, await queries_of(session, found)


async def previous_round(
    session: AsyncSession, found: RoundRow
) -> tuple[RoundRow, MonitoringQueries] | None:
    """The previous round of the same kind and scope with its figures (frozen or live),
    or None: what a round's workbook and справка show beside its own figures (Δ)."""
    before = await RoundRepository(session).previous(found)
    if before is None:
        return None
    return before, await queries_of(session, before)


async def rounds_in_view(session: AsyncSession, actor: Actor, limit: int = 50) -> list[RoundRow]:
    """The rounds the actor keeps or answers to, newest deadline first."""
    rounds = RoundRepository(session)
    if actor.covers_region:
        return await rounds.listed(None, region=True, limit=limit)
    districts = set(actor.municipalities(Role.METHODIST))
    schools = sorted(actor.organizations(Role.CURATOR))
    if schools:
        organizations = await DirectoryRepository(session).organizations(schools)
        districts |= {org.municipality_id for org in organizations}
    if not districts:
        return []
    return await rounds.listed(districts, region=True, limit=limit)


async def export_round(
    session: AsyncSession,
    actor: Actor,
    round_id: int,
    path: Path,
    translate: Translate,
    options: ExportOptions,
    progress: Progress | None = None,
) -> RoundRow:
    """The monitoring workbook of a round (its frozen figures once it is closed), with the
    «Динамика» sheet against the previous round of the same kind when there is one."""
    started = time.perf_counter()
    found, queries = await round_queries(session, actor, round_id)
    earlier = await previous_round(session, found)
    previous = earlier[1] if earlier else None
    if progress is None:
        await build_workbook(
            queries, path, translate, options, previous=previous, beside_previous=True
        )
    else:
        await build_workbook(
            queries, path, translate, options, progress, previous=previous, beside_previous=True
        )
    observe_export(time.perf_counter() - started)
    return found


async def report_round(
    session: AsyncSession,
    actor: Actor,
    round_id: int,
    path: Path,
    catalogue: Catalogue,
    options: ExportOptions,
    made_on: date,
) -> RoundRow:
    """The «аналитическая справка» of a round: from the same (frozen) figures as the round's
    workbook, compared with the previous round of the same kind when there is one."""
    started = time.perf_counter()
    found, queries = await round_queries(session, actor, round_id)
    earlier = await previous_round(session, found)
    words = Words(catalogue, options.locale)
    title = found.municipality_name or words._("export.scope_region")
    lines = (round_line(words, found), compared_line(words, earlier[0] if earlier else None))
    previous = earlier[1] if earlier else None
    await build_report(queries, path, catalogue, options, title, made_on, previous, lines)
    observe_export(time.perf_counter() - started)
    return found


def round_line(words: Words, found: RoundRow) -> str:
    """«Мониторинг № 3: годовой мониторинг, данные зафиксированы 21 декабря 2026 г.»"""
    state = (
        words._("report.round.live")
        if found.is_open or found.closed_at is None
        else words._("report.round.frozen", date=words.day(found.closed_at.date()))
    )
    kind = words._(f"rounds.kind.{found.kind.value}")
    return words._("report.round_line", id=found.id, kind=kind, state=state)


def compared_line(words: Words, before: RoundRow | None) -> str:
    if before is None:
        return words._("report.round.no_previous")
    period = round_period(before).label()
    state = words._(f"rounds.status.{before.status.value}")
    return words._("report.round.previous", id=before.id, period=period, state=state)


def keeps(actor: Actor, municipality_id: int | None) -> bool:
    """Whether the actor keeps (opens, closes, exports) a round of this district or region."""
    try:
        policy.require_round_keeper(actor, municipality_id)
    except OutOfScope:
        return False
    return True


async def rounds_of_scope(
    session: AsyncSession, actor: Actor, scope: ExportScope, limit: int = 6
) -> list[RoundRow]:
    """The rounds an export of `scope` may offer: the district's own (or the region's),
    for their keepers only; none for one school."""
    if scope.organization_id is not None or not keeps(actor, scope.municipality_id):
        return []
    rounds = RoundRepository(session)
    if scope.municipality_id is None:
        listed = await rounds.listed([], region=True, limit=limit)
    else:
        listed = await rounds.listed([scope.municipality_id], region=False, limit=limit)
    return listed
