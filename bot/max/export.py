"""/export in MAX: the same dialogue as Telegram (app/export/use_cases.py), then the
workbook and/or the справка built in the background (app/export/build.py) with one progress
message edited as stages pass, and sent as files — or, above EXPORT_DOCUMENT_LIMIT_MB, as
signed links."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

from app.export.actions import ChooseKind, ChooseNames, ChoosePeriod, ChooseRound, ChooseScope
from app.export.build import FIRST_STAGE, ExportRequest, build_files, file_name
from app.export.use_cases import Export, Ready, Step, scope_label
from app.reply import Reply
from app.screens import Msg
from bot.max.client import quietly
from bot.max.conversation import data, show, step
from bot.max.edge import Turn
from exports.links import sign
from storage.models import utcnow

log = logging.getLogger(__name__)

EXPORT_ACTIONS = (ChooseScope, ChooseNames, ChoosePeriod, ChooseKind, ChooseRound)
STARTED = Reply(drop=True, step=None)  # the pressed buttons go, the dialogue is over


def export_of(turn: Turn) -> Export:
    return Export(turn.uow, turn.actor, turn.services.settings.export_register_beyond_school)


async def command(turn: Turn) -> None:
    await show(turn, await export_of(turn).start(utcnow().date()))


async def pressed(
    turn: Turn, action: ChooseScope | ChooseNames | ChoosePeriod | ChooseKind | ChooseRound
) -> None:
    export = export_of(turn)
    today = utcnow().date()
    if isinstance(action, ChooseScope):
        await show(turn, await export.scope_chosen(action.municipality, action.organization, today))
        return
    if isinstance(action, ChooseNames):
        ids = action.municipality, action.organization
        await show(turn, await export.names_chosen(*ids, action.names, today))
        return
    if isinstance(action, ChoosePeriod):
        ids = action.municipality, action.organization
        period = await export.period_chosen(*ids, action.year, action.names)
        await show(turn, period)
        return
    if isinstance(action, ChooseRound):
        result = await export.round_chosen(action.round, action.kind)
    else:
        result = await export.kind_chosen(action)
    if isinstance(result, Ready):
        await show(turn, STARTED)
        await launch(turn, result)
        return
    await show(turn, result)


def waiting(turn: Turn) -> bool:
    return step(turn) == Step.DATES


async def typed(turn: Turn, text: str) -> None:
    await show(turn, await export_of(turn).dates_typed(text, data(turn)))


async def launch(turn: Turn, ready: Ready) -> None:
    jobs = turn.services.jobs
    if jobs.busy(turn.user_id):
        # A double tap, or a second request while the first is counted: one at a time.
        await turn.client.send(turn.user_id, turn.text(Msg("export.busy")))
        return
    request = ExportRequest(
        turn.actor,
        turn.user_id,
        ready.scope,
        ready.period,
        turn.reader.locale,
        ready.kinds,
        ready.register,
        ready.round_id,
    )
    jobs.start(turn.user_id, _run(turn, request))


async def _run(turn: Turn, request: ExportRequest) -> None:
    """A background task has nobody to raise to: what fails is logged and told."""
    client, settings = turn.client, turn.services.settings
    scope = turn.text(scope_label(request.scope))
    period = request.period.label()

    def progress(stage: str) -> str:
        return turn.text(
            Msg("export.progress", {"scope": scope, "period": period, "stage": Msg(stage)})
        )

    paths: list[tuple[str, Path]] = []
    kept: set[Path] = set()

    async def show_stage(stage: str) -> None:
        await quietly(client.edit_text(message.mid, progress(stage)))

    try:
        message = await client.send(turn.user_id, progress(FIRST_STAGE[request.kinds[0]]))
        await build_files(settings, request, turn.reader.i18n, paths, show_stage)
        ready = Msg("export.ready", {"scope": scope, "period": period})
        await quietly(client.edit_text(message.mid, turn.text(ready)))
        for kind, path in paths:
            if await _deliver(turn, request, kind, path, scope, period):
                kept.add(path)
    except Exception:
        log.exception("export failed for MAX user %s", turn.user_id)
        await quietly(client.send(turn.user_id, turn.text(Msg("export.failed"))))
    for _kind, path in paths:  # files hold personal data: only one behind a link stays a while
        if path not in kept:
            await asyncio.to_thread(path.unlink, True)


async def _deliver(
    turn: Turn, request: ExportRequest, kind: str, path: Path, scope: str, period: str
) -> bool:
    """Send the file; True when it stays on disk behind a download link."""
    settings = turn.services.settings
    size = (await asyncio.to_thread(path.stat)).st_size
    if size <= settings.export_document_limit_mb * 2**20:
        content = await asyncio.to_thread(path.read_bytes)
        key = "report.caption" if kind == "report" else "export.caption"
        caption = turn.text(Msg(key, {"scope": scope, "period": period}))
        await turn.client.send_file(turn.user_id, file_name(request.period, kind), content, caption)
        return False
    if settings.public_base_url and settings.export_link_secret:
        ttl = timedelta(hours=settings.export_link_ttl_hours)
        link = sign(settings.export_link_secret.get_secret_value(), path.name, ttl)
        text = Msg(
            "max.export_link",
            {
                "limit": settings.export_document_limit_mb,
                "url": link.url(settings.public_base_url),
                "expires": f"{link.expires_at:%d.%m.%Y %H:%M}",
            },
        )
        await turn.client.send(turn.user_id, turn.text(text))
        return True
    await turn.client.send(turn.user_id, turn.text(Msg("export.no_link")))
    return False
