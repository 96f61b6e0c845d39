"""A curator uploads a hostile roster while someone else asks for /help: the roster is
refused with a clear message, nothing is imported, /help is answered, and the bot's
memory (tracemalloc, as a check) grows by far less than the file would inflate to."""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest
from sqlalchemy import func, select

from bot.i18n import create_i18n
from storage.models import Invite, RosterEntry
from tests.conftest import BotHarness
from tests.support.curator_factories import (
    curator_in_programme,
    roster_bytes,
)
from tests.support.hostile_xlsx import declares_huge_sheet, shared_strings_bomb

MB = 1024 * 1024
RU = create_i18n("ru")


def russian(key: str) -> str:
    with RU.context():
        return RU.gettext(key)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (declares_huge_sheet, "curator.roster.file.sheet_too_large"),
        (lambda: shared_strings_bomb(300), "curator.roster.file.unpacked_too_big"),
    ],
    ids=["declares-A1:XFD1048576", "shared-strings-300-MB"],
)
async def test_a_hostile_roster_is_refused_and_others_are_answered_meanwhile(
    harness: BotHarness, build, key: str
) -> None:
    content = build()
    _, _, curator = await curator_in_programme(harness, 7201)
    await curator.press(curator.button("Загрузить список"))
    stranger = harness.standin.user(7202)

    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        await asyncio.gather(curator.send_document(content, "roster.xlsx"), stranger.send("/help"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    expected = russian(key).split("{")[0]
    assert (curator.last_text or "").startswith(expected), curator.last_text
    assert "Ничего не загружено" in (curator.last_text or "")
    assert stranger.last_text and "/" in stranger.last_text  # the help text was sent
    assert peak - before < 50 * MB
    async with harness.session_factory() as session:
        for model in (RosterEntry, Invite):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
    # The upload state stays: the curator sends the right file straight away.
    good = [("Смирнов Алексей Иванович", "педагог", None, "наставник", 1)]
    await curator.send_document(roster_bytes(good), "roster.xlsx")
    assert "Загружено строк: 1 из 1" in (curator.last_text or "")
