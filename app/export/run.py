"""One export (workbook or справка) from start to file: the scope checked for the actor
(app.policy), query, write. Shared by the messengers, the CLI and the benchmark."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app import policy
from app.metrics import observe_export
from exports.change import previous_period
from exports.period import Period
from exports.queries import MonitoringQueries
from exports.report.build import build_report
from exports.report.words import Catalogue
from exports.workbook import ExportOptions, Progress, Translate, build_workbook
from storage.db import reading_together
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor


async def _checked(session: AsyncSession, actor: Actor, scope: ExportScope) -> ExportScope:
    """The scope checked against the actor again (OutOfScope: a grant may have been
    withdrawn while the export waited)."""
    return await policy.export_scope(session, actor, scope.municipality_id, scope.organization_id)


def _this_and_previous(
    session: AsyncSession, scope: ExportScope, period: Period
) -> tuple[MonitoringQueries, MonitoringQueries]:
    """The scope's queries for the period and for the one before."""
    return (
        MonitoringQueries(session, scope, period),
        MonitoringQueries(session, scope, previous_period(period)),
    )


async def export_workbook(
    session: AsyncSession,
    actor: Actor,
    scope: ExportScope,
    period: Period,
    path: Path,
    translate: Translate,
    options: ExportOptions,
    progress: Progress | None = None,
) -> None:
    """Write the workbook for `scope`: counted on one connection while its lists are read
    on a second (exports.workbook.build_workbook), both as of one moment on PostgreSQL."""
    started = time.perf_counter()
    checked = await _checked(session, actor, scope)
    async with reading_together(session) as (counting, beside):
        queries, previous = _this_and_previous(counting, checked, period)
        alongside = MonitoringQueries(beside, checked, period) if beside else None
        await build_workbook(
            queries, path, translate, options, progress, previous, alongside=alongside
        )
    observe_export(time.perf_counter() - started)


async def export_report(
    session: AsyncSession,
    actor: Actor,
    scope: ExportScope,
    period: Period,
    path: Path,
    catalogue: Catalogue,
    options: ExportOptions,
    made_on: date,
) -> None:
    """Write the «аналитическая справка» (.docx) for `scope`."""
    started = time.perf_counter()
    checked = await _checked(session, actor, scope)
    queries, previous = _this_and_previous(session, checked, period)
    title = checked.title or catalogue.gettext("export.scope_region", locale=options.locale)
    await build_report(queries, path, catalogue, options, title, made_on, previous)
    observe_export(time.perf_counter() - started)
