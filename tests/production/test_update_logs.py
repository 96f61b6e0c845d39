"""One structured log line per update, with ids and timings and never what people typed."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from service.logs import JsonFormatter, TextFormatter, quiet_chatty_loggers
from tests.conftest import BotHarness
from tests.support.webhook_fixtures import FULL_NAME, mentor_invite, register_teacher


async def test_update_lines_carry_ids_not_personal_data(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    code = await mentor_invite(harness.session_factory)
    olga = harness.standin.user(7101, first_name="Ольга", username="olga_k")
    quiet_chatty_loggers()  # as configure_logging does in production
    with caplog.at_level(logging.DEBUG):
        await register_teacher(olga, code)
        await olga.send("/start")  # now registered: the line names her person id

    updates = [r for r in caplog.records if r.name == "nastavnik.update"]
    assert len(updates) == 5
    assert [r.__dict__["outcome"] for r in updates] == ["ok"] * 5
    assert all(isinstance(r.__dict__["update_id"], int) for r in updates)
    assert all(r.__dict__["duration_ms"] >= 0 for r in updates)
    handlers = [r.__dict__["handler"] for r in updates]
    assert handlers[0] == "bot.telegram.registration.handlers.start_with_code"
    assert handlers[2] == "bot.telegram.registration.handlers.name_given"
    assert updates[0].__dict__["person_id"] is None
    assert isinstance(updates[-1].__dict__["person_id"], int)

    for formatter in (JsonFormatter(), TextFormatter()):
        text = "\n".join(formatter.format(record) for record in caplog.records)
        for secret in (FULL_NAME, "Кузнецова", "Ольга", "olga_k", code):
            assert secret not in text
    line = json.loads(JsonFormatter().format(updates[2]))
    assert line["event"] == "update" and line["handler"].endswith("name_given")
    assert {"ts", "level", "update_id", "person_id", "duration_ms"} <= line.keys()


def test_a_failure_is_logged_with_its_place_but_not_its_message() -> None:
    try:
        raise ValueError(f"duplicate key: full_name={FULL_NAME}")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "handler failed",
            None,
            exc_info=sys.exc_info(),
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "ValueError"
    assert "test_a_failure_is_logged" in line["stack"]
    assert FULL_NAME not in JsonFormatter().format(record)
    assert FULL_NAME not in TextFormatter().format(record)
