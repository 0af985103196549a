"""Emerging hot spot analysis: space-time Gi* per area and time slice, a Mann-Kendall trend on each
area's series of Gi* z-scores, and the ArcGIS Pro pattern categories.

The trend test is the plain Mann-Kendall test, or as options the Hamed-Rao (1998) variance correction
for serial correlation or the seasonal Kendall test (Hirsch, Slack & Smith 1982); the default is the
seasonal test for monthly, quarterly and half-yearly slices and the plain test for years (decision 0029,
:mod:`.kendall`).

The space-time neighbourhood of bin (area i, slice t) is area i and its spatial neighbours, in
slice t and the ``time_window`` slices before it (binary weights). Gi* is computed analytically
for every bin at once with one sparse product and a rolling sum over time; the mean and standard
deviation are those of the whole cube (ArcGIS's default global window "entire cube") or of each
slice. Bins are tested with the normal p-value of the Gi* z-score and a Benjamini-Hochberg FDR
correction over all bins (as ArcGIS does); permutations are not used here (see
docs/methods/emerging-hotspots.md for why). Each area is then put in one category by the rules
in :data:`RULES`. Areas with too few slices, no neighbours, or a cube without variance get
"insufficient data" with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..contract import PERIOD_PATTERN, period_kind
from ..errors import InputError
from .hotspots import INSUFFICIENT, gi_bin
from .inference import fdr_bh, normal_p
from .kendall import TREND_TEST_NAMES, check_trend_test, default_trend_test, kendall_trend, seasons_of
from .weights import WeightsResult, graph_matrix

__all__ = [
    "CATEGORIES",
    "NO_PATTERN",
    "RULES",
    "EmergingResult",
    "classify_series",
    "emerging_hotspots",
    "space_time_gi",
    "to_cube",
]

NO_PATTERN = "no pattern detected"
_KINDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")
CATEGORIES = (
    *(f"{k} hot spot" for k in _KINDS),
    *(f"{k} cold spot" for k in _KINDS),
    NO_PATTERN,
    INSUFFICIENT,
)
GLOBAL_WINDOWS = ("cube", "slice")

#: The rules, checked in this order for hot spots (cold spots mirror them with hot <-> cold and the
#: trend's sign reversed). n = slices with data, H = hot slices, "final" = the last slice with data,
#: trend = the trend test (Mann-Kendall or a variant) on the Gi* z-scores, significant when its p <= trend_alpha.
RULES = (
    ("intensifying hot spot", "final slice hot, H >= 90% of n, significant upward trend"),
    ("diminishing hot spot", "final slice hot, H >= 90% of n, significant downward trend"),
    ("persistent hot spot", "final slice hot, H >= 90% of n, no significant trend"),
    ("oscillating hot spot", "final slice hot, H < 90% of n, at least one earlier cold slice"),
    ("new hot spot", "final slice hot and no other slice hot (and no cold slice)"),
    ("consecutive hot spot", "final run of >= 2 hot slices, no hot slice before it (and no cold slice), H < 90% of n"),
    ("sporadic hot spot", "final slice hot, hot slices before the final run, H < 90% of n, no cold slice"),
    ("historical hot spot", "final slice not hot and not cold, H >= 90% of n"),
    (NO_PATTERN, "none of the above, hot or cold"),
)


# -- input ---------------------------------------------------------------------------------------


def _sorted_periods(labels: pd.Index) -> list:
    vals = list(labels)
    if all(isinstance(v, str) and PERIOD_PATTERN.match(v) for v in vals):
        kinds = {period_kind(v) for v in vals}
        if len(kinds) > 1:
            raise InputError(
                "The time slices mix period kinds.",
                received=", ".join(sorted(kinds)),
                expected="slices of one kind (all months, all quarters, ...)",
                fix="aggregate the series to one period kind first",
            )
    try:
        return sorted(vals)
    except TypeError:
        raise InputError(
            "Time slices cannot be ordered.",
            received=", ".join(map(repr, vals[:5])),
            expected="period labels like 2019-07 (or numbers) that sort in time order",
            fix="use periods of the data contract (YYYY, YYYY-Qn, YYYY-MM)",
        ) from None


def to_cube(values: pd.DataFrame, *, indicator: str | None = None) -> pd.DataFrame:
    """An (area x slice) table from a long frame (``area_code, period, value`` and optionally
    ``indicator``) or a wide one (index area code, one column per slice); slices in time order."""
    if not isinstance(values, pd.DataFrame):
        raise InputError(
            "The series must be a DataFrame.",
            received=type(values).__name__,
            expected="a long frame (area_code, period, value) or a wide one (areas x slices)",
            fix="pass observations of one indicator, e.g. from the warehouse",
        )
    if {"area_code", "period", "value"} <= set(values.columns):
        frame = values
        if "indicator" in frame.columns:
            inds = pd.unique(frame["indicator"].astype(str))
            if indicator is None and len(inds) > 1:
                raise InputError(
                    "The observations hold several indicators.",
                    received=", ".join(sorted(inds)[:6]),
                    expected="one indicator",
                    fix="pass indicator='registered.drug_trade' (or filter the frame)",
                )
            if indicator is not None:
                frame = frame[frame["indicator"].astype(str) == indicator]
                if frame.empty:
                    raise InputError(
                        "The indicator is not in the observations.",
                        received=repr(indicator),
                        expected=", ".join(sorted(inds)[:6]),
                        fix="choose an indicator that is present",
                    )
        a_idx, a_codes = pd.factorize(frame["area_code"].astype(str), sort=True)
        p_idx, p_codes = pd.factorize(frame["period"].astype(str), sort=True)
        key = a_idx.astype(np.int64) * len(p_codes) + p_idx
        seen = np.bincount(key, minlength=len(a_codes) * len(p_codes))
        if (seen > 1).any():
            first = int(np.flatnonzero(seen > 1)[0])
            raise InputError(
                "More than one value for an area and period.",
                received=f"{a_codes[first // len(p_codes)]} {p_codes[first % len(p_codes)]}",
                expected="one value per area and period",
                fix="aggregate the observations per area and period first",
            )
        num = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype="float64")
        cube = np.full((len(a_codes), len(p_codes)), np.nan)
        cube[a_idx, p_idx] = num
        areas = np.asarray(a_codes, dtype=object)
        periods = list(p_codes)
        wide = pd.DataFrame(cube, index=pd.Index(areas.astype(object), name="area_code"), columns=periods)
    else:
        wide = values.copy()
        wide.index = pd.Index(wide.index.astype(str), name="area_code")
        if wide.index.has_duplicates:
            raise InputError(
                "Duplicate area codes in the series.",
                received=", ".join(wide.index[wide.index.duplicated()][:5]),
                expected="one row per area",
                fix="aggregate per area first",
            )
        wide = wide.apply(pd.to_numeric, errors="coerce").astype("float64")
    wide = wide[_sorted_periods(wide.columns)]
    return wide.sort_index()


# -- space-time Gi* --------------------------------------------------------------------------------


def _rolling(a: np.ndarray, k: int) -> np.ndarray:
    """Sum over the current and k previous columns."""
    c = np.cumsum(a, axis=1)
    out = c.copy()
    if k + 1 < a.shape[1]:
        out[:, k + 1 :] -= c[:, : -(k + 1)]
    return out


def space_time_gi(
    x: np.ndarray, adjacency: sp.csr_array, *, time_window: int = 1, global_window: str = "cube"
) -> np.ndarray:
    """Gi* z-score of every bin of an (n areas x T slices) cube; NaN where a bin has no value or no test.

    ``adjacency`` is binary without diagonal; each bin's neighbourhood is its area and the
    adjacent areas in its own slice and the ``time_window`` slices before it. Missing bins are
    left out of every sum (and of N, the mean and the standard deviation).
    """
    n, T = x.shape
    valid = ~np.isnan(x)
    x0 = np.where(valid, x, 0.0)
    a_star = sp.csr_array(adjacency + sp.eye_array(n, format="csr"))
    local = _rolling(np.asarray(a_star @ x0), time_window)
    wsum = _rolling(np.asarray(a_star @ valid.astype("float64")), time_window)
    if global_window == "cube":
        big_n = float(valid.sum())
        xbar = x0.sum() / big_n if big_n else np.nan
        var = (x0 * x0).sum() / big_n - xbar * xbar if big_n else np.nan
    else:
        big_n = valid.sum(axis=0).astype("float64")[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            xbar = x0.sum(axis=0, keepdims=True) / big_n
            var = (x0 * x0).sum(axis=0, keepdims=True) / big_n - xbar * xbar
    s = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = s * np.sqrt((big_n * wsum - wsum * wsum) / (big_n - 1))
        z = (local - xbar * wsum) / denom
    ok = valid & (denom > 0) & np.isfinite(denom)
    return np.where(ok, z, np.nan)


# -- classification --------------------------------------------------------------------------------


def _compact(mask: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """Shift each row's entries where ``mask`` is true to the front, keeping their order."""
    order = np.argsort(~mask, axis=1, kind="stable")
    return [np.take_along_axis(a, order, axis=1) for a in arrays]


def classify_series(
    hot: np.ndarray,
    cold: np.ndarray,
    valid: np.ndarray,
    trend_sign: np.ndarray,
    trend_significant: np.ndarray,
    *,
    share: float = 0.9,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The pattern category of each row (area) from its hot / cold slices and the trend (see RULES).

    ``hot``, ``cold``, ``valid``: (areas x slices) booleans; ``trend_sign``: sign of the
    Mann-Kendall S per area; ``trend_significant``: its p <= trend_alpha. Returns the categories
    (NO_PATTERN where nothing applies) and per-area counts used by the rules.
    """
    hot = hot & valid
    cold = cold & valid
    m, T = hot.shape
    if T == 0:
        zeros = np.zeros(m, dtype=np.int64)
        keys = ("n_slices", "n_hot", "n_cold", "final_run_hot", "final_run_cold")
        details = {k: zeros.copy() for k in keys} | {"share_hot": np.zeros(m), "share_cold": np.zeros(m)}
        return np.full(m, NO_PATTERN, dtype=object), details
    n = valid.sum(axis=1)
    n_hot = hot.sum(axis=1)
    n_cold = cold.sum(axis=1)
    hot_c, cold_c = _compact(valid, hot, cold)
    pos = np.arange(T)[None, :]
    inside = pos < n[:, None]
    last = np.clip(n - 1, 0, max(T - 1, 0))
    rows = np.arange(m)
    final_hot = (n > 0) & hot_c[rows, last] if T else np.zeros(m, bool)
    final_cold = (n > 0) & cold_c[rows, last] if T else np.zeros(m, bool)

    def trailing_run(flag: np.ndarray) -> np.ndarray:
        breaks = (~flag) & inside
        any_break = breaks.any(axis=1)
        last_break = np.where(any_break, T - 1 - np.argmax(breaks[:, ::-1], axis=1), -1)
        return np.where(n > 0, n - 1 - last_break, 0)

    run_hot = trailing_run(hot_c)
    run_cold = trailing_run(cold_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_hot = np.where(n > 0, n_hot / np.maximum(n, 1), 0.0)
        share_cold = np.where(n > 0, n_cold / np.maximum(n, 1), 0.0)
    many_hot = share_hot >= share
    many_cold = share_cold >= share
    up = trend_significant & (trend_sign > 0)
    down = trend_significant & (trend_sign < 0)

    cat = np.full(m, NO_PATTERN, dtype=object)

    def assign(mask: np.ndarray, name: str) -> None:
        free = mask & (cat == NO_PATTERN)
        cat[free] = name

    for kind, fin, many, n_same, n_other, run, grow, shrink in (
        ("hot", final_hot, many_hot, n_hot, n_cold, run_hot, up, down),
        ("cold", final_cold, many_cold, n_cold, n_hot, run_cold, down, up),
    ):
        assign(fin & many & grow, f"intensifying {kind} spot")
        assign(fin & many & shrink, f"diminishing {kind} spot")
        assign(fin & many, f"persistent {kind} spot")
        assign(fin & ~many & (n_other > 0), f"oscillating {kind} spot")
        assign(fin & ~many & (n_same == 1), f"new {kind} spot")
        assign(fin & ~many & (run >= 2) & (n_same == run), f"consecutive {kind} spot")
        assign(fin & ~many & (n_same > run), f"sporadic {kind} spot")
    for kind, fin, fin_other, many in (
        ("hot", final_hot, final_cold, many_hot),
        ("cold", final_cold, final_hot, many_cold),
    ):
        assign(~fin & ~fin_other & many, f"historical {kind} spot")
    details = {
        "n_slices": n,
        "n_hot": n_hot,
        "n_cold": n_cold,
        "share_hot": share_hot,
        "share_cold": share_cold,
        "final_run_hot": run_hot,
        "final_run_cold": run_cold,
    }
    return cat, details


# -- the analysis ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergingResult:
    """Per area: ``category, trend_tau, trend_p`` and details; per bin: the Gi* z, p and p_fdr."""

    table: pd.DataFrame
    slices: tuple
    z: np.ndarray  # (areas x slices), rows in table order
    p: np.ndarray
    p_fdr: np.ndarray
    parameters: dict
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def bins(self) -> pd.DataFrame:
        """One row per area and slice: Gi* z, p, p_fdr and the ArcGIS confidence bin (-3..3)."""
        n, T = self.z.shape
        return pd.DataFrame(
            {
                "area_code": np.repeat(self.table.index.to_numpy(dtype=object), T),
                "period": np.tile(np.asarray(self.slices, dtype=object), n),
                "z": self.z.ravel(),
                "p": self.p.ravel(),
                "p_fdr": self.p_fdr.ravel(),
                "gi_bin": gi_bin(self.z, self.p_fdr).ravel(),
            }
        )

    def summary(self) -> dict:
        counts = self.table["category"].value_counts()
        return {
            "method": "emerging_hotspots",
            "indicator": self.parameters.get("indicator"),
            "areas": len(self.table),
            "slices": len(self.slices),
            "first_slice": str(self.slices[0]) if self.slices else None,
            "last_slice": str(self.slices[-1]) if self.slices else None,
            "categories": {c: int(counts.get(c, 0)) for c in CATEGORIES if counts.get(c, 0)},
            "significant_bins": int(np.nansum(self.p_fdr <= self.parameters["alpha"])),
            "bins": int(np.isfinite(self.z).sum()),
            "insufficient_reasons": {
                str(k): int(v) for k, v in self.table.loc[self.table["reason"] != "", "reason"].value_counts().items()
            },
            "parameters": {k: v for k, v in self.parameters.items() if k != "indicator"},
            "notes": list(self.notes),
        }


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(
            f"Invalid {name}.", received=repr(value), expected=f"a whole number >= {minimum}", fix=f"pass {name}"
        )
    return int(value)


def _check_level(name: str, value: object) -> float:
    if not (isinstance(value, (int, float)) and 0 < value < 1):
        raise InputError(f"Invalid {name}.", received=repr(value), expected="a number between 0 and 1", fix=f"{name}")
    return float(value)


def emerging_hotspots(
    values: pd.DataFrame,
    graph: Graph | WeightsResult,
    *,
    indicator: str | None = None,
    time_window: int = 1,
    global_window: str = "cube",
    alpha: float = 0.10,
    trend_alpha: float = 0.05,
    share: float = 0.9,
    min_slices: int = 10,
    trend_test: str | None = None,
) -> EmergingResult:
    """Emerging hot spot analysis of one indicator over time slices.

    Parameters
    ----------
    values:
        Long (``area_code, period, value`` [, ``indicator``]) or wide (areas x slices) frame.
    graph:
        Spatial weights (libpysal ``Graph`` or :class:`WeightsResult`); its structure is used
        as binary contiguity.
    time_window:
        Number of previous slices in each bin's neighbourhood (ArcGIS "neighborhood time step";
        default 1).
    global_window:
        ``cube`` (default; mean and sd over all bins, as ArcGIS "entire cube") or ``slice``
        (over the bins of each slice, removing city-wide trends and seasons).
    alpha:
        A bin is hot (cold) when its FDR-adjusted p <= alpha and z > 0 (< 0). Default 0.10: any
        of ArcGIS's 90/95/99 % confidence bins.
    trend_alpha:
        The Mann-Kendall trend of an area's Gi* z-scores is significant when p <= trend_alpha.
    share:
        The "ninety percent of the time-step intervals" of the rules.
    min_slices:
        Areas with fewer slices with data get "insufficient data" (ArcGIS needs 10).
    trend_test:
        ``mk`` (Mann-Kendall, as ArcGIS), ``hamed-rao`` (Mann-Kendall with the Hamed-Rao correction
        for serial correlation) or ``seasonal`` (seasonal Kendall test; slices must be months,
        quarters or halves). Default: ``seasonal`` for slices shorter than a year, ``mk`` for years
        (decision 0029).
    """
    time_window = _check_int("time_window", time_window, 0)
    min_slices = _check_int("min_slices", min_slices, 2)
    alpha = _check_level("alpha", alpha)
    trend_alpha = _check_level("trend_alpha", trend_alpha)
    share = _check_level("share", share)
    if trend_test is not None:
        trend_test = check_trend_test(trend_test)
    if global_window not in GLOBAL_WINDOWS:
        raise InputError(
            "Unknown global window.", received=repr(global_window), expected="'cube' or 'slice'", fix="use 'cube'"
        )
    cube = to_cube(values, indicator=indicator)
    if isinstance(values, pd.DataFrame) and indicator is None and "indicator" in values.columns and len(values):
        indicator = str(values["indicator"].iloc[0])
    g = graph.graph if isinstance(graph, WeightsResult) else graph
    ids, mat = graph_matrix(g)
    notes: list[str] = []

    # Areas: those of the graph, plus any in the data that the graph lacks (insufficient data).
    unknown = sorted(set(cube.index) - set(ids))
    if len(unknown) == len(cube.index) and len(cube.index):
        raise InputError(
            "None of the areas in the series is in the spatial weights.",
            received=", ".join(unknown[:5]),
            expected=", ".join(map(str, ids[:5])) + (" ..." if len(ids) > 5 else ""),
            fix="build the graph from the same division and level as the series",
        )
    empty = [str(c) for c in cube.columns[cube.isna().all(axis=0)]]
    if empty:
        notes.append(f"{len(empty)} slice(s) without any data left out: " + ", ".join(empty[:6]))
        cube = cube.drop(columns=empty)
    slices = tuple(cube.columns)
    periods = bool(slices) and all(isinstance(v, str) and PERIOD_PATTERN.match(v) for v in slices)
    if trend_test is None:
        trend_test = default_trend_test(period_kind(slices[0]) if periods else None)
    seasons = None
    if trend_test == "seasonal":
        seasons = seasons_of(slices) if slices else np.zeros(0, dtype=np.int64)
    if seasons is not None and len(np.unique(seasons)) == len(seasons):
        notes.append("seasonal Kendall test: no season occurs twice among the slices, so no trend can be found")
    x = cube.reindex(pd.Index(ids)).to_numpy(dtype="float64", copy=True)
    x[~np.isfinite(x)] = np.nan
    adj = sp.csr_array(mat, copy=True)
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.data[:] = 1.0
    n_nb = np.diff(adj.indptr)

    reason = np.full(len(ids), "", dtype=object)
    T = len(slices)
    valid = ~np.isnan(x)
    if T == 0:
        z = np.full(x.shape, np.nan)
    else:
        z = space_time_gi(x, adj, time_window=time_window, global_window=global_window)
    if T == 0:
        reason[:] = "no slices with data"
    elif np.nanvar(x) <= (1e-12 * np.nanmax(np.abs(x))) ** 2:
        reason[:] = "the indicator has no variance (all values are equal)"
        z[:] = np.nan
    n_slices = valid.sum(axis=1)
    reason[(reason == "") & (n_nb == 0)] = "no neighbours"
    reason[(reason == "") & (n_slices < min_slices)] = [
        f"only {k} slice(s) with data; at least {min_slices} needed"
        for k in n_slices[(reason == "") & (n_slices < min_slices)]
    ]
    z[reason != ""] = np.nan
    p = normal_p(z)
    p_fdr = fdr_bh(p)
    hot = (p_fdr <= alpha) & (z > 0)
    cold = (p_fdr <= alpha) & (z < 0)
    mk = kendall_trend(z, trend_test, seasons=seasons)
    cat, details = classify_series(hot, cold, ~np.isnan(z), np.sign(mk.s), mk.p <= trend_alpha, share=share)
    cat = np.where(reason != "", INSUFFICIENT, cat)

    # Last slice with a tested bin: its period, z and ArcGIS confidence bin.
    tested = ~np.isnan(z)
    has = tested.any(axis=1)
    last_idx = np.where(has, T - 1 - np.argmax(tested[:, ::-1], axis=1), 0) if T else np.zeros(len(ids), int)
    rows = np.arange(len(ids))
    last_z = np.where(has, z[rows, last_idx], np.nan) if T else np.full(len(ids), np.nan)
    last_bin = np.where(has, gi_bin(z, p_fdr)[rows, last_idx], 0) if T else np.zeros(len(ids), int)
    status = np.array([_bin_name(int(b)) if h else "" for b, h in zip(last_bin, has, strict=True)], dtype=object)
    insufficient = reason != ""
    assert mk.variance_factor is not None  # kendall_trend sets it for every test
    table = pd.DataFrame(
        {
            "category": cat,
            "trend_tau": np.where(insufficient, np.nan, mk.tau),
            "trend_p": np.where(insufficient, np.nan, mk.p),
            "trend_z": np.where(insufficient, np.nan, mk.z),
            "trend_variance_factor": np.where(insufficient, np.nan, mk.variance_factor),
            "n_slices": details["n_slices"],
            "n_hot": details["n_hot"],
            "n_cold": details["n_cold"],
            "share_hot": details["share_hot"],
            "share_cold": details["share_cold"],
            "final_run_hot": details["final_run_hot"],
            "final_run_cold": details["final_run_cold"],
            "last_slice": np.array(
                [slices[i] if h else None for i, h in zip(last_idx, has, strict=True)], dtype=object
            ),
            "last_z": last_z,
            "last_status": status,
            "n_neighbours": n_nb,
            "reason": reason,
        },
        index=pd.Index(ids, name="area_code"),
    )
    if unknown:
        extra = pd.DataFrame(
            {"category": INSUFFICIENT, "reason": "area not in the spatial weights"},
            index=pd.Index(unknown, name="area_code"),
        )
        table = pd.concat([table, extra])
        table[["n_slices", "n_hot", "n_cold", "n_neighbours", "final_run_hot", "final_run_cold"]] = (
            table[["n_slices", "n_hot", "n_cold", "n_neighbours", "final_run_hot", "final_run_cold"]]
            .fillna(0)
            .astype("int64")
        )
        table["last_status"] = table["last_status"].fillna("")
        pad = np.full((len(unknown), T), np.nan)
        z, p, p_fdr = (np.vstack([a, pad]) for a in (z, p, p_fdr))
        notes.append(f"{len(unknown)} area(s) in the series but not in the spatial weights")
    order = np.argsort(table.index.to_numpy(dtype=str), kind="stable")
    table = table.iloc[order]
    z, p, p_fdr = z[order], p[order], p_fdr[order]
    if len(slices) < min_slices:
        notes.append(f"only {len(slices)} slice(s); at least {min_slices} are needed for a pattern")
    params = {
        "indicator": indicator,
        "time_window": time_window,
        "global_window": global_window,
        "alpha": alpha,
        "trend_alpha": trend_alpha,
        "share": share,
        "min_slices": min_slices,
        "trend_test": trend_test,
        "trend_test_name": TREND_TEST_NAMES[trend_test],
        "inference": "analytical Gi* z, Benjamini-Hochberg FDR over all bins",
    }
    return EmergingResult(table, slices, z, p, p_fdr, params, tuple(notes))


def _bin_name(b: int) -> str:
    if b == 0:
        return "not significant"
    conf = {1: "90%", 2: "95%", 3: "99%"}[abs(b)]
    return f"{'hot' if b > 0 else 'cold'} spot {conf}"
