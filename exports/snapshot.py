"""A monitoring round's figures, frozen: every aggregate the workbook (and the справка) reads
from `MonitoringQueries`, taken once when the round closes and stored as JSON. A later
export of the round reads them back through `FrozenQueries`, so it shows the same figures
however many answers arrive after the deadline.

Row-level sheets are not copied (free-text answers would make the snapshot as big as the
answers table): «Отзывы» shows the answers given up to the moment of freezing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exports.period import Period
from exports.queries import Figures, Level, MonitoringQueries, OrganizationRow, Reach
from exports.questionnaire_sheet import text_questions
from storage.models import QuestionnaireSnapshot
from storage.repositories.export_scope import ExportScope

FORMAT = 1  # bump when the shape below changes; older snapshots are read by version
FIGURE_LEVELS = (Level.ORGANIZATION, Level.MUNICIPALITY, Level.FORM, Level.TOTAL)
REACH_LEVELS = (Level.ORGANIZATION, Level.MUNICIPALITY, Level.TOTAL)


async def freeze(queries: MonitoringQueries) -> dict[str, Any]:
    """Every aggregate of the scope and period, as plain JSON data."""
    snapshots = await queries.snapshots()
    return {
        "format": FORMAT,
        "period": [queries.period.start.isoformat(), queries.period.end.isoformat()],
        "organizations": [asdict(org) for org in await queries.organizations()],
        "figures": {
            level.value: [[key, asdict(f)] for key, f in (await queries.figures(level)).items()]
            for level in FIGURE_LEVELS
        },
        "reach": {
            level.value: [[key, asdict(r)] for key, r in (await queries.reach(level)).items()]
            for level in REACH_LEVELS
        },
        "programmes_by_form": [
            [org, form, n] for (org, form), n in (await queries.programmes_by_form()).items()
        ],
        "questionnaires": sorted(snapshots),
        "distributions": [
            list(row) for row in await queries.distributions(text_questions(snapshots))
        ],
        # The distinct people behind each question: what the masking counts.
        "question_respondents": [
            [*key, n] for key, n in (await queries.question_respondents()).items()
        ],
    }


class FrozenQueries(MonitoringQueries):
    """`MonitoringQueries` answered from a round's snapshot instead of the live tables."""

    def __init__(
        self,
        session: AsyncSession,
        scope: ExportScope,
        period: Period,
        frozen: dict[str, Any],
        taken_at: datetime,
    ) -> None:
        super().__init__(session, scope, period)
        if frozen.get("format") != FORMAT:
            raise ValueError(f"round snapshot format {frozen.get('format')!r} is not {FORMAT}")
        self.frozen = frozen
        self.taken_at = taken_at

    async def organizations(self) -> list[OrganizationRow]:
        return [OrganizationRow(**org) for org in self.frozen["organizations"]]

    async def figures(self, level: Level) -> dict[Any, Figures]:
        return {key: Figures(**data) for key, data in self.frozen["figures"][level.value]}

    async def reach(self, level: Level) -> dict[Any, Reach]:
        return {key: Reach(**data) for key, data in self.frozen["reach"][level.value]}

    async def programmes_by_form(self) -> dict[tuple[int, str], int]:
        return {(org, form): n for org, form, n in self.frozen["programmes_by_form"]}

    async def snapshots(self) -> dict[int, QuestionnaireSnapshot]:
        """Only the questionnaires known at freezing: a version made later adds no rows."""
        ids = self.frozen["questionnaires"]
        rows = await self.session.scalars(
            select(QuestionnaireSnapshot).where(QuestionnaireSnapshot.id.in_(ids))
        )
        return {snapshot.id: snapshot for snapshot in rows}

    async def distributions(
        self, text_questions: dict[int, list[str]]
    ) -> list[tuple[int, str, str, int]]:
        return [(int(s), str(q), str(v), int(n)) for s, q, v, n in self.frozen["distributions"]]

    async def question_respondents(self) -> dict[tuple[str, str, str, str], int]:
        frozen = self.frozen.get("question_respondents")
        if frozen is None:  # frozen before the masking counted people per question
            return await super().question_respondents()
        return {(str(f), str(m), str(r), str(k)): int(n) for f, m, r, k, n in frozen}

    async def free_texts(
        self, text_questions: dict[int, list[str]], min_group: int, until: datetime | None = None
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        async for rows in super().free_texts(text_questions, min_group, until or self.taken_at):
            yield rows
