"""Test data made through the real repositories."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Invite
from storage.repositories.directory import DirectoryRepository, OrganizationRecord
from storage.repositories.invites import InviteRepository
from surveys.access import Actor, Grant
from surveys.people import Role

DISTRICT = OrganizationRecord(
    "M01", "Павлоградский район", "S001", "МБОУ СОШ № 1", "school", 600, 400, 50, 12
)
DISTRICT_SCHOOL_2 = OrganizationRecord(
    "M01", "Павлоградский район", "S002", "МБОУ «Лицей № 2»", "school", 800, 500, 60, 15
)
OTHER_DISTRICT = OrganizationRecord(
    "M02", "Петушинский район", "S101", "МБОУ СОШ № 101", "school", 300, 200, 30, 5
)


class WithSessions(Protocol):
    session_factory: async_sessionmaker[AsyncSession]


async def count_rows(
    database: async_sessionmaker[AsyncSession] | WithSessions, model: type, *where: object
) -> int:
    """How many rows of `model` (that match `where`) the database holds; `database` is a
    session factory or a harness."""
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    factory = database if isinstance(database, async_sessionmaker) else database.session_factory
    async with factory() as session:
        return int(await session.scalar(query) or 0)


async def counts(
    database: async_sessionmaker[AsyncSession] | WithSessions, *models: type
) -> list[int]:
    """count_rows of each of `models`, in their order."""
    return [await count_rows(database, model) for model in models]


async def seed_directory(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Two districts, three schools; returns ids by code."""
    async with factory() as session, session.begin():
        directory = DirectoryRepository(session)
        await directory.upsert([DISTRICT, DISTRICT_SCHOOL_2, OTHER_DISTRICT])
        ids: dict[str, int] = {}
        for code in ("M01", "M02"):
            municipality = await directory.municipality_by_code(code)
            assert municipality is not None
            ids[code] = municipality.id
        for code in ("S001", "S002", "S101"):
            org = await directory.organization_by_code(code)
            assert org is not None
            ids[code] = org.id
        return ids


async def make_invite(
    factory: async_sessionmaker[AsyncSession],
    role: Role,
    *,
    municipality_id: int | None = None,
    organization_id: int | None = None,
    max_uses: int = 1,
    ttl: timedelta = timedelta(days=30),
) -> Invite:
    """An invite as the right inviter would make it (admin, methodist or curator)."""
    grants: tuple[Grant, ...] = ()
    if role in (Role.MENTOR, Role.MENTEE):
        grants = (Grant(Role.CURATOR, organization_id=organization_id),)
    actor = Actor(telegram_id=1, is_admin=True, grants=grants)
    async with factory() as session, session.begin():
        return await InviteRepository(session).create(
            actor,
            role,
            municipality_id=municipality_id,
            organization_id=organization_id,
            ttl=ttl,
            max_uses=max_uses,
        )


async def school_invite(
    factory: async_sessionmaker[AsyncSession], role: Role, **options: Any
) -> tuple[dict[str, int], Invite]:
    """The directory seeded, and an invitation into its first school (S001)."""
    ids = await seed_directory(factory)
    invite = await make_invite(factory, role, organization_id=ids["S001"], **options)
    return ids, invite
