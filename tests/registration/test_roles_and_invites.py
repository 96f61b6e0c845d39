"""Invitations down the chain, scope, refusals, /forget — over HTTP through the real bot."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Invite, Person, RoleGrant
from surveys.people import Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.botapi import FakeUser
from tests.support.factories import count_rows, make_invite, school_invite, seed_directory
from tests.support.joining import invited, join


async def register_staff(user: FakeUser, code: str, name: str) -> None:
    await join(user, code, name)
    assert "Готово" in (user.last_text or ""), user.last_text


def link_code(text: str | None) -> str:
    assert text and "?start=" in text, text
    return text.split("?start=")[1].split()[0]


async def test_chain_admin_methodist_curator_mentee(harness: BotHarness) -> None:
    ids = await seed_directory(harness.session_factory)
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/invite")
    await admin.press(admin.button("методист"))
    await admin.press(admin.button("Павлоградский"))
    assert "https://t.me/nastavnik_test_bot?start=" in (admin.last_text or "")
    methodist = harness.standin.user(6001)
    await register_staff(methodist, link_code(admin.last_text), "Методистова Ольга")
    assert "методист — Павлоградский район" in (methodist.last_text or "")

    # The methodist sees only the schools of their own district.
    await methodist.send("/invite")
    await methodist.press(methodist.button("куратор"))
    names = [text for text, _data in methodist.buttons()]
    assert names == ["МБОУ «Лицей № 2»", "МБОУ СОШ № 1"]
    # A forged button naming a school of another district is refused (on the button, as every
    # refusal of the rules) and creates nothing.
    invites_before = await count_rows(harness, Invite)
    await methodist.press(f"ip:curator:{ids['S101']}", message_id=methodist.messages[-1].message_id)
    assert "недоступна" in (methodist.answers_to_callbacks[-1] or "")
    assert await count_rows(harness, Invite) == invites_before

    await methodist.press(methodist.button("СОШ № 1"))
    curator = harness.standin.user(6002)
    await register_staff(curator, link_code(methodist.last_text), "Кураторова Анна")

    await curator.send("/invite")
    await curator.press(curator.button("наставляемый"))
    code = link_code(curator.last_text)
    async with harness.session_factory() as session:
        invite = await session.scalar(select(Invite).where(Invite.code == code))
    assert invite is not None
    assert (invite.role, invite.organization_id) == ("mentee", ids["S001"])
    assert invite.max_uses == harness.settings.invite_max_uses
    assert len(code) >= 16  # 96 random bits

    mentee = harness.standin.user(6003)
    await join(mentee, code, "Учеников Пётр", "Учитель")
    assert "наставляемый — МБОУ СОШ № 1" in (mentee.last_text or "")


async def test_commands_for_roles_the_person_lacks_are_refused(harness: BotHarness) -> None:
    ids, mentor = await invited(harness, Role.MENTOR, 6010, "Наставников Олег", "Учитель")
    calls_before = len(harness.standin.calls)
    await mentor.send("/invite")
    assert "недоступна" in (mentor.last_text or "")
    # The refusal shows nothing: one message, no keyboard.
    new = [c for c in harness.standin.calls[calls_before:] if c.method == "sendMessage"]
    assert len(new) == 1 and "reply_markup" not in new[0].params
    # A forged invite button does not work either.
    await mentor.press("ir:methodist", message_id=mentor.messages[-1].message_id)
    assert mentor.answers_to_callbacks[-1] and "недоступна" in mentor.answers_to_callbacks[-1]
    await mentor.press(f"ip:mentee:{ids['S001']}", message_id=mentor.messages[-1].message_id)
    assert "недоступна" in (mentor.answers_to_callbacks[-1] or "")
    stranger = harness.standin.user(6011)
    await stranger.send("/invite")
    assert "недоступна" in (stranger.last_text or "")
    await stranger.send("/forget")
    assert "недоступна" in (stranger.last_text or "")
    await stranger.send("/nosuchcommand")
    assert "Такой команды нет" in (stranger.last_text or "")
    async with harness.session_factory() as session:
        assert await session.scalar(select(func.count(Invite.id))) == 1


async def test_help_lists_only_own_commands(harness: BotHarness) -> None:
    admin = harness.standin.user(ADMIN_ID)
    await admin.send("/help")
    assert "/invite" in (admin.last_text or "")
    stranger = harness.standin.user(6020)
    await stranger.send("/help")
    assert "/invite" not in (stranger.last_text or "")
    assert "/forget" not in (stranger.last_text or "")


async def test_registered_person_gets_a_second_role_without_retyping(
    harness: BotHarness,
) -> None:
    ids = await seed_directory(harness.session_factory)
    first = await make_invite(harness.session_factory, Role.CURATOR, organization_id=ids["S001"])
    second = await make_invite(harness.session_factory, Role.MENTOR, organization_id=ids["S001"])
    user = harness.standin.user(6030)
    await register_staff(user, first.code, "Двойная Роль")
    await user.send(f"/start {second.code}")
    assert "Роль добавлена" in (user.last_text or "")
    assert "наставник — МБОУ СОШ № 1" in (user.last_text or "")
    await user.send(f"/start {second.code}")
    assert "уже есть эта роль" in (user.last_text or "")
    assert await count_rows(harness, RoleGrant) == 2


async def test_forget_erases_personal_data_and_keeps_aggregates(harness: BotHarness) -> None:
    ids, invite = await school_invite(harness.session_factory, Role.CURATOR)
    user = harness.standin.user(6040)
    await register_staff(user, invite.code, "Удаляемая Вера")
    await user.send("/forget")
    await user.press(user.button("Нет, оставить"))
    assert "ничего не изменилось" in (user.last_text or "")
    await user.send("/forget")
    erased, _again = await user.tap_twice(user.button("Да, удалить"))  # again after erasure
    assert "удалены" in (erased or "")
    async with harness.session_factory() as session:
        people = list(await session.scalars(select(Person)))
        grants = await session.scalar(select(func.count(RoleGrant.id)))
    assert len(people) == 1
    assert (people[0].telegram_id, people[0].full_name) == (None, None)
    assert people[0].forgotten_at is not None
    assert people[0].organization_id == ids["S001"] and grants == 1  # counts stay right
    assert [c for c in harness.standin.calls if c.method == "deleteMyCommands"]
    await user.send("/start")
    assert "ссылке-приглашению" in (user.last_text or "")
