"""The справка's sections, written from the figures: short paragraphs whose every number is
one of the workbook's (figures.py), tables, charts, and the methodist's part left to fill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from exports.change import Compared, compare
from exports.queries import Figures, OrganizationRow
from exports.report import charts
from exports.report.blocks import Block, Chart, Heading, Paragraph, TableBlock
from exports.report.figures import Kind, ReportFigures, key_figures, share_of
from exports.report.words import Words
from exports.workbook import ExportOptions
from surveys.forms import mentoring_form, mentoring_forms

# A school lags when under half of the questionnaires sent to it came back: the roadmaps
# ask for both moments of the monitoring, and half is where the comparison stops meaning much.
LOW_RESPONSE = 0.5
NAMES_IN_PROSE = 10  # the rest are in the table under the paragraph
# A chart stays readable on a page (and quick to draw): the lowest rates, the largest changes.
CHART_BARS = 25
CHART_CHANGES = 12


@dataclass(frozen=True)
class Title:
    """What the title block says about the document."""

    scope: str
    period: str
    made_on: date
    round: str | None = None  # a monitoring round's line: which one, whether frozen
    compared_with: str | None = None  # the previous round of the same kind, when one exists


class Writer:
    def __init__(
        self, figures: ReportFigures, words: Words, options: ExportOptions, title: Title
    ) -> None:
        self.f = figures
        self.w = words
        self.options = options
        self.title = title

    def blocks(self) -> list[Block]:
        return [
            *self.title_block(),
            *self.key_figures(),
            *self.participants(),
            *self.indicators(),
            *self.responses(),
            *self.satisfaction(),
            *self.lagging(),
            *self.conclusions(),
        ]

    # --- helpers ------------------------------------------------------------------------------

    def form_label(self, key: str) -> str:
        form = mentoring_form(key)
        return form.label(self.w.locale) if form else key

    def mean_text(self, figures: Figures, role: str) -> str:
        people = figures.respondents.get(role, 0)
        mean = figures.mean(role)
        if mean is None:
            return self.w._("report.no_answers")
        if people < self.options.min_group:
            return self.w._("report.too_few", count=self.options.min_group)
        return self.w.decimal(mean)

    def org_rate(self, figures: Figures) -> float | None:
        """A school's response rate, unless it rests on fewer people than the privacy rule."""
        if figures.mentors + figures.mentees < self.options.min_group:
            return None
        return figures.response_rate

    # --- sections -----------------------------------------------------------------------------

    def title_block(self) -> list[Block]:
        _ = self.w._
        return [
            Heading(_("report.title"), 0),
            Paragraph(_("report.subtitle"), bold=True),
            Paragraph(_("report.scope_line", scope=self.title.scope)),
            Paragraph(_("report.period_line", period=self.title.period)),
            *([Paragraph(self.title.round)] if self.title.round else []),
            Paragraph(_("report.date_line", date=self.w.day(self.title.made_on))),
        ]

    def key_figures(self) -> list[Block]:
        _ = self.w._
        label = self.f.previous_label
        compared = compare(
            key_figures(self.f.total, self.f.reach),
            self.f.previous,
            self.options,
            self.f.hidden_now.__contains__,
            self.f.hidden_then.__contains__,
        )
        blocks: list[Block] = [
            Heading(_("report.section.summary")),
            Paragraph(_("report.summary.lead", period=self.title.period)),
        ]
        if self.title.compared_with:
            blocks.append(Paragraph(self.title.compared_with))
        if label is None:  # no comparison asked for (a round without an earlier one)
            rows = tuple(
                (_(f"export.col.{row.key}"), self.shown(row.current, row.kind)) for row in compared
            )
            return [*blocks, TableBlock((_("report.col.figure"), self.title.period), rows)]
        header = (
            _("report.col.figure"),
            self.title.period,
            label,
            _("report.col.delta"),
            _("report.col.target"),
        )
        compared_rows = tuple(
            (
                _(f"export.col.{row.key}"),
                self.shown(row.current, row.kind),
                self.shown(row.previous, row.kind),
                self.change(row.delta, row.kind),
                self.shown(row.target, Kind.SHARE),
            )
            for row in compared
        )
        blocks.append(TableBlock(header, compared_rows))
        blocks.append(Paragraph(self._change_sentence(compared, label)))
        return blocks

    def _change_sentence(self, compared: list[Compared], label: str) -> str:
        _ = self.w._
        if self.f.previous is None:
            return _("report.change.none", previous=label)
        by_key = {row.key: row for row in compared}
        return _(
            "report.change.lead",
            previous=label,
            mentors=self.change(by_key["mentors"].delta, Kind.COUNT),
            mentees=self.change(by_key["mentees"].delta, Kind.COUNT),
            rate=self.change(by_key["response_rate"].delta, Kind.SHARE),
            students=self.change(by_key["student_share"].delta, Kind.SHARE),
        )

    def shown(self, value: float | str | None, kind: Kind) -> str:
        """A figure as the workbook shows it («<3» for one resting on too few people)."""
        w = self.w
        return _in_words(value, kind, share=w.percent, mean=w.decimal, count=w.number)

    def change(self, delta: float | str | None, kind: Kind) -> str:
        w = self.w

        def points(share: float) -> str:
            return w._("report.points", value=w.points(share))

        return _in_words(delta, kind, share=points, mean=w.signed, count=w.signed_number)

    def participants(self) -> list[Block]:
        _ = self.w._
        total = self.f.total
        active = [org for org in self.f.organizations if self._programmes(org) > 0]
        blocks: list[Block] = [
            Heading(_("report.section.participants")),
            Paragraph(
                _(
                    "report.participants",
                    period=self.title.period,
                    schools=_("report.in_schools", count=len(active)),
                    organizations=_("report.of_schools", count=len(self.f.organizations)),
                    programmes=_("report.programmes", count=total.programmes),
                    pairs=_("report.pairs", count=total.pairs),
                    groups=_("report.groups", count=total.groups),
                )
            ),
            Paragraph(
                _(
                    "report.people",
                    mentors=_("report.mentors", count=total.mentors),
                    mentees=_("report.mentees", count=total.mentees),
                    completed=self.w.number(total.completed),
                )
            ),
        ]
        forms = self._forms()
        if not forms:
            return blocks
        biggest = max(forms, key=lambda item: item[1].mentors + item[1].mentees)
        blocks.append(
            Paragraph(
                _(
                    "report.biggest_form",
                    form=self.form_label(biggest[0]),
                    mentors=_("report.mentors", count=biggest[1].mentors),
                    mentees=_("report.mentees", count=biggest[1].mentees),
                )
            )
        )
        header = tuple(
            _(f"export.col.{key}")
            for key in (
                "form", "programmes", "pairs", "groups", "mentors", "mentees", "completed"
            )
        )  # fmt: skip
        number = self.w.number
        rows = tuple(
            (
                self.form_label(key),
                number(f.programmes),
                number(f.pairs),
                number(f.groups),
                number(f.mentors),
                number(f.mentees),
                number(f.completed),
            )
            for key, f in forms
        )
        blocks.append(TableBlock(header, rows))
        return blocks

    def _programmes(self, org: OrganizationRow) -> int:
        figures = self.f.by_organization.get(org.id)
        return figures.programmes if figures else 0

    def _forms(self) -> list[tuple[str, Figures]]:
        order = [form.key for form in mentoring_forms()]
        keys = sorted(self.f.by_form, key=lambda k: (order.index(k) if k in order else 99, k))
        return [(key, self.f.by_form[key]) for key in keys]

    def indicators(self) -> list[Block]:
        _ = self.w._
        reach, options, hidden = self.f.reach, self.options, self.f.hidden_now
        return [
            Heading(_("report.section.indicators")),
            Paragraph(
                self._indicator(
                    reach.students,
                    reach.students_10_18,
                    options.target_student_share,
                    "TARGET_STUDENT_SHARE",
                    lambda **shares: _("report.students", **shares),
                    _("report.students.no_base"),
                    bool({"students_reached", "student_share"} & hidden),
                )
            ),
            Paragraph(
                self._indicator(
                    reach.young_teachers,
                    reach.teachers_under_35,
                    options.target_young_teacher_share,
                    "TARGET_YOUNG_TEACHER_SHARE",
                    lambda **shares: _("report.teachers", **shares),
                    _("report.teachers.no_base"),
                    bool({"young_teachers_reached", "young_teacher_share"} & hidden),
                )
            ),
        ]

    def _indicator(
        self,
        reached: int,
        whole: int,
        target: float | None,
        setting: str,
        text: Callable[..., str],
        no_base: str,
        hidden: bool = False,
    ) -> str:
        """`hidden`: the workbook hides the figure (too few people): so does the prose, and
        the distance to the target, which would give it away."""
        share = share_of(reached, whole)
        if share is None:
            return no_base
        if hidden:
            marker = self.w.hidden(self.options.min_group)
            said = text(share=marker, reached=marker, whole=self.w.number(whole))
            return f"{said} {self.w._('report.target.hidden')}"
        said = text(
            share=self.w.percent(share), reached=self.w.number(reached), whole=self.w.number(whole)
        )
        return f"{said} {self._target(share, target, setting)}"

    def _target(self, share: float, target: float | None, setting: str) -> str:
        _ = self.w._
        if target is None:
            return _("report.target.none", setting=setting)
        if share >= target:
            return _("report.target.met", target=self.w.percent(target))
        return _(
            "report.target.missed",
            target=self.w.percent(target),
            gap=self.w.points(target - share).lstrip("+"),
        )

    def responses(self) -> list[Block]:
        _ = self.w._
        total = self.f.total
        blocks: list[Block] = [Heading(_("report.section.responses"))]
        if total.response_rate is None:
            blocks.append(Paragraph(_("report.responses.none")))
            return blocks
        blocks.append(
            Paragraph(
                _(
                    "report.responses",
                    sent=self.w.number(total.sent),
                    submitted=self.w.number(total.submitted),
                    rate=self.w.percent(total.response_rate),
                )
            )
        )
        rates, caption = self._rates()
        if len(rates) > CHART_BARS:
            rates = sorted(rates, key=lambda row: row[1])[:CHART_BARS]
            caption = _("report.chart.lowest_rates", count=CHART_BARS)
        if rates:
            blocks.append(Chart(charts.horizontal_bars(rates, percent=True), caption))
        return blocks

    def _rates(self) -> tuple[list[tuple[str, float]], str]:
        """Response rates per school, or per municipality when the scope spans several."""
        _ = self.w._
        by_org = self.f.by_organization
        if len({org.municipality_id for org in self.f.organizations}) < 2:
            rates = [
                (org.name, rate)
                for org in self.f.organizations
                if (figures := by_org.get(org.id)) is not None
                and (org.id, "response_rate") not in self.f.hidden_schools
                and (rate := self.org_rate(figures)) is not None
            ]
            return rates, _("export.chart.response_rate")
        merged: dict[str, Figures] = {}
        for org in self.f.organizations:
            figures = by_org.get(org.id)
            if figures is not None:
                into = merged.setdefault(org.municipality, Figures())
                into.sent += figures.sent
                into.submitted += figures.submitted
                into.mentors += figures.mentors
                into.mentees += figures.mentees
        rates = [
            (name, rate)
            for name, figures in merged.items()
            if (rate := self.org_rate(figures)) is not None
        ]
        return rates, _("report.chart.rates_by_municipality")

    def satisfaction(self) -> list[Block]:
        _ = self.w._
        blocks: list[Block] = [
            Heading(_("report.section.satisfaction")),
            Paragraph(
                _(
                    "report.satisfaction",
                    mentors=self.mean_text(self.f.total, "mentor"),
                    mentees=self.mean_text(self.f.total, "mentee"),
                )
            ),
        ]
        shown = [c for c in self.f.changes if c.people >= self.options.min_group]
        if not shown:
            blocks.append(Paragraph(_("report.changes.none", min=self.options.min_group)))
            return blocks
        up = sum(1 for change in shown if change.delta > 0)
        down = sum(1 for change in shown if change.delta < 0)
        blocks.append(
            Paragraph(
                _(
                    "report.changes.summary",
                    up=self.w.number(up),
                    down=self.w.number(down),
                    all=_("report.of_comparisons", count=len(shown)),
                )
            )
        )
        header = (
            _("export.col.form"),
            _("report.col.item"),
            _("export.col.role"),
            _("report.col.before"),
            _("report.col.after"),
            _("report.col.delta"),
        )
        rows = tuple(
            (
                self.form_label(change.form),
                change.label,
                _(f"role.{change.role}"),
                self.w.decimal(change.before),
                self.w.decimal(change.after),
                self.w.signed(change.delta),
            )
            for change in shown
        )
        blocks.append(TableBlock(header, rows))
        caption = _("report.chart.before_after")
        if len(shown) > CHART_CHANGES:
            shown = sorted(shown, key=lambda change: -abs(change.delta))[:CHART_CHANGES]
            caption = _("report.chart.biggest_changes", count=CHART_CHANGES)
        series = [
            (f"{change.label} ({_(f'role.{change.role}')})", change.before, change.after)
            for change in shown
        ]
        png = charts.before_after(series, _("export.moment.start"), _("export.moment.completion"))
        blocks.append(Chart(png, caption))
        return blocks

    def lagging(self) -> list[Block]:
        _ = self.w._
        limit = self.w.percent(LOW_RESPONSE)
        blocks: list[Block] = [
            Heading(_("report.section.lagging")),
            Paragraph(_("report.lagging.criteria", limit=limit)),
        ]
        found = self._lagging()
        if not found:
            blocks.append(Paragraph(_("report.lagging.none")))
            return blocks
        names = ", ".join(name for name, _reasons in found[:NAMES_IN_PROSE])
        if len(found) > NAMES_IN_PROSE:
            names += " " + _("report.and_more", count=len(found) - NAMES_IN_PROSE)
        blocks.append(
            Paragraph(
                _("report.lagging", schools=_("report.schools", count=len(found)), names=names)
            )
        )
        blocks.append(
            TableBlock(
                (_("export.col.organization"), _("report.col.reason")),
                tuple((name, "; ".join(reasons)) for name, reasons in found),
            )
        )
        return blocks

    def _lagging(self) -> list[tuple[str, list[str]]]:
        _ = self.w._
        target = self.options.target_student_share
        found = []
        for org in self.f.organizations:
            figures = self.f.by_organization.get(org.id, Figures())
            if figures.programmes == 0:
                found.append((org.name, [_("report.reason.no_programmes")]))
                continue
            reasons = []
            rate = self.org_rate(figures)
            if (org.id, "response_rate") in self.f.hidden_schools:
                rate = None  # hidden in the workbook: not a reason named with its figure
            if rate is not None and rate < LOW_RESPONSE:
                reasons.append(_("report.reason.low_response", rate=self.w.percent(rate)))
            reach = self.f.organization_reach(org)
            share = share_of(reach.students, reach.students_10_18)
            if target is not None and share is not None and share < target:
                if (org.id, "students_share") in self.f.hidden_schools:  # as in the workbook
                    said = _("report.reason.below_target_few", target=self.w.percent(target))
                else:
                    said = _(
                        "report.reason.below_target",
                        share=self.w.percent(share),
                        target=self.w.percent(target),
                    )
                reasons.append(said)
            if reasons:
                found.append((org.name, reasons))
        return found

    def conclusions(self) -> list[Block]:
        _ = self.w._
        return [
            Heading(_("report.section.conclusions")),
            Paragraph(_("report.conclusions.hint"), editable=True),
            Paragraph("", editable=True),
            Paragraph("", editable=True),
            Paragraph(_("report.signature")),
        ]


def _in_words(
    value: float | str | None,
    kind: Kind,
    *,
    share: Callable[[float], str],
    mean: Callable[[float], str],
    count: Callable[[int], str],
) -> str:
    """A figure (or its change): a dash for none, a hidden one («<3») as it stands,
    otherwise written as its kind is."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind is Kind.SHARE:
        return share(value)
    if kind is Kind.MEAN:
        return mean(value)
    return count(int(value))
