"""Trends and change per area and indicator.

For each area and indicator, at a chosen period (default: the latest):

* change against the previous period and against the same period a year before, absolute and
  in percent; for counts with an exact Garwood (1936) interval for the count itself and an
  exact interval for the ratio of two counts by the conditional binomial method (given the
  total a + b, a is binomial with p = R / (1 + R); a Clopper-Pearson interval for p gives one
  for R);
* the Mann-Kendall trend (Mann 1945, Kendall 1975) with Sen's (1968) slope over the series; as options
  the Hamed-Rao (1998) correction for serial correlation or the seasonal Kendall test (Hirsch, Slack
  & Smith 1982, the default for series of months, quarters or halves; decision 0029), see
  :mod:`.kendall`;
* Pettitt's (1979) change-point test where the series is long enough;
* series breaks (a change of area division, e.g. 2022-03 for 2015 -> 2022): comparisons across
  a break are marked, and the trend uses only the periods since the last break.

Short series, series without variance and missing values give "insufficient data" with the
reason, never a crash or a silent NaN. See docs/methods/trends.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
from scipy import stats

from ..contract import PERIOD_PATTERN, period_kind
from ..errors import InputError
from ..indicators import STOCKS, catalogue_rows, is_flow
from .kendall import TREND_TEST_NAMES, check_trend_test, default_trend_test, kendall_trend, sen_slope

__all__ = [
    "TREND_LABELS",
    "TrendResult",
    "garwood_interval",
    "pettitt",
    "rate_ratio_interval",
    "sen_slope",  # defined in .kendall, kept here for callers of trends.sen_slope
    "shift_period",
    "trends",
]

TREND_LABELS = ("increasing", "decreasing", "no trend", "insufficient data")
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
_CANONICAL_UNITS = dict(catalogue_rows()[["indicator", "unit"]].itertuples(index=False, name=None))


# -- periods -------------------------------------------------------------------------------------


def _check_period(label: object) -> str:
    if not isinstance(label, str) or not PERIOD_PATTERN.match(label):
        raise InputError(
            "Malformed period.",
            received=repr(label),
            expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
            fix="write for example 2019, 2019-H2, 2019-Q3 or 2019-07",
        )
    return label


def _index(label: str) -> tuple[str, int]:
    """Kind and a running number (periods of one kind since year 0)."""
    kind = period_kind(_check_period(label))
    year = int(label[:4])
    if kind == "year":
        return kind, year
    n = int(label[-1]) if kind in ("half", "quarter") else int(label[5:7])
    return kind, year * _PER_YEAR[kind] + n - 1


def _label(kind: str, idx: int) -> str:
    if kind == "year":
        return f"{idx:04d}"
    year, n = divmod(idx, _PER_YEAR[kind])
    if kind == "month":
        return f"{year:04d}-{n + 1:02d}"
    return f"{year:04d}-{'Q' if kind == 'quarter' else 'H'}{n + 1}"


def shift_period(label: str, steps: int) -> str:
    """The period ``steps`` periods of the same kind later (negative: earlier)."""
    kind, idx = _index(label)
    return _label(kind, idx + steps)


def _months(label: str) -> tuple[int, int]:
    kind, idx = _index(label)
    start = idx * _MONTHS[kind] if kind != "year" else idx * 12
    return start, start + _MONTHS[kind] - 1


def _segment(label: str, break_starts: list[int]) -> int:
    """Number of breaks at or before the period: a period that contains a break month is after it."""
    end = _months(label)[1]
    return sum(1 for b in break_starts if end >= b)


# -- intervals -----------------------------------------------------------------------------------


def garwood_interval(count: np.ndarray | float, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood 1936) interval for a Poisson mean given an observed count.

    low = chi2.ppf(alpha/2, 2x) / 2 (0 for x = 0), high = chi2.ppf(1 - alpha/2, 2x + 2) / 2.
    Non-integer or negative counts give NaN.
    """
    x = np.asarray(count, dtype="float64")
    a = 1 - level
    ok = np.isfinite(x) & (x >= 0) & (x == np.round(x))
    xs = np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore"):
        low = np.where(xs > 0, stats.chi2.ppf(a / 2, 2 * xs) / 2, 0.0)
        high = stats.chi2.ppf(1 - a / 2, 2 * xs + 2) / 2
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def rate_ratio_interval(
    a: np.ndarray | float,
    b: np.ndarray | float,
    level: float = 0.95,
    exposure_a: np.ndarray | float = 1.0,
    exposure_b: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of two Poisson rates (a / exposure_a) / (b / exposure_b) with an exact interval.

    Conditional binomial method: given n = a + b, a ~ Binomial(n, p) with p = R' / (1 + R'),
    R' = R exposure_a / exposure_b. A Clopper-Pearson interval for p, [B(alpha/2; a, b + 1),
    B(1 - alpha/2; a + 1, b)], maps to R = p / (1 - p) * exposure_b / exposure_a. b = 0 gives
    an infinite upper bound (and ratio); a + b = 0 gives NaN (nothing to compare).
    """
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    ea = np.asarray(exposure_a, dtype="float64")
    eb = np.asarray(exposure_b, dtype="float64")
    alpha = 1 - level
    ok = np.isfinite(a) & np.isfinite(b) & (a >= 0) & (b >= 0) & (a == np.round(a)) & (b == np.round(b)) & (a + b > 0)
    aa, bb = np.where(ok, a, 1.0), np.where(ok, b, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_low = np.where(aa > 0, stats.beta.ppf(alpha / 2, aa, bb + 1), 0.0)
        p_high = np.where(bb > 0, stats.beta.ppf(1 - alpha / 2, aa + 1, bb), 1.0)
        scale = eb / ea
        ratio = np.where(bb > 0, aa / bb, np.inf) * scale
        low = p_low / (1 - p_low) * scale
        high = np.where(p_high < 1, p_high / (1 - p_high), np.inf) * scale
    nan = np.nan
    return np.where(ok, ratio, nan), np.where(ok, low, nan), np.where(ok, high, nan)


# -- trend statistics ------------------------------------------------------------------------------


def pettitt(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pettitt's (1979) test for one change point in each row (NaN values skipped).

    U_t = sum_{i<=t} sum_{j>t} sign(x_j - x_i), computed as the cumulative sum of
    (n + 1 - 2 rank_i) with average ranks; K = max |U_t|; p = min(1, 2 exp(-6 K^2 / (n^3 + n^2)))
    (Pettitt's approximation). Returns K, the column of the first value after the change (-1
    when undefined) and p. U > 0 at the change means the values go up after it.
    """
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    rows, T = x.shape
    k_out = np.full(rows, np.nan)
    t_out = np.full(rows, -1, dtype=np.int64)
    p_out = np.full(rows, np.nan)
    complete = ~np.isnan(x).any(axis=1)

    def run(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = block.shape[1]
        r = stats.rankdata(block, axis=1)
        u = np.cumsum(n + 1 - 2 * r, axis=1)[:, :-1]
        at = np.argmax(np.abs(u), axis=1)
        k = np.abs(u[np.arange(len(block)), at])
        p = np.minimum(1.0, 2 * np.exp(-6 * k**2 / (n**3 + n**2)))
        return k, at + 1, p

    if complete.any() and T >= 2:
        k_out[complete], t_out[complete], p_out[complete] = run(x[complete])
    for r_i in np.flatnonzero(~complete):
        pos = np.flatnonzero(~np.isnan(x[r_i]))
        if len(pos) < 2:
            continue
        k, after, p = run(x[r_i, pos][None, :])
        k_out[r_i], t_out[r_i], p_out[r_i] = k[0], pos[after[0]], p[0]
    return k_out, t_out, p_out


# -- the analysis ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """Per area and indicator: change, intervals, trend and change point (see :func:`trends`)."""

    table: pd.DataFrame
    parameters: dict
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict:
        t = self.table
        out = {
            "method": "trends",
            "rows": len(t),
            "indicators": sorted(map(str, t["indicator"].unique())),
            "parameters": dict(self.parameters),
            "notes": list(self.notes),
        }
        per = {}
        for ind, part in t.groupby("indicator", sort=True):
            counts = part["trend"].value_counts()
            per[str(ind)] = {
                "period": str(part["period"].iloc[0]),
                "areas": len(part),
                "trend": {k: int(counts.get(k, 0)) for k in TREND_LABELS},
                "significant_change_previous": int(part["change_signal"].isin(["increase", "decrease"]).sum()),
                "significant_change_year": int(part["yoy_change_signal"].isin(["increase", "decrease"]).sum()),
                "change_points": int((part["pettitt_p"] <= self.parameters["alpha"]).sum()),
                "crosses_break_previous": int(part["previous_crosses_break"].sum()),
                "crosses_break_year": int(part["yoy_crosses_break"].sum()),
            }
        out["per_indicator"] = per
        return out


def _long(values: pd.DataFrame, indicator: str | None) -> pd.DataFrame:
    if not isinstance(values, pd.DataFrame):
        raise InputError(
            "The series must be a DataFrame.",
            received=type(values).__name__,
            expected="a long frame (area_code, period, indicator, value) or a wide one (areas x periods)",
            fix="pass observations from the warehouse",
        )
    if {"area_code", "period", "value"} <= set(values.columns):
        cols = ["area_code", "period", "value"] + [c for c in ("indicator", "unit") if c in values.columns]
        frame = values[cols].copy()
        if "indicator" not in frame.columns:
            frame["indicator"] = indicator or "value"
        elif indicator is not None:
            frame = frame[frame["indicator"].astype(str) == indicator]
            if frame.empty:
                raise InputError(
                    "The indicator is not in the observations.",
                    received=repr(indicator),
                    expected=", ".join(sorted(map(str, values["indicator"].unique()))[:6]),
                    fix="choose an indicator that is present",
                )
    else:
        wide = values.copy()
        wide.index = wide.index.astype(str)
        wide.index.name = "area_code"
        # one column level: stack gives a Series (the pandas stub allows a DataFrame too)
        stacked = cast(pd.Series, wide.rename_axis(columns="period").stack(future_stack=True))
        frame = stacked.rename("value").reset_index()
        frame["indicator"] = indicator or "value"
    frame = frame.astype({"area_code": str, "period": str, "indicator": str})
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for p in pd.unique(frame["period"]):
        _check_period(p)
    dup = frame.duplicated(["area_code", "period", "indicator"])
    if dup.any():
        row = frame[dup].iloc[0]
        raise InputError(
            "More than one value for an area, period and indicator.",
            received=f"{row['area_code']} {row['period']} {row['indicator']}",
            expected="one value each",
            fix="aggregate the observations first",
        )
    return frame


def _is_count(ind: str, part: pd.DataFrame, counts: bool | None) -> bool:
    """Counts of events get Poisson intervals; stocks (population, respondents) and other units do not."""
    if counts is not None:
        return bool(counts)
    if "unit" in part.columns and part["unit"].notna().any():
        units = {str(u) for u in pd.unique(part["unit"].dropna())}
        return len(units) == 1 and is_flow(ind, units.pop())
    if ind in _CANONICAL_UNITS:
        return is_flow(ind, _CANONICAL_UNITS[ind])
    if ind in STOCKS:
        return False
    v = part["value"].dropna().to_numpy()
    return bool(len(v) and (v >= 0).all() and (v == np.round(v)).all())


def _check_args(level: float, alpha: float, min_trend: int, min_change_point: int) -> None:
    for name, v in (("level", level), ("alpha", alpha)):
        if not (isinstance(v, (int, float)) and 0 < v < 1):
            raise InputError(f"Invalid {name}.", received=repr(v), expected="between 0 and 1", fix=f"pass {name}")
    for name, v, lo in (("min_trend", min_trend, 3), ("min_change_point", min_change_point, 4)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise InputError(f"Invalid {name}.", received=repr(v), expected=f"a whole number >= {lo}", fix=name)


def trends(
    values: pd.DataFrame,
    *,
    indicator: str | None = None,
    period: str | None = None,
    breaks: Iterable[str] = (),
    counts: bool | None = None,
    level: float = 0.95,
    alpha: float = 0.05,
    min_trend: int = 5,
    min_change_point: int = 10,
    across_breaks: bool = False,
    trend_test: str | None = None,
) -> TrendResult:
    """Change, trend and change point per area and indicator.

    Parameters
    ----------
    values:
        Long observations (``area_code, period, value`` plus ``indicator`` and optionally
        ``unit``) or a wide frame (areas x periods) of one indicator (named by ``indicator``).
        Each indicator must use one period kind.
    period:
        The period to report on (default: each indicator's latest period).
    breaks:
        Periods at which the series break (a new area division from that period on, e.g.
        ``["2022-03"]``). A period that contains a break month counts as after it.
    counts:
        Treat values as counts of events (Poisson intervals); default: when the ``unit`` (given,
        or the canonical indicator's) is a count and the indicator is not a stock (population,
        survey respondents); for an unknown indicator without a unit, when all values are
        non-negative whole numbers.
    level:
        Confidence level of the intervals (0.95).
    alpha:
        Significance level of the trend and change-point tests.
    min_trend, min_change_point:
        Fewest periods with a value for a Mann-Kendall trend (5) and a Pettitt test (10).
    across_breaks:
        Use the whole series for trend and change point, ignoring breaks (marked in the output).
    trend_test:
        ``mk`` (Mann-Kendall), ``hamed-rao`` (Mann-Kendall with the Hamed-Rao correction for serial
        correlation) or ``seasonal`` (seasonal Kendall test, seasons = the months, quarters or halves of
        the year; Sen's slope then within seasons). Default: ``seasonal`` for monthly, quarterly and
        half-yearly series, ``mk`` for yearly ones (decision 0029).
    """
    _check_args(level, alpha, min_trend, min_change_point)
    if trend_test is not None:
        trend_test = check_trend_test(trend_test)
    frame = _long(values, indicator)
    break_labels = [_check_period(b) for b in breaks]
    break_starts = sorted(_months(b)[0] for b in break_labels)
    if period is not None:
        _check_period(period)
    notes: list[str] = []
    tables = []
    used: list[str] = []
    for ind, part in frame.groupby("indicator", sort=True):
        kinds = {period_kind(p) for p in part["period"].unique()}
        if len(kinds) > 1:
            raise InputError(
                f"Indicator {ind} mixes period kinds.",
                received=", ".join(sorted(kinds)),
                expected="one period kind per indicator",
                fix="pass the yearly and monthly series separately",
            )
        kind = kinds.pop()
        test = trend_test or default_trend_test(kind)
        used.append(test)
        tables.append(
            _one_indicator(
                str(ind),
                part,
                kind,
                period,
                break_starts,
                _is_count(str(ind), part, counts),
                level,
                alpha,
                min_trend,
                min_change_point,
                across_breaks,
                notes,
                test,
            )
        )
    table = pd.concat(tables) if tables else pd.DataFrame()
    params = {
        "period": period,
        "breaks": break_labels,
        "level": level,
        "alpha": alpha,
        "min_trend": min_trend,
        "min_change_point": min_change_point,
        "across_breaks": across_breaks,
        "trend_test": ", ".join(dict.fromkeys(used)) or (trend_test or "mk"),
        "trend_test_name": "; ".join(TREND_TEST_NAMES[u] for u in dict.fromkeys(used)),
        "change_point_test": "Pettitt (approximate p)",
        "count_interval": "Garwood exact; ratio by conditional binomial (Clopper-Pearson)",
    }
    return TrendResult(table, params, tuple(notes))


def _signal(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.where(
        np.isnan(low) | np.isnan(high),
        "",
        np.where(low > 1, "increase", np.where(high < 1, "decrease", "no significant change")),
    )


def _one_indicator(
    ind: str,
    part: pd.DataFrame,
    kind: str,
    period: str | None,
    break_starts: list[int],
    is_count: bool,
    level: float,
    alpha: float,
    min_trend: int,
    min_change_point: int,
    across_breaks: bool,
    notes: list[str],
    trend_test: str = "mk",
) -> pd.DataFrame:
    cube = part.pivot(index="area_code", columns="period", values="value")
    cube = cube.sort_index()
    labels = sorted(cube.columns, key=lambda p: _index(p)[1])
    cube = cube[labels]
    current = period if period is not None else labels[-1]
    if period_kind(current) != kind:
        raise InputError(
            f"The period does not match indicator {ind}.",
            received=f"{current} ({period_kind(current)})",
            expected=f"a {kind} period",
            fix="choose a period of the same kind as the series",
        )
    cur_idx = _index(current)[1]
    # Full calendar from the first period to the current one, so gaps are real gaps.
    first = min(_index(p)[1] for p in labels)
    if cur_idx < first:
        raise InputError(
            f"The period lies before the data of indicator {ind}.",
            received=current,
            expected=f"{labels[0]} or later",
            fix="choose a later period",
        )
    calendar = [_label(kind, i) for i in range(first, cur_idx + 1)]
    x = cube.reindex(columns=calendar).to_numpy(dtype="float64")
    codes = cube.index.to_numpy(dtype=object)
    n_areas = len(codes)
    empty = [p for p, e in zip(calendar, np.isnan(x).all(axis=0), strict=True) if e]
    if empty:
        notes.append(f"{ind}: {len(empty)} period(s) without any value: " + ", ".join(empty[:6]))

    def column(label: str) -> np.ndarray:
        return cube[label].to_numpy(dtype="float64") if label in cube.columns else np.full(n_areas, np.nan)

    val = column(current)
    prev_label = shift_period(current, -1)
    yoy_label = shift_period(current, -_PER_YEAR[kind])
    prev, yoy = column(prev_label), column(yoy_label)
    seg_cur = _segment(current, break_starts)
    prev_cross = _segment(prev_label, break_starts) != seg_cur
    yoy_cross = _segment(yoy_label, break_starts) != seg_cur

    out = pd.DataFrame(index=pd.Index(codes, name="area_code"))
    out["indicator"] = ind
    out["period"] = current
    out["kind"] = "count" if is_count else "value"
    out["value"] = val
    if is_count:
        lo, hi = garwood_interval(val, level)
        out["value_low"], out["value_high"] = lo, hi
    else:
        out["value_low"] = out["value_high"] = np.nan
    for prefix, label, other, cross in (("", prev_label, prev, prev_cross), ("yoy_", yoy_label, yoy, yoy_cross)):
        name = "previous" if not prefix else "year_ago"
        out[f"{name}_period"] = label
        out[f"{name}_value"] = other
        out[f"{prefix}change"] = val - other
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{prefix}change_pct"] = np.where(other != 0, 100 * (val - other) / np.abs(other), np.nan)
        if is_count:
            r, rl, rh = rate_ratio_interval(val, other, level)
        else:
            r = rl = rh = np.full(n_areas, np.nan)
        out[f"{prefix}ratio"], out[f"{prefix}ratio_low"], out[f"{prefix}ratio_high"] = r, rl, rh
        out[f"{prefix}change_signal"] = _signal(rl, rh) if is_count else ""
        out[f"{'previous' if not prefix else 'yoy'}_crosses_break"] = bool(cross)

    # Trend and change point over the segment since the last break (or the whole series).
    segs = np.array([_segment(p, break_starts) for p in calendar])
    use = np.ones(len(calendar), bool) if across_breaks else segs == seg_cur
    xs = x[:, use]
    t_idx = np.arange(len(calendar))[use]
    seg_labels = [c for c, u in zip(calendar, use, strict=True) if u]
    out["segment_start"] = seg_labels[0] if seg_labels else None
    out["trend_crosses_break"] = bool(across_breaks and len(set(segs)) > 1)
    n_obs = (~np.isnan(xs)).sum(axis=1)
    seasons = None
    if trend_test == "seasonal":
        if kind == "year":
            raise InputError(
                f"The seasonal Kendall test needs sub-yearly periods (indicator {ind} is yearly).",
                received=f"trend test seasonal on {kind} periods",
                expected="monthly, quarterly or half-yearly periods",
                fix="use the trend test mk or hamed-rao for yearly series, or monthly periods",
            )
        seasons = (first + t_idx) % _PER_YEAR[kind]  # the running index counts periods since year 0
    mk = kendall_trend(xs, trend_test, seasons=seasons)
    slope = sen_slope(xs, t_idx.astype("float64"), seasons=seasons)
    has = ~np.isnan(xs)
    if xs.shape[1]:
        spread = np.where(has, xs, -np.inf).max(axis=1) - np.where(has, xs, np.inf).min(axis=1)
        spread = np.where(n_obs > 0, spread, 0.0)
    else:
        spread = np.zeros(n_areas)
    flat = (n_obs >= 1) & ~(spread > 0)
    reason = np.full(n_areas, "", dtype=object)
    reason[np.isnan(val)] = f"no value for {current}"
    short = n_obs < min_trend
    trend_reason = np.where(
        short,
        [f"series too short for a trend ({k} period(s) with a value; at least {min_trend})" for k in n_obs],
        np.where(flat, "the series has no variance (all values equal)", ""),
    )
    if trend_test == "seasonal":
        no_pair = (trend_reason == "") & ~(mk.var_s > 0)
        trend_reason = np.where(
            no_pair,
            "no season (month, quarter or half) has values in two years for the seasonal Kendall test",
            trend_reason,
        )
    trend = np.where(
        trend_reason != "",
        "insufficient data",
        np.where(mk.p <= alpha, np.where(mk.s > 0, "increasing", "decreasing"), "no trend"),
    )
    ok = trend_reason == ""
    out["n_periods"] = n_obs
    out["trend"] = trend
    out["trend_test"] = trend_test
    out["mk_tau"] = np.where(ok, mk.tau, np.nan)
    out["mk_z"] = np.where(ok, mk.z, np.nan)
    out["mk_p"] = np.where(ok, mk.p, np.nan)
    out["sen_slope"] = np.where(ok, slope, np.nan)
    out["sen_slope_per_year"] = out["sen_slope"] * _PER_YEAR[kind]
    k_stat, at, p_cp = pettitt(xs)
    cp_ok = ok & (n_obs >= min_change_point) & (at >= 0)
    cp_label = np.array([seg_labels[a] if c else None for a, c in zip(at, cp_ok, strict=True)], dtype=object)
    out["change_point"] = cp_label
    out["pettitt_k"] = np.where(cp_ok, k_stat, np.nan)
    out["pettitt_p"] = np.where(cp_ok, p_cp, np.nan)
    cp_reason = np.where(
        ok & ~cp_ok, f"series too short for a change-point test (at least {min_change_point} periods)", ""
    )
    full_reason = ["; ".join(s for s in parts if s) for parts in zip(reason, trend_reason, cp_reason, strict=True)]
    out["reason"] = full_reason
    return out
