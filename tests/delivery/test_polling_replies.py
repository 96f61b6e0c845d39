"""`nastavnik run` (service/polling.py, the README's command) answers every update even
when Telegram holds a chat to about one message a second: the stand-in answers 429 with
retry_after to a second message within a second, and the bot waits it out and sends again.
Replies keep the order of the updates that caused them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import load_settings
from service.polling import run_polling
from storage.models import HandledUpdate, Programme
from surveys.people import Role
from tests.conftest import ADMIN_ID, TOKEN
from tests.support.botapi import BotAPIStandIn, FakeUser
from tests.support.curator_factories import make_person
from tests.support.delivery_data import eventually
from tests.support.factories import seed_directory
from tests.support.workers import free_port


@pytest.fixture
async def polling(standin: BotAPIStandIn, database_url: str) -> AsyncIterator[None]:
    """The bot as `nastavnik run` starts it, polling the stand-in, which paces chats."""
    settings = load_settings(
        bot_token=TOKEN,
        bot_api_url=standin.base_url,
        database_url=database_url,
        admin_ids=str(ADMIN_ID),
        redis_url=None,
        web_host="127.0.0.1",
        web_port=free_port(),
    )
    standin.pace_chats(1.0)
    stop = asyncio.Event()
    running = asyncio.create_task(run_polling(settings, stop))
    await standin.wait_until_polling()
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)


async def handled(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0)


async def act(factory: async_sessionmaker[AsyncSession], *actions: Awaitable[object]) -> None:
    """Feed updates (the coroutines of FakeUser actions) one after another without waiting
    for the replies, then wait until the bot has handled them all."""
    before = await handled(factory)
    for action in actions:
        await action  # returns once the bot has taken the update
    await eventually(lambda: _handled_at_least(factory, before + len(actions)), 30)


async def _handled_at_least(factory: async_sessionmaker[AsyncSession], wanted: int) -> bool:
    return await handled(factory) >= wanted


def refused(standin: BotAPIStandIn, chat_id: int) -> int:
    return sum(1 for call in standin.calls if call.chat_id == chat_id and call.error_code == 429)


def texts(user: FakeUser) -> list[str]:
    return [message.text or "" for message in user.messages]


@pytest.mark.usefixtures("polling")
async def test_five_help_taps_within_a_second_get_five_answers(
    standin: BotAPIStandIn, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    stranger = standin.user(7401)
    await act(session_factory, *(stranger.send("/help") for _ in range(5)))
    await eventually(lambda: len(stranger.messages) >= 5, 30)

    assert len(texts(stranger)) == 5 and len(set(texts(stranger))) == 1
    assert texts(stranger)[0].startswith("Бот программы наставничества. Чтобы начать")
    assert refused(standin, stranger.id) >= 4  # Telegram's pace did bite, four times at least
    arrivals = [call.at for call in standin.accepted_sends(stranger.id)]
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(arrivals))


@pytest.mark.usefixtures("polling")
async def test_dates_typed_back_to_back_are_each_answered_in_order(
    standin: BotAPIStandIn, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_directory(session_factory)
    await make_person(
        session_factory, 7402, "Куратор Ольга", Role.CURATOR, organization_id=ids["S001"]
    )
    curator = standin.user(7402)
    await act(session_factory, curator.send("/programmes"))
    await act(session_factory, curator.press(curator.button("Новая программа")))
    await act(session_factory, curator.press(curator.button("ученик – ученик")))
    await act(session_factory, curator.send("Наставничество 7–10 классов"))
    year = curator.buttons()[0][0]
    await act(session_factory, curator.press(curator.button(year)))
    replies_before = len(curator.messages)

    await act(session_factory, curator.send("01.09.2026"), curator.send("31.05.2027"))
    await eventually(lambda: len(curator.messages) >= replies_before + 3, 30)

    asked_end, created, card = texts(curator)[replies_before:]
    assert asked_end.startswith("Дата окончания в формате")
    assert created == "Программа создана."
    assert "«Наставничество 7–10 классов»" in card and "01.09.2026 — 31.05.2027" in card
    assert refused(standin, curator.id) >= 1
    async with session_factory() as session:
        programme = await session.scalar(select(Programme))
    assert programme is not None
    assert (programme.starts_on, programme.ends_on) == (date(2026, 9, 1), date(2027, 5, 31))
