"""Displacement around one intervention, with counts from the warehouse (``weerbaar compute displacement``).

Target, buffer and control are sets of areas of one level and division; buffer and control may be derived
as rings of contiguous areas around the target (``analysis.displacement.rings``). Counts are the sum of an
indicator's observations over the before and after windows, or the number of events of a type whose point
lies in the areas. The result is stored with a run id like every other analysis.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import settings
from .analysis.displacement import Counts, DisplacementResult, displacement, rings
from .errors import InputError
from .pipeline import warehouse_path
from .warehouse.store import Warehouse

__all__ = ["parse_window", "window_counts", "compute_displacement"]

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$")
_WINDOW_EXPECTED = "FROM..TO in one period form, e.g. 2019-01..2019-12 (months) or 2018..2019 (years)"


def _kind(period: str) -> str:
    """Y (year), M (month), Q (quarter) or H (half year)."""
    if len(period) == 4:
        return "Y"
    return "M" if period[5:6].isdigit() else period[5:6]


def parse_window(text: str, what: str) -> tuple[str, str]:
    """``"2019-01..2019-12"`` -> ``("2019-01", "2019-12")``; one period alone is a window of one."""
    parts = [p.strip() for p in str(text).split("..")]
    if len(parts) == 1:
        parts = parts * 2
    ok = len(parts) == 2 and all(_PERIOD.match(p) for p in parts) and _kind(parts[0]) == _kind(parts[1])
    if not ok or parts[0] > parts[1]:
        raise InputError(
            f"The {what} window is not a range of periods.",
            received=repr(text),
            expected=_WINDOW_EXPECTED,
            fix=f"write --{what} as FROM..TO with FROM not after TO",
        )
    year = int(parts[0][:4])
    if not 1990 <= year <= datetime.now(UTC).year + 1:
        raise InputError(
            f"The {what} window lies outside the sane range.",
            received=repr(text),
            expected=f"years 1990 to {datetime.now(UTC).year + 1}",
            fix="check the year",
        )
    return parts[0], parts[1]


_FINER = {"Y": ("Y", "H", "Q", "M"), "H": ("H", "Q", "M"), "Q": ("Q", "M"), "M": ("M",)}


def _in_window(periods: pd.Series, window: tuple[str, str]) -> pd.Series:
    """Periods inside the window, of one kind only (never a year and its months together): the window's own
    kind when the data has it, else the finest finer kind that the data has (months for a year window)."""
    from .analysis.inputs import period_months

    first, last = period_months(window[0])[0], period_months(window[1])[1]
    kinds = periods.map(_kind)
    spans = periods.map(period_months)
    inside = spans.map(lambda m: first <= m[0] and m[1] <= last)
    for kind in _FINER[_kind(window[0])]:
        hit = inside & (kinds == kind)
        if hit.any():
            return hit
    return inside & False


def _window_bounds(window: tuple[str, str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    from .analysis.inputs import period_months

    first, last = period_months(window[0])[0], period_months(window[1])[1] + 1
    start = pd.Timestamp(first // 12, first % 12 + 1, 1)
    return start, pd.Timestamp(last // 12, last % 12 + 1, 1) - pd.Timedelta(microseconds=1)


def _length(window: tuple[str, str]) -> float:
    """Months in the window (a leap year is not a longer window)."""
    from .analysis.inputs import period_months

    return float(period_months(window[1])[1] - period_months(window[0])[0] + 1)


def window_counts(
    wh: Warehouse,
    groups: dict[str, list[str]],
    windows: tuple[tuple[str, str], tuple[str, str]],
    *,
    indicator: str | None,
    event_type: str | None,
    division: str,
    level: str,
) -> tuple[dict[str, Counts], bool]:
    """Counts per group (``{"target": [...codes], ...}``) before and after; and whether any input is synthetic."""
    out: dict[str, Counts] = {}
    synthetic = False
    if indicator:
        codes = sorted({c for cs in groups.values() for c in cs})
        obs = wh.query(
            "SELECT area_code, period, value, status FROM observations WHERE indicator = ? AND division = ? "
            "AND area_code IN (SELECT unnest(?::VARCHAR[]))",
            [indicator, division, codes],
        )
        if obs.empty:
            raise InputError(
                "The indicator has no observations for these areas.",
                received=f"{indicator} in division {division} ({len(codes)} areas)",
                expected="observations of the indicator per area and period",
                fix="choose another --indicator (see `weerbaar indicators`) or --division",
            )
        masks = [_in_window(obs["period"], w) for w in windows]
        for w, mask, name in zip(windows, masks, ("before", "after"), strict=True):
            if not mask.any():
                have = sorted(obs["period"].unique())
                raise InputError(
                    f"No observations in the {name} window.",
                    received=f"{w[0]}..{w[1]}",
                    expected=f"periods of {indicator}: {have[0]} to {have[-1]}",
                    fix=f"choose a --{name} window in the same period form as the data",
                )
        for g, cs in groups.items():
            in_group = obs["area_code"].isin(cs)
            sel = obs[in_group]
            b = obs.loc[in_group & masks[0], "value"].sum()
            a = obs.loc[in_group & masks[1], "value"].sum()
            out[g] = Counts(float(b), float(a))
            synthetic |= bool((sel["status"] == "synthetic").any())
    else:
        import geopandas as gpd

        areas = wh.areas(division=division, level=level).set_index("code")
        ev = wh.query("SELECT occurred_at, x, y, status FROM events WHERE type = ?", [event_type])
        if ev.empty:
            raise InputError(
                "There are no events of this type.",
                received=repr(event_type),
                expected="an event type in the warehouse, e.g. report.dealing",
                fix="see `weerbaar info` for what is loaded, or use --indicator",
            )
        pts = gpd.GeoDataFrame(ev, geometry=gpd.points_from_xy(ev["x"], ev["y"]), crs=areas.crs)
        joined = gpd.sjoin(pts, areas[["geometry"]].reset_index(), predicate="within", how="inner")
        bounds = [_window_bounds(w) for w in windows]
        for g, cs in groups.items():
            sel = joined[joined["code"].isin(cs)]
            t = pd.to_datetime(sel["occurred_at"])
            b = int(((t >= bounds[0][0]) & (t <= bounds[0][1])).sum())
            a = int(((t >= bounds[1][0]) & (t <= bounds[1][1])).sum())
            out[g] = Counts(b, a)
            synthetic |= bool((sel["status"] == "synthetic").any())
    return out, synthetic


def _codes(text: str | None) -> list[str]:
    return sorted({c.strip() for c in (text or "").split(",") if c.strip()})


def compute_displacement(
    *,
    target: str,
    before: str,
    after: str,
    buffer: str | None = None,
    control: str | None = None,
    buffer_control: str | None = None,
    indicator: str | None = None,
    event_type: str | None = None,
    level: str = "buurt",
    division: str | None = None,
    buffer_rings: int = 1,
    control_rings: int = 2,
    alpha: float = 0.05,
    home: Path | None = None,
    store: bool = True,
) -> tuple[str | None, DisplacementResult, dict]:
    """Displacement around the target areas; returns (run id, result, description of the areas and windows)."""
    if bool(indicator) == bool(event_type):
        raise InputError(
            "Choose one kind of count.",
            received=f"indicator {indicator!r}, event type {event_type!r}",
            expected="either --indicator (observations) or --events (points)",
            fix="give exactly one of --indicator and --events",
        )
    windows = (parse_window(before, "before"), parse_window(after, "after"))
    if windows[0][1] >= windows[1][0] and len(windows[0][1]) == len(windows[1][0]):
        raise InputError(
            "The before window must end before the after window starts.",
            received=f"before {before}, after {after}",
            expected="before..  then  after..",
            fix="choose windows that do not overlap",
        )
    division = division or settings.get("division")
    started = datetime.now(UTC).replace(tzinfo=None)
    wh = Warehouse.open(warehouse_path(home), read_only=not store)
    try:
        known = set(wh.areas(division=division, level=level, geometry=False)["code"])
        groups: dict[str, list[str]] = {"target": _codes(target)}
        for name, text in (("buffer", buffer), ("control", control), ("buffer_control", buffer_control)):
            if text:
                groups[name] = _codes(text)
        bad = sorted({c for cs in groups.values() for c in cs} - known)
        if not groups["target"] or bad:
            raise InputError(
                "Unknown area codes.",
                received=", ".join(bad[:8]) or "no target areas",
                expected=f"codes of {level} areas in division {division}",
                fix=f"see `weerbaar areas --level {level}` for the codes",
            )
        derived = []
        if "buffer" not in groups or "control" not in groups:
            from .analysis.weights import build_graph

            areas = wh.areas(division=division, level=level)
            g = build_graph(areas[areas.geometry.notna()], "queen", level=level).graph
            neighbours = {k: set(v) for k, v in g.neighbors.items()}
            rb, rc = rings(neighbours, set(groups["target"]), buffer_rings=buffer_rings, control_rings=control_rings)
            if "buffer" not in groups:
                given = set(groups.get("control", [])) | set(groups.get("buffer_control", []))
                groups["buffer"] = sorted(set(rb) - given)
                derived.append("buffer")
            if "control" not in groups:
                groups["control"] = sorted(set(rc) - set(groups["buffer"]) - set(groups.get("buffer_control", [])))
                derived.append("control")
        sets = [set(v) for v in groups.values()]
        if sum(len(s) for s in sets) != len(set().union(*sets)):
            raise InputError(
                "Target, buffer and control areas overlap.",
                received="; ".join(f"{k}: {','.join(v)}" for k, v in groups.items()),
                expected="disjoint sets of areas",
                fix="give each area to one group only",
            )
        counts, synthetic = window_counts(
            wh, groups, windows, indicator=indicator, event_type=event_type, division=division, level=level
        )
        wb = _length(windows[1]) / _length(windows[0])
        result = displacement(
            counts["target"],
            counts.get("buffer"),
            counts["control"],
            counts.get("buffer_control"),
            time_weights=(wb, 1.0),
            alpha=alpha,
        )
        described = {
            "areas": groups,
            "derived": derived,
            "before": list(windows[0]),
            "after": list(windows[1]),
            "count": indicator or f"events:{event_type}",
            "level": level,
            "division": division,
            "synthetic": synthetic,
        }
        run_id = None
        if store:
            frame = result.to_frame()
            frame["areas"] = [",".join(groups.get(a, [])) for a in frame.index]
            run_id = wh.store_result(
                "displacement",
                frame,
                parameters={**described, "alpha": alpha, "summary": result.summary()},
                division=division,
                period=f"{windows[0][0]}..{windows[1][1]}",
                level=level,
                synthetic=synthetic,
                started_at=started,
            )
        return run_id, result, described
    finally:
        wh.close()
