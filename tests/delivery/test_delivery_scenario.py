"""The background work beside the real bot: invitations and automatic reminders reach
people through the outbox; a person who blocked the bot is marked unreachable; stop() is
clean. The bot polls the stand-in meanwhile (the harness)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.notices import announce_assignments
from service.workers.background import start_background
from storage.models import Assignment, Organization, Person, utcnow
from storage.repositories.outbox import OutboxRepository
from surveys.people import Role
from tests.conftest import BotHarness
from tests.support.curator_factories import make_person
from tests.support.delivery_data import eventually, outbox_rows, pair_with_assignments, register
from tests.support.factories import seed_directory


def daytime_zone() -> str:
    """A fixed-offset zone where it is about noon now, so quiet hours never interfere."""
    offset = 12 - utcnow().hour
    offset = offset - 24 if offset > 14 else offset
    # Etc/GMT names have the sign reversed: Etc/GMT-3 is UTC+3.
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def test_invitations_and_reminders_arrive_and_a_blocked_person_is_given_up(
    harness: BotHarness,
) -> None:
    factory = harness.session_factory
    orgs = await seed_directory(factory)
    async with factory() as session, session.begin():
        await session.execute(
            update(Organization)
            .where(Organization.id == orgs["S001"])
            .values(timezone=daytime_zone())
        )
    people = await register(factory, [301, 302], orgs["S001"])
    mentor, mentee = harness.standin.user(301), harness.standin.user(302)
    harness.standin.block(302)
    issued = utcnow() - timedelta(days=3, hours=1)
    ids = await pair_with_assignments(
        factory, orgs["S001"], list(people.values()), issued, utcnow() + timedelta(days=10)
    )
    i18n = harness.dispatcher["i18n"]
    async with factory() as session, session.begin():
        assignments = list(await session.scalars(select(Assignment).where(Assignment.id.in_(ids))))
        assert await announce_assignments(session, i18n, assignments) == 2

    settings = harness.settings.model_copy(
        update={"outbox_poll_seconds": 0.05, "outbox_chat_interval_seconds": 0.2}
    )
    background = start_background(harness.bot, settings, factory, i18n)
    try:
        await eventually(lambda: len(mentor.messages) >= 2)
    finally:
        await background.stop()
    assert background.sender_task.done() and background.reminder_task.done()

    invitation, reminder = mentor.messages[:2]
    assert invitation.text and "Вас ждёт анкета" in invitation.text
    assert reminder.text and "Напоминаем" in reminder.text
    assert mentor.buttons(invitation.message_id)[0][1].startswith("so:")
    assert len(mentor.messages) == 2 and mentee.messages == []

    rows = await outbox_rows(factory)
    assert sorted((row.kind, row.status) for row in rows if row.chat_id == 301) == [
        ("reminder", "sent"),
        ("survey_invitation", "sent"),
    ]
    # The mentee's reminder may have been queued before the 403 came back; either way it
    # died with the invitation, after a single attempt to reach them.
    assert {row.status for row in rows if row.chat_id == 302} == {"dead"}
    assert [call.error_code for call in harness.standin.calls if call.chat_id == 302] == [403]
    async with factory() as session:
        blocked = await session.get(Person, people[302])
        assert blocked is not None and blocked.unreachable_at is not None

    # The school's curator sees who was not reached, not a plain count of «отправлено».
    await make_person(factory, 7301, "Куратор Ольга", Role.CURATOR, organization_id=orgs["S001"])
    curator = harness.standin.user(7301)
    await curator.send("/status")
    shown = curator.messages[-1].text or ""
    assert "не доставлено: бот заблокирован (1 анкета)" in shown, shown


async def test_a_person_who_writes_again_is_reachable_again(harness: BotHarness) -> None:
    factory = harness.session_factory
    people = await register(factory, [311])
    async with factory() as session, session.begin():
        person = await session.get(Person, people[311])
        assert person is not None
        person.unreachable_at = utcnow()  # the sender saw a 403 earlier

    await harness.standin.user(311).send("/start")

    async with factory() as session:
        person = await session.get(Person, people[311])
        assert person is not None and person.unreachable_at is None


async def test_a_person_who_blocked_the_bot_and_came_back_gets_messages_again(
    harness: BotHarness,
) -> None:
    """The sender that saw her 403 keeps running; once she is back, its next message to
    her goes out instead of being given up as «answered 403 before»."""
    factory = harness.session_factory
    people = await register(factory, [331])
    anna = harness.standin.user(331)
    settings = harness.settings.model_copy(
        update={"outbox_poll_seconds": 0.05, "outbox_chat_interval_seconds": 0.2}
    )
    background = start_background(harness.bot, settings, factory, harness.dispatcher["i18n"])
    try:
        harness.standin.block(anna.id)
        await notice(harness, people[331], "blocked", "Пока вы нас не видите")
        background.sender.wake()
        await eventually(lambda: _statuses(harness, anna.id, {"dead"}))

        harness.standin.unblock(anna.id)
        await anna.send("/start")  # she came back
        await notice(harness, people[331], "back", "С возвращением")
        background.sender.wake()
        await eventually(lambda: _statuses(harness, anna.id, {"dead", "sent"}))
    finally:
        await background.stop()

    assert any(message.text == "С возвращением" for message in anna.messages)
    assert all(message.text != "Пока вы нас не видите" for message in anna.messages)
    refused = [call for call in harness.standin.calls if call.error_code == 403]
    assert len(refused) == 1
    async with factory() as session:
        person = await session.get(Person, people[331])
        assert person is not None and person.unreachable_at is None


async def notice(
    harness: BotHarness, person_id: int, key: str, text: str, chat_id: int = 331
) -> None:
    async with harness.session_factory() as session, session.begin():
        await OutboxRepository(session).enqueue(
            dedupe_key=f"test:{person_id}:{key}",
            chat_id=chat_id,
            person_id=person_id,
            kind="notice",
            text=text,
        )


async def _statuses(harness: BotHarness, chat_id: int, wanted: set[str]) -> bool:
    rows = await outbox_rows(harness.session_factory)
    return {row.status for row in rows if row.chat_id == chat_id} == wanted


async def test_blocking_marks_unreachable_at_once_and_unblocking_brings_them_back(
    harness: BotHarness,
) -> None:
    """Telegram's my_chat_member: `kicked` makes the person unreachable before any message
    to them fails; `member` makes them reachable again, for the outbox and for /status."""
    factory = harness.session_factory
    orgs = await seed_directory(factory)
    people = await register(factory, [341, 342], orgs["S001"])
    await pair_with_assignments(
        factory, orgs["S001"], list(people.values()), utcnow(), utcnow() + timedelta(days=10)
    )
    await make_person(factory, 7341, "Куратор Ольга", Role.CURATOR, organization_id=orgs["S001"])
    curator, mentee = harness.standin.user(7341), harness.standin.user(342)
    assert "my_chat_member" in harness.standin.allowed_updates  # the bot asks for them

    await mentee.block_bot()
    assert await unreachable(harness, people[342])
    assert [call for call in harness.standin.calls if call.chat_id == 342] == []
    await curator.send("/status")
    assert "не доставлено: бот заблокирован (1 анкета)" in (curator.last_text or "")

    await mentee.unblock_bot()
    assert not await unreachable(harness, people[342])
    await curator.send("/status")
    assert "не доставлено" not in (curator.last_text or "")
    settings = harness.settings.model_copy(
        update={"outbox_poll_seconds": 0.05, "outbox_chat_interval_seconds": 0.2}
    )
    background = start_background(harness.bot, settings, factory, harness.dispatcher["i18n"])
    try:
        await notice(harness, people[342], "back", "С возвращением", chat_id=342)
        background.sender.wake()
        await eventually(lambda: any(m.text == "С возвращением" for m in mentee.messages))
    finally:
        await background.stop()
    assert not [call for call in harness.standin.calls if call.error_code == 403]


async def test_a_stranger_blocking_the_bot_changes_nothing(harness: BotHarness) -> None:
    stranger = harness.standin.user(351)
    assert await stranger.block_bot() == []
    assert await stranger.unblock_bot() == []
    async with harness.session_factory() as session:
        assert await session.scalar(select(Person).where(Person.telegram_id == 351)) is None


async def unreachable(harness: BotHarness, person_id: int) -> bool:
    async with harness.session_factory() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        return person.unreachable_at is not None
