"""Roster upload end to end: template, validation row by row, personal links, people bound
to their rows on registration, pairs formed from the roster with start questionnaires."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from storage.models import Assignment, Invite, OutboxMessage, Pair, Person, RosterEntry
from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.curator_factories import (
    curator_in_programme,
    make_person,
    roster_bytes,
    sent_workbook,
    sheet_rows,
)
from tests.support.factories import count_rows, seed_directory

FORMULA = '=HYPERLINK("http://evil.example/","Иванов")'
ROSTER = [
    ("Смирнов Алексей Иванович", "педагог", None, "наставник", 1),
    ("Иванова Мария Петровна", "ученик", 7, "наставляемый", 1),
    ("Кузнецова Анна", "ученик", 14, "наставляемый", 2),  # grade 14
    ("иванова мария петровна", "ученик", 8, "наставляемый", 2),  # duplicate name
    (FORMULA, "педагог", None, "наставник", 2),
]


async def test_template_has_the_columns(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    await make_person(
        harness.session_factory, 7100, "Куратор Ольга", Role.CURATOR, organization_id=ids["S001"]
    )
    curator = harness.standin.user(7100)
    calls = await curator.send("/template")
    header = sheet_rows(sent_workbook(calls), 0)[0]
    assert header == ("ФИО", "Категория", "Класс", "Роль", "Номер пары/группы")


async def test_roster_upload_links_registration_and_pairs(harness: BotHarness) -> None:
    ids, programme_id, curator = await curator_in_programme(harness)
    await curator.press(curator.button("Загрузить список"))
    calls = await curator.send_document(roster_bytes(ROSTER), "roster.xlsx")

    assert "Загружено строк: 3 из 5. Не загружено: 2" in (curator.last_text or "")
    workbook = sent_workbook(calls)
    links = sheet_rows(workbook, 0)[1:]
    errors = sheet_rows(workbook, 1)[1:]
    assert [row[0] for row in links] == [2, 3, 6]
    assert [(row[0], row[1]) for row in errors] == [(4, "Класс"), (5, "ФИО")]
    formula_cell = workbook.worksheets[0]["B4"]
    # Shown as the text it is, stored as a string with the quote prefix: never run.
    assert formula_cell.value == FORMULA and formula_cell.data_type == "s"
    assert formula_cell.quotePrefix
    async with harness.session_factory() as session:
        entries = list(await session.scalars(select(RosterEntry).order_by(RosterEntry.row_number)))
        invites = list(
            await session.scalars(select(Invite).where(Invite.roster_entry_id.is_not(None)))
        )
    assert [e.full_name for e in entries] == [ROSTER[0][0], ROSTER[1][0], FORMULA]
    assert {i.programme_id for i in invites} == {programme_id} and len(invites) == 3

    # The mentee follows her personal link: consent, the guardian's confirmation, done.
    mentee_link = str(links[1][4])
    masha = harness.standin.user(7102)
    await masha.send(f"/start {mentee_link.rsplit('=', 1)[1]}")
    await masha.press(masha.button("Даю согласие"))
    assert "родителя" in (masha.last_text or "")
    await masha.press(masha.button("Да, родитель"))
    assert "Готово, Иванова Мария Петровна" in (masha.last_text or "")
    # The mentor: consent only.
    teacher = harness.standin.user(7103)
    await teacher.send(f"/start {str(links[0][4]).rsplit('=', 1)[1]}")
    await teacher.press(teacher.button("Даю согласие"))
    assert "Готово, Смирнов Алексей Иванович" in (teacher.last_text or "")
    async with harness.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 7102))
        assert person is not None
        assert (person.category, person.grade, person.organization_id) == (
            "student",
            7,
            ids["S001"],
        )
        assert person.guardian_consent_at is not None
        bound = await session.scalar(
            select(RosterEntry.person_id).where(RosterEntry.row_number == 3)
        )
    assert bound == person.id

    # Pair 1 is complete (mentor + mentee registered): it can be formed; pair 2 cannot yet.
    await curator.press(curator.button("Пары из списка"))
    assert "Составлено пар по списку: 1 (№ 1)" in (curator.last_text or "")
    assert await count_rows(harness, Pair) == 1
    assert await count_rows(harness, Assignment) == 2
    async with harness.session_factory() as session:
        kinds = list(await session.scalars(select(OutboxMessage.chat_id)))
    assert sorted(kinds) == [7102, 7103]
    await curator.press(curator.button("Пары из списка"))  # again: nothing twice
    assert "Пока нечего составлять" in (curator.last_text or "")
    assert await count_rows(harness, Assignment) == 2

    # The same file again: every row is already there, nothing is imported twice.
    await curator.press(curator.button("Загрузить список"))
    calls = await curator.send_document(roster_bytes(ROSTER), "roster.xlsx")
    assert "Загружено строк: 0 из 5" in (curator.last_text or "")
    assert await count_rows(harness, RosterEntry) == 3


def _big_roster(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["ФИО", "Категория", "Класс", "Роль", "Номер пары/группы"])
    for n in range(rows):
        sheet.append([f"Ученик Номер{n}", "ученик", 5, "наставляемый", n % 9000 + 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"just some text, not a workbook", "roster.xlsx", "Это не файл Excel"),
        (roster_bytes([]), "roster.xlsx", "нет ни одной строки"),
        (
            roster_bytes([("Иванов Иван", 5)], header=["ФИО", "Класс"]),
            "roster.xlsx",
            "не хватает столбцов: Категория, Роль",
        ),
        (b"PK" + b"\0" * (3 * 1024 * 1024), "roster.xlsx", "слишком большой"),
        (_big_roster(20_000), "roster.xlsx", "больше 3000 строк"),
    ],
    ids=["not-xlsx", "empty", "missing-columns", "too-big", "20000-rows"],
)
async def test_bad_roster_files_change_nothing(
    harness: BotHarness, content: bytes, name: str, expected: str
) -> None:
    _ids, _programme_id, curator = await curator_in_programme(harness)
    await curator.press(curator.button("Загрузить список"))
    await curator.send_document(content, name)
    assert expected in (curator.last_text or "")
    assert "Ничего не загружено" in (curator.last_text or "")
    assert await count_rows(harness, RosterEntry) == 0
    assert await count_rows(harness, Invite) == 0
    # Still waiting: the corrected file is accepted without starting over.
    await curator.send_document(roster_bytes(ROSTER[:2]), "roster.xlsx")
    assert "Загружено строк: 2 из 2" in (curator.last_text or "")


async def test_stray_input_around_uploads(harness: BotHarness) -> None:
    _ids, _programme_id, curator = await curator_in_programme(harness)
    await curator.send_document(roster_bytes(ROSTER), "roster.xlsx")  # no programme chosen
    assert "откройте программу" in (curator.last_text or "")
    await curator.press(curator.button("Загрузить список"))
    await curator.send("вот список")
    assert "Жду файл xlsx" in (curator.last_text or "")
    await curator.send_sticker()
    assert "Жду файл xlsx" in (curator.last_text or "")
    await curator.send("/cancel")
    await curator.send_document(roster_bytes(ROSTER), "roster.xlsx")
    assert "откройте программу" in (curator.last_text or "")
    assert await count_rows(harness, RosterEntry) == 0


async def test_forget_erases_the_name_in_the_roster(harness: BotHarness) -> None:
    _ids, _programme_id, curator = await curator_in_programme(harness)
    await curator.press(curator.button("Загрузить список"))
    calls = await curator.send_document(roster_bytes(ROSTER[:2]), "roster.xlsx")
    link = str(sheet_rows(sent_workbook(calls), 0)[1][4])
    teacher = harness.standin.user(7110)
    await teacher.send(f"/start {link.rsplit('=', 1)[1]}")
    await teacher.press(teacher.button("Даю согласие"))
    await teacher.send("/forget")
    await teacher.press(teacher.button("Да, удалить"))
    async with harness.session_factory() as session:
        names = list(
            await session.scalars(select(RosterEntry.full_name).order_by(RosterEntry.row_number))
        )
    assert names == [None, ROSTER[1][0]]  # the row stays for the pair, the name goes
    await curator.send("/status")
    assert "Смирнов" not in (curator.last_text or "")
    assert "(данные удалены)" in (curator.last_text or "")
