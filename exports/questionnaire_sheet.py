"""«Анкеты»: per questionnaire and question, mentors and mentees side by side, and the change
from the start (expectations) to the completion (results) for items asked at both moments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from exports.cells import DECIMAL, PERCENT, Formatted, suppressed
from exports.statistics import QuestionFigures, choice_figures, scale_figures, yes_no_figures
from exports.table import Column, Table, Translate
from storage.models import QuestionnaireSnapshot
from surveys.forms import mentoring_form
from surveys.questionnaire import Moment, QuestionKind

ROLES = ("mentor", "mentee")
MOMENTS = (Moment.START.value, Moment.CHECKIN.value, Moment.COMPLETION.value)
KIND_ORDER = {kind.value: i for i, kind in enumerate(QuestionKind)}


@dataclass
class QuestionRow:
    form: str
    moment: str
    key: str
    kind: str
    text: str
    metric: str | None
    position: int
    labels: dict[str, str]  # choice key → label
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # role → value → answers


def text_questions(snapshots: dict[int, QuestionnaireSnapshot]) -> dict[int, list[str]]:
    return {
        snapshot_id: [
            q["key"] for q in snapshot.definition["questions"] if q["kind"] == QuestionKind.TEXT
        ]
        for snapshot_id, snapshot in snapshots.items()
    }


def question_rows(
    snapshots: dict[int, QuestionnaireSnapshot], counts: list[tuple[int, str, str, int]]
) -> list[QuestionRow]:
    """Rows keyed by (form, moment, question); versions of a questionnaire are merged, the
    newest one giving the wording."""
    rows: dict[tuple[str, str, str], QuestionRow] = {}
    for snapshot in sorted(snapshots.values(), key=lambda s: (s.role, -s.version)):
        for position, question in enumerate(snapshot.definition["questions"]):
            if question["kind"] == QuestionKind.TEXT:
                continue
            rows.setdefault(
                (snapshot.form, snapshot.moment, question["key"]),
                QuestionRow(
                    snapshot.form,
                    snapshot.moment,
                    question["key"],
                    question["kind"],
                    question.get("label") or question["text"],
                    question.get("metric"),
                    position,
                    {c["key"]: c["label"] for c in question.get("choices", [])},
                ),
            )
    for snapshot_id, key, value, n in counts:
        snapshot = snapshots[snapshot_id]
        row = rows.get((snapshot.form, snapshot.moment, key))
        if row is not None:
            row.counts.setdefault(snapshot.role, Counter())[value] += n
    ordered = [row for row in rows.values() if row.counts]
    ordered.sort(
        key=lambda r: (KIND_ORDER[r.kind], r.form, MOMENTS.index(r.moment), r.position, r.key)
    )
    return ordered


def figures_of(row: QuestionRow, role: str) -> QuestionFigures | None:
    counts = row.counts.get(role)
    if not counts:
        return None
    if row.kind == QuestionKind.SCALE:
        return scale_figures(counts)
    if row.kind == QuestionKind.YES_NO:
        return yes_no_figures(counts)
    return choice_figures(counts, multi=row.kind == QuestionKind.MULTI_CHOICE)


class QuestionnaireSheet:
    def __init__(self, workbook: Workbook, translate: Translate, locale: str, min_group: int):
        self._ = translate
        self.locale = locale
        self.min_group = min_group
        _ = translate
        per_role = []
        for role in ROLES:
            per_role += [
                Column(_(f"export.col.q_n_{role}s"), 11),
                Column(_(f"export.col.q_mean_{role}s"), 13, DECIMAL),
                Column(_(f"export.col.q_median_{role}s"), 13, DECIMAL),
                Column(_(f"export.col.q_distribution_{role}s"), 40),
            ]
        self.table = Table(
            workbook,
            _("export.sheet.questionnaires"),
            [
                Column(_("export.col.form"), 24),
                Column(_("export.col.moment"), 14),
                Column(_("export.col.question"), 18),
                Column(_("export.col.question_text"), 50),
                Column(_("export.col.kind"), 16),
                *per_role,
                Column(_("export.col.q_change_mentors"), 14, DECIMAL),
                Column(_("export.col.q_change_mentees"), 14, DECIMAL),
            ],
        )

    def write(self, rows: list[QuestionRow]) -> None:
        _ = self._
        for row in rows:
            form = mentoring_form(row.form)
            values: list[Any] = [
                form.label(self.locale) if form else row.form,
                _(f"export.moment.{row.moment}"),
                row.key,
                row.text,
                _(f"export.kind.{row.kind}"),
            ]
            for role in ROLES:
                values += self._role_cells(row, figures_of(row, role))
            values += [self._change(rows, row, role) for role in ROLES]
            self.table.append(values)
        self.table.close_filter()
        self._chart(sum(1 for row in rows if row.kind == QuestionKind.SCALE))

    def _role_cells(self, row: QuestionRow, figures: QuestionFigures | None) -> list[Any]:
        if figures is None:
            return [0, None, None, None]
        hidden = suppressed(figures.respondents, self.min_group)
        if hidden:
            return [figures.respondents, hidden, hidden, hidden]
        mean: Any = figures.mean
        if row.kind == QuestionKind.YES_NO and mean is not None:
            mean = Formatted(mean, PERCENT)
        return [figures.respondents, mean, figures.median, self._distribution(row, figures)]

    def _distribution(self, row: QuestionRow, figures: QuestionFigures) -> str:
        _ = self._
        if row.kind == QuestionKind.SCALE:
            return "; ".join(f"{v}: {figures.counts.get(str(v), 0)}" for v in range(1, 11))
        if row.kind == QuestionKind.YES_NO:
            labels = {"yes": _("export.yes"), "no": _("export.no")}
        else:
            labels = row.labels
        return "; ".join(
            f"{labels.get(key, key)}: {figures.shares.get(key, 0.0):.0%}" for key in labels
        )

    def _change(self, rows: list[QuestionRow], row: QuestionRow, role: str) -> Any:
        """Check-in or completion mean minus start mean of the item with the same metric,
        scale only."""
        if row.moment == Moment.START or row.metric is None or row.kind != QuestionKind.SCALE:
            return None
        start = next(
            (
                other
                for other in rows
                if other.form == row.form
                and other.moment == Moment.START
                and other.metric == row.metric
                and other.kind == QuestionKind.SCALE
            ),
            None,
        )
        after, before = figures_of(row, role), figures_of(start, role) if start else None
        if after is None or before is None or after.mean is None or before.mean is None:
            return None
        fewest = min(after.respondents, before.respondents)
        return suppressed(fewest, self.min_group) or after.mean - before.mean

    def _chart(self, scale_rows: int) -> None:
        """Mean scores of mentors and mentees per scale question (the first rows)."""
        if not scale_rows:
            return
        chart = BarChart()
        chart.title = self._("export.chart.mean_scores")
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 10
        chart.height, chart.width = 10, 28
        sheet = self.table.sheet
        for role in ROLES:
            column = self.table.column_index(self._(f"export.col.q_mean_{role}s"))
            data = Reference(sheet, min_col=column, min_row=1, max_row=scale_rows + 1)
            chart.add_data(data, titles_from_data=True)
        question = self.table.column_index(self._("export.col.question"))
        chart.set_categories(Reference(sheet, min_col=question, min_row=2, max_row=scale_rows + 1))
        self.table.untyped.add_chart(chart, f"A{self.table.rows + 4}")
