"""Roster rows of a programme: imported from a curator's workbook, each with a personal
one-use link, bound to the person who follows it. Scope is checked by the caller
(app/policy.py)."""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, cast

from sqlalchemy import Dialect, Table, insert, select

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
_ENTRY_COLUMNS: Final = (
    "programme_id",
    "row_number",
    "full_name",
    "category",
    "grade",
    "role",
    "pair_number",
    "created_at",
)
_INVITE_COLUMNS: Final = (
    "code",
    "role",
    "municipality_id",
    "organization_id",
    "created_by_id",
    "created_at",
    "expires_at",
    "max_uses",
    "uses",
    "revoked",
    "programme_id",
    "roster_entry_id",  # last: known once the piece's entries are in
)


@dataclass(frozen=True)
class _Row:
    row: RosterRow
    code: str


@dataclass(frozen=True)
class _Piece:
    rows: list[_Row]
    entries_sql: str
    entries: tuple[object, ...]  # the multi-row VALUES' parameters, row after row
    invites: list[tuple[object, ...]]  # each link's parameters but its roster entry


@dataclass(frozen=True)
class PreparedImport:
    """A roster import's statements and parameters in the driver's terms
    (RosterRepository.prepare), so that the write turn holds only the statements."""

    pieces: list[_Piece]
    invites_sql: str


@functools.lru_cache(maxsize=8)
def _entries_sql(dialect: Dialect, rows: int) -> str:
    """A multi-row INSERT of `rows` roster entries returning (id, row_number), in the
    driver's parameter style; compiled once per piece size."""
    statement = (
        insert(_ENTRY)
        .values([dict.fromkeys(_ENTRY_COLUMNS)] * rows)
        .returning(_ENTRY.c.id, _ENTRY.c.row_number)
    )
    return str(statement.compile(dialect=dialect))


@functools.lru_cache(maxsize=8)
def _invites_sql(dialect: Dialect) -> str:
    return str(insert(_INVITE).compile(dialect=dialect, column_keys=list(_INVITE_COLUMNS)))


def _driver_value(table: Table, column: str, value: object, dialect: Dialect) -> object:
    """`value` as the column's type hands it to the driver (a UTC datetime as SQLite's
    text, a flag as its integer): done once for a value every row shares."""
    process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def _prepared(
    dialect: Dialect, rows: Sequence[RosterRow], shared: dict[str, object]
) -> PreparedImport:
    """Blocking (codes, thousands of tuples): run it in a thread."""
    entry = {
        name: _driver_value(_ENTRY, name, shared[name], dialect)
        for name in ("programme_id", "created_at")
    }
    invite = {
        name: _driver_value(_INVITE, name, shared[name], dialect)
        for name in _INVITE_COLUMNS
        if name in shared
    }
    # Per-row columns are plain strings and integers: the driver takes them as they are.
    assert all(
        _ENTRY.c[name].type.dialect_impl(dialect).bind_processor(dialect) is None
        for name in _ENTRY_COLUMNS
        if name not in entry
    )
    invites_sql = _invites_sql(dialect)
    made: list[_Piece] = []
    for piece in pieces(rows):
        items = [_Row(row, secrets.token_urlsafe(CODE_BYTES)) for row in piece]
        entries: list[object] = []
        invites: list[tuple[object, ...]] = []
        for item in items:
            row = item.row
            entries.extend(
                (
                    entry["programme_id"],
                    row.row_number,
                    row.full_name,
                    row.category.value,
                    row.grade,
                    row.role.value,
                    row.pair_number,
                    entry["created_at"],
                )
            )
            invites.append(
                (
                    item.code,
                    row.role.value,
                    invite["municipality_id"],
                    invite["organization_id"],
                    invite["created_by_id"],
                    invite["created_at"],
                    invite["expires_at"],
                    invite["max_uses"],
                    invite["uses"],
                    invite["revoked"],
                    invite["programme_id"],
                )
            )
        made.append(_Piece(items, _entries_sql(dialect, len(items)), tuple(entries), invites))
    return PreparedImport(made, invites_sql)


class RosterRepository(Repository):
    async def known_names(self, programme_id: int) -> list[str]:
        names = await self.session.scalars(
            select(RosterEntry.full_name).where(
                RosterEntry.programme_id == programme_id, RosterEntry.full_name.is_not(None)
            )
        )
        return [name for name in names if name]

    async def prepare(
        self,
        programme_id: int,
        rows: Sequence[RosterRow],
        ttl: timedelta,
        created_by_id: int | None,
    ) -> PreparedImport:
        """Everything the import's statements need, made before the write turn is taken:
        on SQLite every other writer waits from the turn to the commit."""
        programme = await self.session.get(Programme, programme_id)
        assert programme is not None, "the caller found the programme in scope"
        org = await self.session.get(Organization, programme.organization_id)
        assert org is not None
        dialect = self.session.get_bind().dialect
        now = utcnow()
        return await asyncio.to_thread(
            _prepared,
            dialect,
            rows,
            {
                "programme_id": programme.id,
                "created_at": now,
                "expires_at": now + ttl,
                "municipality_id": org.municipality_id,
                "organization_id": org.id,
                "created_by_id": created_by_id,
                "max_uses": 1,
                "uses": 0,
                "revoked": False,
            },
        )

    async def import_rows(
        self,
        programme_id: int,
        rows: Sequence[RosterRow],
        ttl: timedelta,
        created_by_id: int | None,
    ) -> list[ImportedRow]:
        """Store the valid rows and a personal link for each, all in the caller's
        transaction: either every valid row is in, or none."""
        return await self.insert(await self.prepare(programme_id, rows, ttl, created_by_id))

    async def insert(self, prepared: PreparedImport) -> list[ImportedRow]:
        """The prepared rows and their links, in the caller's transaction. Multi-row
        inserts of at most STATEMENT_ROWS rows, with a turn for everyone else between
        them, run as the driver's statements with values converted once beforehand: the
        ORM's per-row parameter handling cost several times the statements themselves,
        all of it inside SQLite's write turn."""
        connection = await self.session.connection()
        imported: list[ImportedRow] = []
        for index, piece in enumerate(prepared.pieces):
            if index:
                await breathe()
            # RETURNING comes back in no particular order: the row number tells which id is
            # whose.
            returned = await connection.exec_driver_sql(piece.entries_sql, piece.entries)
            pairs = cast("list[tuple[int, int]]", returned.all())
            ids = {row_number: entry_id for entry_id, row_number in pairs}
            await breathe()
            await connection.exec_driver_sql(
                prepared.invites_sql,
                [
                    (*invite, ids[item.row.row_number])
                    for invite, item in zip(piece.invites, piece.rows, strict=True)
                ],
            )
            imported.extend(
                ImportedRow(ids[item.row.row_number], item.row, item.code) for item in piece.rows
            )
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
