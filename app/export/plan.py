"""What an export holds and its writing, for every edge (the messengers' dialogue in
app/export/use_cases.py, `nastavnik export`, the benchmark).

Plain input (ids, a period, whether names were asked for) and plain output (an
`ExportPlan`, a written file); scope comes from app.policy, refusals are domain errors.
The workbook is written by `write_export` (the messengers run it in a worker thread,
app/export/build.py), the scope checked again there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app import policy
from app.export.run import export_workbook
from app.settings import Settings
from exports.period import Period
from exports.workbook import ExportOptions, Progress, Register, Translate
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor
from surveys.errors import Refused


@dataclass(frozen=True)
class ExportAsk:
    municipality_id: int | None
    organization_id: int | None
    period: Period
    with_names: bool = False


@dataclass(frozen=True)
class ExportPlan:
    scope: ExportScope
    period: Period
    register: Register
    names_possible: bool  # whether this actor could have asked for names here


async def plan_export(
    session: AsyncSession, actor: Actor, request: ExportAsk, beyond_school: bool
) -> ExportPlan:
    """The export asked for, if the actor may have it: OutOfScope for a territory outside
    their scope, Refused("export.names_denied") for names they may not see."""
    scope = await policy.export_scope(
        session, actor, request.municipality_id, request.organization_id
    )
    register = register_for(actor, scope, request.with_names, beyond_school)
    possible = policy.register_allowed(actor, scope, beyond_school)
    return ExportPlan(scope, request.period, register, possible)


def register_for(
    actor: Actor, scope: ExportScope, with_names: bool, beyond_school: bool
) -> Register:
    """The register this actor gets for this scope: none, codes, or names when asked for
    where they may be given (Refused("export.names_denied") otherwise)."""
    allowed = policy.register_allowed(actor, scope, beyond_school)
    if with_names and not allowed:
        raise Refused("export.names_denied")
    if not allowed:
        return Register.NONE
    return Register.NAMES if with_names else Register.ANONYMOUS


def export_options(settings: Settings, locale: str, title: str = "") -> ExportOptions:
    """The operator's settings of an export; the register comes from the plan."""
    return ExportOptions(
        min_group=settings.export_min_group,
        target_student_share=settings.target_student_share,
        target_young_teacher_share=settings.target_young_teacher_share,
        locale=locale,
        title=title,
    )


async def write_export(
    session: AsyncSession,
    actor: Actor,
    plan: ExportPlan,
    path: Path,
    translate: Translate,
    options: ExportOptions,
    progress: Progress | None = None,
) -> None:
    """Write the planned workbook (app.export.run checks the scope against the actor once
    more: a grant may have been withdrawn while the export waited)."""
    await export_workbook(
        session, actor, plan.scope, plan.period, path, translate,
        options.with_register(plan.register), progress,
    )  # fmt: skip
