"""A success text follows the commit that it reports: when the commit of a registration
fails (the connection drops at COMMIT), the person is not told «Вы зарегистрированы» but
that nothing was saved, nothing is stored, and repeating the step registers them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Person
from tests.conftest import BotHarness
from tests.support.webhook_fixtures import FULL_NAME, count, mentor_invite


class FailingCommit:
    """The next COMMIT of a transaction that inserted into `table` fails as a dropped
    connection would; every other statement and commit goes through."""

    def __init__(self, table: str) -> None:
        self.insert = f"INSERT INTO {table} "
        self.armed = False
        self.failed = 0

    def before_execute(self, conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(self.insert.upper()):
            conn.info["inserted"] = True

    def commit(self, conn: Connection) -> None:
        if conn.info.pop("inserted", False) and self.armed:
            self.armed = False
            self.failed += 1
            raise OperationalError("COMMIT", None, ConnectionResetError("connection lost"))

    def rollback(self, conn: Connection) -> None:
        conn.info.pop("inserted", None)


@pytest.fixture
def failing_commit(harness: BotHarness) -> Iterator[FailingCommit]:
    engine: AsyncEngine = harness.session_factory.kw["bind"]
    failure = FailingCommit("person")
    target = engine.sync_engine
    hooks = {
        "before_cursor_execute": failure.before_execute,
        "commit": failure.commit,
        "rollback": failure.rollback,
    }
    for name, hook in hooks.items():
        event.listen(target, name, hook)
    yield failure
    for name, hook in hooks.items():
        event.remove(target, name, hook)


async def test_a_registration_whose_commit_fails_is_not_reported_as_done(
    harness: BotHarness, failing_commit: FailingCommit
) -> None:
    code = await mentor_invite(harness.session_factory)
    olga = harness.standin.user(7501)
    await olga.send(f"/start {code}")
    await olga.press(olga.button("Даю согласие"))
    await olga.send(FULL_NAME)
    teacher = olga.button("Учитель")
    asked = olga.messages[-1].message_id

    failing_commit.armed = True
    await olga.press(teacher)

    assert failing_commit.failed == 1
    texts = [message.text or "" for message in olga.messages]
    assert not [text for text in texts if "зарегистрированы" in text]
    assert "Ничего не записано" in texts[-1]
    assert await count(harness.session_factory, Person) == 0

    await olga.press(teacher, message_id=asked)  # she repeats the step
    assert (olga.last_text or "").startswith(f"Готово, {FULL_NAME}! Вы зарегистрированы.")
    assert await count(harness.session_factory, Person) == 1
