"""What a round sends people: the mid-programme check-in to working pairs, and reminders to
those who have not answered the round's questionnaires. Everything goes through the outbox
(the `Notices` port of the person's channel), each message at most once per occasion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import policy
from app.curator.questionnaires import Notices, issue
from app.monitoring.rounds import open_round_kept
from app.uow import UnitOfWork
from storage.repositories.rounds import RoundRepository
from surveys.access import Actor
from surveys.errors import Refused
from surveys.questionnaire import Catalogue, Moment
from surveys.rounds import ROUND_MOMENTS, SCHOOL_CHECKIN, round_occasion

LAST_DAYS = timedelta(days=3)  # the job reminds once more when this little time is left
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Sent:
    pairs: int  # pairs the check-in went to
    queued: int  # invitations or reminders queued now (repeats are not)


async def round_checkins(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    catalogue: Catalogue,
    notices: Notices,
    now: datetime,
) -> Sent:
    """The round's keeper sends the check-in to every working pair of the round, due at
    the round's deadline: one per member and round. Members who have the round's already,
    or any check-in issued since the round opened (a curator's), are left alone."""
    found = await open_round_kept(uow.session, actor, round_id)
    pairs = await RoundRepository(uow.session).active_pairs(found)
    days = max(1, -(-(found.deadline - now) // DAY))  # whole days left, rounded up
    await uow.write()
    issued = await issue(
        uow,
        catalogue,
        notices,
        pairs,
        Moment.CHECKIN,
        days,
        round_occasion(found.id),
        found.opened_at,
    )
    await uow.commit()
    return Sent(len(pairs), issued.queued)


async def school_checkins(
    uow: UnitOfWork,
    actor: Actor,
    organization_id: int,
    catalogue: Catalogue,
    notices: Notices,
    due_days: int,
) -> Sent:
    """A curator sends the check-in to their school's working pairs. While a round the
    school answers to is open, it is that round's check-in (one per member and round, the
    same as the round's keeper sends); outside rounds, one per member (`SCHOOL_CHECKIN`).
    Either way a second press issues nothing."""
    policy.require_curator_of(actor, organization_id)
    rounds = RoundRepository(uow.session)
    pairs = await rounds.working_pairs(organization_id)
    covering = await rounds.open_covering(organization_id)
    occasion = SCHOOL_CHECKIN if covering is None else round_occasion(covering.id)
    since = None if covering is None else covering.opened_at
    await uow.write()
    issued = await issue(uow, catalogue, notices, pairs, Moment.CHECKIN, due_days, occasion, since)
    await uow.commit()
    return Sent(len(pairs), issued.queued)


async def remind_round(
    uow: UnitOfWork,
    actor: Actor | None,
    round_id: int,
    notices: Notices,
    occasion: str,
    now: datetime,
) -> Sent:
    """One reminder to each person whose questionnaire of the round is still unanswered;
    `occasion` names the reminder so that a second press (or run) queues nothing more."""
    found = await open_round_kept(uow.session, actor, round_id)
    moments = [moment.value for moment in ROUND_MOMENTS[found.kind]]
    waiting = await RoundRepository(uow.session).waiting_assignments(found, moments, now)
    await uow.write()
    queued = 0
    for assignment in waiting:
        queued += await notices.reminder(uow.session, assignment, f"round:{round_id}:{occasion}")
    await uow.commit()
    return Sent(len(waiting), queued)


async def remind_before_deadlines(
    session_factory: async_sessionmaker[AsyncSession], notices: Notices, now: datetime
) -> int:
    """The job's part: rounds with little time left remind their non-responders once."""
    async with session_factory() as session:
        ids = await RoundRepository(session).in_last_days(now, now + LAST_DAYS)
    queued = 0
    for round_id in ids:
        async with UnitOfWork(session_factory) as uow:
            try:
                queued += (
                    await remind_round(uow, None, round_id, notices, "last_days", now)
                ).queued
            except Refused:
                continue  # closed meanwhile
    return queued
