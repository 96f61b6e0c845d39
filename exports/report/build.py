"""One справка from queries to file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from exports.queries import MonitoringQueries
from exports.report.document import write_docx
from exports.report.figures import ReportFigures, gather
from exports.report.prose import Title, Writer
from exports.report.words import Catalogue, Words
from exports.workbook import ExportOptions


async def build_report(
    queries: MonitoringQueries,
    path: Path,
    catalogue: Catalogue,
    options: ExportOptions,
    scope_title: str,
    made_on: date,
    previous: MonitoringQueries | None = None,
) -> ReportFigures:
    """Write the справка (compared with `previous`, when given); returns its figures."""
    words = Words(catalogue, options.locale)
    figures = await gather(queries, previous)
    title = Title(scope_title, queries.period.label(), made_on)
    blocks = Writer(figures, words, options, title).blocks()
    write_docx(blocks, path, words._("report.title"))
    return figures
