"""The ``weerbaar`` command line. Verbs mirror the pipeline: build, ingest, info, areas, ..."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from . import __version__, pipeline, settings
from .errors import WeerbaarError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


class _Group(TyperGroup):
    """Turns every WeerbaarError into a readable message and exit code 2 (no traceback)."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except WeerbaarError as exc:
            err.print(f"error: {exc.render()}", highlight=False, markup=False)
            ctx.exit(2)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="weerbaar: neighbourhood data for Amsterdam's drugs programme 'Weerbare mensen, weerbare wijken'.",
)
ingest_app = typer.Typer(no_args_is_help=True, help="Import files per the data contract (atomic: all or nothing).")
app.add_typer(ingest_app, name="ingest")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _progress(line: str) -> None:
    err.print(line, highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weerbaar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", help="Data folder (default: WEERBAAR_HOME or a per-user data folder).", envvar="WEERBAAR_HOME"
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    settings.override("home", home)


def _show(frame: pd.DataFrame, fmt: Format, title: str | None = None, table_columns: list[str] | None = None) -> None:
    """Print a frame as a table (only ``table_columns``, if given), CSV or JSON (always every column)."""
    if fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        shown = frame[table_columns] if table_columns else frame
        table = Table(title=title, show_lines=False)
        for i, col in enumerate(shown.columns):
            numeric = pd.api.types.is_integer_dtype(shown[col])
            table.add_column(
                str(col),
                justify="right" if numeric else "left",
                overflow="fold",
                min_width=26 if i == 0 else min(12, max(4, len(str(col)))),
                max_width=44 if i == 0 else 36,
            )
        for row in shown.itertuples(index=False):
            table.add_row(*[_cell(v) for v in row])
        out.print(table)


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, int) or (hasattr(v, "dtype") and pd.api.types.is_integer_dtype(type(v))):
        return f"{int(v):,}"
    return str(v)


@app.command()
def build(
    real_only: Annotated[bool, typer.Option("--real-only", help="Leave out the synthetic layers.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic layers (default WEERBAAR_SEED).")] = None,
) -> None:
    """Build the embedded Amsterdam default: all real sources, plus labelled synthetic layers."""
    result = pipeline.build(real_only=real_only, seed=seed, progress=_progress)
    counts = result["counts"]
    out.print(
        f"Built {result['path']}: {counts['observations']:,} observations, {counts['areas']:,} areas, "
        f"{counts['events']:,} events; snapshot {result['snapshot']} ({result['seconds']:.1f} s)."
    )


@app.command()
def info(fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table) -> None:
    """What is loaded, from which source, how many rows, real or synthetic, and the snapshot hash."""
    with pipeline.open_warehouse() as wh:
        sources = wh.query("""
            SELECT s.name AS source, s.kind, s.rows, s.period,
                   strftime(s.loaded_at, '%Y-%m-%d %H:%M') AS loaded,
                   (SELECT count(*) FROM observations o WHERE o.source = s.name) AS observations
            FROM sources s ORDER BY s.kind, s.name""")
        status = wh.query("SELECT status, count(*) AS rows FROM observations GROUP BY status ORDER BY status")
        snapshot = wh.snapshot_hash()
        counts = wh.counts()
        runs = wh.query("SELECT run_id, kind, snapshot, software_version, finished_at FROM runs ORDER BY finished_at")
    if fmt is Format.json:
        payload = {
            "warehouse": str(pipeline.warehouse_path()),
            "snapshot": snapshot,
            "version": __version__,
            "tables": counts,
            "observations_by_status": dict(zip(status["status"], status["rows"].astype(int), strict=True)),
            "sources": json.loads(sources.to_json(orient="records")),
            "runs": json.loads(runs.to_json(orient="records", date_format="iso")),
        }
        sys.stdout.write(json.dumps(payload, indent=1, default=int) + "\n")
        return
    if fmt is Format.csv:
        _show(sources, fmt)
        return
    out.print(f"warehouse  {pipeline.warehouse_path()}")
    out.print(f"snapshot   {snapshot}   (weerbaar {__version__})")
    out.print("tables     " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    real = int(status.loc[status["status"] != "synthetic", "rows"].sum())
    synth = int(status.loc[status["status"] == "synthetic", "rows"].sum())
    out.print(
        f"observations: {real:,} real, {synth:,} synthetic"
        + ("   [SYNTHETIC DEMONSTRATION DATA PRESENT: not real figures]" if synth else "")
    )
    _show(sources, fmt, title="Sources")


@app.command()
def areas(
    level: Annotated[str | None, typer.Option(help="stad, stadsdeel, gebied, wijk or buurt")] = None,
    division: Annotated[str | None, typer.Option(help="Area division, e.g. 2022 or 2015")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
) -> None:
    """List areas (code, name, level, parent, division)."""
    from .contract import LEVELS

    if level is not None and level not in LEVELS:
        raise WeerbaarError(
            "Unknown level.", received=level, expected=", ".join(LEVELS), fix="choose one of the levels"
        )
    with pipeline.open_warehouse() as wh:
        frame = wh.areas(level=level, division=division, geometry=False)
        if division is not None and frame.empty:
            known = sorted(set(wh.query("SELECT DISTINCT division FROM areas")["division"]))
            raise WeerbaarError(
                "No areas in that division.",
                received=division,
                expected=", ".join(known),
                fix="choose a loaded division",
            )
    _show(frame[["division", "code", "name", "level", "parent", "cbs_code"]], fmt, title=f"{len(frame)} areas")


@app.command()
def indicators(
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    all_: Annotated[bool, typer.Option("--all", help="Include every source-specific indicator (BBGA...).")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels in the table: nl or en")] = Lang.nl,
) -> None:
    """The indicator catalogue: name, label, unit, source, and how many observations each has."""
    with pipeline.open_warehouse() as wh:
        frame = wh.query("""
            SELECT i.indicator, i.label_nl, i.label_en, i.unit, i.canonical, i.effort_dependent,
                   coalesce(o.n, 0) AS observations, coalesce(o.sources, '') AS sources
            FROM indicators i LEFT JOIN (
                SELECT indicator, count(*) AS n, string_agg(DISTINCT source, ', ' ORDER BY source) AS sources
                FROM observations GROUP BY indicator) o USING (indicator)
            ORDER BY NOT i.canonical, i.indicator""")
    if not all_:
        frame = frame[frame["canonical"] | ~frame["indicator"].str.startswith("bbga.")]
    frame["label"] = frame[f"label_{lang.value}"].fillna(frame["label_nl"])
    title = f"{len(frame)} indicators" + ("" if all_ else " (use --all for every BBGA variable)")
    _show(
        frame,
        fmt,
        title=title,
        table_columns=["indicator", "label", "unit", "effort_dependent", "observations", "sources"],
    )


@app.command()
def sources(fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table) -> None:
    """The registered source plug-ins and what each provides."""
    from .sources import available

    rows = []
    for src in available().values():
        d = src.describe()
        rows.append(
            {
                "name": d["name"],
                "provides": ", ".join(d["provides"]),
                "real": d["real"],
                "period": d["period"],
                "packaged": src.packaged() is not None,
                "attribution": d["attribution"],
            }
        )
    _show(pd.DataFrame(rows), fmt, title="Sources")


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
) -> None:
    """Import point events (violent incidents, reports)."""
    pipeline.ingest_events(file, crs=crs, source=source, progress=_progress)


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
    from .store.signalen import import_signalen

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
    table: Annotated[str, typer.Option(help="year (47018NED), month (47022NED) or both.")] = "both",
    refetch: Annotated[bool, typer.Option(help="Fetch every period again, not only new or revised ones.")] = False,
) -> None:
    """Police-registered crime per wijk and buurt from CBS StatLine (incremental, resumable, atomic)."""
    from . import settings as settings_
    from .sources.cbs_police import resolve_table

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
    from . import settings as settings_
    from .sources.cbs_kwb_online import kwb_table, latest_years

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


def _recent_years(n: int = 3) -> list[int]:
    from datetime import date

    return list(range(date.today().year - n, date.today().year))


def _need_online(online: bool, command: str) -> None:
    if not online:
        raise WeerbaarError(
            "This source is fetched online.",
            received="no --online",
            expected="--online",
            fix=f"run `weerbaar ingest {command} --online` (it needs an internet connection)",
        )


compute_app = typer.Typer(no_args_is_help=True, help="Run an analysis on the warehouse and store it with a run id.")
app.add_typer(compute_app, name="compute")


def _write_out(frame: pd.DataFrame, out_file: Path | None, columns: list[str] | None = None) -> None:
    table = frame.reset_index()
    if columns is not None:
        table = table[columns]
    if out_file is None:
        return
    try:
        table.to_csv(out_file, index=False)
    except OSError as exc:
        raise WeerbaarError(
            "Cannot write the output file.",
            received=f"{out_file}: {exc.strerror}",
            expected="a writable path",
            fix="choose another --out path",
        ) from None
    err.print(f"wrote {len(table):,} rows to {out_file}", highlight=False)


def _synthetic_banner(synthetic: bool) -> None:
    if synthetic:
        err.print(
            "NOTE: inputs include SYNTHETIC demonstration data; these results are not real figures.",
            style="bold yellow",
            highlight=False,
        )


@compute_app.command("vulnerability")
def compute_vulnerability(
    config: Annotated[
        Path | None, typer.Option(help="TOML configuration of the index (default: the documented default inventory)")
    ] = None,
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    draws: Annotated[int, typer.Option(min=0, help="Monte Carlo draws of the uncertainty analysis")] = 1000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    explain: Annotated[
        str | None, typer.Option(help="Explain one area: each domain beside its stadsdeel and the city")
    ] = None,
) -> None:
    """Criminogenic vulnerability inventory: composite index with rank intervals (measure 7)."""
    from .analysis.composite import CompositeConfig
    from .compute import compute_vulnerability as run_it

    cfg = CompositeConfig.from_toml(config) if config else None
    outcome = run_it(
        config=cfg, period=period, level=level, division=division, draws=draws, seed=seed, progress=_progress
    )
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    _write_out(outcome.frame, out_file)
    s = outcome.summary
    unc = s["uncertainty"]
    out.print(
        f"run {outcome.run_id}: {s['ranked']} of {s['areas']} areas ranked ({s['period']}, {s['level']}); "
        f"median 90% rank interval width {unc['median_interval_width']:.0f} ranks; most influential choice: "
        f"{unc['most_influential']}"
    )
    top = outcome.frame[outcome.frame["ranked"]].sort_values("rank").head(10)
    _show(
        top.reset_index()[["area_code", "name", "stadsdeel", "rank", "rank_low", "rank_high", "composite"]].round(
            {"composite": 3}
        ),
        Format.table,
        title="Highest composite (rank, 90% interval)",
    )
    if explain:
        row = outcome.frame.loc[explain] if explain in outcome.frame.index else None
        table = outcome.details.explain(explain, outcome.groups).round(3)
        rank = "not ranked" if row is None or not row["ranked"] else f"rank {row['rank']}"
        if row is not None and row["ranked"]:
            rank += f", 90% interval {row['rank_low']}-{row['rank_high']}"
        _show(table, Format.table, title=f"{explain} {'' if row is None else row['name']}: {rank}")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("zwijgwijken")
def compute_zwijgwijken(
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    years: Annotated[
        int,
        typer.Option(
            min=1, help="Years of data ending with --period (a year): more years, more power to find under-reporting"
        ),
    ] = 10,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, help="False discovery rate for the flags")] = 0.10,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Write every column (models, reasons, synthetic), not only the eight standard ones"
        ),
    ] = False,
) -> None:
    """Silent neighbourhoods (zwijgwijken) and effort-driven registrations: observed against expected."""
    from .compute import ZWIJGWIJK_COLUMNS
    from .compute import compute_zwijgwijken as run_it

    outcome = run_it(
        period=period, years=years, level=level, division=division, alpha=alpha, seed=seed, progress=_progress
    )
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    _write_out(outcome.frame, out_file, None if details else ZWIJGWIJK_COLUMNS)
    flags = outcome.frame["flag"].value_counts()
    s = outcome.summary
    out.print(
        f"run {outcome.run_id}: {len(outcome.frame)} areas ({s['period']}, {s['level']}); "
        f"{int(flags.get('zwijgwijk', 0))} flagged zwijgwijk, {int(flags.get('effort', 0))} flagged effort-driven"
    )
    flagged = outcome.frame[outcome.frame["flag"] != ""].sort_values(["flag", "p_under"])
    if len(flagged):
        _show(
            flagged.reset_index()[
                ["area_code", "name", "flag", "observed", "expected", "ratio", "ratio_low", "ratio_high", "p_under"]
            ].round(3),
            Format.table,
            title="Flagged areas",
        )
    _synthetic_banner(outcome.synthetic)


@compute_app.command("hotspots")
def compute_hotspots(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    period: Annotated[str | None, typer.Option(help="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM (default: latest year)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    method: Annotated[str, typer.Option(help="gi (Getis-Ord Gi*) or lisa (local Moran)")] = "gi",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    permutations: Annotated[int, typer.Option(min=0, help="Conditional permutations (0: analytical)")] = 999,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Write every column, not only the six standard ones")
    ] = False,
    measure: Annotated[
        str, typer.Option(help="rate (empirical-Bayes per 1,000 inhabitants, default) or count (raw counts)")
    ] = "rate",
) -> None:
    """Where an indicator concentrates: local hot and cold spots with FDR-corrected permutation p-values."""
    from .compute import HOTSPOT_COLUMNS
    from .compute import compute_hotspots as run_it

    outcome = run_it(
        indicator=indicator,
        period=period,
        level=level,
        method=method,
        division=division,
        permutations=permutations,
        seed=seed,
        progress=_progress,
        measure=measure,
    )
    for note in outcome.notes:
        err.print(f"note: {note}", highlight=False)
    _write_out(outcome.frame, out_file, None if details else HOTSPOT_COLUMNS)
    counts = outcome.frame["category"].value_counts()
    moran = outcome.summary["global_moran"]
    out.print(
        f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {outcome.summary['level']}; global "
        f"Moran's I {moran.get('I', float('nan')):.3f} (p {moran.get('p_sim', moran.get('p', float('nan')))})"
    )
    _show(counts.rename_axis("category").reset_index(name="areas"), Format.table, title="Categories")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("emerging")
def compute_emerging(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    start: Annotated[str | None, typer.Option("--from", help="First period (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last period (default: last with data)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied or stadsdeel")] = "buurt",
    slice_kind: Annotated[str, typer.Option("--slice", help="Time slice: month, quarter, half or year")] = "quarter",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Write every column, not only the four standard ones")
    ] = False,
    measure: Annotated[
        str, typer.Option(help="rate (empirical-Bayes per 1,000 inhabitants, default) or count (raw counts)")
    ] = "rate",
) -> None:
    """Emerging hot spots over time (new, intensifying, persistent, diminishing, ...), ArcGIS Pro categories."""
    from .compute import EMERGING_COLUMNS
    from .compute import compute_emerging as run_it

    outcome = run_it(
        indicator=indicator,
        start=start,
        end=end,
        level=level,
        slice_kind=slice_kind,
        division=division,
        progress=_progress,
        measure=measure,
    )
    _write_out(outcome.frame, out_file, None if details else EMERGING_COLUMNS)
    counts = outcome.frame["category"].value_counts()
    out.print(f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {level}")
    _show(counts.rename_axis("category").reset_index(name="areas"), Format.table, title="Categories")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("trends")
def compute_trends(
    indicator: Annotated[str, typer.Option(help="Indicator name (see `weerbaar indicators`)")],
    start: Annotated[str | None, typer.Option("--from", help="First period (default: first with data)")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last period (default: last with data)")] = None,
    level: Annotated[str, typer.Option(help="buurt, wijk, gebied, stadsdeel or stad")] = "buurt",
    slice_kind: Annotated[str, typer.Option("--slice", help="Time slice: month, quarter, half or year")] = "year",
    division: Annotated[str | None, typer.Option(help="Area division (default WEERBAAR_DIVISION)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the result as CSV")] = None,
) -> None:
    """Change against the previous period and a year before (with intervals), trend and change point per area."""
    from .compute import compute_trends as run_it

    outcome = run_it(
        indicator=indicator,
        start=start,
        end=end,
        level=level,
        slice_kind=slice_kind,
        division=division,
        progress=_progress,
    )
    _write_out(outcome.frame, out_file)
    counts = outcome.frame["trend"].value_counts()
    out.print(f"run {outcome.run_id}: {indicator}, {outcome.summary['period']}, {level}")
    _show(counts.rename_axis("trend").reset_index(name="areas"), Format.table, title="Trends")
    _synthetic_banner(outcome.synthetic)


@compute_app.command("standard")
def compute_standard() -> None:
    """Compute every standard result the warehouse lacks (inventory, zwijgwijken, hot spots, emerging)."""
    from .standard import ensure_ready

    done = ensure_ready(progress=_progress, build=False)
    n = len(done["computed"])
    out.print(
        f"{n} standard result{'s' if n != 1 else ''} computed" + (": " + ", ".join(done["computed"]) if n else "")
    )


users_app = typer.Typer(
    no_args_is_help=True, help="Partner accounts of the operational store (roles analyst, moderator, admin)."
)
app.add_typer(users_app, name="users")
reports_app = typer.Typer(
    no_args_is_help=True, help="Residents' reports in the operational store: retention and export."
)
app.add_typer(reports_app, name="reports")
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Operational store URL (default WEERBAAR_DATABASE_URL or SQLite).")
]


def _store_url(database_url: str | None) -> str:
    from . import store

    url = store.db.check_url(database_url) if database_url else store.database_url()
    store.upgrade(url)
    return url


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
    ] = ...,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a partner account (argon2id password hash)."""
    from . import store
    from .store.reports import create_user, record_access

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

    from . import store

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
    from . import store
    from .store.reports import record_access
    from .store.sessions import set_active

    with store.session(_store_url(database_url)) as s:
        set_active(s, username, False)
        record_access(s, "user_deactivated", actor=None)
    typer.echo(f"deactivated {username}; its sessions are ended")


@users_app.command("activate")
def users_activate(username: str, database_url: DatabaseUrl = None) -> None:
    """Activate an account again."""
    from . import store
    from .store.reports import record_access
    from .store.sessions import set_active

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
    from . import store
    from .store.reports import erase_expired_contacts
    from .store.sessions import purge_sessions

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
    from . import store
    from .store.reports import EXPORT_COLUMNS, export_rows, record_access

    url = _store_url(database_url)
    with store.session(url, write=False) as s:
        frame = pd.DataFrame(export_rows(s, status=status), columns=list(EXPORT_COLUMNS))
    with store.session(url) as s:
        record_access(s, "export", actor=None)
    if out_file is None:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        _write_out(frame.set_index("id"), out_file)


@app.command()
def refresh(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only this online source (repeat); default WEERBAAR_REFRESH_SOURCES."),
    ] = None,
    list_sources: Annotated[bool, typer.Option("--list", help="List the online sources and stop.")] = False,
) -> None:
    """Fetch every configured online source: only what is new or revised, each loaded atomically."""
    from .refresh import DESCRIPTIONS, ONLINE_SOURCES
    from .refresh import refresh as run

    if list_sources:
        configured = set(settings.get("refresh_sources"))
        for name in ONLINE_SOURCES:
            mark = "*" if name in configured else " "
            typer.echo(f"{mark} {name}: {DESCRIPTIONS.get(name, '')}")
        return
    done = run(sources=tuple(source) if source else None, progress=_progress)
    typer.echo(f"refreshed {len(done)} source(s): {', '.join(done)}")
    typer.echo("run `weerbaar compute standard` to update the stored analyses")


@app.command()
def programme(
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    database_url: DatabaseUrl = None,
) -> None:
    """The programme register: the 15 measures with owner, status, milestones, indicators and budget line."""
    import json

    from .programme import load_register, register_dict

    register = load_register(_store_url(database_url))
    if fmt is Format.json:
        sys.stdout.write(json.dumps(register_dict(register), ensure_ascii=False, indent=1) + "\n")
        return
    frame = pd.DataFrame(
        {
            "number": m.number,
            "title": m.title_nl,
            "owner": m.owner,
            "status": m.status,
            "milestones_done": f"{sum(ms.done for ms in m.milestones)}/{len(m.milestones)}",
            "budget_line": m.budget_line or "",
            "indicators": " ".join(m.indicators),
            "partners": "; ".join(m.partners),
            "updated_at": m.updated_at,
        }
        for m in register.measures
    )
    _show(frame, fmt, title="Weerbare mensen, weerbare wijken", table_columns=["title", "number", "status", "owner"])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Do not build the default or compute missing results first.")
    ] = False,
) -> None:
    """Serve the dashboard and the open API (http://127.0.0.1:8000); builds the default first when missing."""
    import socket

    import uvicorn

    from .standard import ensure_ready

    home = settings.home()
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as uvicorn binds: a port held only by closing connections of a crashed server is free to restart on
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise WeerbaarError(
                "Cannot listen on that address.",
                received=f"{host}:{port} ({exc.strerror})",
                expected="a free port on a local address",
                fix="stop the other server or choose another --port",
            ) from None
    if not no_build:
        ensure_ready(home, progress=_progress)
    elif not pipeline.warehouse_path(home).exists():
        ensure_ready(home, progress=_progress, build=False)
    from .web.app import create_app, warm

    app_ = create_app(home)
    warm(app_, progress=_progress)
    err.print(
        f"weerbaar dashboard on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)", highlight=False
    )
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


@app.command()
def wastewater(
    city: Annotated[str, typer.Option(help="City as named in the EUDA data (matched by name).")] = "Amsterdam",
    year: Annotated[int | None, typer.Option(help="Year (default: the city's latest).")] = None,
    substance: Annotated[
        str | None,
        typer.Option(help="cocaine, mdma, amphetamine, methamphetamine, ketamine or cannabis (default: all)."),
    ] = None,
    concentration: Annotated[
        float | None,
        typer.Option(help="Own measurement: metabolite concentration in ng/L (with --flow, --population)."),
    ] = None,
    flow: Annotated[float | None, typer.Option(help="Own measurement: daily wastewater flow in L/day.")] = None,
    population: Annotated[
        float | None,
        typer.Option(
            help="Population served: for an own measurement, or the people the EUDA figures' grams a day are "
            "computed for (default: the EUDA site table)."
        ),
    ] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of the interval.", min=100)] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
) -> None:
    """Drug use from the sewer: consumption per 1000 inhabitants a day, grams a day, interval and rank (annex 2).

    With --concentration, --flow and --population it back-calculates an own measurement instead."""
    from .analysis.wastewater import SUBSTANCES, consumption_interval, load_from_measurements
    from .analysis.wastewater import substance as find_substance
    from .drug_use import Wastewater, load_wastewater

    seed = settings.get("seed") if seed is None else seed
    own = [concentration, flow, population]
    if any(v is not None for v in own):
        if any(v is None for v in own) or substance is None:
            raise WeerbaarError(
                "An own measurement needs a concentration, a flow, a population and a substance.",
                received=f"concentration={concentration}, flow={flow}, population={population}, substance={substance}",
                expected="--concentration NG_PER_L --flow L_PER_DAY --population N --substance S",
                fix="give all four",
            )
        sub = find_substance(substance)
        load = load_from_measurements(concentration, flow, population)
        est = consumption_interval(load, sub.key, population, draws=draws, seed=seed)
        result = {
            "substance": sub.key,
            "metabolite": sub.metabolite,
            "load_mg_per_1000_per_day": load,
            "correction_factor": sub.correction_factor,
            **{k: v.to_dict() for k, v in est.items()},
            "caveat": sub.caveat,
        }
        if fmt is Format.json:
            sys.stdout.write(json.dumps(result, indent=1) + "\n")
        else:
            _show(
                pd.DataFrame(
                    [
                        {k: v for k, v in result.items() if not isinstance(v, dict)}
                        | {
                            "per_1000": est["per_1000"].value,
                            "per_1000_low": est["per_1000"].low,
                            "per_1000_high": est["per_1000"].high,
                            "grams_per_day": est["grams_per_day"].value,
                            "grams_low": est["grams_per_day"].low,
                            "grams_high": est["grams_per_day"].high,
                        }
                    ]
                ),
                fmt,
            )
        return
    with pipeline.open_warehouse() as wh:
        ww = Wastewater(*load_wastewater(wh))
    name = ww.city(city)
    keys = (
        [ww.substance(substance)]
        if substance
        else [s for s in SUBSTANCES if ww.years(name, s) and (year is None or year in ww.years(name, s))]
    )
    if not keys:
        raise WeerbaarError(
            "No wastewater data for that city and year.",
            received=f"{name}, {year}",
            expected="a year with measurements: "
            + ", ".join(f"{s} {ww.years(name, s)[0]}-{ww.years(name, s)[-1]}" for s in SUBSTANCES if ww.years(name, s)),
            fix="choose another --year",
        )
    rows = [ww.summary(name, year, k, draws=draws, seed=seed, population=population) for k in keys]
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows if substance is None else rows[0], indent=1, ensure_ascii=False) + "\n")
        return
    flat = pd.DataFrame(
        [
            {
                "substance": r["substance"],
                "year": r["year"],
                "load_mg_per_1000": r["load_mg_per_1000_per_day"],
                "consumption_mg_per_1000": r["consumption_mg_per_1000_per_day"]["value"],
                "consumption_low": r["consumption_mg_per_1000_per_day"]["low"],
                "consumption_high": r["consumption_mg_per_1000_per_day"]["high"],
                "grams_per_day": (r["grams_per_day"] or {}).get("value"),
                "grams_low": (r["grams_per_day"] or {}).get("low"),
                "grams_high": (r["grams_per_day"] or {}).get("high"),
                "rank": r["rank"],
                "cities": r["cities"],
                "change_pct": r["change_pct"],
            }
            for r in rows
        ]
    )
    if fmt is Format.csv:
        _show(flat, fmt)
        return
    table = Table(title=f"{name}: drug use from the sewer (EUDA/SCORE), 90% intervals")
    for col in ("substance", "year", "mg/1000/day (interval)", "grams/day (interval)", "rank", "vs prev."):
        table.add_column(col, justify="left" if col == "substance" else "right", no_wrap=True)
    for r, f in zip(rows, flat.itertuples(), strict=True):
        grams = (
            f"{_fmt_num(f.grams_per_day, 0)} ({_fmt_num(f.grams_low, 0)}-{_fmt_num(f.grams_high, 0)})"
            if f.grams_per_day is not None
            else ""
        )
        table.add_row(
            r["substance"],
            str(r["year"]),
            f"{_fmt_num(f.consumption_mg_per_1000, 0)} ({_fmt_num(f.consumption_low, 0)}-"
            f"{_fmt_num(f.consumption_high, 0)})",
            grams,
            f"{r['rank']}/{r['cities']}",
            "" if r["change_pct"] is None else f"{r['change_pct']:+.0f}%",
        )
    out.print(table)
    pop = rows[0]["population_served"] if rows else None
    err.print(
        f"consumption of the parent drug, back-calculated from the metabolite load; grams for the {pop:,.0f} "
        "people the treatment plant serves (latest site table). Source: EUDA and the SCORE group."
        if pop
        else "Source: EUDA and the SCORE group.",
        highlight=False,
    )
    for r in rows:
        if r["caveat"]:
            err.print(f"note ({r['substance']}): {r['caveat']}", highlight=False)


@app.command()
def report(
    period: Annotated[str, typer.Option(help="Report period: YYYY-H1 or YYYY-H2 (also YYYY, YYYY-Qn, YYYY-MM).")],
    out_file: Annotated[Path, typer.Option("--out", help="The file to write (.pdf or .html).")],
    lang: Annotated[str, typer.Option(help="nl or en.")] = "nl",
    fmt: Annotated[str, typer.Option("--format", help="pdf (Typst) or html (one self-contained file).")] = "pdf",
) -> None:
    """The council report for a period: summary, themes with maps and tables, measures, methods, sources."""
    from .report import build_report

    r = build_report(period=period, lang=lang, fmt=fmt, out=out_file, progress=_progress)
    pages = f", {r['pages']} pages" if r["pages"] else ""
    out.print(f"{r['out']}: {r['format']}, {r['lang']}{pages}, snapshot {r['snapshot']}, {r['seconds']} s",
              highlight=False)


@app.command()
def market(
    pure_grams_per_day: Annotated[
        str, typer.Option(help="Pure grams a day: a value, or low:mode:high (e.g. 1800:2000:2400).")
    ],
    purity: Annotated[str, typer.Option(help="Street purity in (0, 1]: a value or low:mode:high.")],
    price: Annotated[str, typer.Option(help="Street price in EUR a gram: a value or low:mode:high.")],
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.", min=100)] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (default WEERBAAR_SEED).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
) -> None:
    """The money behind the use: pure grams a day -> street grams through purity -> euros a year through price."""
    from .analysis.market import Uncertain
    from .analysis.market import market as market_estimate

    seed = settings.get("seed") if seed is None else seed
    result = market_estimate(
        Uncertain.parse(pure_grams_per_day), Uncertain.parse(purity), Uncertain.parse(price), draws=draws, seed=seed
    )
    frame = pd.DataFrame([{"figure": k, **v.to_dict()} for k, v in result.items()])
    if fmt is not Format.table:
        _show(frame, fmt)
        return
    table = Table(title="Street market estimate, 90% intervals")
    for col in ("figure", "value", "low", "high"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for row in frame.itertuples():
        digits = 0
        table.add_row(row.figure, _fmt_num(row.value, digits), _fmt_num(row.low, digits), _fmt_num(row.high, digits))
    out.print(table)
