"""Commands on the warehouse as a whole: build, info, areas, indicators, sources."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import pandas as pd
import typer

from .. import __version__, pipeline
from ..errors import WeerbaarError
from .base import Format, Lang, _progress, _show, app, out


@app.command()
def build(
    real_only: Annotated[bool, typer.Option("--real-only", help="Leave out the synthetic layers.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic layers (default WEERBAAR_SEED).")] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Drop the sources imported with `weerbaar ingest` (kept by default).")
    ] = False,
) -> None:
    """Build the embedded Amsterdam default: all real sources, plus labelled synthetic layers; sources imported
    into the previous warehouse are kept (and named) unless --fresh."""
    result = pipeline.build(real_only=real_only, seed=seed, keep_imported=not fresh, progress=_progress)
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
    from ..contract import LEVELS

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
    from ..sources import available

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
