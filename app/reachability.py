"""Whether messages can reach a person. The messenger says when someone blocks the bot
(Telegram's `my_chat_member` turning `kicked`, MAX's `bot_stopped`) and when they come back
(`member` again, `bot_started`); the outbox gives up on them meanwhile and /status counts
their questionnaires as not delivered. Writing to the bot also brings a person back (the
edges' middleware)."""

from __future__ import annotations

from app.uow import UnitOfWork
from storage.repositories.people import PeopleRepository
from surveys.access import Actor


async def blocked(uow: UnitOfWork, actor: Actor) -> bool:
    """They blocked the bot: unreachable from now on. True when that is news."""
    return await _set(uow, actor, reachable=False)


async def came_back(uow: UnitOfWork, actor: Actor) -> bool:
    """They unblocked (or restarted) the bot: reachable again. True when that is news."""
    return await _set(uow, actor, reachable=True)


async def _set(uow: UnitOfWork, actor: Actor, *, reachable: bool) -> bool:
    if actor.person_id is None:
        return False  # a stranger: nothing to note
    await uow.write()
    changed = await PeopleRepository(uow.session).set_reachable(actor.person_id, reachable)
    await uow.commit()
    return changed
