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
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor


async def _this_and_previous(
    session: AsyncSession, actor: Actor, scope: ExportScope, period: Period
) -> tuple[ExportScope, MonitoringQueries, MonitoringQueries]:
    """The scope checked against the actor again (OutOfScope: a grant may have been
    withdrawn while the export waited), its queries for the period and the one before."""
    checked = await policy.export_scope(
        session, actor, scope.municipality_id, scope.organization_id
    )
    return (
        checked,
        MonitoringQueries(session, checked, period),
        MonitoringQueries(session, checked, previous_period(period)),
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
    """Write the workbook for `scope`."""
    started = time.perf_counter()
    _, queries, previous = await _this_and_previous(session, actor, scope, period)
    if progress is None:
        await build_workbook(queries, path, translate, options, previous=previous)
    else:
        await build_workbook(queries, path, translate, options, progress, previous=previous)
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
    checked, queries, previous = await _this_and_previous(session, actor, scope, period)
    title = checked.title or catalogue.gettext("export.scope_region", locale=options.locale)
    await build_report(queries, path, catalogue, options, title, made_on, previous)
    observe_export(time.perf_counter() - started)
