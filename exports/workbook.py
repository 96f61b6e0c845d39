"""The monitoring workbook: «Сводка», «Показатели», «По формам», «Анкеты», «Отзывы» and, for
those whose scope covers the people, «Участники». Written in openpyxl's write-only mode, so
memory stays bounded whatever the size of the region."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from exports.beside import Beside
from exports.cells import DATE, DECIMAL, PERCENT
from exports.change import ChangeSheet
from exports.figures import MonitoringFigures, gather
from exports.queries import (
    QUESTIONNAIRE_STATE,
    Figures,
    Level,
    MonitoringQueries,
    OrganizationRow,
)
from exports.questionnaire_sheet import QuestionnaireSheet, text_questions
from exports.table import Column, Table, Translate
from storage.sqlite_inline import off_the_loop

__all__ = ["ExportOptions", "Progress", "Register", "Translate", "build_workbook"]
from surveys.forms import mentoring_form, mentoring_forms

Progress = Callable[[str], None]  # receives a stage key, e.g. "export.stage.summary"
ROLES = ("mentor", "mentee")


class Register(StrEnum):
    """The «Участники» sheet: none, people as codes, or with their names (asked for)."""

    NONE = "none"
    ANONYMOUS = "anonymous"
    NAMES = "names"


@dataclass(frozen=True)
class ExportOptions:
    min_group: int = 3
    target_student_share: float | None = None
    target_young_teacher_share: float | None = None
    register: Register = Register.NONE  # app.policy decides who gets which
    locale: str = "ru"
    title: str = ""  # district (or school) and period, printed at the top of every page

    def with_register(self, register: Register) -> ExportOptions:
        return replace(self, register=register)


def _no_progress(stage: str) -> None:
    return None


async def build_workbook(
    queries: MonitoringQueries,
    path: Path,
    translate: Translate,
    options: ExportOptions,
    progress: Progress | None = None,
    previous: MonitoringQueries | None = None,
    beside_previous: bool = False,
    alongside: MonitoringQueries | None = None,
) -> None:
    """`previous`: the same scope's previous period, for the «Динамика» sheet; with
    `beside_previous` (a round's workbook) also beside each figure of «Сводка» and
    «Показатели» (exports/beside.py).

    `alongside`: the same scope and period on a second connection. The long sheets (free
    texts, the register) are then streamed from it and written while the figures are
    counted on the first: the database counts while openpyxl writes. SQLite counts on a
    worker thread (`off_the_loop`), where sqlite3 lets go of the GIL while a statement runs;
    without `alongside` nothing runs beside it, so the statements stay on the loop."""
    progress = progress or _no_progress
    writer = _Writer(queries, translate, options)
    with off_the_loop() if alongside is not None else nullcontext():
        counting = asyncio.create_task(
            _count(queries, options.min_group, previous if beside_previous else None)
        )
    try:
        if alongside is None:  # one connection runs one statement at a time
            await asyncio.wait({counting})
        lists = await writer.lists(alongside or queries, progress)
    except BaseException:
        counting.cancel()
        await asyncio.wait({counting})  # its statement stopped before the sessions close
        raise
    writer.figures, then = await counting
    if previous is not None and then is not None:
        writer.beside = Beside(writer.figures, then, previous.period.label(), translate, options)
    progress("export.stage.summary")
    await writer.summary()
    progress("export.stage.indicators")
    await writer.indicators()
    if previous is not None:
        sheet = ChangeSheet(
            writer.workbook, translate, options, queries, previous, writer.figures, then
        )
        await sheet.write()
    await writer.forms()
    progress("export.stage.questionnaires")
    await writer.questionnaires()
    writer.put_last(lists)
    progress("export.stage.saving")
    writer.workbook.save(path)


async def _count(
    queries: MonitoringQueries, min_group: int, previous: MonitoringQueries | None
) -> tuple[MonitoringFigures, MonitoringFigures | None]:
    """This period's figures and, for a round's workbook, the previous period's (gathered
    once for «Сводка» and «Динамика»)."""
    now = await gather(queries, min_group)
    return now, (await gather(previous, min_group) if previous is not None else None)


class _Writer:
    def __init__(
        self,
        queries: MonitoringQueries,
        translate: Translate,
        options: ExportOptions,
    ):
        self.queries = queries
        self._ = translate
        self.options = options
        self.figures: MonitoringFigures  # set by build_workbook once counted
        self.workbook = Workbook(write_only=True)
        self._forms: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        self.beside: Beside | None = None  # the previous round beside each figure

    def table(self, title: str, columns: list[Column]) -> Table:
        return Table(self.workbook, title, columns, print_title=self.options.title)

    async def lists(self, source: MonitoringQueries, progress: Progress) -> list[str]:
        """«Отзывы» and, when asked for, «Участники» from `source`; their sheets' titles."""
        progress("export.stage.feedback")
        titles = [await self.feedback(source)]
        if self.options.register is not Register.NONE:
            progress("export.stage.register")
            titles.append(await self.register(source))
        return titles

    def put_last(self, titles: list[str]) -> None:
        """The lists, written first (see build_workbook), go after the figures' sheets."""
        for title in titles:
            position = self.workbook.sheetnames.index(title)
            self.workbook.move_sheet(title, len(self.workbook.sheetnames) - 1 - position)

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

    async def summary(self) -> None:
        _ = self._
        figures = self.figures
        organizations = figures.organizations
        programmes = figures.programmes
        used = {form for _org, form in programmes}
        forms = [f.key for f in mentoring_forms() if f.key in used]
        forms += sorted(used - set(forms))
        table = self.table(
            _("export.sheet.summary"),
            [
                Column(_("export.col.municipality"), 24),
                Column(_("export.col.organization"), 36),
                *[
                    Column(_("export.col.programmes_form").format(form=self.form_label(f)), 16)
                    for f in forms
                ],
                *self._figure_columns(),
                *(self.beside.summary_columns() if self.beside else []),
            ],
        )
        for org in organizations:
            row = figures.by_org.get(org.id, Figures())
            table.append(
                [
                    org.municipality,
                    org.name,
                    *[programmes.get((org.id, f), 0) for f in forms],
                    *figures.row(Level.ORGANIZATION, org.id, row),
                    *self._beside_summary(Level.ORGANIZATION, org.id),
                ]
            )
        table.close_filter()
        if figures.by_municipality:  # a region's roll-up: each district, then the region
            for municipality_id, members in _by_municipality(organizations):
                schools = {org.id for org in members}
                counts = [
                    sum(n for (org, key), n in programmes.items() if org in schools and key == f)
                    for f in forms
                ]
                district = figures.by_municipality.get(municipality_id, Figures())
                table.append(
                    [
                        members[0].municipality,
                        _("export.municipality_total"),
                        *counts,
                        *figures.row(Level.MUNICIPALITY, municipality_id, district),
                        *self._beside_summary(Level.MUNICIPALITY, municipality_id),
                    ]
                )
        totals = [programmes_total(programmes, f) for f in forms]
        table.append(
            [
                _("export.total"),
                None,
                *totals,
                *figures.row(Level.TOTAL, "*", figures.total),
                *self._beside_summary(Level.TOTAL, "*"),
            ]
        )
        self._rate_chart(table, len(organizations))

    def _beside_summary(self, level: Level, ident: Any) -> list[Any]:
        return self.beside.summary_cells(level, ident) if self.beside else []

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
        if self.beside:
            columns += self.beside.indicator_columns()
        table = self.table(_("export.sheet.indicators"), columns)

        figures = self.figures

        def row(municipality: str, name: str | None, level: Level, ident: Any) -> list[Any]:
            reach = figures.reach_figures(level, ident)

            def shown(measure: str, value: Any) -> Any:
                return figures.masked(("reach", level, ident, measure), value)

            values: list[Any] = [
                municipality,
                name,
                reach.students_10_18,
                shown("students", reach.students),
                shown("students_share", _share(reach.students, reach.students_10_18)),
            ]
            if student_target:
                values.append(options.target_student_share)
            values += [
                reach.teachers_under_35,
                shown("young_teachers", reach.young_teachers),
                shown(
                    "young_teachers_share", _share(reach.young_teachers, reach.teachers_under_35)
                ),
            ]
            if teacher_target:
                values.append(options.target_young_teacher_share)
            if self.beside:
                values += self.beside.indicator_cells(level, ident)
            return values

        for municipality_id, members in _by_municipality(figures.organizations):
            for org in members:
                table.append(row(org.municipality, org.name, Level.ORGANIZATION, org.id))
            if self.queries.scope.organization_id is None:
                table.append(
                    row(
                        members[0].municipality,
                        _("export.municipality_total"),
                        Level.MUNICIPALITY,
                        municipality_id,
                    )
                )
        table.close_filter()
        if self.queries.scope.is_region:
            table.append(row(_("export.region_total"), None, Level.TOTAL, "*"))

    async def forms(self) -> None:
        _ = self._
        figures = self.figures
        table = self.table(
            _("export.sheet.forms"),
            [
                Column(_("export.col.form"), 30),
                Column(_("export.col.programmes"), 12),
                *self._figure_columns(),
            ],
        )
        order = [f.key for f in mentoring_forms()]
        by_form = figures.by_form
        for key in sorted(by_form, key=lambda k: (order.index(k) if k in order else 99, k)):
            row = by_form[key]
            table.append([self.form_label(key), row.programmes, *figures.row(Level.FORM, key, row)])
        table.close_filter()
        total = figures.total
        table.append([_("export.total"), total.programmes, *figures.row(Level.TOTAL, "*", total)])

    async def questionnaires(self) -> None:
        sheet = QuestionnaireSheet(
            self.workbook, self._, self.options.locale, self.figures, self.options.title
        )
        sheet.write(self.figures.questions)

    async def feedback(self, source: MonitoringQueries) -> str:
        _ = self._
        snapshots = await source.snapshots()
        texts = {
            (snapshot_id, q["key"]): q["text"]
            for snapshot_id, snapshot in snapshots.items()
            for q in snapshot.definition["questions"]
        }
        table = self.table(
            _("export.sheet.feedback"),
            [
                Column(_("export.col.organization"), 36),
                Column(_("export.col.form"), 24),
                Column(_("export.col.role"), 14),
                Column(_("export.col.question_text"), 40),
                Column(_("export.col.answer"), 60),
                Column(_("export.col.answered_at"), 14, DATE),
            ],
        )
        append, form_label, label = table.append, self.form_label, self.label
        batches = source.free_texts(text_questions(snapshots), self.options.min_group)
        async for rows in batches:
            for org, form, role, snapshot_id, key, text, answered_at in rows:
                append(
                    [
                        org,
                        form_label(form),
                        label(f"role.{role}"),
                        texts.get((snapshot_id, key), key),
                        text,
                        answered_at,
                    ]
                )
        table.close_filter()
        return table.sheet.title

    async def register(self, source: MonitoringQueries) -> str:
        """The personified register: one row per person and pair or group, the mentor of
        each mentee, dates, status and questionnaires. People are codes (the same code for
        the same person throughout the sheet) unless names were asked for."""
        _ = self._
        names = self.options.register is Register.NAMES
        table = self.table(
            _("export.sheet.register"),
            [
                Column(_("export.col.person"), 10),
                *([Column(_("export.col.full_name"), 32)] if names else []),
                Column(_("export.col.organization"), 36),
                Column(_("export.col.category"), 18),
                Column(_("export.col.role"), 14),
                Column(_("export.col.form"), 24),
                Column(_("export.col.programme"), 30),
                Column(_("export.col.pair"), 8),
                Column(_("export.col.unit"), 12),
                Column(_("export.col.mentor"), 12),
                Column(_("export.col.pair_status"), 14),
                Column(_("export.col.joined"), 12, DATE),
                Column(_("export.col.ended"), 12, DATE),
                Column(_("export.col.start_questionnaire"), 16),
                Column(_("export.col.completion_questionnaire"), 16),
                Column(_("export.col.answered"), 12),
            ],
        )
        forgotten = _("export.forgotten")
        codes: dict[int, str] = {}
        mentor: tuple[int, str | None] = (0, None)  # (pair id, mentor's code)
        # What each row looks up, bound once: the loop runs once per person and pair.
        append, form_label, label = table.append, self.form_label, self.label
        states = {
            state: label(f"export.questionnaire.{name}")
            for state, name in QUESTIONNAIRE_STATE.items()
        }
        never = states[None]
        async for rows in source.register():
            for (
                person_id, full_name, organization, category, role, form, programme_id,
                programme, pair_id, number, status, joined, ended, start, completion, answered,
            ) in rows:  # fmt: skip
                person = codes.get(person_id)
                if person is None:  # the same code for the same person throughout the sheet
                    person = codes[person_id] = f"P{len(codes) + 1:05d}"
                if role == "mentor":
                    mentor = (pair_id, person)
                elif mentor[0] != pair_id:
                    mentor = (pair_id, None)
                append(
                    [
                        person,
                        *([full_name or forgotten] if names else []),
                        organization,
                        label(f"category.{category}") if category else None,
                        label(f"role.{role}"),
                        form_label(form),
                        programme,
                        number,
                        f"{programme_id}-{number}",
                        mentor[1] if role == "mentee" else None,
                        label(f"export.pair_status.{status}"),
                        joined.date(),
                        ended.date() if ended else None,
                        states.get(start, never),
                        states.get(completion, never),
                        answered,
                    ]
                )
        table.close_filter()
        return table.sheet.title


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
