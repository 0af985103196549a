"""Benchmark: hot spots and emerging hot spots (issue 4 targets).

    python benchmarks/bench_hotspots.py [--no-national] [--no-scaling] [--permutations 999]

Prints: Gi* and local Moran with 999 conditional permutations on 518 areas (ours vs esda called
directly); emerging hot spot analysis on 518 areas x 120 months (target < 30 s) and, unless
``--no-national``, on 13,000 areas x 120 months (target < 10 minutes); and how the emerging
analysis grows with the number of areas and months. Data: generator scenarios on synthetic
grids (518 is the number of Amsterdam's 2022 buurten), the monthly registered drug trade.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import esda
import numpy as np
import pandas as pd

from weerbaar.analysis.emerging import emerging_hotspots
from weerbaar.analysis.hotspots import gi_star, local_moran
from weerbaar.analysis.weights import build_graph
from weerbaar.synthetic import generate, grid_areas


def scenario(n: int, months: int = 120):
    areas = grid_areas(n)
    sc = generate(areas, seed=1, months=months, events=False)
    obs = sc.observations
    long = obs[obs["indicator"] == "registered.drug_trade"][["area_code", "period", "value"]]
    return areas, long


def timed(fn, *args, repeat: int = 1, **kwargs):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, out


def local_statistics(permutations: int) -> None:
    areas, long = scenario(518, months=12)
    g = build_graph(areas, level="buurt")
    y = long.astype({"area_code": str}).groupby("area_code")["value"].sum()
    y = y.reindex(g.codes)
    yv = y.to_numpy()
    print(f"Local statistics, 518 areas, {permutations} permutations (best of 3):")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, ours = timed(gi_star, y, g, permutations=permutations, seed=1, repeat=3)
        t_esda, ref = timed(
            esda.G_Local, yv, g.graph, transform="B", star=True, permutations=permutations, seed=1, repeat=3
        )
        gap = np.abs(ours.table.loc[g.codes, "z"].to_numpy() - ref.Zs).max()
        print(f"  Gi*:         ours {t_ours:6.3f} s   esda {t_esda:6.3f} s   max |z - esda Zs| {gap:.1e}")
        t_ours, ours = timed(local_moran, y, g, permutations=permutations, seed=1, repeat=3)
        t_esda, ref = timed(esda.Moran_Local, yv, g.graph, permutations=permutations, seed=1, repeat=3)
        gap = np.abs(ours.table.loc[g.codes, "statistic"].to_numpy() - ref.Is).max()
        print(f"  local Moran: ours {t_ours:6.3f} s   esda {t_esda:6.3f} s   max |I - esda Is| {gap:.1e}")
    try:
        import numba  # noqa: F401

        print("  (esda runs with numba)")
    except ImportError:
        print("  (numba is not installed: esda runs its pure-Python permutation loop)")


def emerging(n: int, months: int, target: float | None) -> float:
    areas, long = scenario(n, months)
    g = build_graph(areas, level="buurt")
    t, r = timed(emerging_hotspots, long, g)
    cats = r.summary()["categories"]
    top = ", ".join(f"{v} {k}" for k, v in sorted(cats.items(), key=lambda kv: -kv[1])[:4])
    goal = f" (target < {target:.0f} s)" if target else ""
    print(f"  {n:>6,} areas x {months:>3} months: {t:7.2f} s{goal}   [{top}]")
    return t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--permutations", type=int, default=999)
    p.add_argument("--national", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--scaling", action=argparse.BooleanOptionalAction, default=True)
    a = p.parse_args()
    local_statistics(a.permutations)
    print("Emerging hot spot analysis (input: long observations of one indicator; includes the pivot):")
    emerging(518, 120, 30)
    if a.national:
        emerging(13000, 120, 600)
    if a.scaling:
        print("Growth with areas and months:")
        rows = []
        for n in (518, 2000, 5000) + ((13000,) if a.national else ()):
            for months in (24, 60, 120):
                areas, long = scenario(n, months)
                g = build_graph(areas, level="buurt")
                t, _ = timed(emerging_hotspots, long, g, repeat=2)
                rows.append(
                    {"areas": n, "months": months, "seconds": round(t, 3), "us_per_bin": t / (n * months) * 1e6}
                )
        table = pd.DataFrame(rows)
        print(table.pivot(index="areas", columns="months", values="seconds").to_string())
        print(f"  microseconds per bin: {table['us_per_bin'].min():.1f} .. {table['us_per_bin'].max():.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak resident memory of the process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
