"""From the warehouse to the per-area tables the analyses take: one row per area, one column per indicator.

For a period P (YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM) each indicator is taken at the finest period
kind that covers P completely: counts are summed over the months (or quarters...) inside P,
other units averaged. A non-count indicator published only for a longer period (a yearly
percentage for a half year) takes the value of the period that contains P. For a level above
the one the data is on, counts are summed over the child areas and other units averaged,
weighted by population when it is known. Everything that was used, missing or synthetic is
recorded in ``meta``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..contract import LEVELS, period_kind
from ..errors import InputError
from ..indicators import is_flow
from ..warehouse import Warehouse

__all__ = ["AreaFrame", "area_frame", "period_months", "area_groups", "default_period", "resolve_division"]

_KIND_ORDER = ["month", "quarter", "half", "year"]
_KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_months(period: str) -> tuple[int, int]:
    """First and last month of a period as month numbers (year * 12 + month - 1)."""
    kind = period_kind(period)
    year = int(period[:4])
    if kind == "year":
        return year * 12, year * 12 + 11
    n = int(period[-1]) if kind in ("half", "quarter") else int(period[5:7])
    size = _KIND_MONTHS[kind]
    start = year * 12 + (n - 1) * size
    return start, start + size - 1


def period_end(period: object) -> int:
    """The last month (as in :func:`period_months`) of a period or a span ``a..b``; -1 when unreadable.
    Stored results are ordered by it: the dashboard shows the analysis of the most recent period."""
    last = str(period or "").split("..")[-1].strip()
    try:
        return period_months(last)[1]
    except (ValueError, IndexError, KeyError, TypeError, InputError):  # unreadable: sorts last
        return -1


@dataclass(frozen=True)
class AreaFrame:
    frame: pd.DataFrame  # index area_code, one column per indicator
    period: str
    level: str
    division: str
    meta: dict = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic_indicators"))


def _valid_indicators(wh: Warehouse, indicators: list[str]) -> None:
    known = set(wh.query("SELECT indicator FROM indicators")["indicator"]) | set(
        wh.query("SELECT DISTINCT indicator FROM observations")["indicator"]
    )
    unknown = [i for i in indicators if i not in known]
    if unknown:
        canonical = wh.query("SELECT indicator FROM indicators WHERE canonical ORDER BY indicator")["indicator"]
        raise InputError(
            "Unknown indicator.",
            received=", ".join(unknown),
            expected="one of the catalogue, e.g. " + ", ".join(canonical),
            fix="see `weerbaar indicators` for every indicator name",
        )


def default_period(wh: Warehouse, indicators: list[str], division: str) -> str:
    """The latest year in which most of the indicators have data in the division."""
    rows = wh.query(
        f"SELECT substr(period, 1, 4) AS year, count(DISTINCT indicator) AS n FROM observations "
        f"WHERE division = ? AND indicator IN ({', '.join('?' for _ in indicators)}) GROUP BY 1",
        [division, *indicators],
    )
    if rows.empty:
        raise InputError(
            "No observations of these indicators in the division.",
            received=division,
            expected=f"data for {', '.join(indicators)}",
            fix="choose another --division or load data",
        )
    best = rows["n"].max()
    return str(rows.loc[rows["n"] == best, "year"].max())


def area_groups(wh: Warehouse, division: str, level: str, group_level: str = "stadsdeel") -> pd.Series:
    """For each area of ``level``, the code of its ancestor at ``group_level`` (e.g. its stadsdeel)."""
    areas = wh.areas(division=division, geometry=False).set_index("code")
    parent, lvl = areas["parent"], areas["level"]
    out = {}
    for code in areas.index[areas["level"] == level]:
        cur = code
        while cur is not None and cur in lvl.index and lvl[cur] != group_level:
            cur = parent.get(cur)
        out[code] = cur if cur in lvl.index and lvl.get(cur) == group_level else None
    return pd.Series(out, dtype=object)


def resolve_division(wh: Warehouse, division: str | None) -> str:
    """The division to analyse: the one asked for; else the only one loaded; else the ``division`` setting."""
    from .. import settings

    if division:
        return division
    loaded = list(wh.query("SELECT DISTINCT division FROM areas ORDER BY 1")["division"])
    if len(loaded) == 1:
        return str(loaded[0])
    return str(settings.get("division"))


def area_frame(
    wh: Warehouse,
    indicators: list[str],
    *,
    period: str | None = None,
    level: str = "buurt",
    division: str | None = None,
) -> AreaFrame:
    """Per-area values of ``indicators`` for one period and level (see the module docstring)."""

    if level not in LEVELS:
        raise InputError(
            "Unknown level.", received=repr(level), expected=", ".join(LEVELS), fix="choose one of the levels"
        )
    _valid_indicators(wh, indicators)
    division = resolve_division(wh, division)
    divisions = list(wh.query("SELECT DISTINCT division FROM areas ORDER BY 1")["division"])
    if division not in divisions:
        raise InputError(
            "Unknown area division.",
            received=repr(division),
            expected=", ".join(divisions),
            fix="pass --division with a loaded division",
        )
    period = period or default_period(wh, indicators, division)
    p0, p1 = period_months(period)
    areas = wh.areas(division=division, geometry=False)
    target = areas.loc[areas["level"] == level, "code"].tolist()
    if not target:
        raise InputError(
            "No areas at this level in the division.",
            received=f"{level} in {division}",
            expected=", ".join(sorted(set(areas["level"]))),
            fix="choose another --level",
        )
    units = dict(wh.execute("SELECT indicator, unit FROM indicators"))
    obs = wh.query(
        f"SELECT o.area_code, a.level, o.period, o.indicator, o.value, o.unit, o.source, o.status "
        f"FROM observations o JOIN areas a ON a.division = o.division AND a.code = o.area_code "
        f"WHERE o.division = ? AND o.indicator IN ({', '.join('?' for _ in indicators)}) "
        f"AND substr(o.period, 1, 4) BETWEEN ? AND ? AND o.value IS NOT NULL",
        [division, *indicators, str(p0 // 12), str(p1 // 12)],
    )
    bounds = obs["period"].map(period_months)
    obs["m0"] = [b[0] for b in bounds]
    obs["m1"] = [b[1] for b in bounds]
    obs["kind"] = obs["period"].map(period_kind)
    frame = pd.DataFrame(index=pd.Index(sorted(target), name="area_code"))
    child_pop = _population_weights(wh, division, p1 // 12)
    notes: list[str] = []
    used: dict[str, dict] = {}
    for ind in indicators:
        rows = obs[obs["indicator"] == ind]
        unit = units.get(ind) or (rows["unit"].dropna().iloc[0] if rows["unit"].notna().any() else "")
        values, info = _one_indicator(
            rows, p0, p1, is_flow(ind, unit), str(unit).startswith("count"), level, areas, child_pop
        )
        if values is None or isinstance(info, str):  # no values come with the reason (a str), never a dict
            notes.append(f"{ind}: no data for {period} at level {level} ({info})")
            continue
        frame[ind] = values.reindex(frame.index)
        n_missing = int(frame[ind].isna().sum())
        if n_missing:
            notes.append(f"{ind}: missing for {n_missing} of {len(frame)} areas")
        used[ind] = info
    absent = [i for i in indicators if i not in frame.columns]
    synthetic = sorted(i for i, info in used.items() if "synthetic" in info.get("statuses", []))
    meta = {
        "period": period,
        "level": level,
        "division": division,
        "indicators": used,
        "absent": absent,
        "notes": notes,
        "synthetic_indicators": synthetic,
    }
    return AreaFrame(frame, period, level, division, meta)


def _one_indicator(
    rows: pd.DataFrame,
    p0: int,
    p1: int,
    flow: bool,
    additive: bool,
    level: str,
    areas: pd.DataFrame,
    child_pop: pd.Series | None,
) -> tuple[pd.Series, dict] | tuple[None, str]:
    """Values of one indicator per area: flows summed over time, counts summed over areas."""
    inside = rows[(rows["m0"] >= p0) & (rows["m1"] <= p1)]
    choice = None
    for kind in _KIND_ORDER:
        sub = inside[inside["kind"] == kind]
        if sub.empty:
            continue
        needed = (p1 - p0 + 1) // _KIND_MONTHS[kind]
        complete = sub.groupby("area_code")["period"].nunique() >= needed
        if complete.any():
            choice = (sub[sub["area_code"].isin(complete[complete].index)], kind, "complete")
            break
        if choice is None:
            choice = (sub, kind, "partial")
    if choice is None and not flow:
        around = rows[(rows["m0"] <= p0) & (rows["m1"] >= p1)]
        if not around.empty:
            finest = min(around["m1"] - around["m0"])
            choice = (around[(around["m1"] - around["m0"]) == finest], around["kind"].iloc[0], "containing period")
    if choice is None:
        return None, "no observation inside or around the period"
    sub, kind, how = choice
    agg = "sum" if flow else "mean"
    levels = sub.groupby("level")["area_code"].nunique()
    info = {
        "period_kind": kind,
        "coverage": how,
        "aggregate_over_time": agg,
        "sources": sorted(set(sub["source"])),
        "statuses": sorted(set(sub["status"])),
    }
    if level in levels.index:
        per_area = sub[sub["level"] == level].groupby("area_code")["value"].agg(agg)
        info["from_level"] = level
        return per_area, info
    # Aggregate up from the finest level below the requested one.
    below = [lv for lv in reversed(LEVELS) if lv in levels.index and LEVELS.index(lv) > LEVELS.index(level)]
    if not below:
        return None, f"data only at {', '.join(levels.index)}"
    src_level = below[0]
    per_child = sub[sub["level"] == src_level].groupby("area_code")["value"].agg(agg)
    anc = _ancestor_map(areas, src_level, level)
    keyed = per_child.groupby(per_child.index.map(anc))
    if additive:
        out = keyed.sum(min_count=1)
    else:
        pop = child_pop.reindex(per_child.index) if child_pop is not None else None
        if pop is not None and pop.notna().all():
            weights = pop.where(per_child.notna())
            out = (per_child * weights).groupby(per_child.index.map(anc)).sum(min_count=1) / weights.groupby(
                per_child.index.map(anc)
            ).sum()
            info["weighted_by"] = "population"
        else:
            out = keyed.mean()
            info["weighted_by"] = "none (population of the child areas unknown)"
    info["from_level"] = src_level
    info["aggregate_over_areas"] = "sum" if additive else "mean"
    return out, info


def _ancestor_map(areas: pd.DataFrame, child_level: str, level: str) -> dict:
    a = areas.set_index("code")
    lev = dict(zip(a.index, a["level"], strict=True))  # plain dicts: this walks every area of the division
    par = dict(zip(a.index, a["parent"], strict=True))
    out = {}
    for code in a.index[a["level"] == child_level]:
        cur = code
        while cur is not None and cur in lev and lev[cur] != level:
            cur = par[cur]
        out[code] = cur if cur in lev else np.nan
    return out


def _population_weights(wh: Warehouse, division: str, year: int) -> pd.Series | None:
    """Population per area of the division in ``year`` (or the latest year before), for weighted means."""
    pop = wh.query(
        "SELECT area_code, period, value FROM observations WHERE division = ? AND indicator = 'population' "
        "AND length(period) = 4 AND period <= ? AND value IS NOT NULL",
        [division, str(year)],
    )
    if pop.empty:
        return None
    latest = pop.sort_values("period").groupby("area_code")["value"].last()
    return latest


SLICES = ("month", "quarter", "half", "year")


def _slice_key(month_number: np.ndarray, slice_kind: str) -> list[str]:
    years, months = month_number // 12, month_number % 12 + 1
    if slice_kind == "month":
        return [f"{y}-{m:02d}" for y, m in zip(years, months, strict=True)]
    if slice_kind == "quarter":
        return [f"{y}-Q{(m - 1) // 3 + 1}" for y, m in zip(years, months, strict=True)]
    if slice_kind == "half":
        return [f"{y}-H{(m - 1) // 6 + 1}" for y, m in zip(years, months, strict=True)]
    return [str(y) for y in years]


def area_series(
    wh: Warehouse,
    indicator: str,
    *,
    start: str | None = None,
    end: str | None = None,
    level: str = "buurt",
    division: str | None = None,
    slice_kind: str = "month",
) -> tuple[pd.DataFrame, dict]:
    """A long series ``area_code, period, value`` of one indicator per time slice, for trends and hot spots.

    Observations at or finer than the slice are combined per slice (flows summed, others
    averaged); areas above the data's level get sums (counts) or means of their child areas.
    """

    if slice_kind not in SLICES:
        raise InputError(
            "Unknown time slice.",
            received=repr(slice_kind),
            expected=", ".join(SLICES),
            fix="choose month, quarter, half or year",
        )
    if level not in LEVELS:
        raise InputError(
            "Unknown level.", received=repr(level), expected=", ".join(LEVELS), fix="choose one of the levels"
        )
    _valid_indicators(wh, [indicator])
    division = resolve_division(wh, division)
    lo = period_months(start)[0] if start else -1
    hi = period_months(end)[1] if end else 10**9
    obs = wh.query(
        "SELECT o.area_code, a.level, o.period, o.value, o.unit, o.status, o.source FROM observations o JOIN areas a "
        "ON a.division = o.division AND a.code = o.area_code WHERE o.division = ? AND o.indicator = ? "
        "AND o.value IS NOT NULL",
        [division, indicator],
    )
    if obs.empty:
        raise InputError(
            "No observations of this indicator in the division.",
            received=f"{indicator} in {division}",
            expected="observations to analyse",
            fix="choose another --division or load data",
        )
    bounds = np.array([period_months(p) for p in obs["period"]])
    obs = obs[(bounds[:, 0] >= lo) & (bounds[:, 1] <= hi)].copy()
    bounds = bounds[(bounds[:, 0] >= lo) & (bounds[:, 1] <= hi)]
    size = _KIND_MONTHS[slice_kind]
    fits = (bounds[:, 1] - bounds[:, 0] + 1) <= size
    if not fits.any():
        raise InputError(
            "The data is coarser than the time slice.",
            received=f"{indicator} by {obs['period'].iloc[0]}",
            expected=f"observations per {slice_kind} or finer",
            fix="choose a longer --slice",
        )
    obs, bounds = obs[fits], bounds[fits]
    found = wh.execute("SELECT unit FROM indicators WHERE indicator = ?", [indicator])
    unit = found[0][0] if found else (obs["unit"].dropna().iloc[0] if obs["unit"].notna().any() else "")
    flow = is_flow(indicator, unit)
    obs["slice"] = _slice_key(bounds[:, 0], slice_kind)
    levels_present = set(obs["level"])
    notes: list[str] = []
    if level in levels_present:
        data = obs[obs["level"] == level]
        from_level = level
    else:
        below = [lv for lv in reversed(LEVELS) if lv in levels_present and LEVELS.index(lv) > LEVELS.index(level)]
        if not below:
            raise InputError(
                "No data at or below this level.",
                received=f"{indicator} at {', '.join(levels_present)}",
                expected=f"data at {level} or a finer level",
                fix="choose another --level",
            )
        from_level = below[0]
        areas = wh.areas(division=division, geometry=False)
        anc = _ancestor_map(areas, from_level, level)
        data = obs[obs["level"] == from_level].copy()
        data["area_code"] = data["area_code"].map(anc)
        data = data.dropna(subset=["area_code"])
        notes.append(f"{indicator} aggregated from {from_level} to {level} ({'sum' if flow else 'mean'})")
    how = "sum" if (flow or str(unit).startswith("count") and from_level != level) else "mean"
    series = data.groupby(["area_code", "slice"], as_index=False)["value"].agg(how)
    series = series.rename(columns={"slice": "period"}).sort_values(["area_code", "period"], ignore_index=True)
    meta = {
        "indicator": indicator,
        "division": division,
        "level": level,
        "from_level": from_level,
        "slice": slice_kind,
        "flow": flow,
        "statuses": sorted(set(data["status"])),
        "synthetic": bool((data["status"] == "synthetic").any()),
        "notes": notes,
        "first": series["period"].min() if len(series) else None,
        "last": series["period"].max() if len(series) else None,
    }
    return series, meta


def area_frame_years(
    wh: Warehouse,
    indicators: list[str],
    *,
    last: str | None = None,
    years: int = 1,
    level: str = "buurt",
    division: str | None = None,
) -> AreaFrame:
    """Per-area values over several years ending with ``last``: flows summed, other units averaged.

    Years without any of the flow indicators are left out (and said in the notes).
    """

    division = resolve_division(wh, division)
    if years < 1:
        raise InputError(
            "The number of years must be at least 1.",
            received=str(years),
            expected="1 or more",
            fix="pass --years 1 or more",
        )
    last = last or default_period(wh, indicators, division)
    if period_kind(last) != "year":
        raise InputError(
            "A multi-year window ends with a year.",
            received=repr(last),
            expected="YYYY",
            fix="pass --period as a year, e.g. 2024",
        )
    units = dict(wh.execute("SELECT indicator, unit FROM indicators"))
    frames, metas, notes = [], [], []
    for year in range(int(last) - years + 1, int(last) + 1):
        af = area_frame(wh, indicators, period=str(year), level=level, division=division)
        if not any(is_flow(c, units.get(c)) for c in af.frame.columns):
            notes.append(f"{year}: no counts of the flow indicators; year left out")
            continue
        frames.append(af.frame)
        metas.append(af.meta)
    if not frames:
        raise InputError(
            "No year in the window has data.",
            received=f"{int(last) - years + 1}..{last}",
            expected="observations of the indicators",
            fix="choose another --period or --years",
        )
    cols = sorted(set().union(*(f.columns for f in frames)), key=indicators.index)
    stacked = pd.concat([f.reindex(columns=cols) for f in frames], keys=range(len(frames)))
    grouped = stacked.groupby(level=1)
    combined = pd.DataFrame(
        {c: grouped[c].sum(min_count=1) if is_flow(c, units.get(c)) else grouped[c].mean() for c in cols}
    )
    first = metas[0]["period"]
    meta = {
        **metas[-1],
        "period": f"{first}..{last}" if first != last else last,
        "years": len(frames),
        "notes": notes + [n for m in metas for n in m["notes"]],
        "synthetic_indicators": sorted({i for m in metas for i in m["synthetic_indicators"]}),
    }
    return AreaFrame(combined.rename_axis("area_code"), meta["period"], level, division, meta)
