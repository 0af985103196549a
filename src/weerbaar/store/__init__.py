"""The operational store: residents' reports, their history, users and the audit log (decision 0008).

SQLite at ``<home>/operational.sqlite`` by default, PostgreSQL through ``WEERBAAR_DATABASE_URL``.
The schema is managed by the Alembic migrations packaged in ``weerbaar/store/migrations``:
call ``upgrade()`` before use.
"""

from __future__ import annotations

from . import intervention_models  # noqa: F401  (issue 19: its tables join Base.metadata)
from .db import database_url, dispose, engine, session, upgrade
from .models import AuditEntry, Base, LoginSession, Report, ReportContact, StatusChange, User
from .network_models import Network, NetworkActor, NetworkKey, NetworkTie  # noqa: F401  (registers the tables)

__all__ = [
    "database_url",
    "engine",
    "dispose",
    "upgrade",
    "session",
    "Base",
    "Report",
    "ReportContact",
    "StatusChange",
    "User",
    "AuditEntry",
    "LoginSession",
]
