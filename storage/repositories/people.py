"""People and their role grants: registration, lookup, withdrawal of consent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, literal_column, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import make_transient_to_detached

from storage.bulk import pieces
from storage.models import HandledUpdate, Organization, Person, RoleGrant, utcnow
from storage.repositories.base import Repository
from surveys.access import Actor, Grant, scope_key
from surveys.channels import ChannelName
from surveys.people import Category, Role


@dataclass(frozen=True)
class Registration:
    """What the registration conversation collected, after consent was given.
    `telegram_id` is the person's user id in `channel`."""

    telegram_id: int
    full_name: str
    category: Category | None
    grade: int | None
    locale: str
    consent_at: datetime
    consent_version: str
    guardian_consent_at: datetime | None
    channel: ChannelName = ChannelName.TELEGRAM


# Who acts and their grants in one round trip; it runs on every update, so the statement
# is built once (SQLAlchemy then finds its compiled form by identity, not by rebuilding it).
# Plain columns, not the Person entity: loading an ORM object per update cost more than the
# statement.
_ACTING = (
    select(Person.id, Person.unreachable_at, RoleGrant.id, RoleGrant.role)
    .add_columns(RoleGrant.municipality_id, RoleGrant.organization_id)
    .outerjoin(RoleGrant, RoleGrant.person_id == Person.id)
    .where(Person.telegram_id == bindparam("telegram_id"))
    .order_by(RoleGrant.id)
)
# The same for any channel, by the person's id there.
_ACTOR_IN = (
    select(Person, RoleGrant.id, RoleGrant.role, RoleGrant.municipality_id)
    .add_columns(RoleGrant.organization_id)
    .outerjoin(RoleGrant, RoleGrant.person_id == Person.id)
    .where(Person.channel == bindparam("channel"), Person.external_id == bindparam("external_id"))
    .order_by(RoleGrant.id)
)

# PostgreSQL: the handled-update mark and the same lookup in one round trip. A
# data-modifying CTE runs exactly once, in the update's transaction, like the mark on its
# own (storage/repositories/handled.claim): a second worker holding the same update waits on
# the row lock, then finds it taken (`claimed` 0). The lookup hangs off a one-row FROM, so
# someone not registered yet still gives one row (person and grant columns NULL).
_MARK = (
    postgresql.insert(cast(Table, HandledUpdate.__table__))
    .values(update_key=bindparam("update_key"), handled_at=bindparam("handled_at"))
    .on_conflict_do_nothing(index_elements=["update_key"])
    .returning(literal_column("1"))
    .cte("mark")
)
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
# SQLite: whether the update was handled already, and who acts, in one read (the mark is
# written with the update's first commit, app/uow.py). The lookup hangs off a one-row FROM
# (`_ONE_ROW`), so someone not registered yet still gives one row.
_SEEN_ACTING = (
    select(
        exists().where(HandledUpdate.update_key == bindparam("update_key")).label("seen"),
        Person.id,
        Person.unreachable_at,
        RoleGrant.id,
    )
    .add_columns(RoleGrant.role, RoleGrant.municipality_id, RoleGrant.organization_id)
    .select_from(_ONE_ROW)
    .outerjoin(Person, Person.telegram_id == bindparam("telegram_id"))
    .outerjoin(RoleGrant, RoleGrant.person_id == Person.id)
    .order_by(RoleGrant.id)
)
# Core on the tables, run on the session's connection: the ORM's execution and row loading
# cost about 0.12 ms of CPU per update more (timed with 8 updates in flight). A person found
# is put into the session as if the ORM had loaded it (`_loaded_person`).
_PERSON = cast(Table, Person.__table__)
_GRANT = cast(Table, RoleGrant.__table__)
_PERSON_KEYS = tuple(column.key for column in _PERSON.c)
_CLAIMED_ACTOR = (
    select(
        select(func.count()).select_from(_MARK).scalar_subquery().label("claimed"),
        *_PERSON.c,
        _GRANT.c.id,
        _GRANT.c.role,
        _GRANT.c.municipality_id,
        _GRANT.c.organization_id,
    )
    .select_from(_ONE_ROW)
    .outerjoin(_PERSON, _PERSON.c.telegram_id == bindparam("telegram_id"))
    .outerjoin(_GRANT, _GRANT.c.person_id == _PERSON.c.id)
    .order_by(_GRANT.c.id)
)
_PERSON_ID_AT = 1 + _PERSON_KEYS.index("id")  # a row's columns: claimed, person, grant
_GRANT_AT = 1 + len(_PERSON_KEYS)


class PeopleRepository(Repository):
    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.telegram_id == telegram_id))

    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def grants(self, person_id: int) -> list[Grant]:
        rows = await self.session.scalars(
            select(RoleGrant).where(RoleGrant.person_id == person_id).order_by(RoleGrant.id)
        )
        return [Grant(Role(row.role), row.municipality_id, row.organization_id) for row in rows]

    async def by_external_id(self, channel: ChannelName, external_id: int) -> Person | None:
        return await self.session.scalar(
            select(Person).where(Person.channel == channel, Person.external_id == external_id)
        )

    async def set_reachable(
        self, person_id: int, reachable: bool, now: datetime | None = None
    ) -> bool:
        """Whether the outbox may write to the person: not since they blocked the bot, again
        once they came back. True when this changed anything."""
        if reachable:
            statement = (
                update(Person)
                .where(Person.id == person_id, Person.unreachable_at.is_not(None))
                .values(unreachable_at=None)
            )
        else:
            statement = (
                update(Person)
                .where(Person.id == person_id, Person.unreachable_at.is_(None))
                .values(unreachable_at=now or utcnow())
            )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def unreachable_among(self, person_ids: Sequence[int]) -> set[int]:
        """Those of `person_ids` who blocked the bot and have not come back."""
        found: set[int] = set()
        for piece in pieces(sorted(set(person_ids))):
            found.update(
                await self.session.scalars(
                    select(Person.id).where(
                        Person.id.in_(piece), Person.unreachable_at.is_not(None)
                    )
                )
            )
        return found

    async def acting(self, telegram_id: int, admin_ids: frozenset[int]) -> tuple[Actor, bool]:
        """Who acts as Telegram user `telegram_id`, and whether they are marked unreachable
        (they blocked the bot; `came_back` undoes it)."""
        connection = await self.session.connection()
        rows = (await connection.execute(_ACTING, {"telegram_id": telegram_id})).all()
        return _acting(telegram_id, admin_ids, rows)

    async def seen_and_acting(
        self, update_key: str, telegram_id: int, admin_ids: frozenset[int]
    ) -> tuple[bool, Actor, bool]:
        """SQLite: whether `update_key` is marked handled already, and `acting`'s answer, in
        one statement (one per update less on the answer path)."""
        connection = await self.session.connection()
        parameters = {"update_key": update_key, "telegram_id": telegram_id}
        rows = (await connection.execute(_SEEN_ACTING, parameters)).all()
        actor, unreachable = _acting(telegram_id, admin_ids, [row[1:] for row in rows if row[1]])
        return bool(rows[0][0]), actor, unreachable

    async def came_back(self, person_id: int) -> None:
        """They wrote to the bot: the outbox may reach them again. Written with the unit of
        work's next flush, as any change of a loaded person."""
        person = await self.session.get(Person, person_id)
        if person is not None:
            person.unreachable_at = None

    async def claim_as_actor(
        self, update_key: str, telegram_id: int, admin_ids: frozenset[int]
    ) -> tuple[bool, Actor, Person | None]:
        """PostgreSQL only: mark the update handled (False: another delivery of it marked
        it first) and say who acts, in one statement of the update's transaction. The
        update's first statement: its session holds no person yet."""
        parameters = {"update_key": update_key, "handled_at": utcnow(), "telegram_id": telegram_id}
        connection = await self.session.connection()
        rows = (await connection.execute(_CLAIMED_ACTOR, parameters)).all()
        claimed = bool(rows[0][0])
        found: list[tuple[Any, ...]] = []
        if rows[0][_PERSON_ID_AT] is not None:  # they are registered
            person = self._loaded_person(rows[0][1:_GRANT_AT])
            found = [(person, *row[_GRANT_AT:]) for row in rows]
        actor, person_or_none = _actor(found, ChannelName.TELEGRAM, telegram_id, admin_ids)
        return claimed, actor, person_or_none

    def _loaded_person(self, values: Sequence[Any]) -> Person:
        """The person as if the ORM had loaded them into this session: every column set,
        no changes pending, in the identity map, so a change to it is flushed at commit and
        `session.get` finds it."""
        person = Person(**dict(zip(_PERSON_KEYS, values, strict=True)))
        make_transient_to_detached(person)
        self.session.add(person)
        return person

    async def actor_in(
        self, channel: ChannelName, external_id: int, admin_ids: frozenset[int]
    ) -> tuple[Actor, Person | None]:
        """Who acts in `channel` as user `external_id`; `admin_ids` are that channel's."""
        parameters = {"channel": channel.value, "external_id": external_id}
        rows = (await self.session.execute(_ACTOR_IN, parameters)).all()
        return _actor(rows, channel, external_id, admin_ids)

    async def register(self, registration: Registration, organization_id: int | None) -> Person:
        telegram = registration.channel is ChannelName.TELEGRAM
        person = Person(
            telegram_id=registration.telegram_id if telegram else None,
            channel=registration.channel.value,
            external_id=registration.telegram_id,
            full_name=registration.full_name,
            category=registration.category.value if registration.category else None,
            grade=registration.grade,
            organization_id=organization_id,
            locale=registration.locale,
            consent_at=registration.consent_at,
            consent_version=registration.consent_version,
            guardian_consent_at=registration.guardian_consent_at,
        )
        self.session.add(person)
        await self.session.flush()
        return person

    async def has_grant(
        self, person_id: int, role: Role, municipality_id: int | None, organization_id: int | None
    ) -> bool:
        found = await self.session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.person_id == person_id,
                RoleGrant.role == role.value,
                RoleGrant.scope_key == scope_key(municipality_id, organization_id),
            )
        )
        return found is not None

    async def grant(
        self,
        person: Person,
        role: Role,
        municipality_id: int | None,
        organization_id: int | None,
        invite_id: int | None = None,
    ) -> bool:
        """Add a role grant; False when the person already holds exactly that one."""
        if await self.has_grant(person.id, role, municipality_id, organization_id):
            return False
        self.session.add(
            RoleGrant(
                person_id=person.id,
                role=role.value,
                municipality_id=municipality_id,
                organization_id=organization_id,
                scope_key=scope_key(municipality_id, organization_id),
                invite_id=invite_id,
            )
        )
        if person.organization_id is None and organization_id is not None:
            person.organization_id = organization_id
        await self.session.flush()
        return True

    async def organization_of(self, person: Person) -> Organization | None:
        if person.organization_id is None:
            return None
        return await self.session.get(Organization, person.organization_id)


def _actor(
    rows: Sequence[Any], channel: ChannelName, external_id: int, admin_ids: frozenset[int]
) -> tuple[Actor, Person | None]:
    person: Person | None = rows[0][0] if rows else None
    grants = tuple(
        Grant(Role(role), municipality_id, organization_id)
        for _person, grant_id, role, municipality_id, organization_id in rows
        if grant_id is not None
    )
    actor = Actor(
        telegram_id=external_id,
        person_id=person.id if person else None,
        is_admin=external_id in admin_ids,
        grants=grants,
        channel=channel,
    )
    return actor, person


def _acting(telegram_id: int, admin_ids: frozenset[int], rows: Sequence[Any]) -> tuple[Actor, bool]:
    """The actor from rows of (person id, unreachable_at, grant id, role, municipality,
    organization), and whether the person is marked unreachable."""
    grants = tuple(
        Grant(Role(role), municipality_id, organization_id)
        for _id, _unreachable, grant_id, role, municipality_id, organization_id in rows
        if grant_id is not None
    )
    actor = Actor(
        telegram_id=telegram_id,
        person_id=rows[0][0] if rows else None,
        is_admin=telegram_id in admin_ids,
        grants=grants,
        channel=ChannelName.TELEGRAM,
    )
    return actor, bool(rows) and rows[0][1] is not None
