"""In-process webhook bot for tests: the real app (service/web/server.py) on a free port, fed by the
webhook stand-in. Plus the registration conversation the fault runs replay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.telegram.app import create_bot, create_dispatcher, with_retries
from service.web.server import create_web_app
from storage.models import HandledUpdate, Invite, Person, RoleGrant
from surveys.people import Role
from tests.support.botapi import FakeUser
from tests.support.factories import count_rows as count  # the webhook tests' name
from tests.support.factories import make_invite, seed_directory
from tests.support.joining import join
from tests.support.polling import bot_settings
from tests.support.webhook_standin import SECRET, WebhookStandIn

FULL_NAME = "Кузнецова Ольга Игоревна"
# What one finished registration of FULL_NAME leaves (`stored_registration`).
ONE_REGISTRATION = {"people": [FULL_NAME], "grants": 1, "invite_uses": [1], "handled_updates": 4}


def webhook_settings(
    standin: WebhookStandIn, database_url: str, redis_url: str | None = None
) -> Settings:
    return bot_settings(
        standin,
        database_url,
        redis_url,
        webhook_secret=SECRET,
        web_host="127.0.0.1",
        web_port=8080,  # unused: the tests bind a free port themselves
    )


@dataclass
class WebhookBot:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    url: str


@asynccontextmanager
async def webhook_bot(
    standin: WebhookStandIn,
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    redis_url: str | None = None,
    **overrides: object,
) -> AsyncIterator[WebhookBot]:
    """`overrides`: settings to change, e.g. chat_lock_seconds=0.5."""
    settings = webhook_settings(standin, database_url, redis_url).model_copy(update=overrides)
    bot = with_retries(create_bot(settings))
    dispatcher = create_dispatcher(settings, session_factory)
    app = create_web_app(settings, bot, dispatcher, engine, session_factory)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    standin.targets.append(url)
    try:
        yield WebhookBot(settings, bot, dispatcher, url)
    finally:
        standin.targets.remove(url)
        await runner.cleanup()
        await dispatcher.fsm.close()
        await bot.session.close()


async def mentor_invite(factory: async_sessionmaker[AsyncSession]) -> str:
    ids = await seed_directory(factory)
    invite = await make_invite(factory, Role.MENTOR, organization_id=ids["S001"], max_uses=5)
    return invite.code


async def register_teacher(user: FakeUser, code: str) -> None:
    """The whole conversation: /start code → consent → name → category (teacher: done)."""
    await join(user, code, FULL_NAME, "Учитель")


async def stored_registration(factory: async_sessionmaker[AsyncSession]) -> dict[str, object]:
    """What one finished registration must leave: one person, one grant, one invite use."""
    async with factory() as session:
        names = list(await session.scalars(select(Person.full_name)))
        uses = list(await session.scalars(select(Invite.uses)))
    return {
        "people": names,
        "grants": await count(factory, RoleGrant),
        "invite_uses": uses,
        "handled_updates": await count(factory, HandledUpdate),
    }
