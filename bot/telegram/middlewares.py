"""Per-update context: one database session (committed when the update is handled),
the acting person with their roles, and the user's locale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import pick_locale
from storage.repositories.people import PeopleRepository

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """One transaction per update: everything a handler writes lands together or not at all."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.session_factory() as session:
            data["session"] = session
            result = await handler(event, data)
            await session.commit()
            return result


class ActorMiddleware(BaseMiddleware):
    """Loads who is acting (person, roles, admin flag) before any handler runs."""

    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        actor, person = await PeopleRepository(data["session"]).actor(user.id, self.admin_ids)
        if person is not None and person.unreachable_at is not None:
            person.unreachable_at = None  # they wrote to the bot: the outbox may reach them again
        data["actor"] = actor
        data["person"] = person
        return await handler(event, data)


class LocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        return pick_locale(user.language_code if user else None, self.i18n.default_locale)
