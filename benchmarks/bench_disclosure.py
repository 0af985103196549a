"""Benchmark: disclosure control of a city-sized cube (docs/methods/disclosure.md).

    python benchmarks/bench_disclosure.py [--months 120] [--mean 0.5] [--repeat 3] [--seed 1]

Builds an area tree shaped like Amsterdam's 2022 division (1 stad, 9 stadsdelen, 25 gebieden,
110 wijken, 518 buurten: 663 areas), draws Poisson counts per buurt and month (mean 0.5: about
the level of a single drug-offence category), and prints the time of ``aggregate_cube`` (months
to quarters, halves, years and every area level: 663 x 190 cells for 10 years) and of
``protect`` in both modes (best of ``--repeat``), the statuses per level and period kind, and how
many cells the completion step adds to the single-equation fixed point.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

import weerbaar.disclosure as disclosure
from weerbaar.disclosure import DisclosureConfig, aggregate_cube, protect

SHAPE = (("stad", 1), ("stadsdeel", 9), ("gebied", 25), ("wijk", 110), ("buurt", 518))


def amsterdam_like_tree(rng: np.random.Generator) -> tuple[dict[str, str | None], dict[str, str]]:
    """Child -> parent and code -> level for a 1/9/25/110/518 tree; every parent has a child."""
    parents: dict[str, str | None] = {"0363": None}
    levels = {"0363": "stad"}
    above = ["0363"]
    for level, n in SHAPE[1:]:
        # every area above gets at least one child, the rest are spread at random
        owners = np.r_[np.arange(len(above)), rng.integers(0, len(above), n - len(above))]
        owners.sort()
        codes = [f"{level[:2].upper()}{i:04d}" for i in range(n)]
        for code, owner in zip(codes, owners, strict=True):
            parents[code] = above[owner]
            levels[code] = level
        above = codes
    return parents, levels


def timed(fn, *args, repeat: int = 3, **kwargs):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--months", type=int, default=120)
    p.add_argument("--mean", type=float, default=0.5)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    parents, levels = amsterdam_like_tree(rng)
    buurten = [c for c, lv in levels.items() if lv == "buurt"]
    periods = [f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(a.months)]
    counts = rng.poisson(a.mean, (len(buurten), len(periods)))
    base = pd.DataFrame(
        {
            "area_code": np.repeat(buurten, len(periods)),
            "period": np.tile(periods, len(buurten)),
            "value": counts.ravel(),
        }
    )
    print(f"{len(parents)} areas, {len(buurten)} buurten x {a.months} months, Poisson mean {a.mean} per buurt-month")
    print(f"cores available: {os.cpu_count()}")

    t_agg, cube = timed(aggregate_cube, base, parents, levels=levels, repeat=a.repeat)
    n_periods = cube["period"].nunique()
    print(f"aggregate_cube: {t_agg:6.3f} s   ({len(cube):,} cells = {len(parents)} areas x {n_periods} periods)")
    t_sup, prot = timed(protect, cube, parents, repeat=a.repeat)
    print(f"protect (suppress): {t_sup:6.3f} s   total with aggregate_cube {t_agg + t_sup:6.3f} s")
    t_round, _ = timed(protect, cube, parents, DisclosureConfig(mode="round"), repeat=a.repeat)
    print(f"protect (round):    {t_round:6.3f} s")

    original = disclosure.intervals._complete
    disclosure.intervals._complete = lambda system, sup, *rest: np.zeros_like(sup)
    try:
        fixed = protect(cube, parents)
    finally:
        disclosure.intervals._complete = original
    n_fixed = int((fixed["status"] == "secondary").sum())
    n_all = int((prot["status"] == "secondary").sum())
    added = (prot["status"] == "secondary") & (fixed["status"] != "secondary")
    zeros = int((prot.loc[added, "value"] == 0).sum())
    print(
        f"secondary cells: {n_fixed:,} from the single-equation fixed point, {n_all - n_fixed:,} more from the "
        f"completion step ({zeros:,} of them zeros)"
    )

    per = prot["period"].astype(str)
    kind = np.where(per.str.len() == 4, "year", np.where(per.str.contains("H"), "half", "month"))
    kind = pd.Series(np.where(per.str.contains("Q"), "quarter", kind), index=prot.index, name="kind")
    table = pd.crosstab([prot["area_code"].map(levels), kind], prot["status"])
    table = table.reindex(index=[(lv, k) for lv, _ in SHAPE for k in ("month", "quarter", "half", "year")])
    table["published %"] = (100 * table.get("published", 0) / table.sum(axis=1)).round(1)
    print(table.to_string())
    share = prot["status"].value_counts(normalize=True).mul(100).round(1)
    print("share of all cells (%):", ", ".join(f"{k} {v}" for k, v in share.items()))


if __name__ == "__main__":
    main()
