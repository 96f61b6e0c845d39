"""The previous round beside each figure of «Сводка» and «Показатели»: for a round's
workbook with an earlier round of the same kind, every figure column gets two more at the
end of the sheet, the previous round's figure and the change (Δ), and on «Показатели» each
share that has a target its distance from the target. The previous round's figures are
masked as its own workbook masks them (small groups, secondary suppression), the current
ones as this workbook does; a change touching a hidden figure is hidden too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exports.cells import DECIMAL, PERCENT, suppressed
from exports.figures import MEASURES, MonitoringFigures
from exports.queries import Figures, Level
from exports.table import Column, Translate

if TYPE_CHECKING:  # the workbook imports this module
    from exports.workbook import ExportOptions

COUNT, SIGNED_COUNT = "0", "+0;-0;0"
SIGNED_SHARE, SIGNED_MEAN = "+0.0%;-0.0%;0.0%", "+0.00;-0.00;0.00"
# «Сводка»'s figure columns (exports.figures.MEASURES order): header key, formats.
SUMMARY = {
    "pairs": ("export.col.pairs", COUNT, SIGNED_COUNT),
    "groups": ("export.col.groups", COUNT, SIGNED_COUNT),
    "mentors": ("export.col.mentors", COUNT, SIGNED_COUNT),
    "mentees": ("export.col.mentees", COUNT, SIGNED_COUNT),
    "completed": ("export.col.completed", COUNT, SIGNED_COUNT),
    "sent": ("export.col.sent", COUNT, SIGNED_COUNT),
    "submitted": ("export.col.submitted", COUNT, SIGNED_COUNT),
    "response_rate": ("export.col.response_rate", PERCENT, SIGNED_SHARE),
    "mean_mentor": ("export.col.mean_mentors", DECIMAL, SIGNED_MEAN),
    "mean_mentee": ("export.col.mean_mentees", DECIMAL, SIGNED_MEAN),
}
# «Показатели»'s figures: (header key, reach measure masked under, formats).
INDICATORS = (
    ("export.col.students_10_18", None, COUNT, SIGNED_COUNT),
    ("export.col.students_reached", "students", COUNT, SIGNED_COUNT),
    ("export.col.student_share", "students_share", PERCENT, SIGNED_SHARE),
    ("export.col.teachers_under_35", None, COUNT, SIGNED_COUNT),
    ("export.col.young_teachers_reached", "young_teachers", COUNT, SIGNED_COUNT),
    ("export.col.young_teacher_share", "young_teachers_share", PERCENT, SIGNED_SHARE),
)


@dataclass(frozen=True)
class Beside:
    now: MonitoringFigures  # this workbook's figures, with what it hides
    then: MonitoringFigures  # the previous round's, with what its workbook hides
    period: str  # the previous round's period, as the column headers name it
    translate: Translate
    options: ExportOptions

    def _pair(self, key: str, number: str, signed: str) -> list[Column]:
        _ = self.translate
        figure = _(key)
        return [
            Column(
                _("export.col.previous").format(figure=figure, period=self.period),
                16,
                number,
            ),
            Column(_("export.col.delta").format(figure=figure), 14, signed),
        ]

    def summary_columns(self) -> list[Column]:
        return [
            column
            for measure in MEASURES  # the order of figures.row's cells
            for column in self._pair(*SUMMARY[measure])
        ]

    def summary_cells(self, level: Level, ident: Any) -> list[Any]:
        """The previous round's figure and Δ for each figure column of one «Сводка» row."""
        now = self.now.row(level, ident, _figures(self.now, level, ident))
        then = self.then.row(level, ident, _figures(self.then, level, ident))
        cells: list[Any] = []
        for current, previous in zip(now, then, strict=True):
            cells += [previous, self._delta(current, previous)]
        return cells

    def indicator_columns(self) -> list[Column]:
        _ = self.translate
        columns = [
            column
            for key, _measure, number, signed in INDICATORS
            for column in self._pair(key, number, signed)
        ]
        for key, target in self._targets():
            if target is not None:
                figure = self.translate(key)
                columns.append(
                    Column(
                        _("export.col.from_target").format(figure=figure),
                        14,
                        SIGNED_SHARE,
                    )
                )
        return columns

    def indicator_cells(self, level: Level, ident: Any) -> list[Any]:
        """The previous round's figure and Δ for each figure of one «Показатели» row, then
        each share's distance from its target (where one is set)."""
        now, then = _indicators(self.now, level, ident), _indicators(self.then, level, ident)
        cells: list[Any] = []
        for current, previous in zip(now, then, strict=True):
            cells += [previous, self._delta(current, previous)]
        shares = {"export.col.student_share": now[2], "export.col.young_teacher_share": now[5]}
        for key, target in self._targets():
            if target is not None:
                cells.append(self._delta(shares[key], target))
        return cells

    def _targets(self) -> list[tuple[str, float | None]]:
        return [
            ("export.col.student_share", self.options.target_student_share),
            ("export.col.young_teacher_share", self.options.target_young_teacher_share),
        ]

    def _delta(self, current: Any, previous: Any) -> Any:
        if current is None or previous is None:
            return None
        if isinstance(current, str) or isinstance(previous, str):
            return suppressed(0, self.options.min_group)  # one side hidden: so is the change
        return current - previous  # the column's format shows its sign


def _figures(figures: MonitoringFigures, level: Level, ident: Any) -> Figures:
    if level is Level.ORGANIZATION:
        return figures.by_org.get(ident, Figures())
    if level is Level.MUNICIPALITY:
        return figures.by_municipality.get(ident, Figures())
    return figures.total


def _indicators(figures: MonitoringFigures, level: Level, ident: Any) -> list[Any]:
    """The figures of one «Показатели» row, masked as that workbook masks them."""
    reach = figures.reach_figures(level, ident)
    values = {
        "export.col.students_10_18": reach.students_10_18,
        "export.col.students_reached": reach.students,
        "export.col.student_share": _share(reach.students, reach.students_10_18),
        "export.col.teachers_under_35": reach.teachers_under_35,
        "export.col.young_teachers_reached": reach.young_teachers,
        "export.col.young_teacher_share": _share(reach.young_teachers, reach.teachers_under_35),
    }
    return [
        values[key]
        if measure is None
        else figures.masked(("reach", level, ident, measure), values[key])
        for key, measure, _number, _signed in INDICATORS
    ]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
