"""Tables of the operational store (SQLAlchemy 2 typed declarative).

The schema itself is created by the Alembic migrations in ``migrations/versions``; a test checks
that these models and the migrations agree. Times are stored as UTC without a time zone (the same on
SQLite and PostgreSQL) and come back as aware UTC datetimes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Report",
    "ReportContact",
    "StatusChange",
    "User",
    "AuditEntry",
    "LoginSession",
    "ProgrammeMeasure",
    "ProgrammeMilestone",
    "MeasureChange",
    "KINDS",
    "REPORT_SOURCES",
    "STATUSES",
    "FORWARD_TARGETS",
    "NEAR_FACILITY_TYPES",
    "ROLES",
    "DESCRIPTION_MAX",
    "utcnow",
]

KINDS = ("dealing", "handing_over", "stashing", "nuisance")
STATUSES = ("new", "triaged", "forwarded", "closed")
FORWARD_TARGETS = ("police", "enforcement", "stadsdeel")
# The facility types of weerbaar.sources.facilities.FACILITY_TYPES (a test checks they agree).
NEAR_FACILITY_TYPES = ("school", "playground", "community_centre", "youth_centre", "care_centre", "other")
ROLES = ("analyst", "moderator", "admin")
REPORT_SOURCES = ("form", "api", "signalen")  # the public form, POST /api/v1/reports, an imported Signalen export
DESCRIPTION_MAX = 2000
# weerbaar.programme.STATUSES (a test checks they agree)
MEASURE_STATUSES = ("planned", "in_preparation", "running", "completed", "delayed", "stopped")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC and returned as aware UTC; naive input is taken as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:  # never the hash
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r}, active={self.active!r})"


class Report(Base):
    """A resident's report. The location is only ever the centre of its 100 m RD New grid cell."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("forwarded_to", FORWARD_TARGETS), name="forwarded_to"),
        CheckConstraint(_in("near_facility_type", NEAR_FACILITY_TYPES), name="near_facility_type"),
        CheckConstraint(f"length(description) <= {DESCRIPTION_MAX}", name="description_length"),
        CheckConstraint("x % 100 = 50 AND y % 100 = 50", name="cell_centre"),
        CheckConstraint(_in("source", REPORT_SOURCES), name="source"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    x: Mapped[int] = mapped_column(Integer)
    y: Mapped[int] = mapped_column(Integer)
    buurt_code: Mapped[str | None] = mapped_column(String(20), index=True)
    near_facility_type: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    forwarded_to: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # SHA-256 of the body first sent with the key: the same key with another body is refused (409)
    idempotency_hash: Mapped[str | None] = mapped_column(String(64))
    # set when a moderator rejects the report: it stays (with its history) but is left out of every figure
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20), default="form", server_default="form")
    # an imported report's id in its source system ("signalen:12345"): importing twice stores it once
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True, index=True)
    category: Mapped[str | None] = mapped_column(String(100))  # the source's own category (Signalen slug)

    contact: Mapped[ReportContact | None] = relationship(back_populates="report", uselist=False)
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="report", order_by="(StatusChange.at, StatusChange.id)"
    )
    if TYPE_CHECKING:  # not a column: set on loaded rows by the partner queue page (web/partner.py)
        _has_contact: bool

    def __repr__(self) -> str:
        return f"Report(id={self.id!r}, kind={self.kind!r}, status={self.status!r}, cell=({self.x}, {self.y}))"


class ReportContact(Base):
    """Contact details of a report, apart from it and encrypted (Fernet); ``blob`` is None once erased."""

    __tablename__ = "report_contacts"

    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("reports.id"), primary_key=True)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship(back_populates="contact")

    def __repr__(self) -> str:  # never the blob
        return f"ReportContact(report_id={self.report_id!r}, erased_at={self.erased_at!r})"


class StatusChange(Base):
    """One step of a report's history. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "status_changes"
    __table_args__ = (
        CheckConstraint(_in("from_status", STATUSES), name="from_status"),
        CheckConstraint(_in("to_status", STATUSES), name="to_status"),
        CheckConstraint("length(trim(reason)) > 0", name="reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))

    report: Mapped[Report] = relationship(back_populates="history")


class AuditEntry(Base):
    """Who did what to which report (``view_contact``, ``erase_contact``). Append-only like the history."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    report_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("reports.id"), index=True)


class LoginSession(Base):
    """A partner's login. The cookie holds a random token; only its SHA-256 is stored, so a copy of the
    database cannot be used to log in. Logging out (or an admin deactivating the user) revokes it."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:  # never the hash
        revoked = self.revoked_at is not None
        return f"LoginSession(user_id={self.user_id!r}, expires_at={self.expires_at!r}, revoked={revoked})"


class ProgrammeMeasure(Base):
    """The editable state of one of the programme's measures; its text comes from the packaged register."""

    __tablename__ = "programme_measures"
    __table_args__ = (CheckConstraint(_in("status", MEASURE_STATUSES), name="status"),)

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title_nl: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    status_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))

    milestones: Mapped[list[ProgrammeMilestone]] = relationship(order_by="ProgrammeMilestone.position")


class ProgrammeMilestone(Base):
    """A milestone of a measure, by its position in the register; only ``done`` changes."""

    __tablename__ = "programme_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_number: Mapped[int] = mapped_column(Integer, ForeignKey("programme_measures.number"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    due: Mapped[str] = mapped_column(String(10), default="")
    title_nl: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeasureChange(Base):
    """One change to a measure (status, note or a milestone). Append-only like ``status_changes``."""

    __tablename__ = "measure_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_number: Mapped[int] = mapped_column(Integer, ForeignKey("programme_measures.number"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
