"""Alembic environment of the operational store (no alembic.ini: see weerbaar.store.db.upgrade)."""

from __future__ import annotations

from alembic import context

from weerbaar.store.db import engine
from weerbaar.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: emit SQL for the URL's dialect without connecting."""
    context.configure(
        url=config.attributes.get("url") or config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine(config.attributes.get("url")).begin() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
