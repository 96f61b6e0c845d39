"""One справка from queries to file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from exports.change import hidden_in_total, hidden_of_schools, hidden_total
from exports.figures import gather as gather_workbook
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
    round_lines: tuple[str | None, str | None] = (None, None),
) -> ReportFigures:
    """Write the справка (compared with `previous`, when given); returns its figures.
    `round_lines`: for a monitoring round, the title block's line about it and the line
    naming the previous round compared with."""
    words = Words(catalogue, options.locale)
    figures = await gather(queries, previous)
    # The workbook's hidden figures stay hidden in the справка (the same totals).
    masked = await gather_workbook(queries, options.min_group)
    figures.hidden_now = hidden_in_total(masked, queries.scope)
    figures.hidden_schools = hidden_of_schools(masked)
    if previous is not None:
        figures.hidden_then = await hidden_total(previous, options.min_group)
    title = Title(scope_title, queries.period.label(), made_on, *round_lines)
    blocks = Writer(figures, words, options, title).blocks()
    write_docx(blocks, path, words._("report.title"))
    return figures
