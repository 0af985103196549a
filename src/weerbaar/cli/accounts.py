"""Partner accounts and residents' reports in the operational store: ``weerbaar users``, ``weerbaar reports``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .base import DatabaseUrl, Format, _show, _store_url, _write_out, app

users_app = typer.Typer(
    no_args_is_help=True, help="Partner accounts of the operational store (roles analyst, moderator, admin)."
)
app.add_typer(users_app, name="users")
reports_app = typer.Typer(
    no_args_is_help=True, help="Residents' reports in the operational store: retention and export."
)
app.add_typer(reports_app, name="reports")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="3-100 letters, digits or . _ @ -")],
    role: Annotated[str, typer.Option(help="analyst, moderator or admin")] = "analyst",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            confirmation_prompt=True,
            hide_input=True,
            envvar="WEERBAAR_NEW_PASSWORD",
            help="At least 12 characters; asked for when not given (or set WEERBAAR_NEW_PASSWORD).",
        ),
    ] = ...,  # type: ignore[assignment]  # typer: the Ellipsis default marks an option required (it prompts)
    database_url: DatabaseUrl = None,
) -> None:
    """Create a partner account (argon2id password hash)."""
    from .. import store
    from ..store.reports import create_user, record_access

    url = _store_url(database_url)
    with store.session(url) as s:
        user = create_user(s, username, password, role)
        record_access(s, "user_created", actor=None)
        typer.echo(f"created {user.username} ({user.role})")


@users_app.command("list")
def users_list(
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    database_url: DatabaseUrl = None,
) -> None:
    """The partner accounts (never their password hashes)."""
    from sqlalchemy import select

    from .. import store

    url = _store_url(database_url)
    with store.session(url) as s:
        rows = s.execute(select(store.User).order_by(store.User.username)).scalars().all()
        frame = pd.DataFrame(
            [{"username": u.username, "role": u.role, "active": u.active, "created_at": u.created_at} for u in rows],
            columns=["username", "role", "active", "created_at"],
        )
    _show(frame, fmt)


@users_app.command("deactivate")
def users_deactivate(username: str, database_url: DatabaseUrl = None) -> None:
    """Deactivate an account and end its sessions (its history stays)."""
    from .. import store
    from ..store.reports import record_access
    from ..store.sessions import set_active

    with store.session(_store_url(database_url)) as s:
        set_active(s, username, False)
        record_access(s, "user_deactivated", actor=None)
    typer.echo(f"deactivated {username}; its sessions are ended")


@users_app.command("activate")
def users_activate(username: str, database_url: DatabaseUrl = None) -> None:
    """Activate an account again."""
    from .. import store
    from ..store.reports import record_access
    from ..store.sessions import set_active

    with store.session(_store_url(database_url)) as s:
        set_active(s, username, True)
        record_access(s, "user_activated", actor=None)
    typer.echo(f"activated {username}")


@reports_app.command("erase-expired")
def reports_erase_expired(
    months: Annotated[
        int | None,
        typer.Option(help="Retention in months after closure (default WEERBAAR_CONTACT_RETENTION_MONTHS).", min=1),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Erase the contact details of reports closed longer ago than the retention period, and delete ended
    login sessions (run it daily)."""
    from .. import store
    from ..store.reports import erase_expired_contacts
    from ..store.sessions import purge_sessions

    with store.session(_store_url(database_url)) as s:
        n = erase_expired_contacts(s, months=months)
        ended = purge_sessions(s)
    typer.echo(f"erased the contact details of {n} report(s); each erasure is in the audit log")
    typer.echo(f"deleted {ended} ended login session(s)")


@reports_app.command("export")
def reports_export(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the CSV here (default: standard output).")
    ] = None,
    status: Annotated[str | None, typer.Option(help="Only reports with this status.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every report as CSV for partners: no contact details, no free text, no staff names."""
    from .. import store
    from ..store.reports import EXPORT_COLUMNS, export_rows, record_access

    url = _store_url(database_url)
    with store.session(url, write=False) as s:
        frame = pd.DataFrame(export_rows(s, status=status), columns=list(EXPORT_COLUMNS))
    with store.session(url) as s:
        record_access(s, "export", actor=None)
    if out_file is None:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        _write_out(frame.set_index("id"), out_file)
