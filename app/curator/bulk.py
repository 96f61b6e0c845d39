"""A curator's bulk work (pairs from a roster, completing a programme) in steps of
PAIRS_PER_STEP pairs, each step one short unit of work of a few multi-row statements.

Why steps: on SQLite the statements run on the event loop and one writer holds the
database until it commits, so a step is the longest anybody else waits. A step that fails
leaves the steps before it in place: pressing the button again carries on from there. The
edge decides where the steps run (within the update when there is one, in the background
with a progress message otherwise): a use case hands it a `Job`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import policy
from app.curator.questionnaires import Notices, issue
from app.screens import Msg
from app.uow import UnitOfWork
from storage.bulk import breathe, pieces
from storage.repositories.pairs import PairRepository
from storage.repositories.programmes import ProgrammeRepository
from surveys.access import Actor
from surveys.pairing import PairPlan, PairProblem, PairRefused
from surveys.questionnaire import Catalogue, Moment

Factory = async_sessionmaker[AsyncSession]

PAIRS_PER_STEP: Final = 50  # about 100-200 people: a step takes tens of milliseconds
# PostgreSQL locks rows, not the database: a longer step holds up nobody else, and fewer
# steps mean fewer round trips (bench/roster_and_status.py: 750 pairs in 50s took 2–3.5 s).
PAIRS_PER_STEP_POSTGRESQL: Final = 200


async def pairs_per_step(factory: Factory) -> int:
    async with factory() as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
    return PAIRS_PER_STEP if sqlite else PAIRS_PER_STEP_POSTGRESQL


class Progress(Protocol):
    async def __call__(self, done: int) -> None: ...


async def no_progress(done: int) -> None:
    return None


@dataclass(frozen=True)
class Job:
    """Work on `total` pairs: `run` does it step by step, telling `Progress` how many are
    done, and returns the text that reports it; `progress` is the text while it runs."""

    total: int
    run: Callable[[Progress], Awaitable[Msg]]
    progress: Callable[[int], Msg]
    drop: bool = False  # the pressed buttons go (a confirmation) before it starts


@dataclass(frozen=True)
class RosterOutcome:
    numbers: list[int]  # of the pairs formed
    refused: int
    queued: int  # invitations


@dataclass(frozen=True)
class CompletionOutcome:
    pairs: int
    queued: int  # final questionnaires on their way
    blocked: int = 0  # and those that cannot arrive: the person blocked the bot


async def form_pairs(
    factory: Factory,
    actor: Actor,
    programme_id: int,
    plans: Sequence[PairPlan],
    catalogue: Catalogue,
    notices: Notices,
    due_days: int,
    progress: Progress = no_progress,
) -> RosterOutcome:
    """Form the pairs, issue their start questionnaires and queue the invitations, step by
    step. A programme completed meanwhile stops it: the rest count as refused."""
    numbers: list[int] = []
    refused = queued = done = 0
    for step in pieces(plans, await pairs_per_step(factory)):
        async with UnitOfWork(factory) as uow:
            await policy.programme_to_change(uow.session, actor, programme_id)
            await uow.write()
            try:
                formation = await PairRepository(uow.session).form_many(programme_id, step)
            except PairRefused as error:
                if error.problem is not PairProblem.PROGRAMME_CLOSED:
                    raise
                refused += len(plans) - done
                break
            await breathe()
            formed = [pair.id for pair in formation.formed]
            queued += (await issue(uow, catalogue, notices, formed, Moment.START, due_days)).queued
            await uow.commit()
        numbers.extend(pair.number for pair in formation.formed)
        refused += len(formation.refused)
        done += len(step)
        await progress(done)
        await breathe()
    return RosterOutcome(numbers, refused, queued)


async def complete_programme(
    factory: Factory,
    actor: Actor,
    programme_id: int,
    catalogue: Catalogue,
    notices: Notices,
    due_days: int,
    progress: Progress = no_progress,
) -> CompletionOutcome:
    """Complete every active pair with its completion questionnaires, step by step, and
    then the programme itself (in the last step's unit of work)."""
    pairs = queued = blocked = 0
    size = await pairs_per_step(factory)
    while True:
        async with UnitOfWork(factory) as uow:
            await policy.programme_to_change(uow.session, actor, programme_id)
            await uow.write()
            completed = await PairRepository(uow.session).complete_active(programme_id, size)
            await breathe()
            ids = [pair.id for pair in completed]
            issued = await issue(
                uow, catalogue, notices, ids, Moment.COMPLETION, due_days, count_blocked=True
            )
            queued, blocked = queued + issued.sent, blocked + issued.blocked
            last = len(completed) < size
            if last:
                await ProgrammeRepository(uow.session).mark_completed(programme_id)
            await uow.commit()
        pairs += len(completed)
        await progress(pairs)
        if last:
            return CompletionOutcome(pairs, queued, blocked)
        await breathe()


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
