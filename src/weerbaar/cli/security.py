"""Commands of the security controls (issue 16): rejecting a report, seeing and lifting login blocks."""


from typing import Annotated

import typer

__all__ = ["register"]


DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Operational store URL (default WEERBAAR_DATABASE_URL or SQLite).")
]


def _store_url(database_url: str | None) -> str:
    from .. import store

    url = store.db.check_url(database_url) if database_url else store.database_url()
    store.upgrade(url)
    return url


def _group(app: typer.Typer, name: str) -> typer.Typer:
    group = next(g for g in app.registered_groups if g.name == name)
    assert group.typer_instance is not None  # every group is added with add_typer
    return group.typer_instance


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    reports_app = _group(app, "reports")

    @reports_app.command("reject")
    def reports_reject(
        report_id: Annotated[str, typer.Argument(help="The report's id (see weerbaar reports export)")],
        reason: Annotated[str, typer.Option(help="Why (kept in the report's history)")],
        database_url: DatabaseUrl = None,
    ) -> None:
        """Reject a report (abuse, a test, an impossible date): it is closed, kept with its history, and left out
        of every figure from the next `weerbaar ingest reports` on; the step is in the audit log."""
        from .. import store
        from ..store.reports import reject_report

        with store.session(_store_url(database_url)) as s:
            reject_report(s, report_id, reason=reason, actor=None)
        typer.echo(f"rejected {report_id}; run `weerbaar ingest reports` to update the figures")
