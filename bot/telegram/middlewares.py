"""Per-update context: the unit of work, the acting person with their roles, and the
user's locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.uow import UnitOfWork
from bot.i18n import pick_locale
from bot.telegram.conversation import Chat
from bot.telegram.deferred_fsm import apply_fsm_writes, begin_fsm_writes, end_fsm_writes
from bot.telegram.update_logs import UpdateTrace
from storage.repositories.people import PeopleRepository

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# Whether the acting person is marked unreachable (they blocked the bot), found with them.
UNREACHABLE = "actor_unreachable"
DUPLICATES = metrics.counter("nastavnik_duplicate_updates_total", "Redelivered updates skipped")


class UnitOfWorkMiddleware(BaseMiddleware):
    """One unit of work per update (app/uow.py): the update is applied once however often
    Telegram delivers it, its writes land together or not at all, and its conversation-state
    writes (bot/telegram/deferred_fsm.py) are stored only after the commit."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.session_factory = session_factory
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with UnitOfWork(self.session_factory) as uow:
            if isinstance(event, Update) and not await self._handle_once(uow, event, data):
                return _skip(data)
            data["uow"] = uow
            data["session"] = uow.session
            writes, token = begin_fsm_writes()
            try:
                result = await handler(event, data)
            finally:
                end_fsm_writes(token)
            storage: BaseStorage | None = data.get("fsm_storage")
            if storage is not None and writes.by_key:
                uow.after_commit(partial(apply_fsm_writes, storage, writes))
            await uow.commit()
            return result

    async def _handle_once(self, uow: UnitOfWork, event: Update, data: dict[str, Any]) -> bool:
        """Mark the update handled; False for a redelivery. The mark (PostgreSQL) or the
        look for it (SQLite) and the actor lookup (for ActorMiddleware) go to the database
        as one statement."""
        key = f"tg:{event.update_id}"
        user: User | None = data.get("event_from_user")
        if user is None:
            return await uow.handle_once(key)
        people = PeopleRepository(uow.session)
        if not uow.marks_first:
            seen, actor, unreachable = await people.seen_and_acting(key, user.id, self.admin_ids)
            if seen:
                return False
            uow.mark_on_commit(key)
            data["actor"], data[UNREACHABLE] = actor, unreachable
            return True
        claimed, actor, person = await people.claim_as_actor(key, user.id, self.admin_ids)
        data["actor"], data["person"] = actor, person
        data[UNREACHABLE] = person is not None and person.unreachable_at is not None
        return claimed


def _skip(data: dict[str, Any]) -> None:
    DUPLICATES.inc()
    trace: UpdateTrace | None = data.get("trace")
    if trace is not None:
        trace.duplicate = True


class ActorMiddleware(BaseMiddleware):
    """Loads who is acting (person, roles, admin flag) before any handler runs, and gathers
    what handlers take besides the update into one `Chat`."""

    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        uow: UnitOfWork = data["uow"]
        people = PeopleRepository(uow.session)
        if "actor" in data:  # found with the handled-update mark (UnitOfWorkMiddleware)
            actor, unreachable = data["actor"], data[UNREACHABLE]
        else:
            actor, unreachable = await people.acting(user.id, self.admin_ids)
            data["actor"] = actor
        if unreachable and actor.person_id is not None and _from_person(event):
            await people.came_back(actor.person_id)  # the outbox may reach them again
        state = data.get("state")
        if state is not None:
            data["chat"] = Chat(uow, actor, state, data["bot"], data["i18n"], data["settings"])
        return await handler(event, data)


def _from_person(event: TelegramObject) -> bool:
    """Something the person did in the chat; not a change of the bot's membership, which
    says itself whether they blocked or unblocked it (bot/telegram/common/reachability.py)."""
    return not (isinstance(event, Update) and event.my_chat_member is not None)


class LocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        return pick_locale(user.language_code if user else None, self.i18n.default_locale)
