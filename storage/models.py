"""The schema: one class per table, dialect-neutral so SQLite and PostgreSQL share it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both dialects (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(32))
    # Head counts from the directory: the denominators of the methodology's indicators.
    students_total: Mapped[int] = mapped_column(Integer, default=0)
    students_10_18: Mapped[int] = mapped_column(Integer, default=0)
    teachers_total: Mapped[int] = mapped_column(Integer, default=0)
    teachers_under_35: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")


class Person(Base):
    """One Telegram account that consented; the least data that serves the programme.

    After withdrawal (/forget) the row stays, without name or Telegram id, so that
    aggregate figures (pairs, answers) stay correct while nobody can be identified.
    """

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[int | None] = mapped_column(Integer)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    consent_version: Mapped[str] = mapped_column(String(16))
    guardian_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    forgotten_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RoleGrant(Base):
    """A role with its scope: admin (all), methodist (a municipality), curator and
    participants (an organization)."""

    __tablename__ = "role_grant"
    # scope_key ("m:12", "o:34", "*") makes the uniqueness work where NULLs would not.
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    scope_key: Mapped[str] = mapped_column(String(24))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invite.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Invite(Base):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
