"""The outbox sender against the Bot API stand-in: exactly once through 429, 500 and 403,
within Telegram's limits, shared by two senders, and recovering from a killed sender.
Runs on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import load_settings
from bot.telegram.app import create_bot
from service.workers.outbox import OutboxSender, SenderConfig
from storage.db import create_engine, create_session_factory
from storage.models import Person
from storage.repositories.outbox import OutboxRepository
from tests.conftest import TOKEN
from tests.support.botapi import BotAPIStandIn
from tests.support.delivery_data import eventually, outbox_rows, queue, register

FAST = SenderConfig(
    rate_per_second=30,
    chat_interval=1.0,
    batch_size=20,
    lease=timedelta(seconds=60),
    max_attempts=8,
    retry_base=0.05,
    poll_interval=0.05,
)
DRAIN_TIMEOUT = 60


@pytest.fixture
async def make_bot(standin: BotAPIStandIn) -> AsyncIterator[Callable[[], Bot]]:
    bots: list[Bot] = []

    def make() -> Bot:
        settings = load_settings(bot_token=TOKEN, bot_api_url=standin.base_url)
        bots.append(create_bot(settings))
        return bots[-1]

    yield make
    for bot in bots:
        await bot.session.close()


def accepted(standin: BotAPIStandIn) -> list[tuple[int, str, float]]:
    """(chat, text, time) of every sendMessage Telegram would have delivered."""
    return [
        (call.chat_id or 0, str(call.params["text"]), call.at)
        for call in standin.calls
        if call.method == "sendMessage" and not call.rejected
    ]


async def test_every_message_once_through_flood_control_outages_and_a_block(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, list(range(5001, 5021)))
    texts = await queue(session_factory, people, per_person=2)
    blocked = 5007
    standin.block(blocked)
    standin.fail_next("sendMessage", error_code=429, retry_after=1, times=2)  # a burst
    standin.fail_next("sendMessage", error_code=500, times=6)  # then an outage

    sender = OutboxSender(make_bot(), session_factory, FAST, name="a")
    await asyncio.wait_for(sender.run(until_empty=True), DRAIN_TIMEOUT)

    delivered = Counter(text for _chat, text, _at in accepted(standin))
    expected = [text for text in texts if f"для {blocked}" not in text]
    assert delivered == Counter(expected)  # every one, none twice
    to_blocked = [call for call in standin.calls if call.chat_id == blocked]
    # Faults injected for everyone may hit this chat first; after its 403, nothing more.
    assert [call.error_code for call in to_blocked][-1] == 403
    assert [call.error_code for call in to_blocked].count(403) == 1
    rows = await outbox_rows(session_factory)
    assert {row.status for row in rows if row.chat_id != blocked} == {"sent"}
    assert {row.status for row in rows if row.chat_id == blocked} == {"dead"}
    async with session_factory() as session:
        person = await session.get(Person, people[blocked])
        assert person is not None and person.unreachable_at is not None
        assert (await OutboxRepository(session).depth()).unsent == 0
    assert sender.stats.flood_waits == 2
    assert sender.stats.retried == 6
    assert sender.stats.sent == len(expected)


async def test_the_pace_stays_within_telegram_limits(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, list(range(6001, 6041)))
    await queue(session_factory, people, per_person=3)  # 120 messages, 3 to each chat

    sender = OutboxSender(make_bot(), session_factory, FAST, name="pace")
    await asyncio.wait_for(sender.run(until_empty=True), DRAIN_TIMEOUT)

    sends = accepted(standin)
    assert len(sends) == 120
    times = sorted(at for _chat, _text, at in sends)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 30
    by_chat: dict[int, list[float]] = {}
    for chat, _text, at in sends:
        by_chat.setdefault(chat, []).append(at)
    gaps = [b - a for ats in by_chat.values() for a, b in itertools.pairwise(ats)]
    assert len(gaps) == 80 and min(gaps) >= 0.95


async def test_messages_to_one_chat_keep_their_order(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, [7001])
    texts = await queue(session_factory, people, per_person=3)
    config = SenderConfig(chat_interval=0.1, retry_base=0.05, poll_interval=0.05)
    await OutboxSender(make_bot(), session_factory, config).run(until_empty=True)
    assert [text for _chat, text, _at in accepted(standin)] == texts


async def test_two_senders_share_one_outbox_without_sending_twice(
    standin: BotAPIStandIn, make_bot: Callable[[], Bot], database_url: str
) -> None:
    # Two "processes": each sender has its own engine, sessions and bot.
    engines = [create_engine(database_url), create_engine(database_url)]
    factories = [create_session_factory(engine) for engine in engines]
    try:
        people = await register(factories[0], list(range(8001, 8201)))
        await queue(factories[0], people)
        config = SenderConfig(
            rate_per_second=1000, chat_interval=0, batch_size=10, poll_interval=0.02
        )
        senders = [
            OutboxSender(make_bot(), factory, config, name=f"s{n}")
            for n, factory in enumerate(factories)
        ]
        await asyncio.wait_for(
            asyncio.gather(*(sender.run(until_empty=True) for sender in senders)),
            DRAIN_TIMEOUT,
        )
    finally:
        for engine in engines:
            await engine.dispose()

    chats = Counter(chat for chat, _text, _at in accepted(standin))
    assert chats == Counter(people.keys())  # each of the 200 exactly once
    assert all(sender.stats.sent > 0 for sender in senders)
    assert sum(sender.stats.sent for sender in senders) == 200
    rows = await outbox_rows(factories[0])
    assert Counter(row.claimed_by for row in rows) == {
        sender.name: sender.stats.sent for sender in senders
    }


async def test_a_killed_senders_claims_are_sent_once_after_the_lease(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, list(range(9001, 9007)))
    await queue(session_factory, people)
    slow = SenderConfig(
        rate_per_second=1, lease=timedelta(seconds=2), batch_size=10, poll_interval=0.05
    )
    doomed = OutboxSender(make_bot(), session_factory, slow, name="doomed")
    running = asyncio.create_task(doomed.run())
    await eventually(lambda: len(accepted(standin)) >= 2)
    await asyncio.sleep(0.3)  # between two sends: the kill finds nothing in flight
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    async with session_factory() as session, session.begin():
        held = [row for row in await outbox_rows(session_factory) if row.status == "sending"]
        assert len(held) == 4 and {row.claimed_by for row in held} == {"doomed"}
        # Nobody may take them while the lease holds.
        assert await OutboxRepository(session).claim("probe", 10, timedelta(seconds=1)) == []

    heir = OutboxSender(make_bot(), session_factory, SenderConfig(poll_interval=0.05), name="heir")
    await asyncio.wait_for(heir.run(until_empty=True), DRAIN_TIMEOUT)

    assert Counter(chat for chat, _text, _at in accepted(standin)) == Counter(people.keys())
    assert heir.stats.sent == 4 and doomed.stats.sent == 2


async def test_a_clean_stop_finishes_the_send_and_hands_back_the_rest(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, list(range(9101, 9106)))
    await queue(session_factory, people)
    slow = SenderConfig(rate_per_second=1, batch_size=10, poll_interval=0.05)
    sender = OutboxSender(make_bot(), session_factory, slow, name="polite")
    running = asyncio.create_task(sender.run())
    await eventually(lambda: bool(accepted(standin)))
    await sender.stop()
    await asyncio.wait_for(running, 10)

    rows = await outbox_rows(session_factory)
    sent = [row for row in rows if row.status == "sent"]
    assert len(sent) == len(accepted(standin)) == sender.stats.sent
    unsent = [row for row in rows if row not in sent]
    assert all(row.status == "pending" and row.lease_until is None for row in unsent)
    assert len(sent) < len(rows)


async def test_rejected_and_failing_messages_end_dead_with_the_reason(
    standin: BotAPIStandIn,
    make_bot: Callable[[], Bot],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = await register(session_factory, [9201, 9202, 9203])
    await queue(session_factory, people)
    standin.fail_next(
        "sendMessage", 9201, error_code=400, description="Bad Request: chat not found"
    )
    standin.fail_next("sendMessage", 9202, error_code=502, times=100)  # never recovers
    config = SenderConfig(max_attempts=3, retry_base=0.01, poll_interval=0.02)
    sender = OutboxSender(make_bot(), session_factory, config)
    await asyncio.wait_for(sender.run(until_empty=True), DRAIN_TIMEOUT)

    rows = {row.chat_id: row for row in await outbox_rows(session_factory)}
    assert rows[9201].status == "dead" and "chat not found" in (rows[9201].last_error or "")
    assert rows[9202].status == "dead" and rows[9202].attempts == 3
    assert rows[9203].status == "sent"
    calls = Counter(call.chat_id for call in standin.calls if call.method == "sendMessage")
    assert calls == {9201: 1, 9202: 3, 9203: 1}
