"""The figures of one scope and period, gathered once: the справка is written from them, and
they are the same queries the workbook's «Сводка», «Показатели», «По формам» and «Анкеты»
sheets run, so both documents show the same numbers (tests/exports/test_report.py compares)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from exports.queries import Figures, Level, MonitoringQueries, OrganizationRow, Reach
from exports.questionnaire_sheet import QuestionRow, figures_of, question_rows, text_questions
from surveys.questionnaire import Moment, QuestionKind

ROLES = ("mentor", "mentee")


@dataclass(frozen=True)
class Change:
    """A scale item asked at the start and at the completion: means of one role."""

    form: str
    label: str
    role: str
    before: float
    after: float
    people: int  # the fewer of the two moments' respondents (what the privacy rule checks)

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class ReportFigures:
    organizations: list[OrganizationRow]
    total: Figures
    by_organization: dict[int, Figures]
    by_form: dict[str, Figures]
    reach: Reach  # the whole scope
    reach_by_organization: dict[int, Reach]
    changes: list[Change] = field(default_factory=list)
    previous_label: str | None = None  # the period compared with; None: no comparison asked
    previous: list[KeyFigure] | None = None  # None: nothing in that period
    # Key figures of the total the workbook hides (secondary suppression), now and before.
    hidden_now: frozenset[str] = frozenset()
    hidden_then: frozenset[str] = frozenset()
    # (organization, "response_rate" | "students_share") the workbook hides for a school.
    hidden_schools: frozenset[tuple[int, str]] = frozenset()

    def organization_reach(self, org: OrganizationRow) -> Reach:
        return self.reach_by_organization.get(
            org.id, Reach(0, 0, org.students_10_18, org.teachers_under_35)
        )


async def gather(
    queries: MonitoringQueries, previous: MonitoringQueries | None = None
) -> ReportFigures:
    """The figures of `queries`' scope and period; with `previous`, the key figures of the
    previous period too (when it had any programme)."""
    before: list[KeyFigure] | None = None
    if previous is not None:
        total_before = (await previous.figures(Level.TOTAL)).get("*")
        if total_before is not None and total_before.programmes:
            reach_before = (await previous.reach(Level.TOTAL)).get("*", Reach())
            before = key_figures(total_before, reach_before)
    by_org = await queries.figures(Level.ORGANIZATION)
    total = (await queries.figures(Level.TOTAL)).get("*", Figures())
    snapshots = await queries.snapshots()
    rows = question_rows(snapshots, await queries.distributions(text_questions(snapshots)))
    return ReportFigures(
        organizations=await queries.organizations(),
        total=total,
        by_organization=by_org,
        by_form=await queries.figures(Level.FORM),
        reach=(await queries.reach(Level.TOTAL)).get("*", Reach()),
        reach_by_organization=await queries.reach(Level.ORGANIZATION),
        changes=changes(rows),
        previous_label=previous.period.label() if previous is not None else None,
        previous=before,
    )


def changes(rows: list[QuestionRow]) -> list[Change]:
    """Start → completion for every scale item with a metric, as «Анкеты» computes it."""
    found: list[Change] = []
    starts = {
        (row.form, row.metric): row
        for row in rows
        if row.moment == Moment.START and row.kind == QuestionKind.SCALE and row.metric
    }
    for row in rows:
        if row.moment != Moment.COMPLETION or row.kind != QuestionKind.SCALE or not row.metric:
            continue
        start = starts.get((row.form, row.metric))
        if start is None:
            continue
        for role in ROLES:
            after, before = figures_of(row, role), figures_of(start, role)
            if after is None or before is None or after.mean is None or before.mean is None:
                continue
            people = min(after.respondents, before.respondents)
            found.append(Change(row.form, row.text, role, before.mean, after.mean, people))
    return found


class Kind(StrEnum):
    COUNT = "count"
    SHARE = "share"
    MEAN = "mean"


@dataclass(frozen=True)
class KeyFigure:
    """One figure of «Сводка» or «Показатели»; `key` names its column (export.col.<key>)."""

    key: str
    kind: Kind
    value: float | None  # None: nothing to count it on (no answers, no head count)
    people: int | None = None  # for means: the respondents it rests on (privacy rule)


def key_figures(figures: Figures, reach: Reach) -> list[KeyFigure]:
    """The figures the справка's summary table and the change sheet show, in their order."""
    count, share, mean = Kind.COUNT, Kind.SHARE, Kind.MEAN
    return [
        KeyFigure("programmes", count, figures.programmes),
        KeyFigure("pairs", count, figures.pairs),
        KeyFigure("groups", count, figures.groups),
        KeyFigure("mentors", count, figures.mentors),
        KeyFigure("mentees", count, figures.mentees),
        KeyFigure("completed", count, figures.completed),
        KeyFigure("sent", count, figures.sent),
        KeyFigure("submitted", count, figures.submitted),
        KeyFigure("response_rate", share, figures.response_rate),
        *[
            KeyFigure(f"mean_{role}s", mean, figures.mean(role), figures.respondents.get(role, 0))
            for role in ROLES
        ],
        KeyFigure("students_10_18", count, reach.students_10_18),
        KeyFigure("students_reached", count, reach.students),
        KeyFigure("student_share", share, share_of(reach.students, reach.students_10_18)),
        KeyFigure("teachers_under_35", count, reach.teachers_under_35),
        KeyFigure("young_teachers_reached", count, reach.young_teachers),
        KeyFigure(
            "young_teacher_share", share, share_of(reach.young_teachers, reach.teachers_under_35)
        ),
    ]


def share_of(part: int, whole: int) -> float | None:
    return part / whole if whole else None
