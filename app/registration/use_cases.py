"""Registration by invitation: consent → full name → category (→ grade or adulthood) →
guardian's consent where it applies → done; and a second role for someone registered.

Nothing about the person is written before consent, and nothing at all until the last step:
the answers wait in the conversation's data (the edge keeps it and hands it back), and the
invitation's use, the person and the role grant are committed together at the end, before
the «done» screen is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.registration import views
from app.registration.actions import (
    ChooseCategory,
    ChooseGrade,
    GiveConsent,
    GuardianConsent,
    SayAdult,
)
from app.registration.places import place, roles_of
from app.reply import Reply
from app.screens import Screen
from app.uow import UnitOfWork
from storage.models import utcnow
from storage.repositories.directory import DirectoryRepository
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

Data = Mapping[str, Any]  # the conversation's data so far
Press = GiveConsent | ChooseCategory | ChooseGrade | SayAdult | GuardianConsent
JOINING_PRESSES = (GiveConsent, ChooseCategory, ChooseGrade, SayAdult, GuardianConsent)


class Step(StrEnum):
    """The registration conversation's steps, named as conversations in progress have them
    in the conversation store."""

    CONSENT = "RegistrationStep:consent"
    NAME = "RegistrationStep:name"
    CATEGORY = "RegistrationStep:category"
    GRADE = "RegistrationStep:grade"
    ADULT = "RegistrationStep:adult"
    GUARDIAN = "RegistrationStep:guardian"


# Steps answered with a button (typed text there gets «please press a button»), and the
# button each waits for (an older step's button is stale).
BUTTON_STEPS = (Step.CONSENT, Step.CATEGORY, Step.GRADE, Step.ADULT, Step.GUARDIAN)
STEP_OF: dict[type, Step] = dict(zip(JOINING_PRESSES, BUTTON_STEPS, strict=True))


class Joining:
    """One person joining through an invitation code, in the language `locale`."""

    def __init__(self, uow: UnitOfWork, actor: Actor, locale: str) -> None:
        self.uow = uow
        self.actor = actor
        self.locale = locale
        session = uow.session
        self.invites = InviteRepository(session)
        self.people = PeopleRepository(session)
        self.directory = DirectoryRepository(session)

    async def start(self, code: str) -> Reply:
        """A link with a code: the consent screen, or a new role for a registered person."""
        check = await self.invites.check(code)
        invite = check.invite
        if self.actor.person_id is not None and invite is not None:
            return await self._add_role(self.actor.person_id, check)
        if check.problem is not None or invite is None:
            problem = check.problem.value if check.problem else "unknown"
            return Reply((Screen.of(f"invite.problem.{problem}"),))
        role = Role(invite.role)
        data: dict[str, Any] = {"invite_id": invite.id, "role": role.value}
        entry = await RosterRepository(self.uow.session).for_invite(invite)
        if entry is not None and entry.full_name:
            # A personal link from a roster: name, category and grade are the curator's.
            data.update(
                roster_entry_id=entry.id,
                full_name=entry.full_name,
                category=entry.category,
                grade=entry.grade,
            )
        where = await place(self.directory, invite.municipality_id, invite.organization_id)
        return Reply((views.consent(role, where),), step=Step.CONSENT, data=data, restart=True)

    async def press(self, action: Press, data: Data) -> Reply:
        """A registration button, pressed at its own step (`STEP_OF`)."""
        match action:
            case GiveConsent(agree):
                return await self.consent(agree, data)
            case ChooseCategory(category):
                return await self.category(Category(category), data)
            case ChooseGrade(grade):
                return self.grade(grade)
            case SayAdult(adult):
                return await self.adult(adult, data)
            case GuardianConsent(given):
                return await self.guardian(given, data)

    async def consent(self, agree: bool, data: Data) -> Reply:
        if not agree:
            return Reply((Screen.of("consent.declined"),), drop=True, step=None)
        given = {"consent_at": utcnow().isoformat()}
        if data.get("roster_entry_id"):
            # Nothing to type: only the guardian's (or adulthood) question, where it applies.
            category = Category(data["category"]) if data.get("category") else None
            return await self._after_category(category, {**data, **given}, given)
        return Reply((Screen.of("register.ask_name"),), drop=True, step=Step.NAME, data=given)

    async def name(self, typed: str, data: Data) -> Reply:
        name = normalize_full_name(typed)
        problem = full_name_problem(name)
        if problem is not None:
            return Reply((Screen.of(f"register.name_problem.{problem.value}"),))
        given = {"full_name": name}
        if Role(data["role"]).is_staff:
            return await self._finish({**data, **given})
        return Reply((views.categories(),), step=Step.CATEGORY, data=given)

    async def category(self, category: Category, data: Data) -> Reply:
        given = {"category": category.value}
        if category is Category.STUDENT:
            return Reply((views.grades(),), drop=True, step=Step.GRADE, data=given)
        return await self._after_category(category, {**data, **given}, given)

    @staticmethod
    def grade(grade: int) -> Reply:
        return Reply((views.guardian(),), drop=True, step=Step.GUARDIAN, data={"grade": grade})

    async def adult(self, adult: bool, data: Data) -> Reply:
        if needs_guardian_consent(Category.COLLEGE_STUDENT, adult):
            return Reply((views.guardian(),), drop=True, step=Step.GUARDIAN)
        return await self._finish(data)

    async def guardian(self, given: bool, data: Data) -> Reply:
        if not given:
            return Reply((Screen.of("register.guardian_missing"),), drop=True, step=None)
        return await self._finish({**data, "guardian_consent_at": utcnow().isoformat()})

    async def _after_category(
        self, category: Category | None, data: Data, given: dict[str, Any]
    ) -> Reply:
        if category is Category.STUDENT:
            return Reply((views.guardian(),), drop=True, step=Step.GUARDIAN, data=given)
        if category is Category.COLLEGE_STUDENT:
            return Reply((views.adult(),), drop=True, step=Step.ADULT, data=given)
        return await self._finish(data)

    async def _finish(self, data: Data) -> Reply:
        """Store the person, their role and the invitation's use together; the conversation
        ends whatever happens."""
        ended = Reply(drop=True, step=None)
        await self.uow.write()
        if await self.people.by_external_id(self.actor.channel, self.actor.external_id):
            # A second registration raced this one (two devices); keep the first.
            return replace(ended, screens=(Screen.of("register.already"),))
        invite = await self.invites.usable(int(data["invite_id"]))
        if invite is None or not await self.invites.consume(invite.id):
            return replace(ended, screens=(Screen.of("invite.problem.used_up"),))
        category = Category(data["category"]) if data.get("category") else None
        guardian_at = data.get("guardian_consent_at")
        person = await self.people.register(
            Registration(
                telegram_id=self.actor.external_id,
                full_name=str(data["full_name"]),
                category=category,
                grade=data.get("grade"),
                locale=self.locale,
                consent_at=datetime.fromisoformat(data["consent_at"]),
                consent_version=CONSENT_VERSION,
                guardian_consent_at=datetime.fromisoformat(guardian_at) if guardian_at else None,
                channel=self.actor.channel,
            ),
            organization_id=invite.organization_id,
        )
        role = Role(invite.role)
        await self.people.grant(
            person, role, invite.municipality_id, invite.organization_id, invite.id
        )
        if data.get("roster_entry_id"):
            await RosterRepository(self.uow.session).bind(int(data["roster_entry_id"]), person.id)
        actor = replace(
            self.actor, person_id=person.id, grants=tuple(await self.people.grants(person.id))
        )
        screen = views.registered(str(person.full_name), await roles_of(self.directory, actor))
        await self.uow.commit()
        return replace(ended, screens=(screen,), menu=actor)

    async def _add_role(self, person_id: int, check: InviteCheck) -> Reply:
        """A registered person follows another invitation: a new role, nothing to type."""
        invite = check.invite
        assert invite is not None
        role = Role(invite.role)
        m, o = invite.municipality_id, invite.organization_id
        if await self.people.has_grant(person_id, role, m, o):
            return Reply((Screen.of("invite.already_have"),))
        if check.problem is not None:
            return Reply((Screen.of(f"invite.problem.{check.problem.value}"),))
        await self.uow.write()
        # consume() refuses expired and used-up codes atomically, whatever check() saw.
        if not await self.invites.consume(invite.id):
            return Reply((Screen.of("invite.problem.used_up"),))
        person = await self.people.get(person_id)
        assert person is not None
        await self.people.grant(person, role, m, o, invite.id)
        if invite.roster_entry_id is not None:
            await RosterRepository(self.uow.session).bind(invite.roster_entry_id, person.id)
        actor = replace(self.actor, grants=tuple(await self.people.grants(person.id)))
        screen = views.role_added(await roles_of(self.directory, actor))
        await self.uow.commit()
        return Reply((screen,), menu=actor)
