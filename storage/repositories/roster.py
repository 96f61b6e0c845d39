"""Roster rows of a programme: imported from a curator's workbook, each with a personal
one-use link, bound to the person who follows it. Scope is checked by the caller
(app/policy.py)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, Organization, Pair, Programme, RosterEntry, utcnow
from storage.repositories.invites import CODE_BYTES
from surveys.people import Role
from surveys.roster_rules import RosterRow


@dataclass(frozen=True)
class ImportedRow:
    entry_id: int
    row: RosterRow
    code: str


@dataclass(frozen=True)
class RosterGroup:
    """The roster's people of one pair number whose members have all registered."""

    pair_number: int
    mentor_id: int
    mentee_ids: tuple[int, ...]


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known_names(self, programme_id: int) -> list[str]:
        names = await self.session.scalars(
            select(RosterEntry.full_name).where(
                RosterEntry.programme_id == programme_id, RosterEntry.full_name.is_not(None)
            )
        )
        return [name for name in names if name]

    async def import_rows(
        self,
        programme: Programme,
        rows: Sequence[RosterRow],
        ttl: timedelta,
        created_by_id: int | None,
    ) -> list[ImportedRow]:
        """Store the valid rows and a personal link for each, all in the caller's
        transaction: either every valid row is in, or none."""
        org = await self.session.get(Organization, programme.organization_id)
        assert org is not None
        expires_at = utcnow() + ttl
        if not rows:
            return []
        # Core bulk inserts: one statement per table instead of an ORM flush per row.
        ids = await self.session.scalars(
            insert(RosterEntry).returning(RosterEntry.id, sort_by_parameter_order=True),
            [
                {
                    "programme_id": programme.id,
                    "row_number": row.row_number,
                    "full_name": row.full_name,
                    "category": row.category.value,
                    "grade": row.grade,
                    "role": row.role.value,
                    "pair_number": row.pair_number,
                    "created_at": utcnow(),
                }
                for row in rows
            ],
        )
        entry_ids = list(ids)
        codes = [secrets.token_urlsafe(CODE_BYTES) for _row in rows]
        await self.session.execute(
            insert(Invite),
            [
                {
                    "code": code,
                    "role": row.role.value,
                    "municipality_id": org.municipality_id,
                    "organization_id": org.id,
                    "created_by_id": created_by_id,
                    "created_at": utcnow(),
                    "expires_at": expires_at,
                    "max_uses": 1,
                    "uses": 0,
                    "revoked": False,
                    "programme_id": programme.id,
                    "roster_entry_id": entry_id,
                }
                for row, entry_id, code in zip(rows, entry_ids, codes, strict=True)
            ],
        )
        imported = [
            ImportedRow(entry_id, row, code)
            for row, entry_id, code in zip(rows, entry_ids, codes, strict=True)
        ]
        return imported

    async def for_invite(self, invite: Invite) -> RosterEntry | None:
        if invite.roster_entry_id is None:
            return None
        return await self.session.get(RosterEntry, invite.roster_entry_id)

    async def bind(self, entry_id: int, person_id: int) -> None:
        entry = await self.session.get(RosterEntry, entry_id)
        if entry is not None and entry.person_id is None:
            entry.person_id = person_id
            await self.session.flush()

    async def ready_groups(self, programme_id: int) -> list[RosterGroup]:
        """Pair numbers of the roster whose mentor and mentees have all registered and
        that are not formed yet."""
        formed = set(
            await self.session.scalars(select(Pair.number).where(Pair.programme_id == programme_id))
        )
        entries = await self.session.scalars(
            select(RosterEntry)
            .where(RosterEntry.programme_id == programme_id, RosterEntry.pair_number.is_not(None))
            .order_by(RosterEntry.pair_number, RosterEntry.row_number)
        )
        by_number: dict[int, list[RosterEntry]] = {}
        for entry in entries:
            assert entry.pair_number is not None
            by_number.setdefault(entry.pair_number, []).append(entry)
        groups: list[RosterGroup] = []
        for number, members in sorted(by_number.items()):
            if number in formed or any(member.person_id is None for member in members):
                continue
            mentors = [m.person_id for m in members if m.role == Role.MENTOR]
            mentees = tuple(m.person_id for m in members if m.role == Role.MENTEE)
            if len(mentors) == 1 and mentees and mentors[0] is not None:
                groups.append(RosterGroup(number, mentors[0], mentees))  # type: ignore[arg-type]
        return groups
