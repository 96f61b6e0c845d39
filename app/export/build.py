"""Building a monitoring workbook and/or the «аналитическая справка» for a person who asked
in a messenger: in a worker thread with its own event loop and database engine, so the bot
keeps answering (this person too) while a large district is counted. Each edge shows the
progress and delivers the files its own way (bot/telegram/export/jobs.py, bot/max/export.py)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.export.plan import export_options
from app.export.run import export_report, export_workbook
from app.monitoring.rounds import export_round, report_round
from app.settings import Settings
from exports.period import Period
from exports.report.words import Catalogue
from exports.workbook import Register
from storage.db import create_engine, create_session_factory
from storage.repositories.export_scope import ExportScope
from surveys.access import Actor

# What /export can build, by the key its button carries, and the files each gives.
KINDS: dict[str, tuple[str, ...]] = {
    "workbook": ("workbook",),
    "report": ("report",),
    "both": ("workbook", "report"),
}
SUFFIX = {"workbook": "xlsx", "report": "docx"}
# A workbook starts with its lists; its figures are counted meanwhile (build_workbook).
FIRST_STAGE = {"workbook": "export.stage.feedback", "report": "report.stage.writing"}
POLL = 0.5  # seconds between looks at the build's stage


@dataclass(frozen=True)
class ExportRequest:
    actor: Actor
    chat_id: int
    scope: ExportScope
    period: Period
    locale: str
    kinds: tuple[str, ...] = ("workbook",)
    register: Register = Register.NONE  # what the dialogue settled (app.export.plan)
    round_id: int | None = None  # a monitoring round's documents (its frozen figures)


class Stage:
    """Written by the worker thread, read by the progress loop; a str swap is atomic."""

    def __init__(self) -> None:
        self.key = FIRST_STAGE["workbook"]


def workbook_path(settings: Settings, period: Period, kind: str = "workbook") -> Path:
    """A fresh file in EXPORT_DIR; older files than their links' lifetime go first."""
    folder = settings.export_dir
    folder.mkdir(parents=True, exist_ok=True)
    forget_old_files(folder, timedelta(hours=settings.export_link_ttl_hours))
    return folder / f"monitoring-{period.start:%Y%m%d}-{secrets.token_hex(8)}.{SUFFIX[kind]}"


def file_name(period: Period, kind: str = "workbook") -> str:
    """The name the person sees."""
    stem = "spravka" if kind == "report" else "monitoring"
    return f"{stem}-{period.start:%Y-%m-%d}.{SUFFIX[kind]}"


def build_in_thread(
    settings: Settings,
    request: ExportRequest,
    path: Path,
    catalogue: Catalogue,
    stage: Stage,
    kind: str = "workbook",
) -> None:
    asyncio.run(_build(settings, request, path, catalogue, stage, kind))


async def build_files(
    settings: Settings,
    request: ExportRequest,
    catalogue: Catalogue,
    paths: list[tuple[str, Path]],
    show: Callable[[str], Awaitable[None]],
    tick: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """The request's files one after another, each in a worker thread. Each (kind, file) goes
    into `paths` before it is written, so the caller can remove them whatever happens.
    `show(stage)` is awaited when the next file starts and when the stage moves on, `tick()`
    (a chat action, say) every look in between; raises what a build raised."""
    stage = Stage()
    for number, kind in enumerate(request.kinds):
        stage.key = FIRST_STAGE[kind]
        if number:  # the next file: say so before it starts
            await show(stage.key)
        path = workbook_path(settings, request.period, kind)
        paths.append((kind, path))
        build = asyncio.create_task(
            asyncio.to_thread(build_in_thread, settings, request, path, catalogue, stage, kind)
        )
        shown = stage.key
        while not build.done():
            if tick is not None:
                await tick()
            if stage.key != shown:
                shown = stage.key
                await show(shown)
            await asyncio.wait({build}, timeout=POLL)
        build.result()


async def _build(
    settings: Settings,
    request: ExportRequest,
    path: Path,
    catalogue: Catalogue,
    stage: Stage,
    kind: str,
) -> None:
    def translate(key: str) -> str:
        return catalogue.gettext(key, locale=request.locale)

    engine = create_engine(settings.database_url)
    try:
        title = request.scope.title or translate("export.scope_region")
        title = f"{title}, {request.period.label()}"
        options = export_options(settings, request.locale, title).with_register(request.register)

        def progress(key: str) -> None:
            stage.key = key

        async with create_session_factory(engine)() as session:
            if kind == "report" and request.round_id is not None:
                stage.key = FIRST_STAGE[kind]
                await report_round(
                    session,
                    request.actor,
                    request.round_id,
                    path,
                    catalogue,
                    options,
                    date.today(),
                )
                return
            if kind == "report":
                stage.key = FIRST_STAGE[kind]
                await export_report(
                    session,
                    request.actor,
                    request.scope,
                    request.period,
                    path,
                    catalogue,
                    options,
                    date.today(),
                )
                return
            if request.round_id is not None:
                await export_round(
                    session, request.actor, request.round_id, path, translate, options, progress
                )
                return
            await export_workbook(
                session,
                request.actor,
                request.scope,
                request.period,
                path,
                translate,
                options,
                progress,
            )
    finally:
        await engine.dispose()


def forget_old_files(folder: Path, age: timedelta) -> None:
    """Exports hold personal data: nothing stays longer than its link is valid."""
    cutoff = time.time() - age.total_seconds()
    for old in folder.glob("monitoring-*.*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
