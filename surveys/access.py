"""Who may see and change what: a person's role grants and the scope rules over them."""

from __future__ import annotations

from dataclasses import dataclass, field

from surveys.channels import ChannelName
from surveys.people import INVITABLE_BY, Role


@dataclass(frozen=True)
class Grant:
    role: Role
    municipality_id: int | None = None
    organization_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The person behind an update, as far as permissions go.

    `telegram_id` is the person's id in `channel` (the name is older than the MAX channel;
    `external_id` says what it is)."""

    telegram_id: int
    person_id: int | None = None
    is_admin: bool = False
    grants: tuple[Grant, ...] = field(default=())
    channel: ChannelName = ChannelName.TELEGRAM

    @property
    def external_id(self) -> int:
        return self.telegram_id

    @property
    def roles(self) -> frozenset[Role]:
        roles = {grant.role for grant in self.grants}
        if self.is_admin:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    def municipalities(self, role: Role) -> frozenset[int]:
        return frozenset(
            grant.municipality_id
            for grant in self.grants
            if grant.role is role and grant.municipality_id is not None
        )

    def organizations(self, role: Role) -> frozenset[int]:
        return frozenset(
            grant.organization_id
            for grant in self.grants
            if grant.role is role and grant.organization_id is not None
        )

    def can_invite(self, role: Role) -> bool:
        return any(role in INVITABLE_BY.get(own, ()) for own in self.roles)

    @property
    def covers_region(self) -> bool:
        """Administrators and regional coordinators see every district of the region."""
        return self.is_admin or Role.COORDINATOR in self.roles

    def covers_municipality(self, municipality_id: int) -> bool:
        return self.covers_region or municipality_id in self.municipalities(Role.METHODIST)

    def covers_organization(self, organization_id: int, municipality_id: int) -> bool:
        return self.covers_municipality(municipality_id) or organization_id in self.organizations(
            Role.CURATOR
        )

    def may_invite_into(
        self, role: Role, organization_id: int | None, municipality_id: int
    ) -> bool:
        """The chain: admin → regional coordinator (the region) or methodist of any
        district; methodist → curator of a school of their district; curator → mentor or
        mentee of their own school."""
        if role is Role.COORDINATOR:
            return False  # the region's scope is no district's: see may_invite_coordinator
        if role is Role.METHODIST:
            return self.is_admin and organization_id is None
        if organization_id is None:
            return False
        if role is Role.CURATOR:
            return self.is_admin or municipality_id in self.municipalities(Role.METHODIST)
        if role in (Role.MENTOR, Role.MENTEE):
            return organization_id in self.organizations(Role.CURATOR)
        return False


OPERATOR = Actor(telegram_id=0, is_admin=True)  # whoever runs the CLI on the server


def may_invite_coordinator(actor: Actor) -> bool:
    """A regional coordinator's scope is the whole region: only an administrator gives it."""
    return actor.is_admin


def scope_key(municipality_id: int | None, organization_id: int | None) -> str:
    if organization_id is not None:
        return f"o:{organization_id}"
    if municipality_id is not None:
        return f"m:{municipality_id}"
    return "*"
