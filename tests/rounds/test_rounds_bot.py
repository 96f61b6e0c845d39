"""Monitoring rounds over HTTP through the real bot and the Bot API stand-in: a methodist
opens a round, the curator sees what is missing in /status and sends the mid-programme
check-in, the methodist reminds and closes; a regional coordinator invited by the
administrator sees and exports the region."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.actions import pack
from app.export.actions import ChooseRound
from app.monitoring.actions import OnRound, RoundVerb
from app.monitoring.rounds import close_round, export_round
from app.uow import UnitOfWork
from exports.workbook import ExportOptions
from storage.models import Assignment, MonitoringRound, OutboxMessage, RoleGrant, RoundSnapshot
from surveys.people import Category, Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.registration.test_roles_and_invites import link_code, register_staff
from tests.rounds.test_round_snapshot import answer_more, cells, new_round, opened
from tests.rounds.test_round_snapshot import methodist as methodist_of
from tests.support.curator_factories import (
    form_pair,
    make_person,
    make_programme,
    open_a_yearly_round,
    open_the_round_checkin,
)
from tests.support.export_data import NOW, build_dataset
from tests.support.export_helpers import russian
from tests.support.export_people import METHODIST_ID, make_methodist
from tests.support.factories import count_rows, seed_directory
from tests.support.report_helpers import number, paragraphs, tables

PERIOD = "01.09.2026 31.08.2027"


async def _district(harness: BotHarness):  # type: ignore[no-untyped-def]
    """A methodist of M01; a curator of S001 with one working pair (start questionnaires
    sent); a methodist of the other district."""
    ids = await seed_directory(harness.session_factory)
    make = harness.session_factory
    await make_person(make, 7301, "Методист Ольга", Role.METHODIST, municipality_id=ids["M01"])
    await make_person(make, 7302, "Методист Чужой", Role.METHODIST, municipality_id=ids["M02"])
    curator = await make_person(
        make, 7310, "Куратор Анна", Role.CURATOR, organization_id=ids["S001"]
    )
    await make_programme(make, curator, ids["S001"])
    await make_person(
        make,
        7320,
        "Наставник Пётр",
        Role.MENTOR,
        organization_id=ids["S001"],
        category=Category.TEACHER,
    )
    await make_person(
        make,
        7321,
        "Ученица Вера",
        Role.MENTEE,
        organization_id=ids["S001"],
        category=Category.STUDENT,
    )
    user = harness.standin.user(7310)
    await form_pair(user, "Наставник Пётр", ["Ученица Вера"])
    assert "Пара №1 составлена" in (user.last_text or "")
    return ids, harness.standin.user(7301), user, harness.standin.user(7302)


async def test_a_round_from_opening_to_its_frozen_figures(harness: BotHarness) -> None:
    _ids, methodist, curator, stranger = await _district(harness)

    await open_a_yearly_round(methodist, PERIOD)
    await methodist.send("31.12.2019")
    assert "Срок сдачи уже прошёл" in (methodist.last_text or "")
    assert await count_rows(harness, MonitoringRound) == 0  # bad input changes nothing

    await methodist.send("/rounds")
    await methodist.press(methodist.button("Открыть мониторинг"))
    await methodist.press(methodist.button("годовой мониторинг"))
    await methodist.send(PERIOD)
    await methodist.send("20.12.2099")
    texts = [m.text for m in methodist.messages[-2:]]
    assert "Мониторинг открыт" in (texts[0] or "")
    assert "Павлоградский район" in (texts[0] or "") and "20.12.2099" in (texts[0] or "")

    # The curator sees the round and what is missing for the school.
    status = await open_the_round_checkin(curator)
    assert "Начало (ожидания): отправлено 2, ответили 0, ждём ответа 2" in status
    yes, asked = curator.button("Да, разослать"), curator.messages[-1].message_id
    await curator.press(yes)
    assert "новых приглашений: 2" in (curator.last_text or "")
    await curator.press(yes, message_id=asked)  # a double tap sends nothing more
    checkins = Assignment.moment == "checkin"
    assert await count_rows(harness, Assignment, checkins) == 2
    invitations = OutboxMessage.kind == "survey_invitation"
    assert await count_rows(harness, OutboxMessage, invitations) == 4  # 2 start + 2 check-in
    await curator.send("/status")
    status = "\n".join(m.text or "" for m in curator.messages[-2:])
    assert "пар без анкеты середины программы" not in status
    assert "Середина программы: отправлено 2" in status

    # The methodist reminds the non-responders (once an hour) and closes the round.
    await methodist.send("/rounds")
    await methodist.press(methodist.button("Напомнить не ответившим"))
    assert "Не ответили: 4. Напоминаний отправлено сейчас: 4" in (methodist.last_text or "")
    await methodist.press(methodist.button("Напомнить не ответившим"))
    assert "Напоминаний отправлено сейчас: 0" in (methodist.last_text or "")
    assert await count_rows(harness, OutboxMessage, OutboxMessage.kind == "reminder") == 4

    # Another district's methodist cannot close it, even with a forged button.
    forged = pack(OnRound(RoundVerb.CLOSE_YES, 1))
    await stranger.send("/rounds")
    await stranger.press(forged, message_id=stranger.messages[-1].message_id)
    assert await count_rows(harness, RoundSnapshot) == 0

    await methodist.press(methodist.button("Закрыть сейчас"))
    await methodist.press(methodist.button("Да, закрыть"))
    assert "показатели зафиксированы" in (methodist.last_text or "")
    assert await count_rows(harness, RoundSnapshot) == 1
    await methodist.send("/rounds")
    assert "закрыт, данные зафиксированы" in "\n".join(
        m.text or "" for m in methodist.messages[-2:]
    )
    await curator.send("/status")
    assert "Мониторинг — " not in "\n".join(m.text or "" for m in curator.messages[-2:])


async def test_rounds_are_for_their_keepers(harness: BotHarness) -> None:
    _ids, _methodist, curator, _stranger = await _district(harness)
    await curator.send("/rounds")
    assert "Мониторингов" not in (curator.last_text or "")
    await curator.press(
        pack(OnRound(RoundVerb.CLOSE, 1)), message_id=curator.messages[-1].message_id
    )
    assert await count_rows(harness, MonitoringRound) == 0


async def test_a_regional_coordinator_invited_by_the_administrator(harness: BotHarness) -> None:
    await _district(harness)
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/invite")
    await admin.press(admin.button("региональный координатор"))
    coordinator = harness.standin.user(7400)
    await register_staff(coordinator, link_code(admin.last_text), "Координатор Ирина")
    assert "региональный координатор" in (coordinator.last_text or "")
    async with harness.session_factory() as session:
        grant = await session.scalar(select(RoleGrant).where(RoleGrant.role == "coordinator"))
    assert grant is not None and grant.scope_key == "*"

    # The region's round: the coordinator chooses the territory, the whole region first.
    await coordinator.send("/rounds")
    await coordinator.press(coordinator.button("Открыть мониторинг"))
    await coordinator.press(coordinator.button("промежуточный"))
    assert next(text for text, _ in coordinator.buttons()) == "весь регион"
    await coordinator.press(coordinator.button("весь регион"))
    await coordinator.send(PERIOD)
    await coordinator.send("31.05.2099")
    assert "весь регион" in (coordinator.messages[-2].text or "")

    # /status: every district; /export: the region first.
    await coordinator.send("/status")
    assert {"Павлоградский район", "Петушинский район"} <= {t for t, _ in coordinator.buttons()}
    await coordinator.send("/export")
    assert [t for t, _ in coordinator.buttons()][:3] == [
        "Весь регион", "Павлоградский район", "Петушинский район"
    ]  # fmt: skip

    # Curators of every district see the region's round.
    curator = harness.standin.user(7310)
    await curator.send("/status")
    assert "промежуточный мониторинг, весь регион" in "\n".join(
        m.text or "" for m in curator.messages[-2:]
    )


async def test_export_of_a_closed_round_through_the_bot(
    harness: BotHarness, tmp_path: Path
) -> None:
    harness.settings.export_dir = tmp_path / "exports"
    data = await build_dataset(harness.session_factory)
    await make_methodist(harness.session_factory, data.ids["M01"])
    keeper = methodist_of(data)
    round_id = await opened(harness.session_factory, keeper, new_round(data))
    async with UnitOfWork(harness.session_factory) as uow:
        await close_round(uow, keeper, round_id, NOW)
    options = ExportOptions(
        min_group=harness.settings.export_min_group,
        target_student_share=harness.settings.target_student_share,
        target_young_teacher_share=harness.settings.target_young_teacher_share,
    )
    async with harness.session_factory() as session:
        await export_round(session, keeper, round_id, tmp_path / "frozen.xlsx", russian, options)
    await answer_more(harness.session_factory, data)  # after the round closed

    user = harness.standin.user(METHODIST_ID)
    await user.send("/export")
    await user.press(user.button("Мониторинг № 1: годовой мониторинг"))
    assert "Что подготовить?" in (user.last_text or "")
    await user.press(user.button("Выгрузка мониторинга"))
    content = (await user.documents())[-1].content
    (tmp_path / "bot.xlsx").write_bytes(content)
    frozen, sent = cells(tmp_path / "frozen.xlsx"), cells(tmp_path / "bot.xlsx")
    for sheet in ("Сводка", "Показатели", "По формам", "Анкеты", "Отзывы"):
        assert sent[sheet] == frozen[sheet], sheet

    # The round's справка: the same frozen figures.
    await user.send("/export")
    await user.press(user.button("Мониторинг № 1: годовой мониторинг"))
    await user.press(user.button("Аналитическая справка"))
    (tmp_path / "bot.docx").write_bytes((await user.documents(2))[-1].content)
    assert "Мониторинг: № 1, годовой мониторинг; данные зафиксированы" in "\n".join(
        paragraphs(tmp_path / "bot.docx")
    )
    shown = {row[0]: number(row[1]) for row in tables(tmp_path / "bot.docx")[0][1:]}
    header, *rows = frozen["По формам"]
    totals = dict(zip(header, next(row for row in rows if row[0] == "Итого"), strict=True))
    for key in ("pairs", "mentors", "mentees", "sent", "submitted"):
        label = russian(f"export.col.{key}")
        assert shown[label] == totals[label], label

    # Another district's methodist gets no round of M01, even with a forged button.
    stranger = await make_person(
        harness.session_factory,
        7999,
        "Методист Чужой",
        Role.METHODIST,
        municipality_id=data.ids["M02"],
    )
    assert stranger.telegram_id is not None
    other = harness.standin.user(7999)
    await other.send("/export")
    assert not any("Мониторинг №" in text for text, _ in other.buttons())
    await other.press(pack(ChooseRound(round_id)), message_id=other.messages[-1].message_id)
    assert "не к вам" in (other.last_text or "")
    assert len([m for m in other.messages if m.document]) == 0
