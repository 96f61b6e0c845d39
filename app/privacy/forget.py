"""/forget: a person withdraws consent and everything that identifies them is erased, in one
transaction (storage/repositories/erasure.py), then what lives outside the database: their
conversation state and the export workbooks that may name them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from app.screens import Msg
from app.uow import UnitOfWork
from storage.models import utcnow
from storage.repositories.erasure import ErasureRepository
from surveys.access import Actor

log = logging.getLogger(__name__)

# The edge's conversation store for this person (Telegram's FSM, MAX's state store).
ClearConversation = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Withdrawal:
    said: Msg
    erased: bool  # False: there was nothing to erase


async def forget(
    uow: UnitOfWork, actor: Actor, clear_conversation: ClearConversation, export_dir: Path
) -> Withdrawal:
    """Erase the acting person; the answer is said only after the commit."""
    if actor.person_id is None:  # a second tap after the erasure, or never registered
        return Withdrawal(Msg("forget.nothing"), erased=False)
    await uow.write()
    erased = await ErasureRepository(uow.session).erase_person(actor.person_id, utcnow())
    if erased is None:
        return Withdrawal(Msg("forget.nothing"), erased=False)
    uow.after_commit(clear_conversation)
    uow.after_commit(partial(_remove_exports, export_dir))
    await uow.commit()
    log.info("person %s erased: %s", erased.person_id, erased)
    return Withdrawal(Msg("forget.done"), erased=True)


async def _remove_exports(folder: Path) -> None:
    removed = await asyncio.to_thread(remove_exports, folder)
    if removed:
        log.info("%s export workbooks removed after an erasure", removed)


def remove_exports(folder: Path) -> int:
    """Every workbook waiting in EXPORT_DIR was made before the erasure and may name the
    person (the register, free-text answers): none is kept. Returns how many went; the
    others who asked for them can export again."""
    removed = 0
    for path in folder.glob("*.xlsx"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
