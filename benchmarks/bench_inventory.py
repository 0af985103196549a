"""Benchmark: composite index plus a 1,000-draw uncertainty analysis (issue 3 targets).

    python benchmarks/bench_inventory.py [--draws 1000] [--skip-national]

Targets: 518 buurten under 10 s; 13,000 areas under 2 minutes. Uses generator scenarios (the
518-area one on a synthetic grid of the same size as Amsterdam's 2022 buurten).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from weerbaar.analysis import composite_index, rank_uncertainty
from weerbaar.synthetic import generate, grid_areas


def frame_for(n: int) -> pd.DataFrame:
    sc = generate(grid_areas(n), seed=1, months=12, events=False)
    o = sc.observations.astype({"indicator": str, "area_code": str, "period": str})
    flows = o[o["period"].str.len() == 7].groupby(["area_code", "indicator"])["value"].sum().unstack()
    yearly = o[o["period"].str.len() == 4].groupby(["area_code", "indicator"])["value"].mean().unstack()
    return pd.concat([flows.drop(columns="police.effort"), yearly], axis=1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--skip-national", action="store_true")
    a = p.parse_args()
    for n in [518] + ([] if a.skip_national else [13000]):
        f = frame_for(n)
        t = time.perf_counter()
        composite_index(f)
        t_index = time.perf_counter() - t
        t = time.perf_counter()
        u = rank_uncertainty(f, draws=a.draws, seed=1)
        t_unc = time.perf_counter() - t
        target = 10 if n == 518 else 120
        print(
            f"{n:,} areas: index {t_index:.2f} s, {a.draws} draws {t_unc:.1f} s, total {t_index + t_unc:.1f} s "
            f"(target < {target} s); median 90% interval width {u.summary()['median_interval_width']:.0f} ranks"
        )


if __name__ == "__main__":
    main()
