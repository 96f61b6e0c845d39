"""Change over time: each figure of «Сводка» and «Показатели» beside the same figure of the
previous period of the same kind (the previous academic year, or the same dates a year
earlier), the change (Δ) and, for the shares that have one, the target. Shared by the
workbook's «Динамика» sheet and the справка's summary table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from exports.cells import DECIMAL, PERCENT, Formatted, suppressed
from exports.figures import MonitoringFigures, gather
from exports.period import Period
from exports.queries import Figures, Level, MonitoringQueries, Reach
from exports.report.figures import KeyFigure, Kind, key_figures
from exports.table import Column, Table, Translate

if TYPE_CHECKING:  # the workbook imports this module to write its «Динамика» sheet
    from exports.workbook import ExportOptions

FORMATS = {Kind.COUNT: "0", Kind.SHARE: PERCENT, Kind.MEAN: DECIMAL}
SIGNED = {Kind.COUNT: "+0;-0;0", Kind.SHARE: "+0.0%;-0.0%;0.0%", Kind.MEAN: "+0.00;-0.00;0.00"}


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_period(period: Period) -> Period:
    """The period of the same kind before `period`: an academic year gives the one before,
    any dates give the same dates a year earlier."""
    return Period(_year_earlier(period.start), _year_earlier(period.end))


@dataclass(frozen=True)
class Compared:
    """One figure now and in the previous period; None where it cannot be shown."""

    key: str
    kind: Kind
    current: float | str | None  # str: the «<3» of a figure resting on too few people
    previous: float | str | None
    delta: float | str | None
    target: float | None

    @property
    def from_target(self) -> float | None:
        """How far the share is from its target (negative: short of it)."""
        if self.target is None or not isinstance(self.current, float | int):
            return None
        return self.current - self.target


def _shown(figure: KeyFigure, min_group: int) -> float | str | None:
    if figure.value is None:
        return None
    if figure.people is not None:
        return suppressed(figure.people, min_group) or figure.value
    return figure.value


Hidden = Callable[[str], bool]  # a key figure the workbook hides (exports/figures.py)


def _nothing_hidden(key: str) -> bool:
    return False


def compare(
    current: list[KeyFigure],
    previous: list[KeyFigure] | None,
    options: ExportOptions,
    hidden_now: Hidden = _nothing_hidden,
    hidden_then: Hidden = _nothing_hidden,
) -> list[Compared]:
    targets = {
        "student_share": options.target_student_share,
        "young_teacher_share": options.target_young_teacher_share,
    }
    before = {figure.key: figure for figure in previous or []}
    rows = []
    for figure in current:
        now = _shown(figure, options.min_group)
        then = _shown(before[figure.key], options.min_group) if figure.key in before else None
        # What the other sheets hide (secondary suppression) stays hidden here too.
        if hidden_now(figure.key) and now is not None:
            now = suppressed(0, options.min_group)
        if hidden_then(figure.key) and then is not None:
            then = suppressed(0, options.min_group)
        delta: float | str | None = None
        if now is None or then is None:
            delta = None
        elif isinstance(now, str) or isinstance(then, str):
            delta = suppressed(0, options.min_group)  # one side hidden: so is the change
        elif now is not None and then is not None:
            delta = now - then
        rows.append(Compared(figure.key, figure.kind, now, then, delta, targets.get(figure.key)))
    return rows


@dataclass
class Periods:
    """Figures of a scope for the current and the previous period."""

    current: Figures
    current_reach: Reach
    previous: Figures | None  # None: no programme at all in the previous period
    previous_reach: Reach | None

    def compared(
        self,
        options: ExportOptions,
        hidden_now: Hidden = _nothing_hidden,
        hidden_then: Hidden = _nothing_hidden,
    ) -> list[Compared]:
        before = None
        if self.previous is not None and self.previous_reach is not None:
            before = key_figures(self.previous, self.previous_reach)
        now = key_figures(self.current, self.current_reach)
        return compare(now, before, options, hidden_now, hidden_then)


class ChangeSheet:
    """«Динамика»: the scope's total first, then every organization, one row per figure."""

    def __init__(
        self,
        workbook: Workbook,
        translate: Translate,
        options: ExportOptions,
        current: MonitoringQueries,
        previous: MonitoringQueries,
        masked: MonitoringFigures | None = None,
        previous_masked: MonitoringFigures | None = None,
    ) -> None:
        self.workbook = workbook
        self._ = translate
        self.options = options
        self.current = current
        self.previous = previous
        self.masked = masked  # the current period's hidden figures, from the other sheets
        self.previous_masked = previous_masked  # the previous period's, when gathered already

    async def write(self) -> None:
        _ = self._
        table = Table(
            self.workbook,
            _("report.sheet.change"),
            [
                Column(_("export.col.municipality"), 24),
                Column(_("export.col.organization"), 36),
                Column(_("report.col.figure"), 36),
                Column(self.current.period.label(), 16),
                Column(self.previous.period.label(), 16),
                Column(_("report.col.delta"), 12),
                Column(_("report.col.target"), 10),
                Column(_("report.col.from_target"), 12),
            ],
        )
        organizations = await self.current.organizations()
        now = await self.current.figures(Level.ORGANIZATION)
        then = await self.previous.figures(Level.ORGANIZATION)
        reach_now = await self.current.reach(Level.ORGANIZATION)
        reach_then = await self.previous.reach(Level.ORGANIZATION)
        total_then = (await self.previous.figures(Level.TOTAL)).get("*")
        total = Periods(
            (await self.current.figures(Level.TOTAL)).get("*", Figures()),
            (await self.current.reach(Level.TOTAL)).get("*", Reach()),
            total_then if total_then and total_then.programmes else None,
            (await self.previous.reach(Level.TOTAL)).get("*", Reach()),
        )
        then_masked = self.previous_masked
        if self.masked is not None and then_masked is None:
            then_masked = await gather(self.previous, self.options.min_group)
        total_reach = _total_reach(self.current.scope)
        self._rows(
            table,
            _("export.total"),
            None,
            total,
            _hidden(self.masked, (Level.TOTAL, "*"), total_reach),
            _hidden(then_masked, (Level.TOTAL, "*"), total_reach),
        )
        for org in organizations:
            head_counts = Reach(0, 0, org.students_10_18, org.teachers_under_35)
            before = then.get(org.id)
            periods = Periods(
                now.get(org.id, Figures()),
                reach_now.get(org.id, head_counts),
                before if before and before.programmes else None,
                reach_then.get(org.id, head_counts),
            )
            place = (Level.ORGANIZATION, org.id)
            self._rows(
                table,
                org.municipality,
                org.name,
                periods,
                _hidden(self.masked, place, place),
                _hidden(then_masked, place, place),
            )
        table.close_filter()

    def _rows(
        self,
        table: Table,
        municipality: str,
        name: str | None,
        periods: Periods,
        hidden_now: Hidden,
        hidden_then: Hidden,
    ) -> None:
        for row in periods.compared(self.options, hidden_now, hidden_then):
            table.append(
                [
                    municipality,
                    name,
                    self._(f"export.col.{row.key}"),
                    _cell(row.current, FORMATS[row.kind]),
                    _cell(row.previous, FORMATS[row.kind]),
                    _cell(row.delta, SIGNED[row.kind]),
                    _cell(row.target, PERCENT),
                    _cell(row.from_target, SIGNED[Kind.SHARE]),
                ]
            )


# Key figures of the change sheet → the cells of «Сводка» / «Показатели» they repeat.
_REACH_KEYS = {
    "students_reached": "students",
    "student_share": "students_share",
    "young_teachers_reached": "young_teachers",
    "young_teacher_share": "young_teachers_share",
}
_ROW_KEYS = {"mean_mentors": "mean_mentor", "mean_mentees": "mean_mentee"}


def _hidden(
    masked: MonitoringFigures | None, row: tuple[Level, Any], reach: tuple[Level, Any]
) -> Hidden:
    """Whether the workbook's other sheets hide the figure `key` of this row."""
    if masked is None:
        return _nothing_hidden

    def hidden(key: str) -> bool:
        if key in _REACH_KEYS:
            return ("reach", *reach, _REACH_KEYS[key]) in masked.hidden
        return (*row, _ROW_KEYS.get(key, key)) in masked.hidden

    return hidden


def _total_reach(scope: Any) -> tuple[Level, Any]:
    """Where «Показатели» shows the scope's own total."""
    if scope.organization_id is not None:
        return (Level.ORGANIZATION, scope.organization_id)
    if scope.municipality_id is not None:
        return (Level.MUNICIPALITY, scope.municipality_id)
    return (Level.TOTAL, "*")


async def hidden_total(queries: MonitoringQueries, min_group: int) -> frozenset[str]:
    """The key figures of the scope's total that the workbook hides."""
    return hidden_in_total(await gather(queries, min_group), queries.scope)


def hidden_in_total(masked: MonitoringFigures, scope: Any) -> frozenset[str]:
    hidden = _hidden(masked, (Level.TOTAL, "*"), _total_reach(scope))
    return frozenset(figure.key for figure in key_figures(Figures(), Reach()) if hidden(figure.key))


def hidden_of_schools(masked: MonitoringFigures) -> frozenset[tuple[int, str]]:
    """(organization, "response_rate" | "students_share") the workbook hides for a school."""
    found = set()
    for org in masked.organizations:
        if (Level.ORGANIZATION, org.id, "response_rate") in masked.hidden:
            found.add((org.id, "response_rate"))
        if ("reach", Level.ORGANIZATION, org.id, "students_share") in masked.hidden:
            found.add((org.id, "students_share"))
    return frozenset(found)


def _cell(value: float | str | None, number_format: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    return Formatted(float(value), number_format)
