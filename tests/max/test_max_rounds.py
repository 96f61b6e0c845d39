"""Monitoring rounds in MAX, driven over HTTP through the MAX stand-in: a methodist opens a
round with /rounds, the curator sends the mid-programme check-in from /status (a second tap
sends nothing more), the methodist sends the round's check-in, reminds and closes it; a
regional coordinator opens a round of the whole region. The same app.monitoring use cases
as in Telegram."""

from __future__ import annotations

from storage.models import Assignment, MonitoringRound, RoundSnapshot
from surveys.channels import ChannelName
from surveys.people import Role
from tests.max.test_max_curator import _school
from tests.support.curator_factories import (
    form_pair,
    make_person,
    open_a_yearly_round,
    open_the_round_checkin,
)
from tests.support.factories import count_rows
from tests.support.max_harness import MaxHarness
from tests.support.maxapi import MaxUser

METHODIST_MAX, COORDINATOR_MAX = 8501, 8502
PERIOD, DEADLINE = "01.09.2026 31.08.2027", "20.12.2099"


def said(user: MaxUser, last: int = 2) -> str:
    return "\n".join(message.text or "" for message in user.messages[-last:])


async def _with_a_pair(harness: MaxHarness) -> tuple[dict[str, int], MaxUser]:
    """The MAX curator's school with one pair: a mentor and two mentees."""
    ids, _programme, olga = await _school(harness)
    await form_pair(olga, "Наставник Первый", ["Ученица Анна", "Ученик Борис"])
    assert "Пара №1 составлена" in (olga.last_text or "")
    return ids, olga


async def test_a_round_in_max_from_opening_to_its_frozen_figures(
    max_harness: MaxHarness,
) -> None:
    ids, olga = await _with_a_pair(max_harness)
    await make_person(
        max_harness.session_factory,
        METHODIST_MAX,
        "Методист Нина",
        Role.METHODIST,
        municipality_id=ids["M01"],
        channel=ChannelName.MAX,
    )
    nina = max_harness.standin.user(METHODIST_MAX)

    await open_a_yearly_round(nina, PERIOD)
    await nina.send(DEADLINE)
    assert "Мониторинг открыт" in said(nina) and "Павлоградский район" in said(nina)
    assert await count_rows(max_harness, MonitoringRound) == 1

    # The curator sees the round in /status and sends the check-in; a second tap adds nothing.
    await open_the_round_checkin(olga)
    yes, asked = olga.button("Да, разослать"), olga.messages[-1].mid
    await olga.press(yes)
    checkins = Assignment.moment == "checkin"
    members = await count_rows(max_harness, Assignment, checkins)
    assert members == 3  # the mentor and both mentees
    assert f"новых приглашений: {members}" in said(olga)
    await olga.press(yes, mid=asked)
    assert "новых приглашений: 0" in (olga.last_text or "")
    assert await count_rows(max_harness, Assignment, checkins) == members

    # The methodist: the round's check-in (the pair has it already), reminders, closing.
    await nina.send("/rounds")
    await nina.press(nina.button("Анкета середины программы"))
    assert "Пар: 1" in (nina.last_text or "")
    await nina.press(nina.button("Да, разослать"))
    assert "новых приглашений: 0" in said(nina)
    assert await count_rows(max_harness, Assignment, checkins) == members
    await nina.send("/rounds")
    await nina.press(nina.button("Напомнить не ответившим"))
    assert "Не ответили: 6" in said(nina)  # start and check-in of three people
    await nina.press(nina.button("Закрыть сейчас"))
    await nina.press(nina.button("Да, закрыть"))
    assert "показатели зафиксированы" in said(nina)
    assert await count_rows(max_harness, RoundSnapshot) == 1
    await nina.send("/rounds")
    assert "закрыт, данные зафиксированы" in said(nina)

    # A curator keeps no rounds.
    await olga.send("/rounds")
    assert "Эта команда вам недоступна" in (olga.last_text or "")


async def test_a_regional_coordinator_opens_a_round_of_the_region(
    max_harness: MaxHarness,
) -> None:
    await _school(max_harness)
    await make_person(
        max_harness.session_factory,
        COORDINATOR_MAX,
        "Координатор Ирина",
        Role.COORDINATOR,
        channel=ChannelName.MAX,
    )
    irina = max_harness.standin.user(COORDINATOR_MAX)
    await irina.send("/rounds")
    await irina.press(irina.button("Открыть мониторинг"))
    await irina.press(irina.button("промежуточный мониторинг"))
    assert "Для какой территории?" in (irina.last_text or "")
    labels = [label for label, _payload in irina.buttons()]
    assert labels[0] == "весь регион" and "Павлоградский район" in labels
    await irina.press(irina.button("весь регион"))
    await irina.send(PERIOD)
    await irina.send(DEADLINE)
    assert "Мониторинг открыт" in said(irina) and "весь регион" in said(irina)
    await irina.send("/status")  # the region's figures, as in Telegram
    assert "Эта команда вам недоступна" not in (irina.last_text or "")
