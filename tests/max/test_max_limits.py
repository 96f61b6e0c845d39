"""MAX's rules, each through the stand-in: the token header, text and keyboard limits,
payload size, 30 requests a second and 2 a second per dialog, 429s waited out, a person
who stopped the bot marked unreachable."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from app.actions import TELEGRAM_LIMIT, pack
from app.screens import Button, Screen
from app.survey.actions import AnswerWith
from bot.i18n import create_i18n
from bot.max.client import MaxClient, create_bot
from bot.max.pace import MemoryTurns, Pace, RedisTurns
from bot.max.screens import Reader, parts
from storage.models import Person
from surveys.channels import ChannelName
from tests.support.factories import seed_directory
from tests.support.max_harness import MaxHarness, max_settings
from tests.support.maxapi import MaxAPIStandIn
from tests.support.maxapi.server import PAYLOAD_LIMIT
from tests.support.survey_factories import issue_pair

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def client_for(standin: MaxAPIStandIn, pace: Pace | None = None) -> MaxClient:
    settings = max_settings(standin, "sqlite+aiosqlite:///unused.db")
    return MaxClient(create_bot(settings), pace or Pace(MemoryTurns()))


async def test_token_only_in_the_authorization_header(max_standin: MaxAPIStandIn) -> None:
    client = client_for(max_standin)
    try:
        assert await client.username() == max_standin.username
    finally:
        await client.close()
    call = max_standin.calls_to("GET", "/me")[-1]
    assert call.headers["Authorization"] == max_standin.token
    assert "access_token" not in call.query
    # The stand-in, like MAX now, refuses a token in the query.
    async with aiohttp.ClientSession() as session:
        url = f"{max_standin.base_url}/me?access_token={max_standin.token}"
        async with session.get(url) as response:
            assert response.status == 401


async def test_big_screen_is_split_to_max_limits(max_standin: MaxAPIStandIn) -> None:
    """5,000 characters and 40 rows of 9 buttons: several messages, none over a limit."""
    lines = tuple(f"Строка {n}: " + "т" * 90 for n in range(50))
    rows = tuple(
        tuple(Button(f"{r}.{c}", AnswerWith(r, c, "v")) for c in range(9)) for r in range(40)
    )
    screen = Screen(lines, rows)
    drawn = parts(Reader(create_i18n(), "ru"), screen)
    assert all(len(part.text) <= 4000 for part in drawn)
    keyboards = [part.keyboard for part in drawn if part.keyboard]
    assert all(len(k) <= 30 and all(len(row) <= 7 for row in k) for k in keyboards)
    assert sum(len(row) for k in keyboards for row in k) == 360  # nothing dropped
    client = client_for(max_standin)
    try:
        for part in drawn:
            await client.send(7001, part.text, part.keyboard)
    finally:
        await client.close()
    assert not [call for call in max_standin.calls if call.rejected]
    assert "".join(m.text or "" for m in max_standin.messages(7001)).count("Строка") == 50


async def test_stand_in_refuses_what_max_refuses(max_standin: MaxAPIStandIn) -> None:
    client = client_for(max_standin)
    try:
        # Our payloads stay far under MAX's 1,024 characters (Telegram's 64 bytes rule them).
        assert len(pack(AnswerWith(2**40, 99, "yes")).encode()) <= TELEGRAM_LIMIT < PAYLOAD_LIMIT
        with pytest.raises(Exception, match="payload"):
            await client.send(7001, "x", [[("too long", "p" * (PAYLOAD_LIMIT + 1))]])
        with pytest.raises(Exception, match="rows"):
            await client.send(7001, "x", [[("b", "p")]] * 31)
        with pytest.raises(Exception, match="row"):
            await client.send(7001, "x", [[("b", "p")] * 8])
    finally:
        await client.close()


async def test_flood_answers_are_waited_out(max_standin: MaxAPIStandIn) -> None:
    max_standin.fail_next("POST", "/messages", 7001, status=429, times=2)
    client = client_for(max_standin)
    try:
        await client.send(7001, "Напоминание")
    finally:
        await client.close()
    sends = max_standin.calls_to("POST", "/messages")
    assert [call.status for call in sends] == [429, 429, 200]
    assert [m.text for m in max_standin.messages(7001)] == ["Напоминание"]


async def test_two_a_second_per_dialog_and_thirty_for_the_bot(max_standin: MaxAPIStandIn) -> None:
    """The stand-in answers 429 beyond the limits; the pace keeps every call under them."""
    client = client_for(max_standin)
    try:
        await asyncio.gather(*(client.send(7001, f"m{n}") for n in range(5)))
        await asyncio.gather(*(client.send(7100 + n, "hello") for n in range(40)))
    finally:
        await client.close()
    assert not [call for call in max_standin.calls if call.status == 429]
    assert len(max_standin.messages(7001)) == 5


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run")
async def test_dialog_pace_is_shared_across_processes(max_standin: MaxAPIStandIn) -> None:
    """Two clients (two processes' worth) on one Redis never exceed 2 a second together."""
    from redis.asyncio import Redis

    redis = Redis.from_url(str(REDIS_URL))
    await redis.delete(
        "nastavnik:max:turn:message:7001",
        "nastavnik:max:done:message:7001",
        "nastavnik:max:pace:bot",
    )
    first = client_for(max_standin, Pace(RedisTurns(redis)))
    second = client_for(max_standin, Pace(RedisTurns(Redis.from_url(str(REDIS_URL)))))
    try:
        await asyncio.gather(*(c.send(7001, "x") for c in (first, second) for _ in range(3)))
    finally:
        await first.close()
        await second.close()
        await redis.aclose()
    assert not [call for call in max_standin.calls if call.status == 429]


async def test_reply_to_a_person_who_blocked_the_bot(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    issued = await issue_pair(
        max_harness.session_factory,
        ids["S001"],
        mentor_tg=8201,
        mentee_tg=8202,
        mentee_channel=ChannelName.MAX,
    )
    anna = max_harness.standin.user(8202)
    max_harness.standin.block(anna.id)
    await anna.send("/survey")
    async with max_harness.session_factory() as session:
        person = await session.get(Person, issued.mentee_id)
        assert person is not None and person.unreachable_at is not None
    # The bot went on: the next person is answered.
    other = max_harness.standin.user(8203)
    await other.start()
    assert other.last_text
