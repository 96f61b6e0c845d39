"""A curator's bulk work (pairs from a roster, completing a programme) in steps of
PAIRS_PER_STEP pairs, each step one short transaction of a few multi-row statements.

Why steps: on SQLite the statements run on the event loop and one writer holds the
database until it commits, so a step is the longest anybody else waits. Work of one step
is done inside the update and answered at once; more runs in the background with a
progress message edited as steps pass (as exports do), so the curator sees it moving and
everyone, the curator too, keeps being answered. A step that fails leaves the steps before
it in place: pressing the button again carries on from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.uow import UnitOfWork
from bot.telegram.curator.questionnaires import send_questionnaires
from bot.telegram.screens import reply
from storage.bulk import breathe, pieces
from storage.repositories.pairs import PairPlan, PairProblem, PairRefused, PairRepository
from storage.repositories.programmes import ProgrammeRepository
from surveys.access import Actor
from surveys.questionnaire import Catalogue, Moment

log = logging.getLogger(__name__)
T = TypeVar("T")

PAIRS_PER_STEP: Final = 50  # about 100-200 people: a step takes tens of milliseconds
PROGRESS_EVERY: Final = 1.0  # seconds between edits of the progress message


class Progress(Protocol):
    async def __call__(self, done: int) -> None: ...


async def _no_progress(done: int) -> None:
    return None


@dataclass(frozen=True)
class RosterOutcome:
    numbers: list[int]  # of the pairs formed
    refused: int
    queued: int  # invitations


@dataclass(frozen=True)
class CompletionOutcome:
    pairs: int
    queued: int


async def form_pairs(
    session_factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    programme_id: int,
    plans: Sequence[PairPlan],
    i18n: I18n,
    catalogue: Catalogue,
    due_days: int,
    progress: Progress = _no_progress,
) -> RosterOutcome:
    """Form the pairs, issue their start questionnaires and queue the invitations, step by
    step. A programme completed meanwhile stops it: the rest count as refused."""
    numbers: list[int] = []
    refused = queued = done = 0
    for step in pieces(plans, PAIRS_PER_STEP):
        async with UnitOfWork(session_factory) as uow:
            await uow.write()
            session = uow.session
            try:
                formation = await PairRepository(session).form_many(actor, programme_id, step)
            except PairRefused as error:
                if error.problem is not PairProblem.PROGRAMME_CLOSED:
                    raise
                refused += len(plans) - done
                break
            await breathe()
            queued += await send_questionnaires(
                session,
                i18n,
                catalogue,
                [pair.id for pair in formation.formed],
                Moment.START,
                due_days,
            )
            await uow.commit()
        numbers.extend(pair.number for pair in formation.formed)
        refused += len(formation.refused)
        done += len(step)
        await progress(done)
        await breathe()
    return RosterOutcome(numbers, refused, queued)


async def complete_programme(
    session_factory: async_sessionmaker[AsyncSession],
    actor: Actor,
    programme_id: int,
    i18n: I18n,
    catalogue: Catalogue,
    due_days: int,
    progress: Progress = _no_progress,
) -> CompletionOutcome:
    """Complete every active pair with its completion questionnaires, step by step, and
    then the programme itself (in the last step's transaction)."""
    pairs = queued = 0
    while True:
        async with UnitOfWork(session_factory) as uow:
            await uow.write()
            session = uow.session
            completed = await PairRepository(session).complete_active(
                actor, programme_id, PAIRS_PER_STEP
            )
            await breathe()
            queued += await send_questionnaires(
                session,
                i18n,
                catalogue,
                [pair.id for pair in completed],
                Moment.COMPLETION,
                due_days,
            )
            last = len(completed) < PAIRS_PER_STEP
            if last:
                await ProgrammeRepository(session).mark_completed(actor, programme_id)
            await uow.commit()
        pairs += len(completed)
        await progress(pairs)
        if last:
            return CompletionOutcome(pairs, queued)
        await breathe()


class CuratorJobs:
    """Bulk work running in the background: at most one per chat."""

    def __init__(self) -> None:
        self._running: dict[int, asyncio.Task[None]] = {}

    def busy(self, chat_id: int) -> bool:
        return chat_id in self._running

    def start(self, chat_id: int, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._running[chat_id] = task
        task.add_done_callback(lambda _task: self._running.pop(chat_id, None))

    async def refuse_if_busy(self, query: CallbackQuery) -> bool:
        """Answer the press with "still working" when this chat has a job running."""
        if not self.busy(query.from_user.id):
            return False
        await query.answer(_("curator.bulk.busy"), show_alert=True)
        return True


async def run(
    query: CallbackQuery,
    uow: UnitOfWork,
    jobs: CuratorJobs,
    total: int,
    work: Callable[[Progress], Awaitable[T]],
    progress_text: Callable[[int, int], str],
    result_text: Callable[[T], str],
) -> None:
    """Do `work` on `total` pairs: within this update when it is one step, otherwise in
    the background with a progress message. The result is sent after the last commit.
    The press must have been answered already."""
    # The update's own transaction ends first: the steps write in sessions of their own,
    # and on SQLite they would wait for a write this one holds (say, a person's flag).
    await uow.commit()
    if total <= PAIRS_PER_STEP:
        outcome = await work(_no_progress)
        await reply(query, result_text(outcome))
        return
    assert query.bot is not None
    chat_id = query.from_user.id
    message = await query.bot.send_message(chat_id, progress_text(0, total))
    shown = _ShownProgress(message, lambda done: progress_text(done, total))
    jobs.start(chat_id, _in_background(query.bot, chat_id, shown, total, work, result_text))


async def _in_background(
    bot: Bot,
    chat_id: int,
    shown: _ShownProgress,
    total: int,
    work: Callable[[Progress], Awaitable[T]],
    result_text: Callable[[T], str],
) -> None:
    # The task runs in a copy of the update's context: `_` speaks the curator's language.
    try:
        outcome = await work(shown.update)
        await shown.finish(total)
        await bot.send_message(chat_id, result_text(outcome))
    except Exception:
        # A background task has nobody to raise to: log it and tell the curator.
        log.exception("bulk work failed for chat %s", chat_id)
        await _quietly(bot.send_message(chat_id, _("curator.bulk.failed")))


class _ShownProgress:
    """Edits the progress message after the first step, then at most every
    PROGRESS_EVERY seconds (Telegram limits edits of one message)."""

    def __init__(self, message: Message, text: Callable[[int], str]) -> None:
        self.message = message
        self.text = text
        self.edited_at: float | None = None

    async def update(self, done: int) -> None:
        now = time.monotonic()
        if self.edited_at is None or now - self.edited_at >= PROGRESS_EVERY:
            self.edited_at = now
            await _quietly(self.message.edit_text(self.text(done)))

    async def finish(self, done: int) -> None:
        await _quietly(self.message.edit_text(self.text(done)))


async def _quietly(call: Awaitable[object]) -> None:
    """Progress is a courtesy: a failed edit must not stop the work."""
    try:
        await call
    except TelegramAPIError:
        return


def number_ranges(numbers: Sequence[int]) -> str:
    """ "1–3, 5, 7–9": pair numbers short enough for one message however many there are."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    start = 0
    for index, number in enumerate(ordered):
        if index + 1 < len(ordered) and ordered[index + 1] == number + 1:
            continue
        first = ordered[start]
        parts.append(str(first) if first == number else f"{first}–{number}")
        start = index + 1
    return ", ".join(parts)
