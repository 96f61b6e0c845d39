"""A curator creates a programme in the bot, with clear answers to wrong dates, and hands
out invitation links that bind people to the programme's organization."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Invite, Person, Programme
from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.curator_factories import curator_in_programme, make_person, start_a_programme
from tests.support.factories import count_rows, seed_directory
from tests.support.joining import join


async def test_curator_creates_a_programme_step_by_step(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    await make_person(
        harness.session_factory, 7001, "Куратор Ольга", Role.CURATOR, organization_id=ids["S001"]
    )
    curator = harness.standin.user(7001)

    await start_a_programme(curator)
    await curator.send("  Наставничество   7–10 классов ")
    assert "учебный год" in (curator.last_text or "")
    year = curator.buttons()[0][0]
    await curator.press(curator.button(year))
    await curator.send("31.02.2026")
    assert "Такого дня в календаре нет" in (curator.last_text or "")
    await curator.send("первое сентября")
    assert "ДД.ММ.ГГГГ" in (curator.last_text or "")
    await curator.send("01.09.2026")
    await curator.send("31.08.2026")
    assert "позже даты начала" in (curator.last_text or "")
    assert await count_rows(harness, Programme) == 0  # nothing until the last step
    await curator.send("31.05.2027")

    text = curator.last_text or ""
    assert "«Наставничество 7–10 классов»" in text
    assert "ученик – ученик" in text and "01.09.2026 — 31.05.2027" in text
    async with harness.session_factory() as session:
        programme = await session.scalar(select(Programme))
    assert programme is not None
    assert (programme.organization_id, programme.form, programme.academic_year) == (
        ids["S001"],
        "student_student",
        year,
    )
    # The list shows it now.
    await curator.send("/programmes")
    assert any("Наставничество 7–10 классов" in label for label, _ in curator.buttons())


async def test_programme_links_bind_people_to_the_programme(harness: BotHarness) -> None:
    ids, programme_id, curator = await curator_in_programme(harness, 7002)
    await curator.press(curator.button("Ссылка для наставников"))
    link = (curator.last_text or "").split("\n")[1]
    assert link.startswith("https://t.me/")
    code = link.rsplit("=", 1)[1]
    async with harness.session_factory() as session:
        invite = await session.scalar(select(Invite).where(Invite.code == code))
    assert invite is not None
    assert (invite.role, invite.programme_id, invite.organization_id) == (
        "mentor",
        programme_id,
        ids["S001"],
    )

    teacher = harness.standin.user(7003)
    await join(teacher, code, "Смирнов Алексей Иванович", "Учитель")
    assert "Готово" in (teacher.last_text or "")
    async with harness.session_factory() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 7003))
    assert person is not None and person.organization_id == ids["S001"]


async def test_curator_changes_title_and_dates(harness: BotHarness) -> None:
    _, programme_id, curator = await curator_in_programme(harness, 7004)
    await curator.press(curator.button("Изменить"))
    await curator.press(curator.button("Дату окончания"))
    await curator.send("01.08.2026")  # before the start (01.09.2026)
    assert "позже даты начала" in (curator.last_text or "")
    await curator.send("30.06.2027")
    assert "01.09.2026 — 30.06.2027" in (curator.last_text or "")
    await curator.press(curator.button("Изменить"))
    await curator.press(curator.button("Название"))
    await curator.send_sticker()
    assert "текстом" in (curator.last_text or "")
    await curator.send("Наставники и наставляемые")
    assert "«Наставники и наставляемые»" in (curator.last_text or "")
    async with harness.session_factory() as session:
        programme = await session.get(Programme, programme_id)
    assert programme is not None
    assert (programme.title, programme.ends_on.isoformat()) == (
        "Наставники и наставляемые",
        "2027-06-30",
    )
