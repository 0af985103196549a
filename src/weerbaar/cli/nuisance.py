"""``weerbaar ingest cbs-nuisance``: the police's registered nuisance incidents per wijk and buurt per month.

CBS/police table 47024NED (``Geregistreerde overlast``), category "Overlast i.v.m. alcohol/drugs"
and the total, through the same incremental, resumable and atomic CBS client as ``cbs-police``.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]


def ingest_cbs_nuisance(
    online: Annotated[
        bool, typer.Option("--online", help="Fetch from CBS StatLine (the only way; needs internet).")
    ] = False,
    municipality: Annotated[
        str | None, typer.Option(help="CBS municipality code (default WEERBAAR_MUNICIPALITY, GM0363).")
    ] = None,
    from_period: Annotated[
        str | None, typer.Option("--from", help="First period to fetch and keep: 2019 or 2019-07.")
    ] = None,
    refetch: Annotated[bool, typer.Option(help="Fetch every period again, not only new or revised ones.")] = False,
) -> None:
    """Police-registered nuisance incidents (alcohol/drugs, and the total) per wijk and buurt per month, CBS
    47024NED (incremental, resumable, atomic); an effort-dependent channel like the drug registrations."""
    from .. import pipeline
    from .. import settings as settings_
    from .base import _need_online, _progress

    _need_online(online, "cbs-nuisance")
    code = settings_._municipality(municipality) if municipality else settings_.get("municipality")
    result = pipeline.ingest_cbs_police(
        tables=("47024NED",), municipality=code, since=from_period, refetch=refetch, progress=_progress
    )
    for name, rows in result["sources"].items():
        typer.echo(f"{name}: {rows:,} rows")
    typer.echo(f"snapshot {result['snapshot']}; run `weerbaar compute standard` to update the stored analyses")


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    ingest_app.command("cbs-nuisance")(ingest_cbs_nuisance)
