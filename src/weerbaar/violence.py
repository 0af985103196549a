"""Measure 8 (violence that spreads): reading event files for the event analyses and running them on the
warehouse. The analyses themselves are pure functions in ``analysis/nearrepeat.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import InputError, WeerbaarError
from .warehouse import Warehouse

if TYPE_CHECKING:
    from .analysis.selfexciting import HawkesFit

__all__ = [
    "KNOX_COLUMNS",
    "EventTable",
    "read_event_points",
    "warehouse_events",
    "run_nearrepeat",
    "latest_nearrepeat",
    "run_selfexciting",
    "store_selfexciting",
    "latest_selfexciting",
    "current_alerts",
    "fit_warnings",
]

KNOX_COLUMNS = ["space_from", "space_to", "time_from", "time_to", "observed", "expected", "knox_ratio", "p"]
TIME_COLUMNS = ("occurred_at", "date_single", "date", "datetime", "time")
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class EventTable:
    x: np.ndarray
    y: np.ndarray
    t_days: np.ndarray  # days since the first event
    start: pd.Timestamp
    end: pd.Timestamp
    synthetic: bool
    types: tuple[str, ...]
    ids: tuple[str, ...] = ()
    times: tuple = ()


def _parse_times(values: pd.Series, file: str) -> pd.Series:
    text = values.astype("string").str.strip()
    when = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    if when.isna().any():
        dayfirst = pd.to_datetime(text, errors="coerce", utc=True, format="%d/%m/%Y")
        if dayfirst.notna().all():
            when = dayfirst
    if when.isna().any():
        row = int(np.flatnonzero(when.isna().to_numpy())[0])
        raise InputError(
            "Unparseable event time.",
            received=repr(str(values.iloc[row])),
            expected="an ISO 8601 date or time (2021-03-04, 2021-03-04T22:15:00+01:00) or dd/mm/yyyy",
            fix="write every time in one of these formats",
            file=file,
            row=row + 1,
            column=str(values.name),
        )
    return when.dt.tz_convert("UTC").dt.tz_localize(None)


def _table(frame: pd.DataFrame, times: pd.Series, synthetic: bool) -> EventTable:
    start = times.min()
    t = ((times - start) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    types = tuple(sorted(frame["type"].astype(str).unique())) if "type" in frame else ()
    return EventTable(
        x=frame["x"].to_numpy(dtype="float64"),
        y=frame["y"].to_numpy(dtype="float64"),
        t_days=t,
        start=start,
        end=times.max(),
        synthetic=synthetic,
        types=types,
        ids=tuple(frame["event_id"].astype(str))
        if "event_id" in frame
        else tuple(str(k + 1) for k in range(len(frame))),
        times=tuple(times),
    )


def read_event_points(path: Path, *, event_type: str | None = None) -> EventTable:
    """An analyst's event export: columns x, y (any projected CRS, metres) and a time column
    (occurred_at, date_single, date, datetime or time); optional ``type`` (filtered by ``event_type``)."""
    file = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(
            "The events file does not exist.", received=file, expected="a CSV file", fix="check the path"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            "The events file is not a readable CSV.",
            received=str(exc)[:200],
            expected="a UTF-8 CSV",
            fix="export as CSV",
            file=file,
        ) from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    time_col = next((c for c in TIME_COLUMNS if c in frame.columns), None)
    missing = [c for c in ("x", "y") if c not in frame.columns] + ([] if time_col else ["occurred_at"])
    if missing:
        raise InputError(
            "The events file lacks columns.",
            received=", ".join(frame.columns),
            expected="x, y and a time column (" + ", ".join(TIME_COLUMNS) + "); optional type",
            fix=f"add or rename the column(s) {', '.join(missing)}",
            file=file,
        )
    if event_type is not None:
        if "type" not in frame.columns:
            raise InputError(
                "--type given but the events file has no type column.",
                received=", ".join(frame.columns),
                expected="a column named type",
                fix="drop --type or add a type column",
                file=file,
            )
        frame = frame[frame["type"].str.strip() == event_type].reset_index(drop=True)
    if len(frame) < 2:
        raise InputError(
            "Too few events for the analysis.",
            received=f"{len(frame)} event(s)" + (f" of type {event_type}" if event_type else ""),
            expected="at least 2 events (in practice hundreds)",
            fix="check the file and --type",
            file=file,
        )
    for col in ("x", "y"):
        v = pd.to_numeric(frame[col], errors="coerce")
        if v.isna().any() or not np.isfinite(v).all():
            row = int(np.flatnonzero((v.isna() | ~np.isfinite(v.fillna(0))).to_numpy())[0])
            raise InputError(
                "Coordinate is not a number.",
                received=repr(frame[col].iloc[row]),
                expected="a finite number in a projected CRS (metres)",
                fix="write coordinates as plain numbers",
                file=file,
                row=row + 1,
                column=col,
            )
        frame[col] = v
    times = _parse_times(frame[time_col], file)
    synthetic = "status" in frame.columns and bool((frame["status"].str.strip() == "synthetic").all())
    return _table(frame, times, synthetic)


def warehouse_events(wh: Warehouse, event_type: str | None) -> EventTable:
    """The warehouse's events (all sources) of one type, or of all types when ``event_type`` is None."""
    sql = "SELECT event_id, type, occurred_at, x, y, status FROM events"
    params: list = []
    if event_type:
        sql += " WHERE type = ?"
        params.append(event_type)
    frame = wh.query(sql + " ORDER BY occurred_at, event_id", params)
    if len(frame) < 2:
        known = wh.query("SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type")
        raise InputError(
            "Too few events in the warehouse for the analysis.",
            received=f"{len(frame)} event(s)" + (f" of type {event_type}" if event_type else ""),
            expected="at least 2 events; types in the warehouse: "
            + (", ".join(f"{r.type} ({r.n})" for r in known.itertuples()) or "none"),
            fix="run `weerbaar ingest events FILE` or pass --events FILE or another --type",
        )
    times = pd.to_datetime(frame["occurred_at"])
    return _table(frame, times, bool((frame["status"] == "synthetic").any()))


def run_nearrepeat(
    events: EventTable,
    *,
    sds,
    tds,
    distance: str = "manhattan",
    permutations: int = 999,
    seed: int = 0,
):
    from .analysis.nearrepeat import knox_test

    return knox_test(
        events.x,
        events.y,
        events.t_days,
        sds,
        tds,
        distance=distance,
        permutations=permutations,
        seed=seed,
        synthetic=events.synthetic,
    )


def store_nearrepeat(wh: Warehouse, result, events: EventTable, event_type: str | None) -> str:
    """Store the Knox table as a result of kind ``nearrepeat`` (one row per cell, keyed ``s<a>t<b>``)."""
    frame = result.to_frame()
    ns, nt = result.observed.shape
    frame.index = [f"s{a}t{b}" for a in range(ns) for b in range(nt)]
    params = {
        "type": event_type,
        "sds": [float(v) for v in result.sds],
        "tds": [float(v) for v in result.tds],
        "distance": result.distance,
        "permutations": result.permutations,
        "seed": result.seed,
        "events": result.n_events,
        "from": str(events.start.date()),
        "to": str(events.end.date()),
    }
    return wh.store_result(
        "nearrepeat",
        frame,
        parameters=params,
        division=None,
        period=f"{events.start.date()}/{events.end.date()}",
        level="stad",
        synthetic=events.synthetic,
    )


def latest_nearrepeat(wh: Warehouse) -> tuple[pd.DataFrame, dict] | None:
    """The latest stored Knox table (cells in order) and its run's parameters, or None."""
    import json

    runs = wh.query(
        "SELECT run_id, parameters, synthetic FROM runs WHERE kind = 'nearrepeat' AND status = 'ok' "
        "ORDER BY finished_at DESC LIMIT 1"
    )
    if runs.empty:
        return None
    run_id = runs["run_id"].iloc[0]
    params = json.loads(runs["parameters"].iloc[0])
    params["run_id"] = run_id
    params["synthetic"] = bool(runs["synthetic"].iloc[0])
    try:
        table = wh.result(run_id)
    except WeerbaarError:
        return None
    cells = table.index.str.extract(r"s(\d+)t(\d+)").astype(int).to_numpy()
    table = table.assign(_s=cells[:, 0], _t=cells[:, 1]).sort_values(["_s", "_t"]).drop(columns=["_s", "_t"])
    for c in KNOX_COLUMNS:
        table[c] = pd.to_numeric(table[c], errors="coerce")
    return table[KNOX_COLUMNS].reset_index(drop=True), params


def run_selfexciting(
    events: EventTable, *, max_distance: float = 1500.0, max_days: float = 90.0, cell=None
) -> HawkesFit:
    from .analysis.selfexciting import fit_hawkes

    span = float(events.t_days.max()) + 1.0
    return fit_hawkes(
        events.x, events.y, events.t_days, span_days=span, max_distance=max_distance, max_days=max_days, cell=cell
    )


def fit_warnings(fit, lang: str = "en") -> list[str]:
    """Plain warnings when a fit should not be read at face value."""
    out = []
    nl = lang == "nl"
    if not fit.converged:
        out.append(
            "de optimalisatie meldt geen convergentie; lees de cijfers met zorg"
            if nl
            else "the optimiser did not report convergence; read the figures with care"
        )
    if fit.extra.get("explosive"):
        out.append(
            "vertakkingsgraad >= 1: het model schrijft ruimtelijke of tijdelijke verschillen in de achtergrond aan "
            "besmetting toe; kies een fijner achtergrondraster (--cell) of een kortere periode"
            if nl
            else "branching ratio >= 1: the model attributes differences in the background to contagion; use a "
            "finer background grid (--cell) or a shorter period"
        )
    if fit.extra.get("at_bound"):
        out.append(("schatting op een grens: " if nl else "estimate at a bound: ") + ", ".join(fit.extra["at_bound"]))
    if fit.reach_m == fit.reach_m and fit.reach_m < 10:
        out.append(
            "ruimtelijk bereik < 10 m: het model vangt vooral herhalingen op precies dezelfde plek"
            if nl
            else "spatial reach < 10 m: the model mostly captures repeats at exactly the same location"
        )
    return out


def store_selfexciting(wh: Warehouse, fit, events: EventTable, event_type: str | None) -> str:
    """Store the fit's headline figures (branching ratio, decay days, reach) as a result of kind ``selfexciting``."""
    frame = fit.to_frame().set_index("parameter")
    params = {
        "type": event_type,
        "events": fit.n_events,
        "from": str(events.start.date()),
        "to": str(events.end.date()),
        "loglik": fit.loglik,
        "converged": fit.converged,
        "warnings_nl": fit_warnings(fit, "nl"),
        "warnings_en": fit_warnings(fit, "en"),
        **{k: float(v) for k, v in fit.params.items()},
    }
    return wh.store_result(
        "selfexciting",
        frame,
        parameters=params,
        division=None,
        period=f"{events.start.date()}/{events.end.date()}",
        level="stad",
        synthetic=events.synthetic,
    )


def latest_selfexciting(wh: Warehouse) -> tuple[pd.DataFrame, dict] | None:
    import json

    runs = wh.query(
        "SELECT run_id, parameters, synthetic FROM runs WHERE kind = 'selfexciting' AND status = 'ok' "
        "ORDER BY finished_at DESC LIMIT 1"
    )
    if runs.empty:
        return None
    params = json.loads(runs["parameters"].iloc[0])
    params["run_id"] = runs["run_id"].iloc[0]
    params["synthetic"] = bool(runs["synthetic"].iloc[0])
    table = wh.result(params["run_id"])
    for c in ("estimate", "low", "high"):
        table[c] = pd.to_numeric(table[c], errors="coerce")
    return table, params


def current_alerts(
    events: EventTable, *, ratio: float = 2.0, as_of: pd.Timestamp | None = None, **fit_options
) -> tuple[pd.DataFrame, HawkesFit]:
    """Fit the self-exciting model and return the alert windows still open at ``as_of`` (default: the last
    event's time), newest first: event_id, occurred_at, x, y, radius_m, days, until, expected_in_window."""
    from .analysis.selfexciting import alert_windows

    fit = run_selfexciting(events, **fit_options)
    w = alert_windows(fit, events.x, events.y, events.t_days, ratio=ratio)
    w.insert(0, "event_id", list(events.ids))
    w.insert(1, "occurred_at", pd.to_datetime(list(events.times)))
    w["until"] = w["occurred_at"] + pd.to_timedelta(w["days"], unit="D")
    as_of = events.end if as_of is None else as_of
    open_ = w[(w["occurred_at"] <= as_of) & (w["until"] >= as_of) & (w["days"] > 0)]
    cols = ["event_id", "occurred_at", "x", "y", "radius_m", "days", "until", "expected_in_window"]
    return open_.sort_values("occurred_at", ascending=False)[cols].reset_index(drop=True), fit


def type_group(event_type: str) -> str:
    """The public group of a violence event type: ``violence.shooting`` -> ``shooting``."""
    parts = str(event_type).split(".")
    return parts[1] if len(parts) > 1 and parts[1] else "other"


def event_area_counts(wh: Warehouse, areas) -> pd.DataFrame:
    """Raw (unprotected) counts of violence events per area of ``areas`` (a GeoDataFrame with ``code``),
    month and type group: columns group, area_code, period (YYYY-MM), value. Only for the public read
    model, which protects them before anything is shown (``PublicData.event_counts``)."""
    import shapely

    ev = wh.query("SELECT type, occurred_at, x, y FROM events WHERE type LIKE 'violence.%'")
    cols = ["group", "area_code", "period", "value"]
    if ev.empty or len(areas) == 0:
        return pd.DataFrame(columns=cols)
    geoms = list(areas.geometry.values)
    tree = shapely.STRtree(geoms)
    pts = shapely.points(ev["x"].to_numpy(dtype=float), ev["y"].to_numpy(dtype=float))
    hit_pt, hit_area = tree.query(pts, predicate="intersects")
    first = pd.Series(hit_area, index=hit_pt).groupby(level=0).first()  # a point on a border counts once
    codes = np.asarray(areas["code"].to_numpy(), dtype=object)
    ev = ev.iloc[first.index.to_numpy()].assign(area_code=codes[first.to_numpy()])
    ev["group"] = ev["type"].map(type_group)
    ev["period"] = pd.to_datetime(ev["occurred_at"]).dt.strftime("%Y-%m")
    out = ev.groupby(["group", "area_code", "period"]).size().rename("value").reset_index()
    return out[cols]


def stored_knox_result(table: pd.DataFrame, params: dict):
    """The stored Knox table (``latest_nearrepeat``) as a ``KnoxResult`` again (for its plain statement)."""
    from .analysis.nearrepeat import KnoxResult

    ns, nt = len(params["sds"]), len(params["tds"])
    return KnoxResult(
        sds=np.array(params["sds"]),
        tds=np.array(params["tds"]),
        observed=table["observed"].to_numpy().reshape(ns, nt).astype(int),
        expected=table["expected"].to_numpy().reshape(ns, nt),
        p=table["p"].to_numpy().reshape(ns, nt),
        permutations=int(params["permutations"]),
        distance=params["distance"],
        n_events=int(params["events"]),
        seed=params.get("seed"),
    )


# -- alert windows stored at ingest -----------------------------------------------------------------------------

ALERTS_KIND = "violence_alerts"  # not in public.RESULT_KINDS: never shown in public
ALERT_COLUMNS = ["event_id", "occurred_at", "x", "y", "radius_m", "days", "until", "expected_in_window"]


def events_fingerprint(wh: Warehouse) -> str:
    """A hash of the warehouse's violence events (ids, times, places): a stored alert table is current only
    while this is unchanged."""
    n, upper, lower = wh.execute(
        "SELECT count(*), coalesce(sum(md5_number_upper(concat_ws('|', event_id, CAST(occurred_at AS VARCHAR), "
        "CAST(x AS VARCHAR), CAST(y AS VARCHAR), source))::HUGEINT), 0), "
        "coalesce(sum(md5_number_lower(concat_ws('|', event_id, CAST(occurred_at AS VARCHAR), "
        "CAST(x AS VARCHAR), CAST(y AS VARCHAR), source))::HUGEINT), 0) FROM events WHERE type LIKE 'violence.%'"
    )[0]
    return f"{n}:{upper}:{lower}"


def violence_events(wh: Warehouse) -> EventTable:
    """Every violence event in the warehouse (all ``violence.*`` types)."""
    frame = wh.query(
        "SELECT event_id, type, occurred_at, x, y, status FROM events WHERE type LIKE 'violence.%' "
        "ORDER BY occurred_at, event_id"
    )
    if len(frame) < 2:
        raise InputError(
            "Too few violence events in the warehouse for alert windows.",
            received=f"{len(frame)} event(s) of a violence.* type",
            expected="at least 2 events (in practice hundreds)",
            fix="run `weerbaar ingest events FILE` with violence.* events",
        )
    return _table(frame, pd.to_datetime(frame["occurred_at"]), bool((frame["status"] == "synthetic").any()))


def refresh_alerts(wh: Warehouse, *, ratio: float = 2.0, progress=lambda _: None) -> str | None:
    """Recompute the self-exciting fit on every violence event and store the alert windows open at the last
    event (kind ``violence_alerts``, partner use only). None when there are too few events to fit."""
    try:
        events = violence_events(wh)
    except InputError:
        return None
    windows, fit = current_alerts(events, ratio=ratio)
    frame = windows.assign(
        occurred_at=windows["occurred_at"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
        until=windows["until"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
    ).set_index("event_id")
    params = {
        "ratio": float(ratio),
        "events": int(len(events.x)),
        "as_of": f"{events.end:%Y-%m-%dT%H:%M:%S}",
        "fingerprint": events_fingerprint(wh),
        "summary_nl": fit.summary("nl"),
        "summary_en": fit.summary("en"),
        "warnings_nl": fit_warnings(fit, "nl"),
        "warnings_en": fit_warnings(fit, "en"),
    }
    run_id = wh.store_result(
        ALERTS_KIND,
        frame,
        parameters=params,
        division=None,
        period=f"{events.start.date()}/{events.end.date()}",
        level=None,
        synthetic=events.synthetic,
    )
    progress(f"{len(frame)} open alert window(s) on {events.end:%Y-%m-%d} stored (run {run_id})")
    return run_id


def stored_alerts(wh: Warehouse, *, ratio: float = 2.0) -> tuple[pd.DataFrame, dict] | None:
    """The alert windows stored at the last ingest, when they are current (same events, same ratio), else None."""
    import json

    runs = wh.query(
        "SELECT run_id, parameters, synthetic FROM runs WHERE kind = ? AND status = 'ok' "
        "ORDER BY finished_at DESC LIMIT 1",
        [ALERTS_KIND],
    )
    if runs.empty:
        return None
    params = json.loads(runs["parameters"].iloc[0])
    if abs(float(params.get("ratio", -1)) - float(ratio)) > 1e-9 or params.get("fingerprint") != events_fingerprint(wh):
        return None
    params["run_id"] = runs["run_id"].iloc[0]
    params["synthetic"] = bool(runs["synthetic"].iloc[0])
    try:
        table = wh.result(params["run_id"]).reset_index().rename(columns={"area_code": "event_id"})
    except WeerbaarError:  # no window was open: the run has no rows
        return pd.DataFrame(columns=ALERT_COLUMNS), params
    for c in ("x", "y", "radius_m", "days", "expected_in_window"):
        table[c] = pd.to_numeric(table[c], errors="coerce")
    for c in ("occurred_at", "until"):
        table[c] = pd.to_datetime(table[c])
    return table[ALERT_COLUMNS].sort_values("occurred_at", ascending=False).reset_index(drop=True), params


def ingest_events(path: Path, *, home: Path | None = None, progress=lambda _: None, **options) -> dict:
    """``pipeline.ingest_events`` and then the alert windows refreshed on the new set of events."""
    from . import pipeline

    out = pipeline.ingest_events(path, home=home, progress=progress, **options)
    with pipeline.open_warehouse(home, read_only=False) as wh:
        out["alerts_run"] = refresh_alerts(wh, progress=progress)
    return out
