"""The schema: one class per table, dialect-neutral so SQLite and PostgreSQL share it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from surveys.channels import ChannelName
from surveys.statuses import (
    AssignmentStatus,
    OutboxStatus,
    PairStatus,
    ProgrammeStatus,
    RoundStatus,
)

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
    """One messenger account that consented; the least data that serves the programme.

    A person belongs to the channel they registered from: `channel` + `external_id` (their
    user id there), unique together. Telegram people also keep `telegram_id` (the same
    number), which the Telegram edge still looks people up by.

    After withdrawal (/forget) the row stays, without name or messenger id, so that
    aggregate figures (pairs, answers) stay correct while nobody can be identified.
    """

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    channel: Mapped[str] = mapped_column(
        String(16), default=ChannelName.TELEGRAM.value, server_default=ChannelName.TELEGRAM.value
    )
    external_id: Mapped[int | None] = mapped_column(BigInteger)
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
    # A curator's link may bind people to a programme, and a personal link (from a roster)
    # to one roster row: their pair and role, with nothing to type but consent.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    roster_entry_id: Mapped[int | None] = mapped_column(ForeignKey("roster_entry.id"))


class Programme(Base):
    """A mentoring programme of one organization in one form of mentoring."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    form: Mapped[str] = mapped_column(String(48))  # surveys/forms.yaml key
    title: Mapped[str] = mapped_column(String(200))
    academic_year: Mapped[str] = mapped_column(String(9))  # "2026/2027"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ProgrammeStatus.ACTIVE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When its personal data (roster names, free-text answers) were erased, the retention
    # period after completion having passed; its figures stay.
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Pair(Base):
    """A pair (one mentor, one mentee) or a group (one mentor, several mentees)."""

    __tablename__ = "pair"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # shown to curators, unique per programme
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PairMember(Base):
    __tablename__ = "pair_member"
    __table_args__ = (UniqueConstraint("pair_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # mentor|mentee
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RosterEntry(Base):
    """One row of a curator's roster upload: a person expected to join, bound on arrival."""

    __tablename__ = "roster_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str | None] = mapped_column(String(120))  # erased with /forget
    category: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(8))  # mentor|mentee
    pair_number: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuestionnaireSnapshot(Base):
    """The exact definition a questionnaire version was answered under, kept in the database
    so that answers stay readable after the YAML file is edited or removed."""

    __tablename__ = "questionnaire_snapshot"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(48))
    role: Mapped[str] = mapped_column(String(8))
    moment: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Assignment(Base):
    """One questionnaire for one member of one pair at one moment (start, check-in or
    completion) and occasion: start and completion have one occasion (""), a check-in one
    per round (`round:<id>`) or, outside rounds, one for the school's curator (`school`);
    see `surveys.rounds.checkin_occasion`."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id", "moment", "occasion"),
        Index("ix_assignment_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # mentor|mentee, as in the pair
    moment: Mapped[str] = mapped_column(String(16))  # start|checkin|completion
    occasion: Mapped[str] = mapped_column(String(32), default="", server_default="")
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_snapshot.id"))
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Answer(Base):
    """One answer to one question; unique per (assignment, question), so a double tap can
    only overwrite the same row, never count twice."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assignment_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(32))
    value_text: Mapped[str | None] = mapped_column(Text)  # canonical encoding, NULL = skipped
    value_numeric: Mapped[int | None] = mapped_column(Integer)  # scale value, yes=1/no=0
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxMessage(Base):
    """A message waiting to go out; the sender drains the table at Telegram's pace."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(24))  # survey_invitation|reminder|notice
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # "sending" is claimed by one sender until lease_until
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HandledUpdate(Base):
    """Updates already processed, by channel ("tg:<update id>"): a redelivered update
    changes nothing."""

    __tablename__ = "handled_update"

    update_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MonitoringRound(Base):
    """A monitoring round of a district (municipality_id) or of the whole region (None):
    intermediate (May) or annual (November–December), over a period, answered by a deadline.
    Closing it (at the deadline or by hand) freezes its figures in a RoundSnapshot."""

    __tablename__ = "monitoring_round"
    # scope_key ("m:12" or "*") makes the uniqueness work where a NULL district would not.
    __table_args__ = (
        UniqueConstraint("scope_key", "kind", "period_start", "period_end"),
        Index("ix_monitoring_round_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # surveys.rounds.RoundKind
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.OPEN)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    scope_key: Mapped[str] = mapped_column(String(24))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    timezone: Mapped[str] = mapped_column(String(64))  # where the deadline day was meant
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # NULL with closed_at set: closed by the deadline job, not by a person.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class RoundSnapshot(Base):
    """A closed round's figures as they were at closing (JSON, see exports/snapshot.py): a
    later export of the round reads these, whatever was answered since."""

    __tablename__ = "round_snapshot"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_round.id", ondelete="CASCADE"), primary_key=True
    )
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
