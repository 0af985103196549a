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


def _events(events: Path | None, event_type: str | None, *, write: bool):
    from ..violence import read_event_points, warehouse_events

    if events is not None:
        return read_event_points(events, event_type=event_type), None
    if not pipeline.warehouse_path().exists():
        raise WeerbaarError(
            "No events file and no warehouse.",
            received="no --events and no built warehouse",
            expected="--events FILE, or a warehouse with events",
            fix="pass --events FILE or run `weerbaar ingest events FILE` first",
        )
    wh = pipeline.open_warehouse(read_only=not write)
    try:
        return warehouse_events(wh, event_type), wh
    except Exception:
        wh.close()
        raise


def compute_selfexciting(
    events: Annotated[
        Path | None,
        typer.Option("--events", help="CSV with x, y (projected, metres) and a time column; no warehouse needed"),
    ] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only events of this type")] = None,
    max_distance: Annotated[float, typer.Option(min=1, help="Triggering cut-off in metres")] = 1500.0,
    max_days: Annotated[float, typer.Option(min=1, help="Triggering cut-off in days")] = 90.0,
    cell: Annotated[
        float | None, typer.Option(min=1, help="Background grid cell in metres (default: ~25 events)")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="CSV: parameter, estimate, low, high")] = None,
) -> None:
    """Self-exciting (Hawkes) model: branching ratio, decay time and spatial reach with 95% intervals."""
    from ..violence import fit_warnings, run_selfexciting, store_selfexciting
    from .base import _synthetic_banner, _write_out, out

    table, wh = _events(events, event_type, write=True)
    try:
        fit = run_selfexciting(table, max_distance=max_distance, max_days=max_days, cell=cell)
        frame = fit.to_frame()
        _write_out(frame.set_index("parameter"), out_file)
        if wh is not None:
            run_id = store_selfexciting(wh, fit, table, event_type)
            out.print(f"run {run_id}: stored")
        for row in frame.itertuples():
            out.print(f"{row.parameter}: {row.estimate:.3f} (95% {row.low:.3f} - {row.high:.3f})", highlight=False)
        out.print(fit.summary("en"), highlight=False)
        for line in fit_warnings(fit):
            out.print(f"WARNING: {line}", highlight=False)
        _synthetic_banner(table.synthetic)
    finally:
        if wh is not None:
            wh.close()


def alerts(
    events: Annotated[
        Path | None,
        typer.Option("--events", help="CSV with event_id, x, y and a time column (default: the warehouse's events)"),
    ] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only events of this type")] = None,
    ratio: Annotated[
        float, typer.Option(min=1.01, help="Window: where the risk is at least this many times the background")
    ] = 2.0,
    as_of: Annotated[str | None, typer.Option(help="Date/time YYYY-MM-DD[THH:MM] (default: the last event)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the open windows as CSV")] = None,
) -> None:
    """Alert windows for violence interrupters: after each event, where and how long the risk of a follow-up is
    raised (radius, days) and the expected number of triggered events in it. Partner use only: lists locations."""
    import pandas as pd

    from ..errors import InputError
    from ..violence import current_alerts
    from .base import _synthetic_banner, _write_out, out

    when: pd.Timestamp | None = None
    if as_of is not None:
        parsed = pd.to_datetime(as_of, errors="coerce")
        if not isinstance(parsed, pd.Timestamp):  # NaT
            raise InputError(
                "Unparseable --as-of.",
                received=repr(as_of),
                expected="YYYY-MM-DD or YYYY-MM-DDTHH:MM",
                fix="pass e.g. --as-of 2024-03-01",
            )
        when = parsed
    table, wh = _events(events, event_type, write=False)
    try:
        windows, fit = current_alerts(table, ratio=ratio, as_of=when)
    finally:
        if wh is not None:
            wh.close()
    _write_out(windows.set_index("event_id"), out_file)
    stamp = when if when is not None else table.end
    out.print(f"{len(windows)} open alert window(s) on {stamp:%Y-%m-%d %H:%M} (risk >= {ratio:g} x background)")
    for row in windows.head(20).itertuples():
        out.print(
            f"  {row.event_id}: {row.occurred_at:%Y-%m-%d} radius {row.radius_m:.0f} m until {row.until:%Y-%m-%d} "
            f"(expected follow-ups in window {row.expected_in_window:.2f})",
            highlight=False,
        )
    out.print(fit.summary("en"), highlight=False)
    _synthetic_banner(table.synthetic)


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    compute_app.command("nearrepeat")(compute_nearrepeat)
    compute_app.command("selfexciting")(compute_selfexciting)
    app.command("alerts")(alerts)
