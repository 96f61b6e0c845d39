"""One `nastavnik` process of a district on both messengers sends both channels' outbox rows,
each at its own messenger's limits: the background work as `run` and `webhook` start it
(start_background with the MAX delivery), against the Bot API stand-in (30 a second, a
message a second per chat) and the MAX stand-in (30 requests a second, 2 messages a second
per dialog; both answer 429 beyond them) over HTTP. A 429 from Telegram holds Telegram's
messages alone: MAX's go on meanwhile. With TEST_REDIS_URL the paces are kept in Redis, as
with several workers."""

from __future__ import annotations

import itertools
import os

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import load_settings
from bot.i18n import create_i18n
from bot.max.app import create_client
from bot.max.delivery import MaxDelivery
from bot.telegram.app import counted, create_bot
from service.workers.background import start_background
from storage.models import Person
from storage.repositories.outbox import OutboxRepository
from surveys.channels import ChannelName
from tests.conftest import TOKEN
from tests.support.botapi import BotAPIStandIn
from tests.support.delivery_data import eventually, queue, register
from tests.support.maxapi import MaxAPIStandIn

TELEGRAM_PEOPLE = [9401, 9402, 9403]
MAX_PEOPLE = [9411, 9412, 9413]
PER_PERSON = 3
TELEGRAM_PAUSE = 5  # seconds Telegram's 429 asks for


async def _unsent(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return (await OutboxRepository(session).depth()).unsent


async def test_one_sender_keeps_each_messengers_own_pace(
    standin: BotAPIStandIn,
    max_standin: MaxAPIStandIn,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    standin.rate_limit(30)
    standin.pace_chats(1.0)
    settings = load_settings(
        bot_token=TOKEN,
        bot_api_url=standin.base_url,
        max_token=max_standin.token,
        max_api_url=max_standin.base_url,
        database_url=database_url,
        redis_url=os.environ.get("TEST_REDIS_URL") or None,
        quiet_hours="0-0",
        outbox_poll_seconds=0.05,
    )
    telegram = await register(session_factory, TELEGRAM_PEOPLE)
    on_max = await register(session_factory, MAX_PEOPLE)
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.id.in_(on_max.values()))
            .values(channel=ChannelName.MAX.value, telegram_id=None)
        )
    for user_id in MAX_PEOPLE:
        max_standin.user(user_id)
    await queue(session_factory, telegram | on_max, per_person=PER_PERSON)
    first = TELEGRAM_PEOPLE[0]
    standin.fail_next("sendMessage", first, error_code=429, retry_after=TELEGRAM_PAUSE)

    bot = counted(create_bot(settings))
    client = create_client(settings)
    channels = {ChannelName.MAX.value: MaxDelivery(client)}
    background = start_background(bot, settings, session_factory, create_i18n("ru"), channels)
    try:
        await _drained(session_factory)
    finally:
        await background.stop()
        await client.close()
        await bot.session.close()

    # Everything went, once, and neither messenger had to refuse a message for its pace.
    telegram_sends = standin.accepted_sends()
    assert sorted(call.chat_id for call in telegram_sends) == sorted(TELEGRAM_PEOPLE * PER_PERSON)
    refused = [call for call in standin.calls if call.rejected]
    assert [(call.chat_id, call.error_code) for call in refused] == [(first, 429)]  # injected
    max_sends = max_standin.calls_to("POST", "/messages")
    assert all(not call.rejected for call in max_sends), [c.status for c in max_sends]
    assert sorted(call.user_id for call in max_sends) == sorted(MAX_PEOPLE * PER_PERSON)

    # Telegram: a message a second per chat. MAX: never more than 2 a second per dialog.
    for chat in TELEGRAM_PEOPLE:
        ats = [call.at for call in telegram_sends if call.chat_id == chat]
        assert min(b - a for a, b in itertools.pairwise(ats)) >= 0.9, ats
    for user_id in MAX_PEOPLE:
        ats = [call.at for call in max_sends if call.user_id == user_id]
        assert all(c - a >= 0.9 for a, c in zip(ats, ats[2:], strict=False)), ats

    # Telegram's 429 paused Telegram alone: MAX's messages all went during the pause.
    paused_at = refused[0].at
    retried = [call.at for call in telegram_sends if call.chat_id == first]
    assert retried[0] - paused_at >= TELEGRAM_PAUSE - 0.1
    assert max(call.at for call in max_sends) < paused_at + TELEGRAM_PAUSE


async def _drained(factory: async_sessionmaker[AsyncSession]) -> None:
    async def empty() -> bool:
        return await _unsent(factory) == 0

    await eventually(empty, seconds=120)
