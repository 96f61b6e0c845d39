"""One export (workbook or справка) from start to file: resolve the scope for the actor,
query, write. Shared by the bot, the CLI and the benchmark."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.metrics import observe_export
from exports.change import previous_period
from exports.period import Period
from exports.queries import MonitoringQueries
from exports.report.build import build_report
from exports.report.words import Catalogue
from exports.workbook import ExportOptions, Progress, Translate, build_workbook
from storage.repositories.export_scope import ExportScope, ExportScopeRepository
from surveys.access import Actor


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
    """Write the workbook for `scope` (checked against the actor again: ScopeDenied)."""
    started = time.perf_counter()
    checked = await ExportScopeRepository(session).resolve(
        actor, scope.municipality_id, scope.organization_id
    )
    queries = MonitoringQueries(session, checked, period)
    previous = MonitoringQueries(session, checked, previous_period(period))
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
    """Write the «аналитическая справка» (.docx) for `scope` (checked again: ScopeDenied)."""
    started = time.perf_counter()
    checked = await ExportScopeRepository(session).resolve(
        actor, scope.municipality_id, scope.organization_id
    )
    title = checked.title or catalogue.gettext("export.scope_region", locale=options.locale)
    queries = MonitoringQueries(session, checked, period)
    previous = MonitoringQueries(session, checked, previous_period(period))
    await build_report(queries, path, catalogue, options, title, made_on, previous)
    observe_export(time.perf_counter() - started)
