"""Scope: who may see or change which organization's programmes, pairs and status.

Every curator and methodist use case asks here before it reads or writes anything, so a
forged button naming someone else's programme, pair or school is refused the same way
everywhere (`OutOfScope`, answered once by the edge's error router).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Pair, Programme
from storage.repositories.directory import DirectoryRepository
from storage.repositories.export_scope import ExportScope, ExportScopeRepository
from storage.repositories.pairs import PairRepository
from storage.repositories.programmes import ProgrammeRepository
from surveys.access import Actor, may_invite_coordinator
from surveys.errors import OutOfScope
from surveys.people import Role

INVITE_DENIED = "access.denied"  # «this is for other roles»: invitations are a command


def require_curator_of(actor: Actor, organization_id: int) -> None:
    """Changes (programmes, rosters, pairs, reminders) are the organization's curator's
    alone."""
    if organization_id not in actor.organizations(Role.CURATOR):
        raise OutOfScope()


def require_municipality_in_view(actor: Actor, municipality_id: int) -> None:
    """A district's figures are for its methodist and the administrators."""
    if not actor.covers_municipality(municipality_id):
        raise OutOfScope()


def require_round_keeper(actor: Actor, municipality_id: int | None) -> None:
    """A district's rounds are opened and closed by its methodist (or anyone who sees the
    whole region); the region's own rounds by a regional coordinator or an administrator."""
    allowed = (
        actor.covers_region
        if municipality_id is None
        else actor.covers_municipality(municipality_id)
    )
    if not allowed:
        raise OutOfScope()


async def organization_in_view(
    session: AsyncSession, actor: Actor, organization_id: int
) -> Organization:
    """The organization if the actor may look at it: its curator, its district's
    methodist, or an admin."""
    org = await DirectoryRepository(session).organization(organization_id)
    if org is None or not actor.covers_organization(org.id, org.municipality_id):
        raise OutOfScope()
    return org


async def programme_to_change(session: AsyncSession, actor: Actor, programme_id: int) -> Programme:
    programme = await ProgrammeRepository(session).get(programme_id)
    if programme is None:
        raise OutOfScope()
    require_curator_of(actor, programme.organization_id)
    return programme


async def pair_to_change(
    session: AsyncSession, actor: Actor, pair_id: int
) -> tuple[Pair, Programme]:
    found = await PairRepository(session).with_programme(pair_id)
    if found is None:
        raise OutOfScope()
    require_curator_of(actor, found[1].organization_id)
    return found


async def invite_into(
    session: AsyncSession,
    actor: Actor,
    role: Role,
    municipality_id: int | None,
    organization_id: int | None,
) -> None:
    """The chain of invitations (surveys.access.Actor.may_invite_into): admin → methodist of
    a district, methodist → curator of a school of their district, curator → mentor or
    mentee of their school; admin → regional coordinator of the whole region. A place that
    does not exist is refused the same way."""
    if role is Role.COORDINATOR:
        if municipality_id is not None or organization_id is not None:
            raise OutOfScope(INVITE_DENIED)  # the region's role has no district or school
        if not may_invite_coordinator(actor):
            raise OutOfScope(INVITE_DENIED)
        return
    if organization_id is not None:
        org = await DirectoryRepository(session).organization(organization_id)
        if org is None:
            raise OutOfScope(INVITE_DENIED)
        municipality_id = org.municipality_id
    if municipality_id is None or not actor.may_invite_into(role, organization_id, municipality_id):
        raise OutOfScope(INVITE_DENIED)


def require_may_invite(actor: Actor, role: Role) -> None:
    """Only roles the actor may invite are offered; a forged role button is refused."""
    if not actor.can_invite(role):
        raise OutOfScope(INVITE_DENIED)


def covers(actor: Actor, scope: ExportScope) -> bool:
    """Whether the actor sees the whole of this territory: an organization for its curator
    and its district's methodist, a municipality for its methodist, the region for an
    administrator or a regional coordinator (and each for anyone who sees a wider one)."""
    if scope.organization_id is not None and scope.municipality_id is not None:
        return actor.covers_organization(scope.organization_id, scope.municipality_id)
    if scope.municipality_id is not None:
        return actor.covers_municipality(scope.municipality_id)
    return actor.covers_region


async def export_scope(
    session: AsyncSession,
    actor: Actor,
    municipality_id: int | None,
    organization_id: int | None,
) -> ExportScope:
    """The territory of an export, if the actor covers it (ids that do not exist are refused
    the same way, so a forged button learns nothing)."""
    scope = await ExportScopeRepository(session).place(municipality_id, organization_id)
    if scope is None or not covers(actor, scope):
        raise OutOfScope("export.denied")
    return scope


async def export_choices(session: AsyncSession, actor: Actor) -> list[ExportScope]:
    """What this actor may export, broadest first: the region and its municipalities for
    an admin or a regional coordinator, their municipalities for a methodist, their
    organizations for a curator."""
    scopes = ExportScopeRepository(session)
    region = [ExportScope()] if actor.covers_region else []
    districts = None if actor.covers_region else actor.municipalities(Role.METHODIST)
    return [
        *region,
        *await scopes.municipalities(districts),
        *await scopes.organizations(actor.organizations(Role.CURATOR)),
    ]


def register_allowed(actor: Actor, scope: ExportScope, beyond_school: bool) -> bool:
    """The participant register (one row per person) is for the curator of the school: the
    people are theirs. Anyone else — a methodist, an administrator, the operator at the
    command line — gets the figures only, unless the operator allowed more
    (EXPORT_REGISTER_BEYOND_SCHOOL, with its legal basis; see README)."""
    if scope.organization_id is not None and scope.organization_id in actor.organizations(
        Role.CURATOR
    ):
        return True
    return beyond_school
