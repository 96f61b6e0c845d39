"""The territories an export may cover: the region, a municipality, an organization.
Queries only; which of them an actor may have is app.policy's to say."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Municipality, Organization
from storage.repositories.base import Repository


@dataclass(frozen=True)
class ExportScope:
    """The whole region (both None), one municipality, or one organization."""

    municipality_id: int | None = None
    organization_id: int | None = None
    title: str = ""

    @property
    def is_region(self) -> bool:
        return self.municipality_id is None and self.organization_id is None


class ExportScopeRepository(Repository):
    async def place(
        self, municipality_id: int | None = None, organization_id: int | None = None
    ) -> ExportScope | None:
        """The territory these ids name (the organization when both are given, the whole
        region when neither is), with its title; None for ids that do not exist."""
        if organization_id is not None:
            organization = await self.session.get(Organization, organization_id)
            if organization is None:
                return None
            return ExportScope(organization.municipality_id, organization.id, organization.name)
        if municipality_id is not None:
            municipality = await self.session.get(Municipality, municipality_id)
            if municipality is None:
                return None
            return ExportScope(municipality.id, None, municipality.name)
        return ExportScope()

    async def municipalities(self, ids: Collection[int] | None) -> list[ExportScope]:
        """These municipalities (all of them for None), by name."""
        query = select(Municipality).order_by(Municipality.name)
        if ids is not None:
            if not ids:
                return []
            query = query.where(Municipality.id.in_(ids))
        return [ExportScope(m.id, None, m.name) for m in await self.session.scalars(query)]

    async def organizations(self, ids: Collection[int]) -> list[ExportScope]:
        """These organizations, by name."""
        if not ids:
            return []
        query = select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name)
        return [
            ExportScope(o.municipality_id, o.id, o.name) for o in await self.session.scalars(query)
        ]
