"""Benchmark: near-repeat (Knox) test (issue 18 target: 10,000 events x 999 permutations < 1 minute on 2 cores).

    python benchmarks/bench_nearrepeat.py [--permutations 999]

Prints the time of the Knox test on the first 10,000 Chicago burglaries of 2016-2017 (the public test set,
/work/shared/data/events or WEERBAAR_SHARED_DATA) with NearRepeat-style bands, Manhattan and Euclidean, and on
all 45,319 events of 2014-2017.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from weerbaar.analysis.nearrepeat import knox_test

DATA = Path(os.environ.get("WEERBAAR_SHARED_DATA", "/work/shared/data")) / "events" / "chicago_burglary_2014_2017.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--permutations", type=int, default=999)
    args = ap.parse_args()
    d = pd.read_csv(DATA)
    d["t"] = pd.to_datetime(d["date_single"], format="%d/%m/%Y")
    d = d.sort_values("t", kind="stable")
    sds, tds = [0, 1, 100, 200, 300, 400], [0, 7, 14, 21, 28]
    for label, sub in [("10,000 events (2016-)", d[d["t"] >= "2016-01-01"].iloc[:10_000]), ("all 45,319", d)]:
        t = ((sub["t"] - sub["t"].min()).dt.days).to_numpy(dtype=float)
        for distance in ("manhattan", "euclidean"):
            t0 = time.perf_counter()
            r = knox_test(sub["x"], sub["y"], t, sds, tds, distance=distance, permutations=args.permutations, seed=0)
            sec = time.perf_counter() - t0
            print(
                f"{label:22s} {distance:9s} {args.permutations} permutations: {sec:6.1f} s; "
                f"Knox ratio [1,100) m x [0,7) d = {r.knox_ratio[1, 0]:.2f} (p {r.p[1, 0]:.3f})"
            )


if __name__ == "__main__":
    main()
