"""Scope checks shared by the curator-area repositories: who may see or change an
organization's programmes, pairs and status."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Programme
from storage.repositories.invites import ScopeDenied
from surveys.access import Actor
from surveys.people import Role


def require_curator_of(actor: Actor, organization_id: int) -> None:
    """Changes (programmes, rosters, pairs) are the organization's curator's alone."""
    if organization_id not in actor.organizations(Role.CURATOR):
        raise ScopeDenied(f"not a curator of organization {organization_id}")


async def organization_in_view(
    session: AsyncSession, actor: Actor, organization_id: int
) -> Organization:
    """The organization if the actor may look at it: its curator, its district's
    methodist, or an admin."""
    org = await session.get(Organization, organization_id)
    if org is None or not actor.covers_organization(org.id, org.municipality_id):
        raise ScopeDenied(f"organization {organization_id} is outside the actor's scope")
    return org


async def programme_to_change(session: AsyncSession, actor: Actor, programme_id: int) -> Programme:
    programme = await session.get(Programme, programme_id)
    if programme is None:
        raise ScopeDenied(f"no programme {programme_id}")
    require_curator_of(actor, programme.organization_id)
    return programme
