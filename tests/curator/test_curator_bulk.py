"""Bulk work through the bot: forming hundreds of pairs from a roster runs in the background
in steps, shows its progress, reports the result, and nobody waits for it meanwhile."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from app.curator.bulk import pairs_per_step
from storage.models import Assignment, OutboxMessage, Pair, PairMember, Programme
from storage.repositories.pairs import PairRepository
from storage.repositories.roster import RosterRepository
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.curator_factories import (
    curator_actor,
    make_curator,
    make_programme,
    registered_roster,
)
from tests.support.delivery_data import eventually
from tests.support.factories import count_rows, counts, seed_directory

CURATOR_ID = 7701
GROUPS = 750


async def test_forming_750_pairs_shows_progress_while_others_are_answered(
    harness: BotHarness,
) -> None:
    make = harness.session_factory
    ids = await seed_directory(make)
    org = ids["S001"]
    person = await make_curator(make, CURATOR_ID, org)
    programme_id = await make_programme(make, person, org)
    await registered_roster(make, curator_actor(person, org), programme_id, org, GROUPS)
    curator = harness.standin.user(CURATOR_ID)
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))

    # The first progress edit comes after the first step: keep it waiting there.
    first_edit = harness.standin.hold("editMessageText", chat_id=CURATOR_ID)
    await curator.press(curator.button("Пары из списка"))
    assert (curator.last_text or "").startswith(f"Составляю пары по списку: 0 из {GROUPS}")
    await asyncio.wait_for(first_edit.arrived.wait(), timeout=120)
    step = await pairs_per_step(make)
    assert await count_rows(harness, Pair) == step  # one step done, the rest to come

    # Meanwhile: another person is answered, and a second press is politely refused.
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/help")
    assert admin.messages and "/status" in (admin.last_text or "")
    await curator.press(curator.button("Пары из списка"))
    assert "ещё выполняется" in (curator.answers_to_callbacks[-1] or "")
    log_before_result = len(harness.standin.log)

    first_edit.release()
    result = f"Составлено пар по списку: {GROUPS} (№ 1–{GROUPS})"
    await eventually(lambda: result in (curator.last_text or ""), seconds=120)
    progress = next(m for m in curator.messages if (m.text or "").startswith("Составляю пары"))
    assert (progress.text or "").startswith(f"Составляю пары по списку: {GROUPS} из {GROUPS}")
    sent = [call for call in harness.standin.log if call.method == "sendMessage"]
    answered_admin = max(i for i, call in enumerate(sent) if call.chat_id == ADMIN_ID)
    result_message = max(i for i, call in enumerate(sent) if call.chat_id == CURATOR_ID)
    assert answered_admin < result_message
    assert harness.standin.log.index(sent[result_message]) >= log_before_result

    rows = await counts(harness, Pair, PairMember, Assignment, OutboxMessage)
    assert rows == [GROUPS, 2 * GROUPS, 2 * GROUPS, 2 * GROUPS]

    # Pressed again once it is done: nothing is formed or sent twice.
    await curator.press(curator.button("Пары из списка"))
    assert "Пока нечего составлять" in (curator.last_text or "")
    assert await count_rows(harness, Assignment) == 2 * GROUPS
    assert await count_rows(harness, OutboxMessage) == 2 * GROUPS


async def test_completing_a_large_programme_in_the_background(harness: BotHarness) -> None:
    make = harness.session_factory
    ids = await seed_directory(make)
    org = ids["S001"]
    person = await make_curator(make, CURATOR_ID, org)
    programme_id = await make_programme(make, person, org)
    actor = curator_actor(person, org)
    groups = await pairs_per_step(make) * 2 + 3  # three steps
    await registered_roster(make, actor, programme_id, org, groups)
    async with make() as session, session.begin():
        plans = [g.plan for g in await RosterRepository(session).ready_groups(programme_id)]
        formation = await PairRepository(session).form_many(programme_id, plans)
    assert len(formation.formed) == groups
    curator = harness.standin.user(CURATOR_ID)
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Завершить программу"))
    await curator.press(curator.button("Да, завершить"))
    # The progress message starts at 0; by now the job may have edited it further.
    assert any(
        text.startswith(f"Завершаю пары программы: 0 из {groups}")
        for text in harness.standin.sent_texts()
    )

    result = f"Пар завершено: {groups}; итоговых анкет отправлено: {2 * groups}"
    await eventually(lambda: result in (curator.last_text or ""), seconds=120)
    async with make() as session:
        statuses = set(await session.scalars(select(Pair.status)))
        completion = await session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.moment == "completion")
        )
        programme = await session.get(Programme, programme_id)
    assert statuses == {"completed"} and completion == 2 * groups
    assert programme is not None and programme.status == "completed"
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    assert "Завершить программу" not in [label for label, _ in curator.buttons()]
