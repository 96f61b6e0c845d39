"""The monitoring workbook: «Сводка», «Показатели», «По формам», «Анкеты», «Отзывы» and, for
those whose scope covers the people, «Участники». Written in openpyxl's write-only mode, so
memory stays bounded whatever the size of the region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from exports.cells import DATE, DATE_TIME, DECIMAL, PERCENT, suppressed
from exports.change import ChangeSheet
from exports.queries import Figures, Level, MonitoringQueries, OrganizationRow, Reach
from exports.questionnaire_sheet import QuestionnaireSheet, question_rows, text_questions
from exports.table import Column, Table, Translate

__all__ = ["ExportOptions", "Progress", "Translate", "build_workbook"]
from surveys.forms import mentoring_form, mentoring_forms

Progress = Callable[[str], None]  # receives a stage key, e.g. "export.stage.summary"
ROLES = ("mentor", "mentee")


@dataclass(frozen=True)
class ExportOptions:
    min_group: int = 3
    target_student_share: float | None = None
    target_young_teacher_share: float | None = None
    include_register: bool = False  # only when the requester's scope covers the people
    locale: str = "ru"


def _no_progress(stage: str) -> None:
    return None


async def build_workbook(
    queries: MonitoringQueries,
    path: Path,
    translate: Translate,
    options: ExportOptions,
    progress: Progress = _no_progress,
    previous: MonitoringQueries | None = None,
) -> None:
    """`previous`: the same scope's previous period, for the «Динамика» sheet."""
    writer = _Writer(queries, translate, options)
    progress("export.stage.summary")
    await writer.summary()
    progress("export.stage.indicators")
    await writer.indicators()
    if previous is not None:
        await ChangeSheet(writer.workbook, translate, options, queries, previous).write()
    await writer.forms()
    progress("export.stage.questionnaires")
    await writer.questionnaires()
    progress("export.stage.feedback")
    await writer.feedback()
    if options.include_register:
        progress("export.stage.register")
        await writer.register()
    progress("export.stage.saving")
    writer.workbook.save(path)


class _Writer:
    def __init__(self, queries: MonitoringQueries, translate: Translate, options: ExportOptions):
        self.queries = queries
        self._ = translate
        self.options = options
        self.workbook = Workbook(write_only=True)
        self._total: Figures | None = None
        self._forms: dict[str, str] = {}
        self._labels: dict[str, str] = {}

    async def total(self) -> Figures:
        """The region or municipality total, shared by «Сводка» and «По формам»."""
        if self._total is None:
            self._total = (await self.queries.figures(Level.TOTAL)).get("*", Figures())
        return self._total

    def form_label(self, key: str) -> str:
        if key not in self._forms:
            form = mentoring_form(key)
            self._forms[key] = form.label(self.options.locale) if form else key
        return self._forms[key]

    def label(self, key: str) -> str:
        """A catalogue text, looked up once per export (row loops ask for the same few)."""
        if key not in self._labels:
            self._labels[key] = self._(key)
        return self._labels[key]

    def _figure_columns(self) -> list[Column]:
        _ = self._
        return [
            Column(_("export.col.pairs"), 10),
            Column(_("export.col.groups"), 10),
            Column(_("export.col.mentors"), 12),
            Column(_("export.col.mentees"), 14),
            Column(_("export.col.completed"), 14),
            Column(_("export.col.sent"), 14),
            Column(_("export.col.submitted"), 14),
            Column(_("export.col.response_rate"), 14, PERCENT),
            Column(_("export.col.mean_mentors"), 18, DECIMAL),
            Column(_("export.col.mean_mentees"), 18, DECIMAL),
        ]

    def _figure_values(self, figures: Figures) -> list[Any]:
        means = []
        for role in ROLES:
            people = figures.respondents.get(role, 0)
            hidden = suppressed(people, self.options.min_group) if people else None
            means.append(hidden or figures.mean(role))
        return [
            figures.pairs,
            figures.groups,
            figures.mentors,
            figures.mentees,
            figures.completed,
            figures.sent,
            figures.submitted,
            figures.response_rate,
            *means,
        ]

    async def summary(self) -> None:
        _ = self._
        organizations = await self.queries.organizations()
        by_org = await self.queries.figures(Level.ORGANIZATION)
        programmes = await self.queries.programmes_by_form()
        used = {form for _org, form in programmes}
        forms = [f.key for f in mentoring_forms() if f.key in used]
        forms += sorted(used - set(forms))
        table = Table(
            self.workbook,
            _("export.sheet.summary"),
            [
                Column(_("export.col.municipality"), 24),
                Column(_("export.col.organization"), 36),
                *[
                    Column(_("export.col.programmes_form").format(form=self.form_label(f)), 16)
                    for f in forms
                ],
                *self._figure_columns(),
            ],
        )
        for org in organizations:
            figures = by_org.get(org.id, Figures())
            table.append(
                [
                    org.municipality,
                    org.name,
                    *[programmes.get((org.id, f), 0) for f in forms],
                    *self._figure_values(figures),
                ]
            )
        table.close_filter()
        if self.queries.scope.is_region:  # the roll-up: each district, then the region
            by_district = await self.queries.figures(Level.MUNICIPALITY)
            for municipality_id, members in _by_municipality(organizations):
                schools = {org.id for org in members}
                counts = [
                    sum(n for (org, key), n in programmes.items() if org in schools and key == f)
                    for f in forms
                ]
                figures = by_district.get(municipality_id, Figures())
                label = _("export.municipality_total")
                table.append(
                    [members[0].municipality, label, *counts, *self._figure_values(figures)]
                )
        total = await self.total()
        totals = [programmes_total(programmes, f) for f in forms]
        table.append([_("export.total"), None, *totals, *self._figure_values(total)])
        self._rate_chart(table, len(organizations))

    def _rate_chart(self, table: Table, rows: int) -> None:
        if not rows:
            return
        chart = BarChart()
        chart.type = "bar"  # horizontal: organization names are long
        chart.title = self._("export.chart.response_rate")
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.y_axis.number_format = "0%"
        chart.height, chart.width = max(7.5, 0.6 * rows), 24
        column = table.column_index(self._("export.col.response_rate"))
        chart.add_data(
            Reference(table.sheet, min_col=column, min_row=1, max_row=rows + 1),
            titles_from_data=True,
        )
        chart.set_categories(Reference(table.sheet, min_col=2, min_row=2, max_row=rows + 1))
        table.untyped.add_chart(chart, f"A{rows + 5}")

    async def indicators(self) -> None:
        _ = self._
        options = self.options
        student_target = options.target_student_share is not None
        teacher_target = options.target_young_teacher_share is not None
        columns = [
            Column(_("export.col.municipality"), 24),
            Column(_("export.col.organization"), 36),
            Column(_("export.col.students_10_18"), 16),
            Column(_("export.col.students_reached"), 16),
            Column(_("export.col.student_share"), 14, PERCENT),
        ]
        if student_target:
            columns.append(Column(_("export.col.student_target"), 12, PERCENT))
        columns += [
            Column(_("export.col.teachers_under_35"), 16),
            Column(_("export.col.young_teachers_reached"), 16),
            Column(_("export.col.young_teacher_share"), 14, PERCENT),
        ]
        if teacher_target:
            columns.append(Column(_("export.col.young_teacher_target"), 12, PERCENT))
        table = Table(self.workbook, _("export.sheet.indicators"), columns)

        def row(municipality: str, name: str | None, reach: Reach) -> list[Any]:
            values: list[Any] = [
                municipality,
                name,
                reach.students_10_18,
                reach.students,
                _share(reach.students, reach.students_10_18),
            ]
            if student_target:
                values.append(options.target_student_share)
            values += [
                reach.teachers_under_35,
                reach.young_teachers,
                _share(reach.young_teachers, reach.teachers_under_35),
            ]
            if teacher_target:
                values.append(options.target_young_teacher_share)
            return values

        organizations = await self.queries.organizations()
        by_org = await self.queries.reach(Level.ORGANIZATION)
        by_municipality = await self.queries.reach(Level.MUNICIPALITY)
        for municipality_id, members in _by_municipality(organizations):
            for org in members:
                reach = by_org.get(org.id, Reach(0, 0, org.students_10_18, org.teachers_under_35))
                table.append(row(org.municipality, org.name, reach))
            if self.queries.scope.organization_id is None:
                reach = by_municipality.get(municipality_id, Reach())
                table.append(row(members[0].municipality, _("export.municipality_total"), reach))
        table.close_filter()
        if self.queries.scope.is_region:
            total = (await self.queries.reach(Level.TOTAL)).get("*", Reach())
            table.append(row(_("export.region_total"), None, total))

    async def forms(self) -> None:
        _ = self._
        by_form = await self.queries.figures(Level.FORM)
        table = Table(
            self.workbook,
            _("export.sheet.forms"),
            [
                Column(_("export.col.form"), 30),
                Column(_("export.col.programmes"), 12),
                *self._figure_columns(),
            ],
        )
        order = [f.key for f in mentoring_forms()]
        for key in sorted(by_form, key=lambda k: (order.index(k) if k in order else 99, k)):
            figures = by_form[key]
            table.append([self.form_label(key), figures.programmes, *self._figure_values(figures)])
        table.close_filter()
        total = await self.total()
        table.append([_("export.total"), total.programmes, *self._figure_values(total)])

    async def questionnaires(self) -> None:
        snapshots = await self.queries.snapshots()
        counts = await self.queries.distributions(text_questions(snapshots))
        sheet = QuestionnaireSheet(
            self.workbook, self._, self.options.locale, self.options.min_group
        )
        sheet.write(question_rows(snapshots, counts))

    async def feedback(self) -> None:
        _ = self._
        snapshots = await self.queries.snapshots()
        texts = {
            (snapshot_id, q["key"]): q["text"]
            for snapshot_id, snapshot in snapshots.items()
            for q in snapshot.definition["questions"]
        }
        table = Table(
            self.workbook,
            _("export.sheet.feedback"),
            [
                Column(_("export.col.organization"), 36),
                Column(_("export.col.form"), 24),
                Column(_("export.col.role"), 14),
                Column(_("export.col.question_text"), 40),
                Column(_("export.col.answer"), 60),
                Column(_("export.col.answered_at"), 16, DATE_TIME),
            ],
        )
        rows = self.queries.free_texts(text_questions(snapshots))
        async for org, form, role, snapshot_id, key, text, answered_at in rows:
            table.append(
                [
                    org,
                    self.form_label(form),
                    self.label(f"role.{role}"),
                    texts.get((snapshot_id, key), key),
                    text,
                    answered_at,
                ]
            )
        table.close_filter()

    async def register(self) -> None:
        _ = self._
        table = Table(
            self.workbook,
            _("export.sheet.register"),
            [
                Column(_("export.col.full_name"), 32),
                Column(_("export.col.organization"), 36),
                Column(_("export.col.category"), 18),
                Column(_("export.col.role"), 14),
                Column(_("export.col.form"), 24),
                Column(_("export.col.programme"), 30),
                Column(_("export.col.pair"), 8),
                Column(_("export.col.pair_status"), 14),
                Column(_("export.col.joined"), 12, DATE),
                Column(_("export.col.answered"), 12),
            ],
        )
        forgotten = _("export.forgotten")
        async for (
            name,
            org,
            category,
            role,
            form,
            title,
            number,
            status,
            joined,
            n,
        ) in self.queries.register():
            table.append(
                [
                    name or forgotten,
                    org,
                    self.label(f"category.{category}") if category else None,
                    self.label(f"role.{role}"),
                    self.form_label(form),
                    title,
                    number,
                    self.label(f"export.pair_status.{status}"),
                    joined.date(),
                    n,
                ]
            )
        table.close_filter()


def programmes_total(programmes: dict[tuple[int, str], int], form: str) -> int:
    return sum(n for (_org, key), n in programmes.items() if key == form)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _by_municipality(
    organizations: list[OrganizationRow],
) -> list[tuple[int, list[OrganizationRow]]]:
    groups: dict[int, list[OrganizationRow]] = {}
    for org in organizations:
        groups.setdefault(org.municipality_id, []).append(org)
    return list(groups.items())
