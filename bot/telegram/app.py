"""Wiring of the Telegram edge: the Bot and the Dispatcher."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.i18n import create_i18n
from bot.telegram.curator.bulk import CuratorJobs
from bot.telegram.deferred_fsm import DeferredStorage
from bot.telegram.filters import Magic
from bot.telegram.middlewares import ActorMiddleware, LocaleMiddleware, UnitOfWorkMiddleware
from bot.telegram.response_models import PinResponseModels
from bot.telegram.retry import RetryMiddleware, TolerantCallbackAnswers
from bot.telegram.routers import get_routers
from bot.telegram.update_logs import setup_update_logs
from surveys.questionnaire import load_catalogue

log = logging.getLogger(__name__)


def create_bot(settings: Settings, session: AiohttpSession | None = None) -> Bot:
    token = settings.require_bot_token().get_secret_value()
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    session.middleware(PinResponseModels())
    return Bot(token=token, session=session)


def with_retries(bot: Bot) -> Bot:
    """Replies survive a burst of 429s and a few 5xx, and a redelivered button press
    survives its second callback answer (see bot/telegram/retry.py)."""
    bot.session.middleware(RetryMiddleware())
    bot.session.middleware(TolerantCallbackAnswers())
    return bot


def counted(bot: Bot) -> Bot:
    """Sends and 429s show on /metrics; nothing else changes."""
    bot.session.middleware(RetryMiddleware(attempts=1))
    return bot


def _fsm(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        from bot.telegram.chat_state import ChatLocks, PatientStorage, connect

        storage = RedisStorage(connect(settings.redis_url))
        locks = ChatLocks(storage.redis, settings.chat_lock_seconds, storage.key_builder)
        return DeferredStorage(PatientStorage(storage)), locks
    return DeferredStorage(MemoryStorage()), SimpleEventIsolation()


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n | None = None,
) -> Dispatcher:
    storage, isolation = _fsm(settings)
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation, settings=settings)
    i18n = i18n or create_i18n(settings.default_locale)
    dispatcher["i18n"] = i18n
    dispatcher["catalogue"] = load_catalogue()
    # Bulk work (bot/telegram/curator/bulk.py) runs in sessions of its own, in steps.
    dispatcher["session_factory"] = session_factory
    dispatcher["curator_jobs"] = CuratorJobs()
    # The bot talks to people one to one; group chats are ignored rather than answered.
    dispatcher.message.filter(Magic(F.chat.type == "private"))
    setup_update_logs(dispatcher)
    dispatcher.update.outer_middleware(UnitOfWorkMiddleware(session_factory, settings.admin_ids))
    dispatcher.update.outer_middleware(ActorMiddleware(settings.admin_ids))
    LocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(*get_routers())
    return dispatcher
