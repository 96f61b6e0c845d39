"""/start with an invitation code: consent → full name → category → done.

Nothing about the person is written before consent, and nothing at all until the last
step: the answers wait in the FSM, and the invite use, the person and the role grant are
stored in one transaction at the end.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.telegram import keyboards
from bot.telegram.callbacks import AdultCb, CategoryCb, ConsentCb, GradeCb, GuardianCb
from bot.telegram.commands import sync_chat_menu
from bot.telegram.filters import Magic, typed_text
from bot.telegram.screens import drop_buttons, reply
from bot.telegram.texts import describe_roles, place_name
from storage.models import Person, utcnow
from storage.repositories.invites import InviteCheck, InviteRepository
from storage.repositories.people import PeopleRepository, Registration
from storage.repositories.roster import RosterRepository
from surveys.access import Actor
from surveys.people import (
    CONSENT_VERSION,
    Category,
    Role,
    full_name_problem,
    needs_guardian_consent,
    normalize_full_name,
)


class RegistrationStep(StatesGroup):
    consent = State()
    name = State()
    category = State()
    grade = State()
    adult = State()
    guardian = State()


async def start_with_code(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    person: Person | None,
    bot: Bot,
) -> None:
    check = await InviteRepository(session).check(command.args or "")
    invite = check.invite
    if person is not None and invite is not None:
        await _add_role(message, session, person, check, actor, bot)
        return
    if check.problem is not None or invite is None:
        problem = check.problem.value if check.problem else "unknown"
        await message.answer(_(f"invite.problem.{problem}"))
        return
    role = Role(invite.role)
    await state.clear()
    await state.set_state(RegistrationStep.consent)
    await state.update_data(invite_id=invite.id, role=role.value)
    entry = await RosterRepository(session).for_invite(invite)
    if entry is not None and entry.full_name:
        # A personal link from a roster: name, category and grade are the curator's.
        await state.update_data(
            roster_entry_id=entry.id,
            full_name=entry.full_name,
            category=entry.category,
            grade=entry.grade,
        )
    place = await place_name(session, invite.municipality_id, invite.organization_id)
    await message.answer(
        _("consent.text").format(role=_(f"role.{role.value}"), place=place),
        reply_markup=keyboards.consent(),
    )


async def _add_role(
    message: Message,
    session: AsyncSession,
    person: Person,
    check: InviteCheck,
    actor: Actor,
    bot: Bot,
) -> None:
    """A registered person follows another invitation: a new role, nothing to type again."""
    invite = check.invite
    assert invite is not None
    people = PeopleRepository(session)
    role = Role(invite.role)
    if await people.has_grant(person.id, role, invite.municipality_id, invite.organization_id):
        await message.answer(_("invite.already_have"))
        return
    if check.problem is not None:
        await message.answer(_(f"invite.problem.{check.problem.value}"))
        return
    # consume() refuses expired and used-up codes atomically, whatever check() saw.
    if not await InviteRepository(session).consume(invite.id):
        await message.answer(_("invite.problem.used_up"))
        return
    await people.grant(person, role, invite.municipality_id, invite.organization_id, invite.id)
    if invite.roster_entry_id is not None:
        await RosterRepository(session).bind(invite.roster_entry_id, person.id)
    actor = replace(actor, grants=tuple(await people.grants(person.id)))
    await message.answer(_("invite.role_added").format(roles=await describe_roles(session, actor)))
    await sync_chat_menu(bot, message.chat.id, actor)


async def consent_answered(
    query: CallbackQuery,
    callback_data: ConsentCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    await query.answer()
    await drop_buttons(query)
    if not callback_data.agree:
        await state.clear()
        await reply(query, _("consent.declined"))
        return
    data = await state.update_data(consent_at=utcnow().isoformat())
    if data.get("roster_entry_id"):
        await _after_roster_consent(query, data, state, session, actor, bot, i18n)
        return
    await state.set_state(RegistrationStep.name)
    await reply(query, _("register.ask_name"))


async def _after_roster_consent(
    query: CallbackQuery,
    data: dict[str, Any],
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    """Nothing to type: only the guardian's (or adulthood) question, where it applies."""
    category = Category(data["category"]) if data.get("category") else None
    if category is Category.STUDENT:
        await state.set_state(RegistrationStep.guardian)
        await reply(query, _("register.ask_guardian"), keyboards.guardian())
    elif category is Category.COLLEGE_STUDENT:
        await state.set_state(RegistrationStep.adult)
        await reply(query, _("register.ask_adult"), keyboards.adult())
    else:
        await _finish(query.from_user.id, actor, state, session, bot, i18n)


async def name_given(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    name = normalize_full_name(message.text or "")
    problem = full_name_problem(name)
    if problem is not None:
        await message.answer(_(f"register.name_problem.{problem.value}"))
        return
    data = await state.update_data(full_name=name)
    if Role(data["role"]).is_staff:
        await _finish(message.chat.id, actor, state, session, bot, i18n)
        return
    await state.set_state(RegistrationStep.category)
    await message.answer(_("register.ask_category"), reply_markup=keyboards.categories())


async def name_not_text(message: Message) -> None:
    await message.answer(_("register.name_as_text"))


async def category_chosen(
    query: CallbackQuery,
    callback_data: CategoryCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    try:
        category = Category(callback_data.category)
    except ValueError:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    await state.update_data(category=category.value)
    if category is Category.STUDENT:
        await state.set_state(RegistrationStep.grade)
        await reply(query, _("register.ask_grade"), keyboards.grades())
    elif category is Category.COLLEGE_STUDENT:
        await state.set_state(RegistrationStep.adult)
        await reply(query, _("register.ask_adult"), keyboards.adult())
    else:
        await _finish(query.from_user.id, actor, state, session, bot, i18n)


async def grade_chosen(query: CallbackQuery, callback_data: GradeCb, state: FSMContext) -> None:
    if not 1 <= callback_data.grade <= 11:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    await state.update_data(grade=callback_data.grade)
    await state.set_state(RegistrationStep.guardian)
    await reply(query, _("register.ask_guardian"), keyboards.guardian())


async def adult_answered(
    query: CallbackQuery,
    callback_data: AdultCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    await query.answer()
    await drop_buttons(query)
    if needs_guardian_consent(Category.COLLEGE_STUDENT, callback_data.adult):
        await state.set_state(RegistrationStep.guardian)
        await reply(query, _("register.ask_guardian"), keyboards.guardian())
        return
    await _finish(query.from_user.id, actor, state, session, bot, i18n)


async def guardian_answered(
    query: CallbackQuery,
    callback_data: GuardianCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    await query.answer()
    await drop_buttons(query)
    if not callback_data.given:
        await state.clear()
        await reply(query, _("register.guardian_missing"))
        return
    await state.update_data(guardian_consent_at=utcnow().isoformat())
    await _finish(query.from_user.id, actor, state, session, bot, i18n)


async def expected_a_button(message: Message) -> None:
    """Stray text or a sticker while the conversation waits for a button press."""
    await message.answer(_("register.press_button"))


async def _finish(
    chat_id: int,
    actor: Actor,
    state: FSMContext,
    session: AsyncSession,
    bot: Bot,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    await state.clear()
    telegram_id = actor.telegram_id
    people = PeopleRepository(session)
    if await people.by_telegram_id(telegram_id) is not None:
        # A second registration raced this one (two devices); keep the first.
        await bot.send_message(chat_id, _("register.already"))
        return
    invites = InviteRepository(session)
    invite = await invites.usable(int(data["invite_id"]))
    if invite is None or not await invites.consume(invite.id):
        await bot.send_message(chat_id, _("invite.problem.used_up"))
        return
    category = Category(data["category"]) if data.get("category") else None
    guardian_at = data.get("guardian_consent_at")
    person = await people.register(
        Registration(
            telegram_id=telegram_id,
            full_name=str(data["full_name"]),
            category=category,
            grade=data.get("grade"),
            locale=i18n.current_locale,
            consent_at=datetime.fromisoformat(data["consent_at"]),
            consent_version=CONSENT_VERSION,
            guardian_consent_at=datetime.fromisoformat(guardian_at) if guardian_at else None,
        ),
        organization_id=invite.organization_id,
    )
    await people.grant(
        person, Role(invite.role), invite.municipality_id, invite.organization_id, invite.id
    )
    if data.get("roster_entry_id"):
        await RosterRepository(session).bind(int(data["roster_entry_id"]), person.id)
    actor = replace(actor, person_id=person.id, grants=tuple(await people.grants(person.id)))
    await bot.send_message(
        chat_id,
        _("register.done").format(
            name=person.full_name, roles=await describe_roles(session, actor)
        ),
    )
    await sync_chat_menu(bot, chat_id, actor)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.callback_query.register(
        consent_answered, StateFilter(RegistrationStep.consent), ConsentCb.filter()
    )
    router.message.register(name_given, StateFilter(RegistrationStep.name), typed_text())
    router.message.register(name_not_text, StateFilter(RegistrationStep.name))
    router.callback_query.register(
        category_chosen, StateFilter(RegistrationStep.category), CategoryCb.filter()
    )
    router.callback_query.register(
        grade_chosen, StateFilter(RegistrationStep.grade), GradeCb.filter()
    )
    router.callback_query.register(
        adult_answered, StateFilter(RegistrationStep.adult), AdultCb.filter()
    )
    router.callback_query.register(
        guardian_answered, StateFilter(RegistrationStep.guardian), GuardianCb.filter()
    )
    waiting_for_a_button = StateFilter(
        RegistrationStep.consent,
        RegistrationStep.category,
        RegistrationStep.grade,
        RegistrationStep.adult,
        RegistrationStep.guardian,
    )
    router.message.register(expected_a_button, waiting_for_a_button, Magic(~F.text.startswith("/")))
    return router
