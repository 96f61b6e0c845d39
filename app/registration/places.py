"""Names of the places a role or an invitation covers, from the directory."""

from __future__ import annotations

from app.registration import views
from app.screens import Label, Msg, Text
from storage.repositories.directory import DirectoryRepository
from surveys.access import Actor


async def place(
    directory: DirectoryRepository, municipality_id: int | None, organization_id: int | None
) -> Text:
    """An organization's or municipality's name; a grant of neither covers the region."""
    if organization_id is not None:
        org = await directory.organization(organization_id)
        return org.name if org else "—"
    if municipality_id is not None:
        municipality = await directory.municipality(municipality_id)
        return municipality.name if municipality else "—"
    return Msg("scope.everything")


async def roles_of(directory: DirectoryRepository, actor: Actor) -> Label:
    """The actor's roles with their places, one per line."""
    places = [
        (grant.role, await place(directory, grant.municipality_id, grant.organization_id))
        for grant in actor.grants
    ]
    return views.roles(actor.is_admin, places)
