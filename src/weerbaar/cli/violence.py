"""CLI of measure 8 (violence that spreads): ``weerbaar compute nearrepeat``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import pipeline
from ..errors import WeerbaarError


def compute_nearrepeat(
    sds: Annotated[str, typer.Option("--sds", help="Space band breaks, e.g. 0,1,100,200,300 (last band open)")],
    tds: Annotated[str, typer.Option("--tds", help="Time band breaks in days, e.g. 0,7,14,21 (last band open)")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV with one row per (space, time) cell")],
    events: Annotated[
        Path | None,
        typer.Option("--events", help="CSV with x, y (projected, metres) and a time column; no warehouse needed"),
    ] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only events of this type")] = None,
    distance: Annotated[str, typer.Option(help="manhattan or euclidean")] = "manhattan",
    permutations: Annotated[int, typer.Option(min=0, help="Monte Carlo permutations of the times")] = 999,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the permutations")] = 0,
) -> None:
    """Near-repeat (Knox) test: observed and expected pairs of events per space and time band."""
    from ..violence import KNOX_COLUMNS, read_event_points, run_nearrepeat, store_nearrepeat, warehouse_events
    from .base import _progress, _synthetic_banner, err, out

    wh = None
    if events is not None:
        table = read_event_points(events, event_type=event_type)
    else:
        wh = pipeline.open_warehouse(read_only=False) if pipeline.warehouse_path().exists() else None
        if wh is None:
            raise WeerbaarError(
                "No events file and no warehouse.",
                received="no --events and no built warehouse",
                expected="--events FILE, or a warehouse with events",
                fix="pass --events FILE or run `weerbaar ingest events FILE` first",
            )
        table = warehouse_events(wh, event_type)
    try:
        _progress(f"{len(table.t_days):,} events from {table.start.date()} to {table.end.date()}")
        result = run_nearrepeat(table, sds=sds, tds=tds, distance=distance, permutations=permutations, seed=seed)
        frame = result.to_frame()[KNOX_COLUMNS]
        try:
            frame.to_csv(out_file, index=False)
        except OSError as exc:
            raise WeerbaarError(
                "Cannot write the output file.",
                received=f"{out_file}: {exc.strerror}",
                expected="a writable path",
                fix="choose another --out path",
            ) from None
        err.print(f"wrote {len(frame):,} cells to {out_file}", highlight=False)
        if wh is not None:
            run_id = store_nearrepeat(wh, result, table, event_type)
            out.print(f"run {run_id}: stored as the city's near-repeat table")
        out.print(result.summary("en"), highlight=False)
        _synthetic_banner(table.synthetic)
    finally:
        if wh is not None:
            wh.close()


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    compute_app.command("nearrepeat")(compute_nearrepeat)
