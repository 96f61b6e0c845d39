"""Joining in MAX through the MAX stand-in: the invitation link's code arrives as
`bot_started`'s payload; consent, the guardian's step and roles as in Telegram; /invite
gives MAX links; /forget erases. One code works in either messenger, and a district running
both sees everybody in one export."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import select

from app.actions import pack
from app.registration.actions import GuardianConsent
from bot.max.delivery import MaxDelivery
from service.workers.outbox import OutboxSender, SenderConfig
from storage.models import Invite, OutboxMessage, Person, RoleGrant
from surveys.channels import ChannelName
from surveys.people import Category, Role
from tests.conftest import BotHarness
from tests.support.curator_factories import form_pair, make_person, make_programme
from tests.support.export_helpers import russian
from tests.support.factories import count_rows, make_invite, seed_directory
from tests.support.max_harness import MAX_ADMIN_ID, MaxHarness
from tests.support.maxapi import MaxMessage

MAX = ChannelName.MAX


async def max_person(harness: MaxHarness, user_id: int) -> Person | None:
    async with harness.session_factory() as session:
        return await session.scalar(
            select(Person).where(Person.channel == MAX, Person.external_id == user_id)
        )


async def test_a_pupil_registers_in_max_from_an_invitation_link(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    invite = await make_invite(
        max_harness.session_factory, Role.MENTEE, organization_id=ids["S001"], max_uses=30
    )
    masha = max_harness.standin.user(8601, first_name="Маша")

    await masha.start(invite.code)  # https://max.ru/<bot>?start=<code>
    assert "152-ФЗ" in (masha.last_text or "") and "МБОУ СОШ № 1" in (masha.last_text or "")
    consent = masha.messages[-1]
    await masha.send("да")  # a button is expected
    assert "кнопк" in (masha.last_text or "")
    assert await count_rows(max_harness, Person) == 0  # nothing before consent
    await masha.press(masha.button("Даю согласие"))
    assert max_harness.standin.find(masha.id, consent.mid).buttons == []  # pressed: gone
    assert "фамилию" in (masha.last_text or "")
    await masha.send("  Иванова   Мария  Петровна ")
    await masha.press(masha.button("Ученик"))
    # An old button of another step is stale and changes nothing.
    await masha.press(pack(GuardianConsent(True)), mid=consent.mid)
    assert masha.notifications[-1] == "Эта кнопка уже не действует."
    await masha.press(masha.button("7"))
    assert "родителя" in (masha.last_text or "")
    assert await count_rows(max_harness, Person) == 0  # nothing until the end
    await masha.press(masha.button("Да, родитель"))

    assert "Готово, Иванова Мария Петровна" in (masha.last_text or "")
    assert "наставляемый — МБОУ СОШ № 1" in (masha.last_text or "")
    person = await max_person(max_harness, 8601)
    assert person is not None and person.telegram_id is None
    assert (person.category, person.grade, person.organization_id) == ("student", 7, ids["S001"])
    assert person.guardian_consent_at is not None
    async with max_harness.session_factory() as session:
        stored = await session.get(Invite, invite.id)
        assert stored is not None and stored.uses == 1
    await masha.send("/help")
    assert "/survey" in (masha.last_text or "") and "/forget" in (masha.last_text or "")
    assert "/programmes" not in (masha.last_text or "")


async def test_a_pupil_without_a_guardian_is_not_registered(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    invite = await make_invite(
        max_harness.session_factory, Role.MENTEE, organization_id=ids["S001"]
    )
    kolya = max_harness.standin.user(8602)
    await kolya.send(f"/start {invite.code}")  # typed, as some people do
    await kolya.press(kolya.button("Даю согласие"))
    await kolya.send("Петров Николай")
    await kolya.press(kolya.button("Ученик"))
    await kolya.press(kolya.button("9"))
    await kolya.press(kolya.button("Нет, согласия"))
    assert await count_rows(max_harness, Person) == 0


async def test_stranger_admin_invite_and_staff_registration(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    stranger = max_harness.standin.user(8603)
    await stranger.start()
    assert "ссылке-приглашению" in (stranger.last_text or "")
    await stranger.send("/invite")
    assert "Эта команда вам недоступна" in (stranger.last_text or "")

    admin = max_harness.standin.user(MAX_ADMIN_ID)
    await admin.send("/invite")
    await admin.press(admin.button("методист"))
    await admin.press(admin.button("Павлоградский район"))
    text = admin.last_text or ""
    assert "https://max.ru/nastavnik_max_bot?start=" in text
    code = text.split("?start=")[1].split()[0]

    nina = max_harness.standin.user(8604)
    await nina.start(code)
    await nina.press(nina.button("Даю согласие"))
    await nina.send("Смирнова Нина Петровна")  # staff: no category to choose
    assert "методист — Павлоградский район" in (nina.last_text or "")
    person = await max_person(max_harness, 8604)
    assert person is not None
    async with max_harness.session_factory() as session:
        grants = list(await session.scalars(select(RoleGrant)))
    assert [(g.role, g.municipality_id) for g in grants] == [("methodist", ids["M01"])]
    await nina.send("/status")
    assert "Павлоградский район" in (nina.last_text or "")


async def test_forget_in_max_erases_the_person(max_harness: MaxHarness) -> None:
    ids = await seed_directory(max_harness.session_factory)
    await make_person(
        max_harness.session_factory,
        8605,
        "Сидоров Пётр",
        Role.MENTOR,
        organization_id=ids["S001"],
        category=Category.TEACHER,
        channel=MAX,
    )
    petr = max_harness.standin.user(8605)
    await petr.send("/forget")
    await petr.press(petr.button("Нет, оставить"))
    assert (await max_person(max_harness, 8605)) is not None
    await petr.send("/forget")
    await petr.press(petr.button("Да, удалить"))
    assert "удалены" in (petr.last_text or "")
    assert await max_person(max_harness, 8605) is None
    async with max_harness.session_factory() as session:
        left = await session.scalar(select(Person))
    assert left is not None and left.full_name is None and left.external_id is None
    await petr.send("/survey")  # nobody now
    assert "Эта команда вам недоступна" in (petr.last_text or "")


def _register_names(message: MaxMessage) -> set[str]:
    """The «ФИО» column of the register («Участники», the last sheet)."""
    workbook = openpyxl.load_workbook(io.BytesIO(message.files[0].content))
    rows = list(workbook.worksheets[-1].iter_rows(values_only=True))
    column = rows[0].index("ФИО")
    return {str(row[column]) for row in rows[1:] if row[column]}


async def test_one_district_in_both_messengers_one_database_one_export(
    harness: BotHarness, max_harness: MaxHarness, tmp_path: Path
) -> None:
    """A curator in MAX hands out one link; a teacher joins from Telegram, another from MAX;
    the curator pairs them; each gets the invitation in their own messenger; the export
    made in MAX (by the curator, who alone may ask for names) lists both."""
    max_harness.settings.export_dir = tmp_path / "exports"
    ids = await seed_directory(max_harness.session_factory)
    make, org = max_harness.session_factory, ids["S001"]
    curator = await make_person(
        make, 8701, "Куратор Ольга", Role.CURATOR, organization_id=org, channel=MAX
    )
    await make_programme(make, curator, org)
    for user_id, name in ((8711, "Ученица Анна"), (8712, "Ученик Борис")):
        await make_person(
            make, user_id, name, Role.MENTEE, organization_id=org, category=Category.STUDENT
        )
    olga = max_harness.standin.user(8701)
    await olga.send("/programmes")
    await olga.press(olga.button("Наставничество 2026"))
    await olga.press(olga.button("Ссылка для наставников"))
    code = (olga.last_text or "").split("?start=")[1].split()[0]

    in_telegram = harness.standin.user(8720)
    await in_telegram.send(f"/start {code}")
    await in_telegram.press(in_telegram.button("Даю согласие"))
    await in_telegram.send("Телеграмова Тамара Ивановна")
    await in_telegram.press(in_telegram.button("Учитель"))
    in_max = max_harness.standin.user(8720)  # the same number, another messenger's user
    await in_max.start(code)
    await in_max.press(in_max.button("Даю согласие"))
    await in_max.send("Максимова Мария Ивановна")
    await in_max.press(in_max.button("Учитель"))
    async with make() as session:
        joined = {
            (p.full_name, p.channel)
            for p in await session.scalars(select(Person).where(Person.external_id == 8720))
        }
    assert joined == {
        ("Телеграмова Тамара Ивановна", "telegram"),
        ("Максимова Мария Ивановна", "max"),
    }

    for mentor, mentee in (("Телеграмова", "Ученица Анна"), ("Максимова", "Ученик Борис")):
        await form_pair(olga, mentor, [mentee])
        assert "составлена" in (olga.last_text or "")

    # The outbox: everyone's invitation through their own messenger.
    fast = SenderConfig(lease=timedelta(seconds=60), retry_base=0.05, poll_interval=0.05)
    channels = {MAX.value: MaxDelivery(max_harness.edge.client)}
    sender = OutboxSender(harness.bot, make, fast, channels=channels)
    await asyncio.wait_for(sender.run(until_empty=True), 60)
    async with make() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}
    telegram_chats = {
        c.chat_id for c in harness.standin.calls if c.method == "sendMessage" and not c.rejected
    }
    assert 8720 in telegram_chats
    assert any("анкет" in (m.text or "") for m in in_max.messages[-2:])

    # Names of a school's people are its curator's to ask for (issue 10.2), not the admin's.
    await olga.send("/export")
    await olga.press(olga.button("С ФИО участников"))
    await olga.press(olga.buttons()[0][1])  # the current academic year
    await olga.press(olga.button(russian("report.kind.workbook")))
    names = _register_names((await olga.files())[-1])
    assert {"Телеграмова Тамара Ивановна", "Максимова Мария Ивановна"} <= names
