"""Every aggregate figure of the monitoring workbook, gathered before any sheet is written, with
the set of figures that must not be shown (exports/suppression.py). The sheets, and any other
document built on the same figures (a report), read them from here, so what is hidden on one
sheet cannot be recomputed from another.

Cells are named by keys: (level, id, measure) for the rows of «Сводка» and «По формам»
(`Level.ORGANIZATION` / `Level.FORM` / `Level.TOTAL`), ("reach", level, id, measure) for
«Показатели», ("question", form, moment, key, role, part) for «Анкеты».
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from exports.cells import suppressed
from exports.queries import Figures, Level, MonitoringQueries, OrganizationRow, Reach
from exports.questionnaire_sheet import (
    QuestionRow,
    change_start,
    figures_of,
    question_rows,
    text_questions,
)
from exports.suppression import Relation, suppress
from surveys.questionnaire import Moment, QuestionKind

ROLES = ("mentor", "mentee")
UNITS = ("pairs", "groups", "completed")
RESPONSES = ("sent", "submitted", "response_rate")
MEANS = tuple(f"mean_{role}" for role in ROLES)
# The order of the figure columns of «Сводка» and «По формам».
MEASURES = ("pairs", "groups", "mentors", "mentees", "completed", *RESPONSES, *MEANS)
REACH = ("students", "young_teachers")
QUESTION_PARTS = ("n", "mean", "median", "distribution")

Key = Hashable


@dataclass
class MonitoringFigures:
    organizations: list[OrganizationRow]
    programmes: dict[tuple[int, str], int]  # (organization, form) → programmes
    by_org: dict[int, Figures]
    by_form: dict[str, Figures]
    total: Figures
    reach_org: dict[int, Reach]
    reach_municipality: dict[int, Reach]
    reach_total: Reach
    questions: list[QuestionRow]
    question_people: dict[tuple[str, str, str, str], int]  # (form, moment, role, key) → people
    min_group: int
    by_municipality: dict[int, Figures] = field(default_factory=dict)  # a region's roll-up
    hidden: frozenset[Key] = field(default_factory=frozenset)

    def masked(self, key: Key, value: Any) -> Any:
        """The value, or «<3» when the figure is hidden."""
        return suppressed(0, self.min_group) if key in self.hidden else value

    def row(self, level: Level, ident: Any, figures: Figures) -> list[Any]:
        """The figure columns of «Сводка» / «По формам» for one row, masked."""
        values = measure_values(figures)
        return [self.masked((level, ident, m), values[m]) for m in MEASURES]

    def reach_figures(self, level: Level, ident: Any) -> Reach:
        if level is Level.ORGANIZATION:
            return self.reach_org.get(ident, Reach())
        if level is Level.MUNICIPALITY:
            return self.reach_municipality.get(ident, Reach())
        return self.reach_total

    def question_key(self, row: QuestionRow, role: str, part: str) -> Key:
        return ("question", row.form, row.moment, row.key, role, part)

    def question_basis(self, row: QuestionRow, role: str) -> int:
        return self.question_people.get((row.form, row.moment, role, row.key), 0)


def measure_values(figures: Figures) -> dict[str, Any]:
    return {
        "pairs": figures.pairs,
        "groups": figures.groups,
        "mentors": figures.mentors,
        "mentees": figures.mentees,
        "completed": figures.completed,
        "sent": figures.sent,
        "submitted": figures.submitted,
        "response_rate": figures.response_rate,
        "mean_mentor": figures.mean("mentor"),
        "mean_mentee": figures.mean("mentee"),
    }


def _measure_basis(figures: Figures) -> dict[str, int]:
    """The distinct people each figure of a row rests on."""
    participants = figures.mentors + figures.mentees
    basis = {"mentors": figures.mentors, "mentees": figures.mentees}
    basis |= {m: participants for m in UNITS}
    basis |= {m: figures.addressees for m in RESPONSES}
    basis |= {f"mean_{role}": figures.respondents.get(role, 0) for role in ROLES}
    return basis


async def gather(queries: MonitoringQueries, min_group: int) -> MonitoringFigures:
    """All the aggregate figures of a scope and period, and what of them to hide."""
    organizations = await queries.organizations()
    snapshots = await queries.snapshots()
    counts = await queries.distributions(text_questions(snapshots))
    reach_total = (await queries.reach(Level.TOTAL)).get("*", Reach())
    result = MonitoringFigures(
        organizations=organizations,
        programmes=await queries.programmes_by_form(),
        by_org=await queries.figures(Level.ORGANIZATION),
        by_form=await queries.figures(Level.FORM),
        total=(await queries.figures(Level.TOTAL)).get("*", Figures()),
        reach_org=await queries.reach(Level.ORGANIZATION),
        reach_municipality=await queries.reach(Level.MUNICIPALITY),
        reach_total=reach_total,
        questions=question_rows(snapshots, counts),
        question_people=await queries.question_respondents(),
        min_group=min_group,
    )
    for org in organizations:
        result.reach_org.setdefault(org.id, Reach(0, 0, org.students_10_18, org.teachers_under_35))
    if queries.scope.is_region:
        result.by_municipality = await queries.figures(Level.MUNICIPALITY)
    municipality_rows = queries.scope.organization_id is None
    result.hidden = _hidden(result, municipality_rows, queries.scope.is_region)
    return result


def _hidden(
    figures: MonitoringFigures, municipality_rows: bool, region_row: bool
) -> frozenset[Key]:
    cells = _Cells()
    _rows_of_figures(figures, cells)
    _rows_of_reach(figures, cells, municipality_rows, region_row)
    _rows_of_questions(figures, cells)
    return suppress(cells.basis, cells.relations, figures.min_group, cells.follows)


@dataclass
class _Cells:
    """What `suppress` is given, gathered sheet by sheet: the people each figure rests on,
    the figures that add up to others, and those that give others away."""

    basis: dict[Key, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    follows: dict[Key, tuple[Key, ...]] = field(default_factory=dict)


def _rows_of_figures(
    figures: MonitoringFigures,
    cells: _Cells,
) -> None:
    """«Сводка» (organizations and the total) and «По формам» (forms and the same total)."""
    orgs = [org.id for org in figures.organizations]
    forms = sorted(figures.by_form)
    rows: list[tuple[Level, Any, Figures]] = [
        *[(Level.ORGANIZATION, o, figures.by_org.get(o, Figures())) for o in orgs],
        *[(Level.FORM, f, figures.by_form[f]) for f in forms],
        *[(Level.MUNICIPALITY, m, row) for m, row in figures.by_municipality.items()],
        (Level.TOTAL, "*", figures.total),
    ]
    for level, ident, row in rows:
        for measure, n in _measure_basis(row).items():
            cells.basis[(level, ident, measure)] = n

        def key(measure: str, level: Level = level, ident: Any = ident) -> Key:
            return (level, ident, measure)

        # Units bound the people in them (a pair has one mentor and one mentee), and the
        # three response figures give each other away: they go together.
        for counted in ("mentors", "mentees"):
            cells.follows[key(counted)] = tuple(key(m) for m in UNITS)
        for measure in (*UNITS, *RESPONSES):
            group = UNITS if measure in UNITS else RESPONSES
            cells.follows[key(measure)] = tuple(key(m) for m in group if m != measure)
    components = _components(orgs, figures.programmes)
    for measure in MEASURES:
        if measure == "response_rate":
            continue  # follows sent and submitted
        total = (Level.TOTAL, "*", measure)
        cells.relations.append(
            Relation(tuple((Level.ORGANIZATION, o, measure) for o in orgs), total)
        )
        cells.relations.append(Relation(tuple((Level.FORM, f, measure) for f in forms), total))
        if figures.by_municipality:  # a region: schools add up to districts, districts to it
            cells.relations.append(
                Relation(
                    tuple((Level.MUNICIPALITY, m, measure) for m in figures.by_municipality), total
                )
            )
            for municipality_id in figures.by_municipality:
                schools = tuple(
                    (Level.ORGANIZATION, org.id, measure)
                    for org in figures.organizations
                    if org.municipality_id == municipality_id
                )
                cells.relations.append(
                    Relation(schools, (Level.MUNICIPALITY, municipality_id, measure))
                )
        if len(components) > 1:
            # Schools and forms that share no programme with the rest: their schools' sum
            # equals their forms' sum, another way to the same figure.
            for members_orgs, members_forms in components:
                cells.relations.append(
                    Relation(
                        (
                            *[(Level.ORGANIZATION, o, measure) for o in members_orgs],
                            *[(Level.FORM, f, measure) for f in members_forms],
                        )
                    )
                )


def _components(
    orgs: list[int], programmes: dict[tuple[int, str], int]
) -> list[tuple[list[int], list[str]]]:
    """Organizations and forms linked by programmes, as connected groups."""
    parent: dict[Any, Any] = {}

    def find(node: Any) -> Any:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for (org, form), n in programmes.items():
        if n:
            parent[find(("o", org))] = find(("f", form))
    groups: dict[Any, tuple[list[int], list[str]]] = {}
    for node in list(parent):
        kind, ident = node
        members = groups.setdefault(find(node), ([], []))
        (members[0] if kind == "o" else members[1]).append(ident)
    return [group for group in groups.values() if group[0] and set(group[0]) <= set(orgs)]


def _rows_of_reach(
    figures: MonitoringFigures,
    cells: _Cells,
    municipality_rows: bool,
    region_row: bool,
) -> None:
    """«Показатели»: organizations within their municipality, municipalities within the
    region. A share is its count over a published head count: it goes with its count."""
    by_municipality: dict[int, list[int]] = {}
    for org in figures.organizations:
        by_municipality.setdefault(org.municipality_id, []).append(org.id)
    levels: list[tuple[Level, Any]] = [(Level.ORGANIZATION, o.id) for o in figures.organizations]
    if municipality_rows:
        levels += [(Level.MUNICIPALITY, m) for m in by_municipality]
    if region_row:
        levels.append((Level.TOTAL, "*"))
    for level, ident in levels:
        reach = figures.reach_figures(level, ident)
        for measure, people in (
            ("students", reach.students),
            ("young_teachers", reach.young_teachers),
        ):
            key = ("reach", level, ident, measure)
            cells.basis[key] = people
            cells.follows[key] = (("reach", level, ident, f"{measure}_share"),)
    for measure in REACH:
        if municipality_rows:
            for municipality, members in by_municipality.items():
                cells.relations.append(
                    Relation(
                        tuple(("reach", Level.ORGANIZATION, o, measure) for o in members),
                        ("reach", Level.MUNICIPALITY, municipality, measure),
                    )
                )
        if region_row:
            cells.relations.append(
                Relation(
                    tuple(("reach", Level.MUNICIPALITY, m, measure) for m in by_municipality),
                    ("reach", Level.TOTAL, "*", measure),
                )
            )


def _rows_of_questions(
    figures: MonitoringFigures,
    cells: _Cells,
) -> None:
    """«Анкеты»: per question and role the respondents, mean, median and distribution (the
    last three give each other away); the completion scale means average into the form's
    mean on «По формам»; a change is the difference of two means."""
    form_means: dict[tuple[str, str], list[Key]] = {}
    for row in figures.questions:
        for role in ROLES:
            if figures_of(row, role) is None:
                continue
            people = figures.question_basis(row, role)
            n, mean, median, distribution = (
                figures.question_key(row, role, part) for part in QUESTION_PARTS
            )
            cells.basis[n] = people
            cells.basis[mean] = people
            cells.follows[n] = (mean, median, distribution)
            cells.follows[mean] = (median, distribution)
            cells.follows[distribution] = (mean, median)
            cells.follows[median] = (mean, distribution)
            if row.moment == Moment.COMPLETION and row.kind == QuestionKind.SCALE:
                form_means.setdefault((row.form, role), []).append(mean)
            start = change_start(figures.questions, row)
            if start is None or figures_of(start, role) is None:
                continue
            change = figures.question_key(row, role, "change")
            cells.basis[change] = min(people, figures.question_basis(start, role))
            cells.relations.append(
                Relation((change, mean, figures.question_key(start, role, "mean")))
            )
    for (form, role), means in form_means.items():
        cells.relations.append(Relation(tuple(means), (Level.FORM, form, f"mean_{role}")))
