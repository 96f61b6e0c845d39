"""Registration through invitations, driven over HTTP exactly as Telegram would."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Invite, Person, RoleGrant
from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.factories import count_rows, make_invite, school_invite, seed_directory
from tests.support.joining import invited, join


async def person_of(harness: BotHarness, telegram_id: int) -> Person | None:
    async with harness.session_factory() as session:
        return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def test_stranger_is_told_how_to_join(harness: BotHarness) -> None:
    stranger = harness.standin.user(5001)
    await stranger.send("/start")
    assert "ссылке-приглашению" in (stranger.last_text or "")
    assert await count_rows(harness, Person) == 0


async def test_student_mentee_registers_with_guardian_consent(harness: BotHarness) -> None:
    ids, invite = await school_invite(harness.session_factory, Role.MENTEE, max_uses=30)
    masha = harness.standin.user(5002, first_name="Маша")

    await masha.send(f"/start {invite.code}")
    assert "152-ФЗ" in (masha.last_text or "")
    assert "МБОУ СОШ № 1" in (masha.last_text or "")
    assert await count_rows(harness, Person) == 0  # nothing before consent

    await masha.press(masha.button("Даю согласие"))
    assert "фамилию" in (masha.last_text or "")
    assert await count_rows(harness, Person) == 0  # nothing until the end

    await masha.send("  Иванова   Мария  Петровна ")
    await masha.press(masha.button("Ученик"))
    await masha.press(masha.button("7"))
    assert "родителя" in (masha.last_text or "")
    await masha.press(masha.button("Да, родитель"))

    assert "Готово, Иванова Мария Петровна" in (masha.last_text or "")
    assert "наставляемый — МБОУ СОШ № 1" in (masha.last_text or "")
    person = await person_of(harness, 5002)
    assert person is not None
    assert person.full_name == "Иванова Мария Петровна"
    assert (person.category, person.grade, person.organization_id) == ("student", 7, ids["S001"])
    assert person.guardian_consent_at is not None and person.consent_version
    async with harness.session_factory() as session:
        stored = await session.get(Invite, invite.id)
        assert stored is not None and stored.uses == 1
        grants = list(await session.scalars(select(RoleGrant)))
    assert [(g.role, g.organization_id) for g in grants] == [("mentee", ids["S001"])]
    # The Telegram menu now shows the person's commands only.
    menus = [c for c in harness.standin.calls if c.method == "setMyCommands"]
    assert menus[-1].params["scope"] == {"type": "chat", "chat_id": 5002}
    assert "invite" not in {cmd["command"] for cmd in menus[-1].params["commands"]}


async def test_declining_consent_stores_nothing(harness: BotHarness) -> None:
    _, invite = await school_invite(harness.session_factory, Role.MENTOR)
    petya = harness.standin.user(5003)
    await petya.send(f"/start {invite.code}")
    await petya.press(petya.button("Не даю согласия"))
    assert "ничего о вас не сохранили" in (petya.last_text or "")
    assert await count_rows(harness, Person) == 0
    async with harness.session_factory() as session:
        stored = await session.get(Invite, invite.id)
        assert stored is not None and stored.uses == 0


async def test_missing_guardian_consent_stores_nothing(harness: BotHarness) -> None:
    steps = ("Петров Пётр", "Ученик", "5", "Нет, согласия")
    _, kid = await invited(harness, Role.MENTEE, 5004, *steps)
    assert "ничего не сохранили" in (kid.last_text or "")
    assert await count_rows(harness, Person) == 0


async def test_curator_registers_without_category(harness: BotHarness) -> None:
    _, curator = await invited(harness, Role.CURATOR, 5005, "Сидорова Анна Ивановна")
    assert "куратор — МБОУ СОШ № 1" in (curator.last_text or "")
    person = await person_of(harness, 5005)
    assert person is not None and person.category is None
    menus = [c for c in harness.standin.calls if c.method == "setMyCommands"]
    assert "invite" in {cmd["command"] for cmd in menus[-1].params["commands"]}


async def test_bad_codes_get_clear_answers_and_create_nothing(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    expired = await make_invite(
        harness.session_factory,
        Role.CURATOR,
        organization_id=ids["S001"],
        ttl=timedelta(seconds=-1),
    )
    used = await make_invite(harness.session_factory, Role.CURATOR, organization_id=ids["S002"])
    first, second = harness.standin.user(5006), harness.standin.user(5007)
    await join(first, used.code, "Первый Куратор")

    await second.send(f"/start {used.code}")
    assert "уже использовано" in (second.last_text or "")
    await second.send(f"/start {expired.code}")
    assert "истёк" in (second.last_text or "")
    await second.send("/start nosuchcode")
    assert "не найдена" in (second.last_text or "")
    await second.send("/start " + "A" * 10_240)
    assert "не найдена" in (second.last_text or "")
    assert await count_rows(harness, Person) == 1


async def test_last_use_race_registers_only_one(harness: BotHarness) -> None:
    """Two people start with a one-use code; the second to finish is refused cleanly."""
    _, invite = await school_invite(harness.session_factory, Role.CURATOR)
    a, b = harness.standin.user(5008), harness.standin.user(5009)
    for person in (a, b):
        await join(person, invite.code)
    await a.send("Алексеев Алексей")
    await b.send("Борисов Борис")
    assert "Готово" in (a.last_text or "")
    assert "уже использовано" in (b.last_text or "")
    assert await count_rows(harness, Person) == 1


async def test_names_that_are_not_names(harness: BotHarness) -> None:
    _, user = await invited(harness, Role.CURATOR, 5010, "Я")
    assert "Слишком коротко" in (user.last_text or "")
    await user.send("Ж" * 300)
    assert "Слишком длинно" in (user.last_text or "")
    await user.send("😀😀😀")
    assert "должны быть буквы" in (user.last_text or "")
    await user.send("Иван 😀")
    assert "без эмодзи" in (user.last_text or "")
    await user.send_sticker()
    assert "текстовым сообщением" in (user.last_text or "")
    assert await count_rows(harness, Person) == 0
    await user.send("Д'Артаньян-Петров А.")
    assert "Готово" in (user.last_text or "")


async def test_stray_input_and_stale_buttons_during_registration(harness: BotHarness) -> None:
    _, invite = await school_invite(harness.session_factory, Role.MENTEE, max_uses=5)
    user = harness.standin.user(5011)
    await user.send(f"/start {invite.code}")
    consent_message = user.messages[-1].message_id
    agree = user.button("Даю согласие")
    await user.send("привет")
    assert "кнопкой" in (user.last_text or "")
    await user.send_sticker()
    assert "кнопкой" in (user.last_text or "")
    await user.press(agree)
    await user.press(agree, message_id=consent_message)  # double tap
    assert user.answers_to_callbacks[-1] == "Эта кнопка уже не действует."
    await user.send("Смирнов Иван")
    await user.press("ct:astronaut", message_id=user.messages[-1].message_id)  # forged
    await user.press("gr:14", message_id=user.messages[-1].message_id)  # forged, wrong step
    await user.press("zz:garbage", message_id=user.messages[-1].message_id)
    assert user.answers_to_callbacks[-3:] == ["Эта кнопка уже не действует."] * 3
    await user.press(user.button("Учитель"))
    assert "Готово" in (user.last_text or "")
    person = await person_of(harness, 5011)
    assert person is not None and person.category == "teacher"


async def test_cancel_leaves_registration(harness: BotHarness) -> None:
    _, user = await invited(harness, Role.CURATOR, 5012)
    await user.send("/cancel")
    assert "отменено" in (user.last_text or "")
    await user.send("Иванов Иван")  # no longer a name step: just stray text
    assert "не понял" in (user.last_text or "")
    assert await count_rows(harness, Person) == 0


async def test_english_speaker_gets_english(harness: BotHarness) -> None:
    user = harness.standin.user(5013, language_code="en")
    await user.send("/start")
    assert "invitation link" in (user.last_text or "")
    german = harness.standin.user(5014, language_code="de")
    await german.send("/help")
    assert "наставничества" in (german.last_text or "")
