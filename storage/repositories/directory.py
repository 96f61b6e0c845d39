"""Municipalities and organizations: the directory that scopes everything else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from storage.models import Municipality, Organization
from storage.repositories.base import Repository


@dataclass(frozen=True)
class OrganizationRecord:
    municipality_code: str
    municipality_name: str
    code: str
    name: str
    kind: str
    students_total: int
    students_10_18: int
    teachers_total: int
    teachers_under_35: int


class DirectoryRepository(Repository):
    async def upsert(self, records: Sequence[OrganizationRecord]) -> tuple[int, int]:
        """Insert or update by code; returns (created, updated) organizations."""
        municipalities = {m.code: m for m in (await self.session.scalars(select(Municipality)))}
        codes = [record.code for record in records]
        existing = {
            org.code: org
            for org in await self.session.scalars(
                select(Organization).where(Organization.code.in_(codes))
            )
        }
        created = updated = 0
        for record in records:
            municipality = municipalities.get(record.municipality_code)
            if municipality is None:
                municipality = Municipality(
                    code=record.municipality_code, name=record.municipality_name
                )
                self.session.add(municipality)
                await self.session.flush()
                municipalities[municipality.code] = municipality
            else:
                municipality.name = record.municipality_name
            org = existing.get(record.code)
            if org is None:
                org = Organization(code=record.code)
                self.session.add(org)
                existing[record.code] = org
                created += 1
            else:
                updated += 1
            org.municipality_id = municipality.id
            org.name = record.name
            org.kind = record.kind
            org.students_total = record.students_total
            org.students_10_18 = record.students_10_18
            org.teachers_total = record.teachers_total
            org.teachers_under_35 = record.teachers_under_35
        await self.session.flush()
        return created, updated

    async def municipality_by_code(self, code: str) -> Municipality | None:
        return await self.session.scalar(select(Municipality).where(Municipality.code == code))

    async def organization_by_code(self, code: str) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.code == code))

    async def municipality(self, municipality_id: int) -> Municipality | None:
        return await self.session.get(Municipality, municipality_id)

    async def organization(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def municipalities(self, offset: int = 0, limit: int = 1000) -> list[Municipality]:
        query = select(Municipality).order_by(Municipality.name, Municipality.id)
        return list(await self.session.scalars(query.offset(offset).limit(limit)))

    async def count_municipalities(self) -> int:
        return int(await self.session.scalar(select(func.count(Municipality.id))) or 0)

    async def organizations_in(
        self, municipality_ids: Sequence[int], offset: int = 0, limit: int = 1000
    ) -> list[Organization]:
        query = (
            select(Organization)
            .where(Organization.municipality_id.in_(municipality_ids))
            .order_by(Organization.name, Organization.id)
        )
        return list(await self.session.scalars(query.offset(offset).limit(limit)))

    async def count_organizations_in(self, municipality_ids: Sequence[int]) -> int:
        query = select(func.count(Organization.id)).where(
            Organization.municipality_id.in_(municipality_ids)
        )
        return int(await self.session.scalar(query) or 0)

    async def time_zone(self, organization_id: int | None) -> str | None:
        """The school's zone for the times it is shown (None: no school; the default)."""
        if organization_id is None:
            return None
        return await self.session.scalar(
            select(Organization.timezone).where(Organization.id == organization_id)
        )

    async def organizations(self, organization_ids: Sequence[int]) -> list[Organization]:
        query = (
            select(Organization)
            .where(Organization.id.in_(organization_ids))
            .order_by(Organization.name, Organization.id)
        )
        return list(await self.session.scalars(query))
