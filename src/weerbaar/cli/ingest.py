"""``weerbaar ingest ...``: import files and online sources per the data contract (atomic)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import pipeline
from .base import _need_online, _progress, _recent_years, app

ingest_app = typer.Typer(no_args_is_help=True, help="Import files per the data contract (atomic: all or nothing).")
app.add_typer(ingest_app, name="ingest")


@ingest_app.command("areas")
def ingest_areas(
    file: Annotated[Path, typer.Argument(help="GeoJSON or GeoPackage with properties code, name, level, parent")],
    division: Annotated[
        str | None, typer.Option(help="Division name, unless the file has a 'division' property")
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of the coordinates when the file does not say (e.g. EPSG:28992)")
    ] = None,
) -> None:
    """Import areas; geometry is reprojected to EPSG:28992 and repaired."""
    pipeline.ingest_areas(file, division=division, crs=crs, progress=_progress)


@ingest_app.command("observations")
def ingest_observations(
    file: Annotated[Path, typer.Argument(help="CSV with area_code, period, indicator, value [, unit, source, status]")],
    division: Annotated[str | None, typer.Option(help="Division for codes found in several divisions")] = None,
    source: Annotated[
        str | None,
        typer.Option(help="Source name (default import:<file name>); re-importing the same source replaces its rows"),
    ] = None,
) -> None:
    """Import observations in the long format of the data contract."""
    pipeline.ingest_observations(file, division=division, source=source, progress=_progress)


@ingest_app.command("events")
def ingest_events(
    file: Annotated[Path, typer.Argument(help="CSV with event_id, type, occurred_at, x, y")],
    crs: Annotated[
        str, typer.Option(help="CRS of x, y: EPSG:28992 (RD New) or EPSG:4326 (x = lon, y = lat)")
    ] = "EPSG:28992",
    source: Annotated[str | None, typer.Option(help="Source name (default import:<file name>)")] = None,
    type_map: Annotated[
        Path | None, typer.Option("--type-map", help="CSV from,to: the partner's type codes -> canonical types")
    ] = None,
) -> None:
    """Import point events (violent incidents, reports); partner-only, never shown as points in public. The
    alert windows (``weerbaar alerts``, /partner/violence) are recomputed on the new set of violence events."""
    from ..violence import ingest_events as ingest_and_alert

    ingest_and_alert(file, crs=crs, source=source, type_map=type_map, progress=_progress)


@ingest_app.command("facilities")
def ingest_facilities(
    file: Annotated[Path, typer.Argument(help="GeoJSON (the city's layer or an OpenStreetMap export) or CSV")],
    fmt: Annotated[str, typer.Option("--format", help="auto, city, osm or csv")] = "auto",
    crs: Annotated[str, typer.Option(help="CRS of x, y in a CSV: EPSG:28992 (RD New) or EPSG:4326")] = "EPSG:28992",
    source: Annotated[str | None, typer.Option(help="Source name (default import:<file name>)")] = None,
) -> None:
    """Import facility points (schools, playgrounds, community and care centres) for measure 11."""
    pipeline.ingest_facilities(file, fmt=fmt, crs=crs, source=source, progress=_progress)


@ingest_app.command("reports")
def ingest_reports(
    radius: Annotated[
        float | None, typer.Option(help="Facility radius in metres (default WEERBAAR_FACILITY_RADIUS_M).", min=1)
    ] = None,
) -> None:
    """Counts of residents' reports (operational store) per buurt, month and facility type into the warehouse."""
    pipeline.ingest_reports(radius_m=radius, progress=_progress)


@ingest_app.command("signalen")
def ingest_signalen(
    file: Annotated[Path, typer.Argument(help="Signalen export: datawarehouse ZIP or folder, TDO/flat CSV, GeoJSON")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Operational store (default WEERBAAR_DATABASE_URL or SQLite)")
    ] = None,
) -> None:
    """Import the drug-relevant signals of a Signalen/MORA export into the operational store (once per signal)."""
    from ..store.signalen import import_signalen

    s = import_signalen(file, url=database_url, progress=_progress)
    typer.echo(
        f"{s['read']:,} signals read ({s['format']}): {s['imported']:,} imported ({s['closed']:,} closed), "
        f"{s['already_present']:,} already present"
    )
    for reason, count in s["skipped"].items():
        if count:
            typer.echo(f"  skipped, {reason.replace('_', ' ')}: {count:,}")
    if s["unknown_slugs"]:
        typer.echo("  unknown category slugs: " + ", ".join(f"{k} ({v:,})" for k, v in s["unknown_slugs"].items()))
    typer.echo("Run `weerbaar ingest reports` to update the neighbourhood figures.")


@ingest_app.command("cbs-police")
def ingest_cbs_police(
    online: Annotated[
        bool, typer.Option("--online", help="Fetch from CBS StatLine (the only way; needs internet).")
    ] = False,
    municipality: Annotated[
        str | None, typer.Option(help="CBS municipality code (default WEERBAAR_MUNICIPALITY, GM0363).")
    ] = None,
    from_period: Annotated[
        str | None, typer.Option("--from", help="First period to fetch and keep: 2019 or 2019-07.")
    ] = None,
    table: Annotated[
        str, typer.Option(help="year (47018NED), month (47022NED), both, or nuisance (47024NED, as cbs-nuisance).")
    ] = "both",
    refetch: Annotated[bool, typer.Option(help="Fetch every period again, not only new or revised ones.")] = False,
) -> None:
    """Police-registered crime per wijk and buurt from CBS StatLine (incremental, resumable, atomic)."""
    from .. import settings as settings_
    from ..sources.cbs_police import resolve_table

    _need_online(online, "cbs-police")
    tables = ("47018NED", "47022NED") if table == "both" else (resolve_table(table).id,)
    code = settings_._municipality(municipality) if municipality else settings_.get("municipality")
    result = pipeline.ingest_cbs_police(
        tables=tables, municipality=code, since=from_period, refetch=refetch, progress=_progress
    )
    for name, rows in result["sources"].items():
        typer.echo(f"{name}: {rows:,} rows")
    typer.echo(f"snapshot {result['snapshot']}; run `weerbaar compute standard` to update the stored analyses")


@ingest_app.command("cbs-kwb")
def ingest_cbs_kwb(
    online: Annotated[
        bool, typer.Option("--online", help="Fetch from CBS StatLine (the only way; needs internet).")
    ] = False,
    year: Annotated[
        list[int] | None, typer.Option(help="Only this year (repeat). Default: the last 3 published tables.")
    ] = None,
    municipality: Annotated[
        str | None, typer.Option(help="CBS municipality code (default WEERBAAR_MUNICIPALITY, GM0363).")
    ] = None,
    refetch: Annotated[bool, typer.Option(help="Fetch again even when CBS did not change the table.")] = False,
) -> None:
    """CBS Kerncijfers wijken en buurten per year (population, households, dwellings; atomic, one source a year)."""
    from .. import settings as settings_
    from ..sources.cbs_kwb_online import kwb_table, latest_years

    _need_online(online, "cbs-kwb")
    years = year or latest_years()
    for y in years:
        kwb_table(y)
    code = settings_._municipality(municipality) if municipality else settings_.get("municipality")
    result = pipeline.ingest_cbs_kwb(years=years, municipality=code, refetch=refetch, progress=_progress)
    for name, rows in result["sources"].items():
        typer.echo(f"{name}: {rows:,} rows")
    typer.echo(f"snapshot {result['snapshot']}; run `weerbaar compute standard` to update the stored analyses")


@ingest_app.command("wastewater")
def ingest_wastewater(
    path: Annotated[Path, typer.Argument(help="A newer EUDA release: its data CSV, or the folder holding it.")],
    sites: Annotated[
        Path | None, typer.Option(help="The release's site table (default: the CSV with 'site' in its name beside it).")
    ] = None,
    release: Annotated[str | None, typer.Option(help="A label such as '2026 release' (default from the file).")] = None,
    allow_older: Annotated[bool, typer.Option(help="Load a release older than the one loaded now.")] = False,
) -> None:
    """A newer EUDA wastewater release, replacing the loaded one atomically; cities matched by name."""
    r = pipeline.ingest_wastewater(path, sites=sites, release=release, allow_older=allow_older, progress=_progress)
    cities = r["cities"]
    typer.echo(
        f"{r['rows']:,} rows of the {r['release']} ({r['period']}): {len(cities['matched']):,} cities matched, "
        f"{len(cities['new']):,} new, {len(cities['missing']):,} no longer present"
    )


@ingest_app.command("amsterdam-areas")
def ingest_amsterdam_areas(
    online: Annotated[
        bool, typer.Option("--online", help="Fetch from api.data.amsterdam.nl (needs internet).")
    ] = False,
    allow_removed: Annotated[
        bool, typer.Option(help="Also when a removed area code still has observations (they stay, unmapped).")
    ] = False,
) -> None:
    """The current area division (stadsdelen to buurten) from Amsterdam's data API, replacing the 2022 areas."""
    _need_online(online, "amsterdam-areas")
    r = pipeline.ingest_amsterdam_areas(allow_removed=allow_removed, progress=_progress)
    typer.echo(f"{r['rows']:,} areas as source {r['source']}; added {len(r['added'])}, removed {len(r['removed'])}")


@ingest_app.command("amsterdam-bbga")
def ingest_amsterdam_bbga(
    online: Annotated[
        bool, typer.Option("--online", help="Fetch from api.data.amsterdam.nl (needs internet).")
    ] = False,
    year: Annotated[list[int] | None, typer.Option(help="Only this year (repeat). Default: the last 3 years.")] = None,
    variable: Annotated[list[str] | None, typer.Option(help="Only this BBGA variable (repeat).")] = None,
) -> None:
    """BBGA key figures per area from Amsterdam's data API (figures the BBGA file already holds are kept)."""
    _need_online(online, "amsterdam-bbga")
    r = pipeline.ingest_amsterdam_bbga(years=year or _recent_years(), variables=variable or None, progress=_progress)
    typer.echo(f"{r['rows']:,} rows as source {r['source']}")
