"""Connecting to the operational store: SQLite in the data folder by default, PostgreSQL by URL.

``database_url()`` resolves the setting, ``engine()`` returns one cached engine per URL,
``upgrade()`` runs the packaged Alembic migrations and ``session()`` is a unit of work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from .. import settings
from ..errors import ConfigError

__all__ = ["database_url", "check_url", "mask_url", "engine", "dispose", "upgrade", "session", "MIGRATIONS"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "operational.sqlite"
_EXPECTED = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
_engines: dict[str, Engine] = {}


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, also when it cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparseable: it may still hold a password, so show only its scheme
        scheme = url.split("://", 1)[0] if re.match(r"^[A-Za-z0-9+.-]+://", url) else "no scheme"
        return f"an unreadable URL ({scheme}, {len(url)} characters; not shown as it may hold a password)"


def check_url(url: str) -> str:
    """Validate a database URL; return it normalised (``postgresql://`` gets the psycopg driver)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        parsed = None
    if parsed is None or parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            "The database URL is not one weerbaar can use.",
            received=mask_url(url) if url else "an empty value",
            expected=_EXPECTED,
            fix="set WEERBAAR_DATABASE_URL to a PostgreSQL URL, or unset it to use SQLite in the data folder",
        )
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.drivername != "postgresql+psycopg":
            raise ConfigError(
                "Unsupported PostgreSQL driver.",
                received=parsed.drivername,
                expected="postgresql+psycopg (psycopg 3, installed with weerbaar)",
                fix="write the URL as postgresql+psycopg://...",
            )
        if not parsed.database:
            raise ConfigError(
                "The database URL names no database.",
                received=mask_url(url),
                expected=_EXPECTED,
                fix="add the database name after the host, for example .../weerbaar",
            )
    return parsed.render_as_string(hide_password=False)


settings.register_check("database_url", check_url)


def database_url(home: Path | str | None = None) -> str:
    """The configured URL, or SQLite at ``<home>/operational.sqlite``."""
    configured = settings.get("database_url")
    if configured:
        return check_url(configured)
    folder = Path(home) if home is not None else settings.home()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder.resolve() / SQLITE_FILE}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite on its own BEGINs only before a write: reads ran outside the transaction and a SAVEPOINT
    # became the outer transaction, committed by its RELEASE. Let SQLAlchemy begin instead (_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")  # writers queue at BEGIN IMMEDIATE (_sqlite_begin)
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Every transaction takes SQLite's write lock when it begins (waiting up to busy_timeout for it).

    So a unit of work is one transaction that reads and writes one snapshot, concurrent writers queue at
    BEGIN instead of failing with "database is locked" when a read snapshot turns stale before its
    write (SQLITE_BUSY_SNAPSHOT is not retried), and a status change cannot be lost to a concurrent one
    (SQLite ignores SELECT ... FOR UPDATE). A read-only session (``session(write=False)``) begins deferred
    instead: it reads a WAL snapshot and blocks no writer, however long it takes."""
    read_only = connection.get_execution_options().get("weerbaar_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def engine(url: str | None = None) -> Engine:
    """One engine per URL (cached). SQLite gets WAL, foreign keys and ``check_same_thread=False``."""
    url = check_url(url) if url else database_url()
    if url in _engines:
        return _engines[url]
    if make_url(url).get_backend_name() == "sqlite":
        eng = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(eng, "connect", _sqlite_pragmas)
        event.listen(eng, "begin", _sqlite_begin)
    else:
        eng = create_engine(url, pool_pre_ping=True)
    _engines[url] = eng
    return eng


def dispose(url: str | None = None) -> None:
    """Close the pooled connections of one cached engine (or of all)."""
    urls = [check_url(url)] if url else list(_engines)
    for u in urls:
        eng = _engines.pop(u, None)
        if eng is not None:
            eng.dispose()


def alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default the newest); running it again is a no-op."""
    from alembic import command

    eng = engine(url)
    config = alembic_config(url)
    with eng.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def session(url: str | None = None, *, write: bool = True) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back when it raises.

    ``write=False`` is for reading (pages, exports, login checks): on SQLite it holds no write lock, so
    residents' submissions never wait for it. A write inside it still works but may have to wait.
    """
    eng = engine(url)
    s = Session(eng if write else eng.execution_options(weerbaar_read_only=True), expire_on_commit=False)
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
