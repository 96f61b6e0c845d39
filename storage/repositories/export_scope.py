"""Which part of the directory an export may cover: the actor's scope, checked here so that
no caller (bot, CLI, web) can forget it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Municipality, Organization
from storage.repositories.invites import ScopeDenied
from surveys.access import Actor
from surveys.people import Role


@dataclass(frozen=True)
class ExportScope:
    """The whole region (both None), one municipality, or one organization."""

    municipality_id: int | None = None
    organization_id: int | None = None
    title: str = ""

    @property
    def is_region(self) -> bool:
        return self.municipality_id is None and self.organization_id is None


class ExportScopeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def resolve(
        self,
        actor: Actor,
        municipality_id: int | None = None,
        organization_id: int | None = None,
    ) -> ExportScope:
        """The scope asked for, if the actor covers it; ScopeDenied otherwise (also for ids
        that do not exist, so a forged button learns nothing)."""
        if organization_id is not None:
            organization = await self.session.get(Organization, organization_id)
            if organization is None or not actor.covers_organization(
                organization.id, organization.municipality_id
            ):
                raise ScopeDenied("organization outside the actor's scope")
            return ExportScope(organization.municipality_id, organization.id, organization.name)
        if municipality_id is not None:
            municipality = await self.session.get(Municipality, municipality_id)
            if municipality is None or not actor.covers_municipality(municipality.id):
                raise ScopeDenied("municipality outside the actor's scope")
            return ExportScope(municipality.id, None, municipality.name)
        if not actor.covers_region:
            raise ScopeDenied("only an administrator or a coordinator exports the whole region")
        return ExportScope()

    async def choices(self, actor: Actor) -> list[ExportScope]:
        """What this actor may export, broadest first: the region and its municipalities for
        an admin or a regional coordinator, their municipalities for a methodist, their
        organizations for a curator."""
        scopes: list[ExportScope] = []
        if actor.covers_region:
            scopes.append(ExportScope())
            municipalities = await self.session.scalars(
                select(Municipality).order_by(Municipality.name)
            )
        else:
            ids = actor.municipalities(Role.METHODIST)
            municipalities = await self.session.scalars(
                select(Municipality).where(Municipality.id.in_(ids)).order_by(Municipality.name)
            )
        scopes += [ExportScope(m.id, None, m.name) for m in municipalities]
        org_ids = actor.organizations(Role.CURATOR)
        if org_ids:
            organizations = await self.session.scalars(
                select(Organization).where(Organization.id.in_(org_ids)).order_by(Organization.name)
            )
            scopes += [ExportScope(o.municipality_id, o.id, o.name) for o in organizations]
        return scopes
