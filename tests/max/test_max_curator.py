"""A curator, a methodist and an administrator in MAX, driven over HTTP through the MAX
stand-in: the same app.curator use cases and screens as in Telegram, workbooks sent as
files, one database shared with Telegram people."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.curator.bulk import PAIRS_PER_STEP
from storage.models import Assignment, OutboxMessage, Pair, Person, Programme
from surveys.access import Actor, Grant
from surveys.channels import ChannelName
from surveys.people import Category, Role
from tests.support.curator_factories import (
    make_curator,
    make_person,
    make_programme,
    open_a_school_as_methodist,
    open_the_other_district_as_admin,
    registered_roster,
    roster_bytes,
    start_a_programme,
)
from tests.support.factories import count_rows, seed_directory
from tests.support.max_harness import MAX_ADMIN_ID, MaxHarness
from tests.support.maxapi import MaxMessage, MaxUser

CURATOR_MAX = 8301
MAX = ChannelName.MAX


def workbook(message: MaxMessage) -> Workbook:
    assert message.files, f"no file in {message.text!r}"
    return load_workbook(io.BytesIO(message.files[0].content))


def rows(book: Workbook, index: int = 0) -> list[tuple[object, ...]]:
    return [tuple(row) for row in book.worksheets[index].iter_rows(values_only=True)]


async def _school(harness: MaxHarness) -> tuple[dict[str, int], int, MaxUser]:
    """A curator in MAX with a programme; a mentor in Telegram and two mentees, one in each
    messenger, all registered in the same school."""
    ids = await seed_directory(harness.session_factory)
    org, make = ids["S001"], harness.session_factory
    curator = await make_curator(make, CURATOR_MAX, org, MAX)
    programme_id = await make_programme(make, curator, org)
    await make_person(
        make, 8310, "Наставник Первый", Role.MENTOR, organization_id=org, category=Category.TEACHER
    )
    await make_person(
        make, 8320, "Ученица Анна", Role.MENTEE, organization_id=org, category=Category.STUDENT
    )
    await make_person(
        make,
        8321,
        "Ученик Борис",
        Role.MENTEE,
        organization_id=org,
        category=Category.STUDENT,
        channel=MAX,
    )
    return ids, programme_id, harness.standin.user(CURATOR_MAX)


async def test_curator_creates_a_programme_and_gets_a_max_link(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    await make_curator(max_harness.session_factory, CURATOR_MAX, ids["S001"], MAX)
    olga = max_harness.standin.user(CURATOR_MAX)
    await olga.send("/help")
    assert "/programmes" in (olga.last_text or "") and "/status" in (olga.last_text or "")

    await start_a_programme(olga)
    await olga.send("Наставничество 7–10 классов")
    year = olga.buttons()[0][0]
    await olga.press(olga.button(year))
    await olga.send("01.09.2026")
    await olga.send("31.08.2026")
    assert "позже даты начала" in (olga.last_text or "")
    assert await count_rows(max_harness, Programme) == 0  # nothing until the last step
    await olga.send("31.05.2027")
    assert "«Наставничество 7–10 классов»" in (olga.last_text or "")
    assert await count_rows(max_harness, Programme) == 1

    await olga.press(olga.button("Ссылка для наставников"))
    assert "https://max.ru/nastavnik_max_bot?start=" in (olga.last_text or "")
    # Every keyboard the bot drew was within MAX's limits (the stand-in refuses others).
    assert not [call for call in max_harness.standin.calls if call.rejected]


async def test_template_and_roster_upload_answer_with_workbooks(max_harness: MaxHarness) -> None:
    _ids, _programme_id, olga = await _school(max_harness)
    await olga.send("/template")
    header = rows(workbook(olga.messages[-1]))[0]
    assert header == ("ФИО", "Категория", "Класс", "Роль", "Номер пары/группы")
    assert olga.messages[-1].files[0].file_name == "roster_template.xlsx"

    await olga.send_file(b"not a workbook", "roster.xlsx")
    assert "откройте программу" in (olga.last_text or "")  # no programme chosen yet

    await olga.send("/programmes")
    await olga.press(olga.button("Наставничество 2026"))
    await olga.press(olga.button("Загрузить список"))
    await olga.send("вот список")
    assert "Жду файл xlsx" in (olga.last_text or "")
    roster = [
        ("Смирнов Алексей Иванович", "педагог", None, "наставник", 1),
        ("Иванова Мария Петровна", "ученик", 7, "наставляемый", 1),
        ("Кузнецова Анна", "ученик", 14, "наставляемый", 2),  # grade 14
    ]
    await olga.send_file(roster_bytes(roster), "roster.xlsx")
    result = olga.messages[-1]
    assert "Загружено строк: 2 из 3. Не загружено: 1" in (result.text or "")
    links = rows(workbook(result))[1:]
    assert [row[0] for row in links] == [2, 3]
    assert all(str(row[4]).startswith("https://max.ru/nastavnik_max_bot?start=") for row in links)
    assert [row[:2] for row in rows(workbook(result), 1)[1:]] == [(4, "Класс")]


async def test_pairs_status_workbook_and_remind_now(max_harness: MaxHarness) -> None:
    _ids, _programme_id, olga = await _school(max_harness)
    await olga.send("/pairs")
    await olga.press(olga.button("Наставничество 2026"))
    assert "В программе пока нет пар" in (olga.last_text or "")
    await olga.send("/programmes")
    await olga.press(olga.button("Наставничество 2026"))
    await olga.press(olga.button("Составить пару"))
    await olga.press(olga.button("Наставник Первый"))
    await olga.press(olga.button("Готово"))  # nobody ticked yet
    assert olga.notifications[-1] and await count_rows(max_harness, Pair) == 0
    await olga.press(olga.button("Ученица Анна"))
    await olga.press(olga.button("Ученик Борис"))
    # The ticks redraw the pressed message's buttons in place.
    picker = olga.messages[-1]
    assert picker.edited and any(label.startswith("✓ ") for label, _ in olga.buttons(picker.mid))
    await olga.press(olga.button("Готово"))
    assert "Пара №1 составлена" in (olga.last_text or "")
    assert await count_rows(max_harness, Pair) == 1
    # Invitations for both mentees are queued, each to their own channel's id.
    async with max_harness.session_factory() as session:
        chats = set(await session.scalars(select(OutboxMessage.chat_id)))
    assert {8320, 8321} <= chats

    await olga.send("/status")
    page = olga.messages[-1]
    assert "Пар: 1 (завершено 0)" in (page.text or "")
    await olga.press(olga.button("не ответили"))
    # A filter redraws the same message.
    assert olga.messages[-1].mid == page.mid and "Наставник Первый" in (olga.last_text or "")
    await olga.press(olga.button("Таблица xlsx"))
    book = workbook(olga.messages[-1])
    assert rows(book)[0][0] == "Программа" and len(rows(book)) == 2
    assigned = await count_rows(max_harness, Assignment)
    await olga.press(olga.button("Напомнить сейчас"))
    assert f"Напоминания поставлены в очередь: {assigned}" in (olga.last_text or "")
    await olga.press(olga.button("Напомнить сейчас"))  # a second tap within the hour
    assert "Напоминания поставлены в очередь: 0" in (olga.last_text or "")


async def test_methodist_and_admin_see_their_districts(max_harness: MaxHarness) -> None:
    ids, _programme_id, _olga = await _school(max_harness)
    await make_person(
        max_harness.session_factory,
        8401,
        "Методист Нина",
        Role.METHODIST,
        municipality_id=ids["M01"],
        channel=MAX,
    )
    nina = max_harness.standin.user(8401)
    await nina.send("/programmes")
    assert "Эта команда вам недоступна" in (nina.last_text or "")
    await open_a_school_as_methodist(nina)
    await nina.press(nina.button("Таблица xlsx"))
    assert workbook(nina.messages[-1])

    await open_the_other_district_as_admin(max_harness.standin.user(MAX_ADMIN_ID))


async def test_pairs_from_a_large_roster_run_in_the_background(max_harness: MaxHarness) -> None:
    ids, programme_id, olga = await _school(max_harness)
    async with max_harness.session_factory() as session:
        curator = await session.scalar(select(Person).where(Person.external_id == CURATOR_MAX))
    assert curator is not None
    actor = Actor(
        telegram_id=CURATOR_MAX,
        person_id=curator.id,
        grants=(Grant(Role.CURATOR, organization_id=ids["S001"]),),
        channel=MAX,
    )
    groups = PAIRS_PER_STEP + 10  # more than one step: the work goes to the background
    await registered_roster(max_harness.session_factory, actor, programme_id, ids["S001"], groups)
    await olga.send("/programmes")
    await olga.press(olga.button("Наставничество 2026"))
    await olga.press(olga.button("Пары из списка"))
    progress = olga.messages[-1]
    assert "Составляю пары по списку" in (progress.text or "")
    await olga.send("/help")  # answered while the work goes on
    assert "/programmes" in (olga.last_text or "")
    await max_harness.edge.services.jobs.wait()

    assert f"Составлено пар по списку: {groups}" in (olga.last_text or "")
    shown = max_harness.standin.find(CURATOR_MAX, progress.mid)
    assert shown is not None and f"{groups} из {groups}" in (shown.text or "")
    assert await count_rows(max_harness, Pair) == groups


async def test_a_picker_longer_than_one_message_keeps_each_part(max_harness: MaxHarness) -> None:
    ids, _programme_id, olga = await _school(max_harness)
    for n in range(40):  # more mentees than MAX's 30 rows of buttons
        await make_person(
            max_harness.session_factory,
            8800 + n,
            f"Ученик Номер{n:02d}",
            Role.MENTEE,
            organization_id=ids["S001"],
            category=Category.STUDENT,
        )
    await olga.send("/programmes")
    await olga.press(olga.button("Наставничество 2026"))
    await olga.press(olga.button("Составить пару"))
    await olga.press(olga.button("Наставник Первый"))
    first, second = olga.messages[-2], olga.messages[-1]
    assert len(first.buttons) == 30 and any(b["text"] == "Готово" for b in second.buttons[-1])
    before = [row[0]["text"] for row in first.buttons]

    late = next(b["payload"] for row in second.buttons for b in row if "Номер39" in b["text"])
    await olga.press(late, mid=second.mid)
    redrawn = max_harness.standin.find(CURATOR_MAX, second.mid)
    assert redrawn is not None
    labels = [b["text"] for row in redrawn.buttons for b in row]
    assert "✓ Ученик Номер39" in labels and labels[-1] == "Готово"
    shown = max_harness.standin.find(CURATOR_MAX, first.mid)
    assert shown is not None and [row[0]["text"] for row in shown.buttons] == before
    await olga.press(olga.button("Готово"))
    assert "Пара №1 составлена" in (olga.last_text or "")
