"""Forming pairs and groups by picking people, completing and dissolving them, and the
status screens of curators and methodists."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Answer, Assignment, OutboxMessage, Pair, PairMember, utcnow
from surveys.people import Category, Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.curator_factories import (
    form_pair,
    make_curator,
    make_person,
    make_programme,
    open_a_school_as_methodist,
    open_the_other_district_as_admin,
    sent_workbook,
    sheet_rows,
)
from tests.support.factories import count_rows, counts, seed_directory


async def _school(harness: BotHarness):  # type: ignore[no-untyped-def]
    """A curator with a programme, two mentors and three mentees, all registered."""
    ids = await seed_directory(harness.session_factory)
    org = ids["S001"]
    make = harness.session_factory
    curator = await make_curator(make, 7201, org)
    programme_id = await make_programme(make, curator, org)
    for telegram_id, name in ((7210, "Наставник Первый"), (7211, "Наставник Второй")):
        await make_person(
            make, telegram_id, name, Role.MENTOR, organization_id=org, category=Category.TEACHER
        )
    for telegram_id, name in (
        (7220, "Ученица Анна"),
        (7221, "Ученик Борис"),
        (7222, "Ученик Вадим"),
    ):
        await make_person(
            make, telegram_id, name, Role.MENTEE, organization_id=org, category=Category.STUDENT
        )
    return ids, programme_id, harness.standin.user(7201)


async def test_forming_a_group_sends_start_questionnaires(harness: BotHarness) -> None:
    _ids, _programme_id, curator = await _school(harness)
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Составить пару"))
    await curator.press(curator.button("Наставник Первый"))
    await curator.press(curator.button("Готово"))  # nobody ticked yet
    assert "хотя бы одного" in (curator.answers_to_callbacks[-1] or "")
    await curator.press(curator.button("Ученица Анна"))
    await curator.press(curator.button("Ученик Борис"))
    await curator.press(curator.button("Ученик Борис"))  # untick
    await curator.press(curator.button("Ученик Вадим"))
    assert {label for label, _ in curator.buttons()} == {
        "✓ Ученица Анна",
        "Ученик Борис",
        "✓ Ученик Вадим",
        "Готово",
    }
    formed, _again = await curator.tap_twice(curator.button("Готово"))  # the second: nothing more
    assert "Пара №1 составлена" in (formed or "")
    assert await counts(harness, Pair, PairMember, Assignment, OutboxMessage) == [1, 3, 3, 3]

    # A mentee may be in one pair only; a mentor in several.
    await form_pair(curator, "Наставник Второй", ["Ученица Анна"])
    assert "уже состоит в другой активной паре" in (curator.last_text or "")
    await form_pair(curator, "Наставник Первый", ["Ученик Борис"])
    assert "Пара №2 составлена" in (curator.last_text or "")


async def test_dissolve_only_before_answers_and_complete_with_confirmation(
    harness: BotHarness,
) -> None:
    _ids, _programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна"])
    await form_pair(curator, "Наставник Второй", ["Ученик Борис"])
    async with harness.session_factory() as session, session.begin():
        pairs = list(await session.scalars(select(Pair).order_by(Pair.number)))
        started = await session.scalar(select(Assignment).where(Assignment.pair_id == pairs[1].id))
        assert started is not None
        session.add(
            Answer(
                assignment_id=started.id, question_key="q1", value_numeric=4, answered_at=utcnow()
            )
        )

    await curator.send("/pairs")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("№2"))
    assert "Наставник Второй" in (curator.last_text or "")
    await curator.press(curator.button("Расформировать"))
    assert "уже начала работу" in (curator.answers_to_callbacks[-1] or "")
    await curator.send("/pairs")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("№1"))
    await curator.press(curator.button("Расформировать"))
    assert "Пара №1 расформирована" in (curator.last_text or "")
    assert await count_rows(harness, Assignment, Assignment.status == "expired") == 2

    await curator.send("/pairs")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("№2"))
    await curator.press(curator.button("Завершить пару"))
    assert "Завершить пару №2?" in (curator.last_text or "")
    await curator.press(curator.button("Нет, вернуться"))
    assert await count_rows(harness, Pair, Pair.status == "completed") == 0
    await curator.press(curator.button("Завершить пару"))
    await curator.press(curator.button("Да, завершить"))
    assert "Пара №2 завершена. Итоговых анкет отправлено: 2, срок ответа — 14" in (
        curator.last_text or ""
    )
    assert await count_rows(harness, Assignment, Assignment.moment == "completion") == 2
    async with harness.session_factory() as session:
        due = list(
            await session.scalars(
                select(Assignment.due_at).where(Assignment.moment == "completion")
            )
        )
    assert all(13 <= (d - utcnow()).days <= 14 for d in due)


async def test_complete_programme_and_remind_now(harness: BotHarness) -> None:
    _ids, _programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна", "Ученик Борис"])
    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Завершить программу"))
    completed, again = await curator.tap_twice(curator.button("Да, завершить"))
    assert "завершена. Пар завершено: 1; итоговых анкет отправлено: 3" in (completed or "")
    assert "уже завершена" in (again or "")
    assert await count_rows(harness, Assignment, Assignment.moment == "completion") == 3

    await curator.send("/status")
    await curator.press(curator.button("Напомнить сейчас"))
    assert "Напоминания поставлены в очередь: 6" in (curator.last_text or "")
    await curator.press(curator.button("Напомнить сейчас"))
    assert "поставлены в очередь: 0" in (curator.last_text or "")
    assert await count_rows(harness, OutboxMessage, OutboxMessage.kind == "reminder") == 6


async def test_completion_summaries_count_questionnaires_that_cannot_arrive(
    harness: BotHarness,
) -> None:
    """People who blocked the bot get their final questionnaires queued, but the curator
    is told they will not arrive, not that they were sent."""
    _ids, _programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна", "Ученик Борис"])
    await form_pair(curator, "Наставник Второй", ["Ученик Вадим"])
    for blocked in (7220, 7221, 7222):
        await harness.standin.user(blocked).block_bot()

    await curator.send("/pairs")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("№2"))
    await curator.press(curator.button("Завершить пару"))
    await curator.press(curator.button("Да, завершить"))
    assert (curator.last_text or "").split("\n") == [
        "Пара №2 завершена. Итоговых анкет отправлено: 1, срок ответа — 14 дней.",
        "⚠️ не доставлено: бот заблокирован (1 анкета)",
    ]

    await curator.send("/programmes")
    await curator.press(curator.button("Наставничество 2026"))
    await curator.press(curator.button("Завершить программу"))
    await curator.press(curator.button("Да, завершить"))
    assert (curator.last_text or "").split("\n")[-2:] == [
        "Программа «Наставничество 2026» завершена. Пар завершено: 1; итоговых анкет "
        "отправлено: 1, срок ответа — 14 дней.",
        "⚠️ не доставлено: бот заблокирован (2 анкеты)",
    ]
    assert (
        await count_rows(harness.session_factory, Assignment, Assignment.moment == "completion")
        == 5
    )


async def test_status_counts_filters_pages_and_xlsx(harness: BotHarness) -> None:
    _ids, programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна"])
    # Many more pairs than fit one page: formed straight through the repository.
    make = harness.session_factory
    from storage.repositories.pairs import PairRepository

    for n in range(30):
        mentee = await make_person(
            make,
            7300 + n,
            f"Ученик Длиннофамильный{'а' * 60}{n}",
            Role.MENTEE,
            organization_id=_ids["S001"],
        )
        mentor = await make_person(
            make, 7400 + n, f"Наставник Номер{n}", Role.MENTOR, organization_id=_ids["S001"]
        )
        async with make() as session, session.begin():
            await PairRepository(session).form(programme_id, mentor.id, [mentee.id])

    await curator.send("/status")
    text = curator.last_text or ""
    assert "Пар: 31 (завершено 0)" in text
    assert "Анкеты: отправлено 2, заполнено 0, ждут ответа 2" in text
    assert "Страница 1 из 4" in text
    assert all(len(m.text or "") <= 4096 for m in curator.messages)
    await curator.press(curator.button("Дальше"))
    assert "Страница 2 из 4" in (curator.last_text or "")
    await curator.press(curator.button("не ответили"))
    assert "Страница 1 из 1" in (curator.last_text or "")
    assert "Наставник Первый" in (curator.last_text or "")
    await curator.press(curator.button("завершённые"))
    assert "Под этот фильтр ничего не подходит" in (curator.last_text or "")
    calls = await curator.press(curator.button("Таблица xlsx"))
    rows = sheet_rows(sent_workbook(calls), 0)
    assert rows[0][0] == "Программа" and len(rows) == 32


async def test_methodist_sees_the_district_and_opens_a_school(harness: BotHarness) -> None:
    ids, _programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна", "Ученик Борис"])
    await make_person(
        harness.session_factory, 7501, "Методист Нина", Role.METHODIST, municipality_id=ids["M01"]
    )
    methodist = harness.standin.user(7501)
    text = await open_a_school_as_methodist(methodist)
    assert "МБОУ СОШ № 1: пар 1 (завершено 0), наставников 1, наставляемых 2, отклик 0%" in text
    assert "Наставник Первый" in (methodist.last_text or "")

    await open_the_other_district_as_admin(harness.standin.user(ADMIN_ID))


async def test_change_members_of_a_pair(harness: BotHarness) -> None:
    _ids, _programme_id, curator = await _school(harness)
    await form_pair(curator, "Наставник Первый", ["Ученица Анна"])

    async def open_pair() -> None:
        await curator.send("/pairs")
        await curator.press(curator.button("Наставничество 2026"))
        await curator.press(curator.button("№1"))

    await open_pair()
    await curator.press(curator.button("Убрать наставляемого"))
    await curator.press(curator.button("Ученица Анна"))
    assert "единственный наставляемый" in (curator.answers_to_callbacks[-1] or "")

    await open_pair()
    await curator.press(curator.button("Добавить наставляемого"))
    assert "Ученица Анна" not in [label for label, _ in curator.buttons()]  # already paired
    added, again = await curator.tap_twice(curator.button("Ученик Борис"))
    assert "добавлен в пару №1" in (added or "")
    assert "уже состоит" in (again or "")
    assert await count_rows(harness, PairMember) == 3
    assert await count_rows(harness, Assignment) == 3  # the newcomer's start questionnaire only

    await open_pair()
    await curator.press(curator.button("Убрать наставляемого"))
    await curator.press(curator.button("Ученица Анна"))
    assert "убран из пары №1" in (curator.last_text or "")
    assert await count_rows(harness, PairMember) == 2
    assert await count_rows(harness, Assignment, Assignment.status == "expired") == 1
