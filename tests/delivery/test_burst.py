"""A burst on one webhook worker with Redis (conversation state, chat locks): 150 people
register at the same moment, step by step. Chat locks live half a second, far shorter than
an update takes under such a load, and the Redis pool has fewer connections than there are
updates in flight. Every person still ends registered and told so, and nobody reads that
their changes were not saved. Skips unless TEST_REDIS_URL is set (.ci/run sets it)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Invite, Person, RoleGrant
from surveys.people import Role
from tests.support.botapi import FakeUser
from tests.support.delivery_data import eventually
from tests.support.factories import make_invite, seed_directory
from tests.support.webhook_fixtures import FULL_NAME, webhook_bot
from tests.support.webhook_standin import WebhookStandIn

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set: Redis runs are in .ci/run"
)
PEOPLE = 150
FAILURE_WORDS = ("не сохранены", "Ничего не записано", "пошло не так")


@pytest.fixture
async def standin() -> AsyncIterator[WebhookStandIn]:
    async with WebhookStandIn(processing_timeout=120) as server:
        server.redelivery_pause = 0.5
        yield server


async def together(actions: list[Awaitable[object]]) -> None:
    await asyncio.gather(*actions)


async def everyone(people: list[FakeUser], sees: Callable[[FakeUser], bool]) -> None:
    """An update slower than aiogram's 55 s is answered 200 and finished in the background
    (Telegram would not wait longer): wait for the replies themselves."""
    await eventually(lambda: all(sees(person) for person in people), 300)


def has_button(person: FakeUser, label: str) -> bool:
    return any(label in text for text, _data in person.buttons())


def last_starts(person: FakeUser, start: str) -> bool:
    return (person.last_text or "").startswith(start)


@pytest.mark.usefixtures("clean_redis")
async def test_150_people_at_once_each_get_the_right_answer(
    standin: WebhookStandIn,
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await seed_directory(session_factory)
    invite = await make_invite(
        session_factory, Role.MENTOR, organization_id=ids["S001"], max_uses=PEOPLE
    )
    people: list[FakeUser] = [standin.user(60_000 + n) for n in range(PEOPLE)]
    async with webhook_bot(
        standin, database_url, engine, session_factory, REDIS_URL, chat_lock_seconds=0.5
    ):
        await together([person.send(f"/start {invite.code}") for person in people])
        await everyone(people, lambda person: has_button(person, "Даю согласие"))
        await together([person.press(person.button("Даю согласие")) for person in people])
        await everyone(people, lambda person: last_starts(person, "Напишите, пожалуйста"))
        await together([person.send(FULL_NAME) for person in people])
        await everyone(people, lambda person: has_button(person, "Учитель"))
        await together([person.press(person.button("Учитель")) for person in people])
        await everyone(people, lambda person: last_starts(person, "Готово"))

    for person in people:
        texts = [message.text or "" for message in person.messages]
        assert not [text for text in texts if any(word in text for word in FAILURE_WORDS)]
        assert texts[-1].startswith(f"Готово, {FULL_NAME}! Вы зарегистрированы.")
    async with session_factory() as session:
        registered = await session.scalar(select(func.count()).select_from(Person))
        grants = await session.scalar(select(func.count()).select_from(RoleGrant))
        uses = await session.scalar(select(Invite.uses).where(Invite.id == invite.id))
    assert (registered, grants, uses) == (PEOPLE, PEOPLE, PEOPLE)
