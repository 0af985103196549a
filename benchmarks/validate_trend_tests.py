"""Validation of the trend tests of the emerging hot-spot analysis (issue 15, decision 0029).

    python benchmarks/validate_trend_tests.py [--sims 40] [--seed 0]

Simulates SYNTHETIC space-time cubes like the ones the emerging hot-spot analysis sees: Poisson counts on a
12 x 12 rook grid, each area with its own mean (lognormal, sd 0.5), a city-wide season (x 1.3 in summer, x 0.8
in winter), monthly slices (4 years ending in August, 44 slices) and quarterly slices (4 years, 16 slices).
The Gi* z-scores of every bin are computed as in the analysis (time window 1; mean and sd of the whole cube, the
default, or of each slice), also without the season, and the
Mann-Kendall trend of each area's z series is tested with the plain test (mk), Hamed-Rao (hamed-rao) and the
seasonal Kendall test (seasonal).

Printed per slice kind and test: the share of areas with p <= 0.05 when nothing changes (false positives;
nominal 5 %), and when a quarter of the areas grow by 40 % a year (power: the share of those areas with a
significant upward trend).
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.sparse as sp

from weerbaar.analysis.emerging import space_time_gi
from weerbaar.analysis.kendall import TREND_TESTS, kendall_trend

SIDE = 12
SEASON = np.array([0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 1.0, 0.9, 0.8])


def grid(side: int) -> sp.csr_array:
    n = side * side
    rows, cols = [], []
    for r in range(side):
        for c in range(side):
            i = r * side + c
            for dr, dc in ((0, 1), (1, 0)):
                rr, cc = r + dr, c + dc
                if rr < side and cc < side:
                    j = rr * side + cc
                    rows += [i, j]
                    cols += [j, i]
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def cube(
    rng: np.random.Generator, kind: str, growth: float, seasonal: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = SIDE * SIDE
    base = 8 * np.exp(rng.normal(0, 0.5, n))
    if kind == "month":
        months = np.arange(44)
        season = SEASON[months % 12] if seasonal else np.ones(len(months))
        seasons = months % 12
        years = months / 12
    else:
        quarters = np.arange(16)
        season = (SEASON.reshape(4, 3).mean(axis=1)[quarters % 4] if seasonal else np.ones(len(quarters))) * 3
        seasons = quarters % 4
        years = quarters / 4
    grows = np.zeros(n, bool)
    if growth:
        grows[rng.choice(n, n // 4, replace=False)] = True
    level = base[:, None] * season[None, :] * np.where(grows[:, None], (1 + growth) ** years[None, :], 1.0)
    return rng.poisson(level).astype("float64"), seasons, grows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sims", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    adj = grid(SIDE)
    print("SYNTHETIC data; rejection rate at p <= 0.05 of the trend of each area's Gi* z series")
    for kind, seasonal, window in (
        (k, s, w) for k in ("month", "quarter") for s in (True, False) for w in ("cube", "slice")
    ):
        for growth, label in ((0.0, "no change (false positives)"), (0.4, "+40 %/year in 1/4 of areas (power)")):
            hits = {t: [] for t in TREND_TESTS}
            for _ in range(args.sims):
                x, seasons, grows = cube(rng, kind, growth, seasonal)
                z = space_time_gi(x, adj, time_window=1, global_window=window)
                for t in TREND_TESTS:
                    res = kendall_trend(z, t, seasons=seasons)
                    if growth:
                        hits[t].append(np.mean((res.p[grows] <= 0.05) & (res.s[grows] > 0)))
                    else:
                        hits[t].append(np.mean(res.p <= 0.05))
            cells = ", ".join(f"{t} {100 * np.mean(v):.1f} %" for t, v in hits.items())
            what = f"{kind} slices, {'season' if seasonal else 'no season'}, {window} window"
            print(f"{what:<40} {label}: {cells}")


if __name__ == "__main__":
    main()
