"""Issuing invitations: admins invite regional coordinators (the whole region), methodists
(and curators), methodists invite curators of their district's schools, curators invite
mentors and mentees of their school.

The link a person follows is the channel's (a Telegram deep link, a MAX start link): the
edge gives it as `LinkFor`, a port from an invitation code to the link.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import policy
from app.registration import views
from app.registration.actions import InviteInto, InvitePage, InviteRole
from app.registration.places import place
from app.reply import Reply
from app.screens import Screen, Text
from app.uow import UnitOfWork
from storage.repositories.directory import DirectoryRepository
from storage.repositories.invites import InviteRepository
from surveys.access import Actor
from surveys.errors import OutOfScope
from surveys.people import Role
from surveys.zones import local

LinkFor = Callable[[str], Awaitable[str]]  # an invitation code → the link a person follows
Press = InviteRole | InvitePage | InviteInto
INVITE_PRESSES = (InviteRole, InvitePage, InviteInto)
INVITABLE_ORDER = (Role.COORDINATOR, Role.METHODIST, Role.CURATOR, Role.MENTOR, Role.MENTEE)
PAGE_SIZE = 8


@dataclass(frozen=True)
class Terms:
    """How long an invitation lasts and how often it may be used: a staff invitation from
    the bot is personal (one use), a participants' link is shared with a class."""

    ttl: timedelta
    shared_uses: int
    staff_uses: int = 1

    def uses_for(self, role: Role) -> int:
        return self.staff_uses if role.is_staff else self.shared_uses


@dataclass(frozen=True)
class Issued:
    code: str
    role: Role
    place: Text
    expires_at: datetime
    max_uses: int


class Invitations:
    """/invite for one actor; `uow` is the update's (or the command's) unit of work."""

    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor
        self.directory = DirectoryRepository(uow.session)

    async def press(self, action: Press, terms: Terms, link_for: LinkFor) -> Reply:
        match action:
            case InviteRole(role):
                return await self.targets(role, 0, terms, link_for)
            case InvitePage(role, page):
                return await self.targets(role, page, terms, link_for)
            case InviteInto(role, target):
                return await self.into(role, target, terms, link_for)

    def roles(self) -> Reply:
        """Whom this actor may invite."""
        roles = [role for role in INVITABLE_ORDER if self.actor.can_invite(role)]
        return Reply((views.invite_roles(roles),), step=None)

    async def targets(self, role_value: str, page: int, terms: Terms, link_for: LinkFor) -> Reply:
        """Where to invite into: districts for a methodist, schools for the others (a
        curator's only school is chosen at once)."""
        role = _role(role_value)
        policy.require_may_invite(self.actor, role)
        if page < 0:
            raise OutOfScope(policy.INVITE_DENIED)
        offset, limit = page * PAGE_SIZE, PAGE_SIZE
        directory = self.directory
        if role is Role.COORDINATOR:  # the whole region: nothing to choose
            return await self.into(role.value, 0, terms, link_for)
        if role is Role.METHODIST:
            total = await directory.count_municipalities()
            targets = [(m.id, m.name) for m in await directory.municipalities(offset, limit)]
        elif role is Role.CURATOR:
            municipality_ids = (
                [m.id for m in await directory.municipalities()]
                if self.actor.is_admin
                else sorted(self.actor.municipalities(Role.METHODIST))
            )
            total = await directory.count_organizations_in(municipality_ids)
            organizations = await directory.organizations_in(municipality_ids, offset, limit)
            targets = [(org.id, org.name) for org in organizations]
        else:
            organizations = await directory.organizations(
                sorted(self.actor.organizations(Role.CURATOR))
            )
            if len(organizations) == 1:
                return await self.into(role.value, organizations[0].id, terms, link_for)
            total = len(organizations)
            targets = [(org.id, org.name) for org in organizations[offset : offset + limit]]
        if total == 0:
            return Reply((Screen.of("invite.no_targets"),))
        screen = views.invite_targets(role, targets, page, total, PAGE_SIZE)
        if page > 0:
            return Reply(redraw=screen)
        return Reply((screen,))

    async def into(self, role_value: str, target: int, terms: Terms, link_for: LinkFor) -> Reply:
        """The chosen district (for a methodist) or school: the invitation and its link.
        The list goes away: a double tap has nothing to press."""
        role = _role(role_value)
        if role is Role.COORDINATOR:
            issued = await self.issue(role, terms, None, None)
        elif role is Role.METHODIST:
            issued = await self.issue(role, terms, target, None)
        else:
            issued = await self.issue(role, terms, None, target)
        link = await link_for(issued.code)
        screen = views.invite_created(role, issued.place, link, issued.expires_at, issued.max_uses)
        return Reply((screen,), drop=True)

    async def issue(
        self, role: Role, terms: Terms, municipality_id: int | None, organization_id: int | None
    ) -> Issued:
        """One invitation into a district or a school, committed; refused (OutOfScope)
        outside the actor's chain."""
        session = self.uow.session
        m, o, uses = municipality_id, organization_id, terms.uses_for(role)
        await policy.invite_into(session, self.actor, role, m, o)
        await self.uow.write()
        invite = await InviteRepository(session).create(
            self.actor, role, municipality_id=m, organization_id=o, ttl=terms.ttl, max_uses=uses
        )
        issued = Issued(
            code=invite.code,
            role=role,
            place=await place(self.directory, invite.municipality_id, invite.organization_id),
            # On the clock of the school it invites into (the default zone for a district).
            expires_at=local(invite.expires_at, await self.directory.time_zone(organization_id)),
            max_uses=invite.max_uses,
        )
        await self.uow.commit()
        return issued


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise OutOfScope(policy.INVITE_DENIED) from None
