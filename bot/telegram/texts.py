"""Texts assembled from the catalogue and the directory: role lists, place names."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.directory import DirectoryRepository
from surveys.access import Actor


async def place_name(
    session: AsyncSession, municipality_id: int | None, organization_id: int | None
) -> str:
    directory = DirectoryRepository(session)
    if organization_id is not None:
        org = await directory.organization(organization_id)
        return org.name if org else "—"
    if municipality_id is not None:
        municipality = await directory.municipality(municipality_id)
        return municipality.name if municipality else "—"
    return _("scope.everything")


async def describe_roles(session: AsyncSession, actor: Actor) -> str:
    """One line per role: «куратор — МБОУ СОШ № 1»."""
    lines = [f"• {_('role.admin')}"] if actor.is_admin else []
    for grant in actor.grants:
        place = await place_name(session, grant.municipality_id, grant.organization_id)
        lines.append(f"• {_('role.' + grant.role.value)} — {place}")
    return "\n".join(lines) if lines else _("roles.none")
