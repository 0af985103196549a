"""Near-repeat (Knox) analysis of point events: is an event more likely close in space AND time to another one
than chance would give?

Every pair of events falls in one space band and one time band. Bands are given as break points,
closed on the left and open on the right, exactly as in the R package NearRepeat (Steenbeek):
``sds = [0, 1, 100, 200, 300]`` gives the bands [0, 1), [1, 100), [100, 200), [200, 300) and
[300, inf): the last band of each dimension is open. Pairs closer than the first break (in space or
time) are left out. A first space band [0, s) with s <= 1 unit is the *same location* band.

The observed count of pairs per cell is compared with its distribution when the event times are
permuted among the locations (the Monte Carlo Knox test of Johnson et al. 2007, as in Ratcliffe's Near
Repeat Calculator): the expected count is the mean over the permutations, the Knox ratio is observed /
expected, and the pseudo p-value is (#{permuted >= observed} + 1) / (permutations + 1).

Speed: the list of pairs within the last finite space break is computed once with a KD-tree; each
permutation only gathers the permuted times of those pairs and counts cells with ``numpy.bincount``.
The open last space band is the time band's total over all pairs (which a permutation of times does
not change: the multiset of time differences is the same) minus the finite space bands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import InputError
from .inference import as_generator, check_permutations

__all__ = ["KnoxResult", "knox_test", "parse_breaks", "pair_bands", "statement"]

DISTANCES = ("manhattan", "euclidean")
_PAIR_CHUNK = 20_000_000  # gathered pair values per permutation block


def parse_breaks(value: str | list | tuple | np.ndarray, *, what: str) -> np.ndarray:
    """Break points from ``"0,1,100,200"`` or a sequence: finite, >= 0, strictly increasing, at least one."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        try:
            arr = np.array([float(p) for p in parts], dtype="float64")
        except ValueError:
            raise InputError(
                f"Malformed {what} break points.",
                received=repr(value),
                expected="comma-separated numbers such as 0,1,100,200,300",
                fix=f"write the {what} breaks as plain numbers separated by commas",
            ) from None
    else:
        arr = np.asarray(value, dtype="float64")
    if arr.ndim != 1 or len(arr) < 1 or not np.isfinite(arr).all() or (arr < 0).any() or (np.diff(arr) <= 0).any():
        raise InputError(
            f"Invalid {what} break points.",
            received=repr(value if isinstance(value, str) else list(np.asarray(value).tolist())),
            expected="one or more finite numbers >= 0 in strictly increasing order (the last band runs to infinity)",
            fix=f"pass e.g. {'0,1,100,200,300' if what == 'space' else '0,7,14,21'}",
        )
    return arr


def _bands(values: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Band index per value for closed-left/open-right bands; -1 below the first break."""
    return np.searchsorted(breaks, values, side="right") - 1


def pair_bands(
    x: np.ndarray, y: np.ndarray, sds: np.ndarray, distance: str = "manhattan"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) closer than the last space break, and their space band (0 .. len(sds) - 2).

    Pairs closer than the first break are dropped. Uses a KD-tree (Minkowski p = 1 or 2).
    """
    pts = np.column_stack([x, y])
    limit = float(sds[-1])
    if len(sds) < 2 or limit <= 0 or len(pts) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    p = 1 if distance == "manhattan" else 2
    tree = cKDTree(pts)
    pairs = tree.query_pairs(limit, p=p, output_type="ndarray")
    if len(pairs) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    i = pairs[:, 0].astype(np.int64)
    j = pairs[:, 1].astype(np.int64)
    d = np.abs(pts[i] - pts[j])
    dist = d.sum(axis=1) if p == 1 else np.sqrt((d * d).sum(axis=1))
    band = _bands(dist, sds)
    keep = (band >= 0) & (dist < limit)  # query_pairs includes d == limit; the open band starts there
    return i[keep], j[keep], band[keep]


def _time_totals(t_sorted: np.ndarray, tds: np.ndarray) -> np.ndarray:
    """Number of pairs per time band over ALL pairs, from sorted times (O(n log n))."""
    n = len(t_sorted)
    idx = np.arange(n)
    # pairs (i < j in sorted order) with t_j - t_i < b, for each break b
    below = np.array(
        [int((np.searchsorted(t_sorted, t_sorted + b, side="left") - idx - 1).clip(min=0).sum()) for b in tds]
    )
    total = n * (n - 1) // 2
    upper = np.append(below[1:], total)
    counts: np.ndarray = upper - below
    return counts


@dataclass(frozen=True)
class KnoxResult:
    """Observed and expected pair counts per (space band, time band) cell."""

    sds: np.ndarray
    tds: np.ndarray
    observed: np.ndarray  # (n_space, n_time) int
    expected: np.ndarray  # mean over permutations
    p: np.ndarray  # pseudo p-value, one-sided (more pairs than chance)
    permutations: int
    distance: str
    n_events: int
    seed: int | None
    synthetic: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def knox_ratio(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.observed / self.expected, np.nan)

    def same_location(self) -> bool:
        """True when the first space band is [0, s) with s <= 1 unit: the same-location band."""
        return len(self.sds) >= 2 and self.sds[0] == 0 and self.sds[1] <= 1

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: space_from, space_to, time_from, time_to, observed, expected, knox_ratio, p."""
        rows = []
        ns, nt = self.observed.shape
        ratio = self.knox_ratio
        for a in range(ns):
            for b in range(nt):
                rows.append(
                    {
                        "space_from": float(self.sds[a]),
                        "space_to": float(self.sds[a + 1]) if a + 1 < len(self.sds) else np.nan,
                        "time_from": float(self.tds[b]),
                        "time_to": float(self.tds[b + 1]) if b + 1 < len(self.tds) else np.nan,
                        "observed": int(self.observed[a, b]),
                        "expected": float(self.expected[a, b]),
                        "knox_ratio": float(ratio[a, b]),
                        "p": float(self.p[a, b]),
                    }
                )
        return pd.DataFrame(rows)

    def summary(self, lang: str = "nl", alpha: float = 0.05) -> str:
        return statement(self, lang=lang, alpha=alpha)


def knox_test(
    x_: npt.ArrayLike,
    y_: npt.ArrayLike,
    t_: npt.ArrayLike,
    sds_: str | list | tuple | np.ndarray,
    tds_: str | list | tuple | np.ndarray,
    *,
    distance: str = "manhattan",
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
    synthetic: bool = False,
) -> KnoxResult:
    """Knox test with Monte Carlo permutation of times.

    ``x, y`` in a projected CRS (metres), ``t`` in days (any origin). ``sds``, ``tds``: break points
    (closed-left, open-right, the last band open to infinity). ``distance``: ``manhattan`` (NearRepeat's
    default, street distance) or ``euclidean``.
    """
    if distance not in DISTANCES:
        raise InputError(
            "Unknown distance.",
            received=repr(distance),
            expected=" or ".join(DISTANCES),
            fix="pass --distance manhattan or --distance euclidean",
        )
    sds = parse_breaks(sds_, what="space")
    tds = parse_breaks(tds_, what="time")
    permutations = check_permutations(permutations)
    x = np.asarray(x_, dtype="float64")
    y = np.asarray(y_, dtype="float64")
    t = np.asarray(t_, dtype="float64")
    if not (len(x) == len(y) == len(t)):
        raise InputError(
            "Coordinates and times differ in length.",
            received=f"{len(x)} x, {len(y)} y, {len(t)} times",
            expected="one x, y and time per event",
            fix="pass arrays of equal length",
        )
    if len(t) < 2:
        raise InputError(
            "Too few events for a near-repeat analysis.",
            received=f"{len(t)} event(s)",
            expected="at least 2 events (in practice hundreds)",
            fix="load more events or widen --type",
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(t).all()):
        raise InputError(
            "Missing or infinite coordinates or times.",
            received="NaN or infinite values",
            expected="finite x, y and times for every event",
            fix="drop or repair events without a location or time",
        )
    rng = as_generator(seed)
    ns, nt = len(sds), len(tds)
    i, j, sband = pair_bands(x, y, sds, distance)
    time_totals = _time_totals(np.sort(t), tds)

    def table(times: np.ndarray, ii: np.ndarray, jj: np.ndarray, sb: np.ndarray) -> np.ndarray:
        tband = _bands(np.abs(times[ii] - times[jj]), tds)
        ok = tband >= 0
        cells = np.bincount(sb[ok] * nt + tband[ok], minlength=(ns - 1) * nt)
        return cells.reshape(ns - 1, nt)

    def full(finite: np.ndarray) -> np.ndarray:
        out = np.empty((ns, nt), dtype=np.int64)
        out[: ns - 1] = finite
        # open last space band: all pairs in the time band minus the pairs below the last space break
        below_last = finite.sum(axis=0)
        out[ns - 1] = time_totals - below_last - _below_first_space(t, ii_low, jj_low, tds, nt)
        return out

    # pairs below the first space break (dropped from the finite bands) still are not in the open band
    ii_low, jj_low = _pairs_below(x, y, sds, distance)
    observed = full(table(t, i, j, sband))
    ge = np.zeros((ns, nt), dtype=np.int64)
    sums = np.zeros((ns, nt), dtype="float64")
    if permutations:
        finite_obs = observed[: ns - 1]
        for _ in range(permutations):
            perm = t[rng.permutation(len(t))]
            sim_f = table(perm, i, j, sband)
            sim_open = time_totals - sim_f.sum(axis=0) - _below_first_space(perm, ii_low, jj_low, tds, nt)
            ge[: ns - 1] += sim_f >= finite_obs
            ge[ns - 1] += sim_open >= observed[ns - 1]
            sums[: ns - 1] += sim_f
            sums[ns - 1] += sim_open
        expected = sums / permutations
        p = (ge + 1) / (permutations + 1)
    else:
        expected = np.full((ns, nt), np.nan)
        p = np.full((ns, nt), np.nan)
    return KnoxResult(
        sds=sds,
        tds=tds,
        observed=observed,
        expected=expected,
        p=p,
        permutations=permutations,
        distance=distance,
        n_events=len(t),
        seed=seed if isinstance(seed, int) else None,
        synthetic=synthetic,
    )


def _pairs_below(x: np.ndarray, y: np.ndarray, sds: np.ndarray, distance: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairs closer than the first space break (only when it is > 0); they belong to no band."""
    if sds[0] <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pts = np.column_stack([x, y])
    p = 1 if distance == "manhattan" else 2
    pairs = cKDTree(pts).query_pairs(float(sds[0]), p=p, output_type="ndarray")
    if len(pairs) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    d = np.abs(pts[i] - pts[j])
    dist = d.sum(axis=1) if p == 1 else np.sqrt((d * d).sum(axis=1))
    keep = dist < sds[0]
    return i[keep], j[keep]


def _below_first_space(t: np.ndarray, ii: np.ndarray, jj: np.ndarray, tds: np.ndarray, nt: int) -> np.ndarray:
    if len(ii) == 0:
        return np.zeros(nt, dtype=np.int64)
    tb = _bands(np.abs(t[ii] - t[jj]), tds)
    return np.bincount(tb[tb >= 0], minlength=nt)


def statement(result: KnoxResult, *, lang: str = "nl", alpha: float = 0.05, unit: str = "m") -> str:
    """The sentence an analyst needs, for the closest significant cell (excluding the same-location band)
    with the largest Knox ratio, plus the same-location finding when there is one."""

    def n(value: float, spec: str) -> str:  # Dutch texts use a decimal comma (20,9), English a point
        text = format(value, spec)
        return text.replace(".", ",") if lang == "nl" else text

    ratio = result.knox_ratio
    ns, nt = result.observed.shape
    first = 1 if result.same_location() else 0
    best = None
    for a in range(first, ns - 1):
        for b in range(nt - 1 if nt > 1 else nt):
            r, p = ratio[a, b], result.p[a, b]
            if np.isfinite(r) and np.isfinite(p) and p <= alpha and r > 1 and (best is None or r > ratio[best]):
                best = (a, b)
    parts = []
    if best is None:
        parts.append(
            f"Geen significant near-repeat-patroon (p ≤ {n(alpha, 'g')}) binnen de gekozen afstanden en tijden."
            if lang == "nl"
            else f"No significant near-repeat pattern (p ≤ {n(alpha, 'g')}) within the chosen distances and times."
        )
    else:
        a, b = best
        s_hi, t_hi = n(result.sds[a + 1], "g"), n(result.tds[b + 1], "g")
        s_lo, t_lo = n(result.sds[a], "g"), n(result.tds[b], "g")
        r = ratio[a, b]
        if lang == "nl":
            parts.append(
                f"Tussen {s_lo} en {s_hi} {unit} en {t_lo} tot {t_hi} dagen na een incident is de kans op een volgend "
                f"incident {n(r, '.1f')} keer zo groot als toeval zou geven (p = {n(result.p[a, b], '.3f')})."
            )
        else:
            parts.append(
                f"Between {s_lo} and {s_hi} {unit} and {t_lo} to {t_hi} days after an incident, the risk of another "
                f"is {r:.1f} times what chance would give (p = {result.p[a, b]:.3f})."
            )
    if result.same_location():
        r, p = ratio[0, 0], result.p[0, 0]
        if np.isfinite(r) and np.isfinite(p) and p <= alpha and r > 1:
            t_hi = n(result.tds[1], "g") if nt > 1 else "∞"
            parts.append(
                f"Op dezelfde plek binnen {t_hi} dagen: {n(r, '.1f')} keer de kans (herhaald slachtofferschap)."
                if lang == "nl"
                else f"At the same location within {t_hi} days: {r:.1f} times the chance (repeat victimisation)."
            )
    return " ".join(parts)
