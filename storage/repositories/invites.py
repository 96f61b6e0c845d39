"""Invitations: the only way in. Random codes with an expiry and a use limit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select, update

from storage.models import Invite, Organization, utcnow
from storage.repositories.base import Repository
from surveys.access import Actor
from surveys.errors import NotFound
from surveys.people import Role

# Telegram's deep-link payload allows [A-Za-z0-9_-], up to 64 characters.
CODE_BYTES = 12  # 96 random bits → 16 characters of urlsafe base64
MAX_CODE_LENGTH = 64


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True)
class InviteCheck:
    invite: Invite | None
    problem: InviteProblem | None


class InviteRepository(Repository):
    async def create(
        self,
        actor: Actor,
        role: Role,
        *,
        municipality_id: int | None = None,
        organization_id: int | None = None,
        ttl: timedelta = timedelta(days=30),
        max_uses: int = 1,
    ) -> Invite:
        """Create an invitation (who may invite whom and where is app.policy's to say)."""
        if organization_id is not None:
            org = await self.session.get(Organization, organization_id)
            if org is None:
                raise NotFound()
            municipality_id = org.municipality_id
        invite = Invite(
            code=secrets.token_urlsafe(CODE_BYTES),
            role=role.value,
            municipality_id=municipality_id,
            organization_id=organization_id,
            created_by_id=actor.person_id,
            expires_at=utcnow() + ttl,
            max_uses=max_uses,
            uses=0,
            revoked=False,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def check(self, code: str) -> InviteCheck:
        if not code or len(code) > MAX_CODE_LENGTH:
            return InviteCheck(None, InviteProblem.UNKNOWN)
        invite = await self.session.scalar(select(Invite).where(Invite.code == code))
        if invite is None or invite.revoked:
            return InviteCheck(None, InviteProblem.UNKNOWN)
        if invite.expires_at <= utcnow():
            return InviteCheck(invite, InviteProblem.EXPIRED)
        if invite.uses >= invite.max_uses:
            return InviteCheck(invite, InviteProblem.USED_UP)
        return InviteCheck(invite, None)

    async def usable(self, invite_id: int) -> Invite | None:
        """The invite if it can still be used (a registration may outlive its expiry)."""
        invite = await self.session.get(Invite, invite_id)
        if invite is None or invite.revoked:
            return None
        if invite.expires_at <= utcnow() or invite.uses >= invite.max_uses:
            return None
        return invite

    async def consume(self, invite_id: int) -> bool:
        """Count one use, atomically: two people racing for the last use cannot both win."""
        result = await self.session.execute(
            update(Invite)
            .where(
                Invite.id == invite_id,
                Invite.uses < Invite.max_uses,
                Invite.expires_at > utcnow(),
                Invite.revoked.is_(False),
            )
            .values(uses=Invite.uses + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
