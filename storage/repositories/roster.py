"""Roster rows of a programme: imported from a curator's workbook, each with a personal
one-use link, bound to the person who follows it. Scope is checked by the caller
(app/policy.py)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, cast

from sqlalchemy import Table, insert, select

from storage.bulk import breathe, pieces
from storage.models import Invite, Organization, Pair, Programme, RosterEntry, utcnow
from storage.repositories.base import Repository
from storage.repositories.invites import CODE_BYTES
from surveys.pairing import PairPlan
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

    @property
    def plan(self) -> PairPlan:
        return PairPlan(self.mentor_id, self.mentee_ids, self.pair_number)


_ENTRY: Final = cast(Table, RosterEntry.__table__)
_INVITE: Final = cast(Table, Invite.__table__)


class RosterRepository(Repository):
    async def known_names(self, programme_id: int) -> list[str]:
        names = await self.session.scalars(
            select(RosterEntry.full_name).where(
                RosterEntry.programme_id == programme_id, RosterEntry.full_name.is_not(None)
            )
        )
        return [name for name in names if name]

    async def import_rows(
        self,
        programme_id: int,
        rows: Sequence[RosterRow],
        ttl: timedelta,
        created_by_id: int | None,
    ) -> list[ImportedRow]:
        """Store the valid rows and a personal link for each, all in the caller's
        transaction: either every valid row is in, or none. Core multi-row inserts of at
        most STATEMENT_ROWS rows, with a turn for everyone else between them."""
        programme = await self.session.get(Programme, programme_id)
        assert programme is not None, "the caller found the programme in scope"
        org = await self.session.get(Organization, programme.organization_id)
        assert org is not None
        now = utcnow()
        expires_at = now + ttl
        imported: list[ImportedRow] = []
        for index, piece in enumerate(pieces(rows)):
            if index:
                await breathe()
            # RETURNING comes back in no particular order (SQLAlchemy would fall back to one
            # statement per row to keep it): the row number tells which id is whose.
            returned = await self.session.execute(
                insert(_ENTRY).returning(_ENTRY.c.id, _ENTRY.c.row_number),
                [
                    {
                        "programme_id": programme.id,
                        "row_number": row.row_number,
                        "full_name": row.full_name,
                        "category": row.category.value,
                        "grade": row.grade,
                        "role": row.role.value,
                        "pair_number": row.pair_number,
                        "created_at": now,
                    }
                    for row in piece
                ],
            )
            ids = {row_number: entry_id for entry_id, row_number in returned}
            made = [
                ImportedRow(ids[row.row_number], row, secrets.token_urlsafe(CODE_BYTES))
                for row in piece
            ]
            await breathe()
            await self.session.execute(
                insert(_INVITE),
                [
                    {
                        "code": item.code,
                        "role": item.row.role.value,
                        "municipality_id": org.municipality_id,
                        "organization_id": org.id,
                        "created_by_id": created_by_id,
                        "created_at": now,
                        "expires_at": expires_at,
                        "max_uses": 1,
                        "uses": 0,
                        "revoked": False,
                        "programme_id": programme.id,
                        "roster_entry_id": item.entry_id,
                    }
                    for item in made
                ],
            )
            imported.extend(made)
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
        entries = await self.session.execute(
            select(RosterEntry.pair_number, RosterEntry.role, RosterEntry.person_id)
            .where(RosterEntry.programme_id == programme_id, RosterEntry.pair_number.is_not(None))
            .order_by(RosterEntry.pair_number, RosterEntry.row_number)
        )
        by_number: dict[int, list[tuple[str, int | None]]] = {}
        for number, role, person_id in entries:
            if number is not None:
                by_number.setdefault(number, []).append((role, person_id))
        groups: list[RosterGroup] = []
        for number, members in sorted(by_number.items()):
            if number in formed or any(person_id is None for _role, person_id in members):
                continue
            mentors = [person_id for role, person_id in members if role == Role.MENTOR]
            mentees = tuple(person_id for role, person_id in members if role == Role.MENTEE)
            if len(mentors) == 1 and mentees and mentors[0] is not None:
                groups.append(RosterGroup(number, mentors[0], mentees))  # type: ignore[arg-type]
        return groups
