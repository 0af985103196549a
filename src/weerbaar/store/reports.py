"""Residents' reports of drug dealing near schools and playgrounds: the service functions.

Every function takes a SQLAlchemy ``Session`` and leaves committing to the caller (see
``weerbaar.store.db.session``). Privacy by design: a report's location is only ever stored as the
centre of its 100 m grid cell (RD New); contact details are stored apart, encrypted with Fernet,
shown only to moderators and admins (each view is audited), and erased ``contact_retention_months``
after the report is closed.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeGuard
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import settings
from ..errors import ConfigError, InputError, NotFoundError, WeerbaarError
from .models import (
    DESCRIPTION_MAX,
    FORWARD_TARGETS,
    KINDS,
    NEAR_FACILITY_TYPES,
    REPORT_SOURCES,
    ROLES,
    STATUSES,
    AuditEntry,
    Report,
    ReportContact,
    StatusChange,
    User,
    utcnow,
)

__all__ = [
    "ALLOWED",
    "BBOX",
    "CELL",
    "CONTACT_MAX",
    "NotAllowedError",
    "ConflictError",
    "reject_report",
    "submit_report",
    "change_status",
    "view_contact",
    "erase_expired_contacts",
    "create_user",
    "authenticate",
    "coarsen",
    "status_counts",
    "queue",
    "get_report",
    "export_rows",
    "record_access",
    "audit_log",
    "EXPORT_COLUMNS",
]

ALLOWED: dict[str, set[str]] = {
    "new": {"triaged", "closed"},
    "triaged": {"forwarded", "closed"},
    "forwarded": {"closed"},
    "closed": set(),
}
CELL = 100  # metres: the grid a report's location is coarsened to
BBOX = (100_000, 470_000, 140_000, 500_000)  # Amsterdam and surroundings in RD New (xmin, ymin, xmax, ymax)
CONTACT_MAX = 500
REASON_MAX = 1000
IDEMPOTENCY_KEY_MAX = 200
PASSWORD_MIN = 12
CONTACT_VIEWERS = ("moderator", "admin")
LOCAL = ZoneInfo("Europe/Amsterdam")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters except tab and newlines


class NotAllowedError(WeerbaarError, PermissionError):
    """The user's role (or an inactive account) does not allow this action; the API answers 403."""


class ConflictError(InputError):
    """A submission key was used before with a different report; the API answers 409."""


#: The earliest moment a report (or an imported signal) may be dated: nothing older is a report of this programme.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: How long before the report a resident may say they saw it (form, API and imports alike).
SEEN_WINDOW = timedelta(days=366)
#: Clock skew allowed for "now".
SKEW = timedelta(minutes=10)


# ---------------------------------------------------------------------------------------------
# validation helpers


def _text(value, *, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(
            f"The {field} must be text.", received=type(value).__name__, expected="text", fix=f"type the {field}"
        )
    value = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    if len(value) > limit:
        raise InputError(
            f"The {field} is too long.",
            received=f"{len(value)} characters",
            expected=f"at most {limit} characters",
            fix=f"shorten the {field} to {limit} characters",
        )
    return value


def _choice(value, options: tuple[str, ...] | list[str], *, problem: str, fix: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise InputError(problem, received=repr(value), expected=", ".join(options), fix=fix)
    return value


_local = threading.local()


def _to_rd():
    """WGS84 -> RD New, one transformer per thread (made once per worker thread, ~100 ms): a PROJ object shared
    between threads under load is not something to rely on."""
    transformer = getattr(_local, "to_rd", None)
    if transformer is None:
        from pyproj import Transformer

        transformer = _local.to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    return transformer


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(
            "The location could not be read.",
            received=f"{name}={value!r}",
            expected="a finite number",
            fix="pick the place on the map again",
        )
    return float(value)


def coarsen(x: float, y: float) -> tuple[int, int]:
    """The centre of the 100 m RD New grid cell holding (x, y)."""
    return int(math.floor(x / CELL) * CELL + CELL // 2), int(math.floor(y / CELL) * CELL + CELL // 2)


def _location(x, y, crs: str) -> tuple[int, int]:
    x, y = _number(x, "x"), _number(y, "y")
    if crs == "EPSG:4326":
        lon, lat = x, y
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(
                "The location is not a valid longitude/latitude.",
                received=f"lon={lon}, lat={lat}",
                expected="longitude -180..180 and latitude -90..90 (Amsterdam is about 4.9, 52.37)",
                fix="pick the place on the map again",
            )
        x, y = _to_rd().transform(lon, lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            x, y = -1.0, -1.0  # outside the projection: refused below
    elif crs != "EPSG:28992":
        raise InputError(
            "Unknown coordinate system.",
            received=repr(crs),
            expected="EPSG:28992 (RD New, metres) or EPSG:4326 (longitude/latitude)",
            fix="send RD New x/y or WGS84 longitude/latitude",
        )
    xmin, ymin, xmax, ymax = BBOX
    if not (xmin <= x <= xmax and ymin <= y <= ymax):
        raise InputError(
            "This place is outside Amsterdam, so we cannot take the report.",
            received=f"RD New x={x:.0f}, y={y:.0f}",
            expected=f"a place in Amsterdam (RD New x {xmin}-{xmax}, y {ymin}-{ymax})",
            fix="pick the place on the map of Amsterdam; outside Amsterdam, call the police on 0900-8844",
        )
    return coarsen(x, y)


def as_utc(value: datetime) -> datetime | None:
    """An aware UTC datetime (naive = Amsterdam time), or None where the conversion overflows (years 1, 9999)."""
    if not EARLIEST.year - 1 <= value.year <= 9000:
        return None  # far outside any window; converting year 1 or 9999 across a time zone overflows
    try:
        return (value.replace(tzinfo=LOCAL) if value.tzinfo is None else value).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def seen_in_window(seen: datetime | None, created: datetime) -> TypeGuard[datetime]:
    """Whether ``seen`` (aware) lies in the window of a report made at ``created``: not after it, at most
    ``SEEN_WINDOW`` before it."""
    return seen is not None and created - SEEN_WINDOW <= seen <= created + SKEW


def _seen_at(value, created: datetime) -> datetime | None:
    """When the resident saw it, checked against the window: at most ``SEEN_WINDOW`` (12 months) before the
    report, not after it. Anything else (year 1, 9999, 1900, next week) is refused with a clear message."""
    if value is None or value == "":
        return None
    raw = value
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise InputError(
            "We could not read when you saw it.",
            received=repr(raw)[:80],
            expected="a date and time such as 2025-03-01T21:30",
            fix="choose the date and time again, or leave it empty",
        )
    moment = as_utc(value)
    if moment is not None and moment > created + SKEW:
        raise InputError(
            "The time you saw it lies in the future.",
            received=moment.isoformat(),
            expected="a moment in the past",
            fix="check the date and time",
        )
    if not seen_in_window(moment, created):
        raise InputError(
            "The date when you saw it is too long ago.",
            received=repr(raw)[:80] if moment is None else moment.isoformat(),
            expected=f"a date in the last 12 months (after {(created - SEEN_WINDOW).date().isoformat()})",
            fix="check the date and time; for something older, call the police on 0900-8844",
        )
    return moment


def _created_at(value: datetime | None) -> datetime:
    """When the report was made: now, or (for an imported report) the time its source system gives."""
    if value is None:
        return utcnow()
    if not isinstance(value, datetime):
        raise InputError("The report time must be a datetime.", received=repr(value), expected="a datetime")
    moment = as_utc(value)
    if moment is None or not EARLIEST <= moment <= utcnow() + SKEW:
        raise InputError(
            "The report time lies outside the accepted window.",
            received=repr(value)[:80] if moment is None else moment.isoformat(),
            expected=f"a moment from {EARLIEST.date().isoformat()} up to now",
            fix="check the report's date in the source system",
        )
    return moment


# ---------------------------------------------------------------------------------------------
# contact encryption


def _key_file() -> Path:
    return settings.home() / "contact.key"


def _read_or_create_key(path: Path) -> bytes:
    from cryptography.fernet import Fernet

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
    else:
        key = Fernet.generate_key()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    return key


def _fernet():
    from cryptography.fernet import Fernet

    configured = settings.get("contact_key")
    key = configured.encode("ascii") if configured else _read_or_create_key(_key_file())
    try:
        return Fernet(key)
    except ValueError:
        raise ConfigError(
            "The contact key file is not a valid key.",
            received=str(_key_file()),
            expected="a Fernet key (44 characters, url-safe base64)",
            fix="restore the key file from its backup, or set WEERBAAR_CONTACT_KEY",
        ) from None


# ---------------------------------------------------------------------------------------------
# reports


def submit_report(
    session: Session,
    *,
    kind: str,
    x: float,
    y: float,
    crs: str = "EPSG:28992",
    seen_at: datetime | str | None = None,
    near_facility_type: str | None = None,
    description: str | None = "",
    contact: str | None = None,
    idempotency_key: str | None = None,
    buurt_code: str | None = None,
    source: str = "form",
    external_id: str | None = None,
    category: str | None = None,
    created_at: datetime | None = None,
) -> Report:
    """Store a resident's report (validated, location coarsened, contact encrypted apart).

    With ``crs="EPSG:4326"``, ``x`` is the longitude and ``y`` the latitude. A second call with
    the same ``idempotency_key`` returns the first report and stores nothing; so does a second import
    of the same ``external_id`` (an imported report's id in its source system, e.g. ``signalen:123``).
    """
    source = _choice(source, REPORT_SOURCES, problem="Unknown report source.", fix="use form, api or signalen")
    if external_id is not None:
        external_id = _text(external_id, field="external id", limit=100) or None
        if external_id:
            existing = session.scalar(select(Report).where(Report.external_id == external_id))
            if existing is not None:
                return existing
    fingerprint = None
    if idempotency_key is not None:
        idempotency_key = _key(idempotency_key)
        fingerprint = body_hash(
            source=source, kind=kind, x=x, y=y, crs=crs, seen_at=seen_at, near_facility_type=near_facility_type,
            description=description, contact=contact, buurt_code=buurt_code,
        )  # fmt: skip
        if idempotency_key:
            existing = session.scalar(select(Report).where(Report.idempotency_key == idempotency_key))
            if existing is not None:
                return _same_body(existing, fingerprint)
    kind = _choice(
        kind,
        KINDS,
        problem="Please choose what you saw.",
        fix="choose dealing, handing over, stashing or nuisance",
    )
    cx, cy = _location(x, y, crs)
    created = _created_at(created_at)
    if near_facility_type is not None:
        near_facility_type = _choice(
            near_facility_type,
            NEAR_FACILITY_TYPES,
            problem="Unknown kind of place nearby.",
            fix="choose a school, playground, community centre, youth centre, care centre or other",
        )
    if buurt_code is not None:
        buurt_code = _text(buurt_code, field="neighbourhood code", limit=20) or None
    text = _text(description, field="description", limit=DESCRIPTION_MAX)
    contact_text = _text(contact, field="contact details", limit=CONTACT_MAX) or None
    report = Report(
        kind=kind,
        x=cx,
        y=cy,
        seen_at=_seen_at(seen_at, created),
        near_facility_type=near_facility_type,
        buurt_code=buurt_code,
        description=text,
        status="new",
        idempotency_key=idempotency_key,
        source=source,
        external_id=external_id,
        category=_text(category, field="category", limit=100) or None,
        created_at=created,
        idempotency_hash=fingerprint if idempotency_key else None,
    )
    if contact_text:
        report.contact = ReportContact(blob=_fernet().encrypt(contact_text.encode("utf-8")), created_at=utcnow())
    try:
        with session.begin_nested():  # a concurrent retry with the same key loses the race here
            session.add(report)
            session.flush()
    except IntegrityError:
        for column, value in ((Report.idempotency_key, idempotency_key), (Report.external_id, external_id)):
            if value:
                existing = session.scalar(select(Report).where(column == value))
                if existing is not None:
                    return _same_body(existing, fingerprint) if column is Report.idempotency_key else existing
        raise
    return report


def _key(value) -> str | None:
    """A submission key exactly as sent (no trimming: " 1" and "1" are different keys), printable ASCII."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) > IDEMPOTENCY_KEY_MAX or not re.fullmatch(r"[\x21-\x7e]+", value):
        raise InputError(
            "The submission key is not valid.",
            received=f"{len(value)} characters" + ("" if value.isascii() else ", not ASCII"),
            expected=f"1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces",
            fix="send a random key such as a UUID, or none",
        )
    return value


def body_hash(**fields) -> str:
    """SHA-256 of a report's fields as given: a submission key is bound to the report it was first sent with."""
    import hashlib
    import json

    text = json.dumps({k: v if v is None or isinstance(v, str | int | float) else str(v) for k, v in fields.items()},
                      sort_keys=True, default=str)  # fmt: skip
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _same_body(existing: Report, fingerprint: str | None) -> Report:
    """The stored report for a repeated key, when the body is the same; else a ConflictError (HTTP 409)."""
    if existing.idempotency_hash is not None and existing.idempotency_hash != fingerprint:
        raise ConflictError(
            "This submission key was already used for a different report.",
            received="a known submission key with another report",
            expected="the same key only when sending the same report again",
            fix="send a new, random submission key (such as a UUID) with each new report",
        )
    return existing


def _get_report(session: Session, report_id: str, *, lock: bool = False) -> Report:
    report = session.get(Report, report_id, with_for_update=lock) if isinstance(report_id, str) else None
    if report is None:
        raise NotFoundError(
            "No such report.", received=repr(report_id), expected="the id of a stored report", fix="check the id"
        )
    return report


def change_status(
    session: Session,
    report_id: str,
    to_status: str,
    *,
    reason: str,
    actor: User | None,
    forwarded_to: str | None = None,
) -> StatusChange:
    """Move a report along ``ALLOWED`` and append the step to its history (with a required reason)."""
    to_status = _choice(to_status, STATUSES, problem="Unknown status.", fix="choose one of the listed statuses")
    reason = _text(reason, field="reason", limit=REASON_MAX)
    if not reason:
        raise InputError(
            "A status change needs a reason.",
            received="an empty reason",
            expected="a short explanation",
            fix="say why the status changes, for example 'forwarded to the wijkagent'",
        )
    if actor is not None and not actor.active:
        raise NotAllowedError("This account is not active.", received=actor.username, fix="ask an admin")
    report = _get_report(session, report_id, lock=True)
    if to_status not in ALLOWED[report.status]:
        raise InputError(
            "This status change is not allowed.",
            received=f"{report.status} -> {to_status}",
            expected=f"{report.status} -> " + (", ".join(sorted(ALLOWED[report.status])) or "(nothing: final)"),
            fix="follow new -> triaged -> forwarded -> closed (closing is allowed from any open status)",
        )
    if to_status == "forwarded":
        forwarded_to = _choice(
            forwarded_to,
            FORWARD_TARGETS,
            problem="Say where the report is forwarded to.",
            fix="choose police, enforcement or stadsdeel",
        )
        report.forwarded_to = forwarded_to
    elif forwarded_to is not None:
        raise InputError(
            "Only a forwarded report has a forwarding target.",
            received=f"forwarded_to={forwarded_to!r} with status {to_status}",
            expected="no forwarded_to",
            fix="leave forwarded_to empty",
        )
    now = utcnow()
    change = StatusChange(
        report_id=report.id,
        at=now,
        from_status=report.status,
        to_status=to_status,
        reason=reason,
        actor_id=actor.id if actor is not None else None,
    )
    report.status = to_status
    if to_status == "closed":
        report.closed_at = now
    session.add(change)
    session.flush()
    return change


REJECTED = "rejected (left out of the figures): "
REJECTERS = ("moderator", "admin")


def reject_report(session: Session, report_id: str, *, reason: str, actor: User | None) -> StatusChange:
    """Reject a report (abuse, a test, an impossible date): it is closed, keeps its history, and is left out of
    every figure from the next ``weerbaar ingest reports`` on. Moderators and admins only (``actor=None`` is
    the command line); the step is in the report's history and in the audit log."""
    if actor is not None and (not isinstance(actor, User) or not actor.active or actor.role not in REJECTERS):
        raise NotAllowedError(
            "Only moderators and admins may reject a report.",
            received=f"role {getattr(actor, 'role', None)!r}",
            expected=" or ".join(REJECTERS) + " (active account)",
            fix="ask a moderator",
        )
    reason = _text(reason, field="reason", limit=REASON_MAX - len(REJECTED))
    if not reason:
        raise InputError(
            "Rejecting a report needs a reason.",
            received="an empty reason",
            expected="a short explanation",
            fix="say why, for example 'test submission' or 'date impossible'",
        )
    report = _get_report(session, report_id, lock=True)
    if report.excluded_at is not None:
        raise InputError(
            "This report is already rejected.",
            received=f"report {report.id}",
            expected="a report that counts in the figures",
            fix="nothing to do",
        )
    now = utcnow()
    change = StatusChange(
        report_id=report.id, at=now, from_status=report.status, to_status="closed",
        reason=REJECTED + reason, actor_id=actor.id if actor is not None else None,
    )  # fmt: skip
    report.status = "closed"
    report.closed_at = report.closed_at or now
    report.excluded_at = now
    session.add(change)
    session.add(AuditEntry(at=now, actor_id=actor.id if actor is not None else None, action="reject_report",
                           report_id=report.id))  # fmt: skip
    session.flush()
    return change


def view_contact(session: Session, report_id: str, *, actor: User | None) -> str | None:
    """The decrypted contact details (None if none or erased); every view is written to the audit log."""
    if not isinstance(actor, User) or not actor.active or actor.role not in CONTACT_VIEWERS:
        raise NotAllowedError(
            "Only moderators and admins may see a reporter's contact details.",
            received=f"role {getattr(actor, 'role', None)!r}",
            expected=" or ".join(CONTACT_VIEWERS) + " (active account)",
            fix="ask a moderator",
        )
    report = _get_report(session, report_id)
    session.add(AuditEntry(at=utcnow(), actor_id=actor.id, action="view_contact", report_id=report.id))
    session.flush()
    contact = report.contact
    if contact is None or contact.blob is None:
        return None
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(contact.blob).decode("utf-8")
    except InvalidToken:
        raise ConfigError(
            "The contact details cannot be decrypted with the current key.",
            received=f"report {report.id}",
            expected="the key the details were encrypted with",
            fix="restore the original contact key (WEERBAAR_CONTACT_KEY or <home>/contact.key)",
        ) from None


def _months_before(moment: datetime, months: int) -> datetime:
    import calendar

    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def erase_expired_contacts(session: Session, *, now: datetime | None = None, months: int | None = None) -> int:
    """Erase the contact details of reports closed more than ``months`` (setting) ago; return how many."""
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    months = settings.get("contact_retention_months") if months is None else months
    cutoff = _months_before(now, int(months))
    contacts = session.scalars(
        select(ReportContact)
        .join(Report, Report.id == ReportContact.report_id)
        .where(Report.status == "closed", Report.closed_at < cutoff, ReportContact.erased_at.is_(None))
    ).all()
    for contact in contacts:
        contact.blob = None
        contact.erased_at = now
        session.add(AuditEntry(at=now, actor_id=None, action="erase_contact", report_id=contact.report_id))
    session.flush()
    return len(contacts)


# ---------------------------------------------------------------------------------------------
# users


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone: spends the time of a real check")


_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,100}$")


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """A new active user with an argon2id password hash."""
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise InputError(
            "Invalid username.",
            received=repr(username),
            expected="3-100 letters, digits or . _ @ -",
            fix="choose another username",
        )
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InputError(
            "The password is too short.",
            received=f"{len(password) if isinstance(password, str) else 0} characters",
            expected=f"at least {PASSWORD_MIN} characters",
            fix="choose a longer password (a passphrase of a few words works well)",
        )
    role = _choice(role, ROLES, problem="Unknown role.", fix="choose analyst, moderator or admin")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InputError(
            "This username is taken.", received=repr(username), expected="a new username", fix="choose another"
        )
    user = User(username=username, password_hash=_hasher().hash(password), role=role, active=True, created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (unknown users take as long)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user = session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if not isinstance(password, str):
        # an empty attempt (verified against the dummy hash), not a credential
        password = ""  # nosec B105
    try:
        if user is None or not user.active:
            _hasher().verify(_dummy_hash(), password)
            return None
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
        session.flush()
    return user


# ---------------------------------------------------------------------------------------------
# the partners' queue, export and audit log

QUEUE_MAX = 200
EXPORT_COLUMNS = (
    "id", "source", "category", "created_at", "seen_at", "kind", "x", "y", "buurt_code", "near_facility_type",
    "status", "forwarded_to", "closed_at", "history",
)  # fmt: skip


def status_counts(session: Session) -> dict[str, int]:
    """How many reports have each status (every status listed, zero included)."""
    from sqlalchemy import func

    rows = session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


def queue(session: Session, *, status: str | None = "new", limit: int = 50, offset: int = 0) -> list[Report]:
    """Reports with ``status`` (None: all), oldest first for open statuses and newest first for closed."""
    if status is not None:
        status = _choice(status, STATUSES, problem="Unknown status.", fix="choose one of the listed statuses")
    limit = max(1, min(int(limit), QUEUE_MAX))
    q = select(Report)
    if status is not None:
        q = q.where(Report.status == status)
    order = Report.created_at.desc() if status in (None, "closed") else Report.created_at.asc()
    return list(session.scalars(q.order_by(order, Report.id).limit(limit).offset(max(0, int(offset)))).all())


def get_report(session: Session, report_id: str) -> Report:
    """One report (NotFoundError if there is none with this id)."""
    return _get_report(session, report_id)


def export_rows(session: Session, *, status: str | None = None) -> list[dict]:
    """Every report as a flat row for partners: no contact details, no free text, no staff names.

    ``history`` is the sequence of status steps with their dates ("2025-03-02 triaged; ..."): who made
    a step stays in the store (and its audit log), never in an export.
    """
    if status is not None:
        status = _choice(status, STATUSES, problem="Unknown status.", fix="choose one of the listed statuses")
    from sqlalchemy.orm import selectinload

    q = select(Report).options(selectinload(Report.history)).order_by(Report.created_at, Report.id)
    if status is not None:
        q = q.where(Report.status == status)
    rows = []
    for r in session.scalars(q):
        history = "; ".join(f"{c.at:%Y-%m-%d} {c.to_status}" for c in r.history)
        rows.append(
            {
                "id": r.id,
                "source": r.source,
                "category": r.category or "",
                "created_at": r.created_at.isoformat(timespec="seconds"),
                "seen_at": r.seen_at.isoformat(timespec="seconds") if r.seen_at else "",
                "kind": r.kind,
                "x": r.x,
                "y": r.y,
                "buurt_code": r.buurt_code or "",
                "near_facility_type": r.near_facility_type or "",
                "status": r.status,
                "forwarded_to": r.forwarded_to or "",
                "closed_at": r.closed_at.isoformat(timespec="seconds") if r.closed_at else "",
                "history": history,
            }
        )
    return rows


def record_access(session: Session, action: str, *, actor: User | None, report_id: str | None = None) -> None:
    """Write one line to the audit log (e.g. ``login``, ``export``, ``view_report``); ``actor`` None is the
    system or the command line."""
    actor_id = actor.id if actor is not None else None
    session.add(AuditEntry(at=utcnow(), actor_id=actor_id, action=action[:50], report_id=report_id))
    session.flush()


def audit_log(session: Session, *, limit: int = 200) -> list[tuple[AuditEntry, str | None]]:
    """The newest audit entries with the actor's username (None for the system, e.g. retention)."""
    q = (
        select(AuditEntry, User.username)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(max(1, min(int(limit), 1000)))
    )
    return [(entry, name) for entry, name in session.execute(q).all()]
