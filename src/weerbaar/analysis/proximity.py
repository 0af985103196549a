"""Dealing near schools and playgrounds (measure 11): do reports concentrate near facilities more than the
spatial distribution of population and activity explains?

* **Colocation quotient** (Leslie & Kronenfeld 2011), ``CLQ(A -> B)``: among the nearest neighbours of the points
  of type A (all points pooled, self excluded, ties shared), the share that is of type B, divided by B's share of
  all other points, ``N_B / (N - 1)`` (``N_B - 1`` when A = B). 1 = as many as a random labelling gives; > 1 =
  B clusters around A. Here A is the reports and B a facility type (the other direction saturates near
  N_reports / N when reports far outnumber facilities: almost every facility's nearest neighbour is a report).
* **Cross-type K and L functions against an inhomogeneous null**: for each facility type and distance r the
  number of (facility, report) pairs within r, ``K(r) = |W| pairs(r) / (n_f n_r)`` and ``L(r) = sqrt(K / pi)``,
  compared with the same statistic for reports simulated from a background intensity (per buurt, e.g. its
  population or all its registrations, spread evenly within the buurt): Monte Carlo envelopes (2.5 and 97.5
  percentiles) and a one-sided rank p-value for "more reports near the facilities than the background explains".

Facilities and reports are points in RD New metres. See docs/methods/facility-proximity.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import InputError

__all__ = ["colocation_quotient", "BackgroundGrid", "ProximityResult", "cross_k", "facility_counts"]


def colocation_quotient(x: np.ndarray, y: np.ndarray, labels: np.ndarray, a: str, b: str) -> float:
    """CLQ(a -> b) with the single nearest neighbour (ties shared equally), Leslie & Kronenfeld (2011)."""
    labels = np.asarray(labels)
    pts = np.column_stack([x, y]).astype(float)
    n = len(pts)
    ia = np.flatnonzero(labels == a)
    nb = int((labels == b).sum())
    if len(ia) == 0 or nb == 0 or n < 3:
        return float("nan")
    tree = cKDTree(pts)
    k = min(n, 8)
    found_d, found_i = tree.query(pts[ia], k=k)
    dist, idx = np.asarray(found_d), np.asarray(found_i)
    share = 0.0
    for row_d, row_i, self_i in zip(dist, idx, ia, strict=True):
        keep = row_i != self_i
        d, i = row_d[keep], row_i[keep]
        nearest = np.isclose(d, d[0])
        share += (labels[i[nearest]] == b).mean()
    expected = (nb - (1 if a == b else 0)) / (n - 1)
    return float((share / len(ia)) / expected)


@dataclass(frozen=True)
class BackgroundGrid:
    """Cells (centres, size) with a probability each: where a report would fall under the null."""

    x: np.ndarray
    y: np.ndarray
    p: np.ndarray
    cell: float
    area_m2: float

    @classmethod
    def from_areas(cls, areas: Any, weights: pd.Series, cell: float = 50.0) -> BackgroundGrid:
        """``areas``: GeoDataFrame (index code, RD New); ``weights``: code -> background intensity (>= 0)."""
        import shapely

        w = weights.reindex(areas.index).fillna(0.0).clip(lower=0)
        if w.sum() <= 0:
            raise InputError(
                "The background intensity is zero everywhere.",
                received="weights summing to 0",
                expected="a positive weight (population, registrations) in some areas",
                fix="choose another --background",
            )
        minx, miny, maxx, maxy = areas.total_bounds
        gx = np.arange(minx + cell / 2, maxx, cell)
        gy = np.arange(miny + cell / 2, maxy, cell)
        X, Y = np.meshgrid(gx, gy)
        pts = shapely.points(X.ravel(), Y.ravel())
        tree = shapely.STRtree(np.asarray(areas.geometry.values))
        pi, ai = tree.query(pts, predicate="within")
        owner = np.full(X.size, -1)
        owner[pi] = ai
        inside = owner >= 0
        codes_w = w.to_numpy(float)
        cells_per_area = np.bincount(owner[inside], minlength=len(areas))
        per_cell = np.where(cells_per_area > 0, codes_w / np.maximum(cells_per_area, 1), 0.0)
        p = per_cell[owner[inside]]
        p = p / p.sum()
        return cls(X.ravel()[inside], Y.ravel()[inside], p, cell, float(areas.geometry.area.sum()))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        i = rng.choice(len(self.p), size=n, p=self.p)
        jitter = rng.uniform(-self.cell / 2, self.cell / 2, size=(n, 2))
        return np.column_stack([self.x[i], self.y[i]]) + jitter


@dataclass(frozen=True)
class ProximityResult:
    table: pd.DataFrame  # facility_type, r, pairs, expected, low, high, L, L_low, L_high, p
    clq: pd.Series  # facility type -> CLQ(reports -> type)
    simulations: int
    n_reports: int

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> dict:
        t = self.table
        return {
            "simulations": self.simulations,
            "reports": self.n_reports,
            "clq": {k: (None if not np.isfinite(v) else round(float(v), 3)) for k, v in self.clq.items()},
            "above_envelope": t.loc[t["pairs"] > t["high"], ["facility_type", "r"]].values.tolist(),
        }


def _pair_counts(
    fac_tree: cKDTree, fac_type_idx: np.ndarray, n_types: int, pts: np.ndarray, radii: np.ndarray
) -> np.ndarray:
    """types x radii: (facility, report) pairs within each radius."""
    rep_tree = cKDTree(pts)
    pairs = fac_tree.sparse_distance_matrix(rep_tree, radii[-1], output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((n_types, len(radii)))
    bins = np.searchsorted(radii, pairs["v"], side="left")  # first radius that contains the pair
    counts = np.zeros((n_types, len(radii) + 1))
    np.add.at(counts, (fac_type_idx[pairs["i"]], bins), 1)
    return np.cumsum(counts[:, : len(radii)], axis=1)


def cross_k(
    facilities: pd.DataFrame,
    reports: np.ndarray,
    background: BackgroundGrid,
    *,
    radii: Sequence[float] = (50, 100, 200, 300, 500),
    simulations: int = 999,
    seed: int = 0,
) -> ProximityResult:
    """Cross-type K/L per facility type (``facilities``: columns x, y, type) against the background null."""
    if simulations < 19:
        raise InputError("Too few simulations.", received=str(simulations), expected="19 or more (999 recommended)")
    reports = np.asarray(reports, dtype=float).reshape(-1, 2)
    if len(reports) == 0 or len(facilities) == 0:
        raise InputError(
            "No reports or no facilities.", received=f"{len(reports)} reports, {len(facilities)} facilities"
        )
    radii_m = np.array(sorted(float(r) for r in radii))
    if radii_m[0] <= 0 or radii_m[-1] > 5000:
        raise InputError("Distances out of range.", received=str(list(radii_m)), expected="0 < r <= 5000 metres")
    types = sorted(facilities["type"].astype(str).unique())
    tidx = facilities["type"].astype(str).map({t: i for i, t in enumerate(types)}).to_numpy()
    ftree = cKDTree(facilities[["x", "y"]].to_numpy(float))
    obs = _pair_counts(ftree, tidx, len(types), reports, radii_m)
    rng = np.random.default_rng(seed)
    sims = np.empty((simulations, len(types), len(radii_m)))
    for s in range(simulations):
        sims[s] = _pair_counts(ftree, tidx, len(types), background.sample(len(reports), rng), radii_m)
    n_f = np.bincount(tidx, minlength=len(types)).astype(float)
    scale = background.area_m2 / (n_f[:, None] * len(reports))

    low, high = np.percentile(sims, [2.5, 97.5], axis=0)
    p = ((sims >= obs[None]).sum(axis=0) + 1) / (simulations + 1)
    rows = []
    for i, t in enumerate(types):
        for j, r in enumerate(radii_m):
            rows.append(
                {
                    "facility_type": t,
                    "facilities": int(n_f[i]),
                    "r": float(r),
                    "pairs": float(obs[i, j]),
                    "expected": float(sims[:, i, j].mean()),
                    "low": float(low[i, j]),
                    "high": float(high[i, j]),
                    "p": float(p[i, j]),
                }
            )
    table = pd.DataFrame(rows)
    k_scale = scale[table["facility_type"].map(types.index).to_numpy(), 0]
    for col, src in (("L", "pairs"), ("L_low", "low"), ("L_high", "high")):
        table[col] = np.sqrt(table[src] * k_scale / np.pi)
    x = np.concatenate([facilities["x"].to_numpy(float), reports[:, 0]])
    y = np.concatenate([facilities["y"].to_numpy(float), reports[:, 1]])
    labels = np.concatenate([facilities["type"].astype(str).to_numpy(), np.full(len(reports), "__report__")])
    clq = pd.Series({t: colocation_quotient(x, y, labels, "__report__", t) for t in types})
    return ProximityResult(table, clq, simulations, len(reports))


def facility_counts(facilities: pd.DataFrame, reports: np.ndarray, radius: float, threshold: int) -> pd.DataFrame:
    """Reports within ``radius`` of each facility; counts below ``threshold`` (but above 0) are suppressed.

    For partners only: a school's name next to a count is sensitive."""
    reports = np.asarray(reports, dtype=float).reshape(-1, 2)
    pts = facilities[["x", "y"]].to_numpy(float)
    counts = (
        np.asarray(cKDTree(reports).query_ball_point(pts, radius, return_length=True))
        if len(reports)
        else np.zeros(len(pts), int)
    )
    out = facilities.drop(columns=["x", "y"]).copy()
    out["reports"] = counts
    small = (counts > 0) & (counts < threshold)
    out["shown"] = np.where(small, f"<{threshold}", counts.astype(str))
    out["suppressed"] = small
    out.loc[small, "reports"] = np.nan
    return out.sort_values("reports", ascending=False, na_position="last")
