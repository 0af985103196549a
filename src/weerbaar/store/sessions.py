"""Partner login sessions in the operational store.

A login gives the browser a random token (256 bits) in a cookie; the store keeps only its SHA-256,
so a copy of the database cannot be used to log in. A session ends when it expires (setting
``session_hours``), when the user logs out, or when the user is deactivated. Local accounts with argon2
hashes are the first way in (``weerbaar.store.reports.authenticate``); an OIDC login would create the
same kind of session for a user it has verified, so the rest of the application does not change.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from .. import settings
from ..errors import InputError
from .models import ROLES, LoginSession, User, utcnow

__all__ = [
    "start_session",
    "user_for_token",
    "end_session",
    "end_user_sessions",
    "purge_sessions",
    "set_active",
    "RANK",
    "allows",
]

TOKEN_BYTES = 32
TOKEN_MAX = 100  # characters of a cookie value we are willing to hash
# What a role may do grows with its rank: analyst (read, export) < moderator (status, contact) < admin (users, audit).
RANK = {role: i for i, role in enumerate(ROLES)}


def allows(user: User | None, role: str) -> bool:
    """Whether ``user`` (active) has ``role`` or a higher one."""
    return user is not None and user.active and RANK.get(user.role, -1) >= RANK[role]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, *, hours: float | None = None, now: datetime | None = None) -> str:
    """A new session for an active ``user``; returns the token for the cookie (stored only as a hash)."""
    if not user.active:
        raise InputError("This account is not active.", received=user.username, fix="ask an admin")
    now = now or utcnow()
    hours = float(settings.get("session_hours")) if hours is None else float(hours)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginSession(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + timedelta(hours=hours))
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str | None, *, now: datetime | None = None) -> User | None:
    """The active user of a live session, or None (no, unknown, expired or revoked token)."""
    if not token or not isinstance(token, str) or len(token) > TOKEN_MAX:
        return None
    row = session.get(LoginSession, _hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= (now or utcnow()):
        return None
    user = row.user
    return user if user is not None and user.active else None


def end_session(session: Session, token: str | None) -> None:
    """Log out: revoke this session (unknown tokens are ignored)."""
    if token and isinstance(token, str) and len(token) <= TOKEN_MAX:
        row = session.get(LoginSession, _hash(token))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.flush()


def end_user_sessions(session: Session, user_id: int) -> int:
    """Revoke every live session of a user; returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(cast(CursorResult, result).rowcount or 0)  # an UPDATE or DELETE gives a CursorResult


def set_active(session: Session, username: str, active: bool) -> User:
    """Activate or deactivate an account; deactivating also ends its sessions."""
    user = session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None:
        raise InputError(
            "No such user.", received=repr(username), expected="an existing username", fix="check the name"
        )
    user.active = bool(active)
    if not active:
        end_user_sessions(session, user.id)
    session.flush()
    return user


def purge_sessions(session: Session, *, now: datetime | None = None) -> int:
    """Delete the sessions that have expired or were revoked; returns how many."""
    now = now or utcnow()
    result = session.execute(
        delete(LoginSession).where(or_(LoginSession.expires_at <= now, LoginSession.revoked_at.is_not(None)))
    )
    return int(cast(CursorResult, result).rowcount or 0)  # an UPDATE or DELETE gives a CursorResult
