"""Benchmark: how much of the public figures survives disclosure control on the embedded default (issue 15).

    python benchmarks/bench_disclosure_utility.py [--home DIR]

Builds the embedded Amsterdam default in a temporary home (or uses ``--home``), then prints, per count
indicator, area level and period kind, the share of cells (with data) that the public read model
publishes (exact or rounded) under the per-indicator disclosure policy (decision 0013). Targets:
registered drug trade 100 % at every level (passed through as the source publishes it); residents'
reports wijk x half-year >= 90 %, buurt x year >= 70 %.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from weerbaar import pipeline
from weerbaar.public import PublicData

INDICATORS = ("registered.drug_trade", "registered.drug_use", "reports.drug_nuisance", "tips.anonymous_drugs")
LEVELS = ("stad", "stadsdeel", "gebied", "wijk", "buurt")
KINDS = ("year", "half", "quarter", "month")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--home", type=Path, default=None)
    a = p.parse_args()
    home = a.home or Path(tempfile.mkdtemp(prefix="weerbaar-bench-"))
    if not pipeline.warehouse_path(home).exists():
        t = time.perf_counter()
        pipeline.build(home=home)
        print(f"built the default in {time.perf_counter() - t:.0f} s")
    data = PublicData(home)
    cat = data.catalogue()
    division = data.division(None)
    here = cat[cat["division"] == division].set_index("indicator")
    t = time.perf_counter()
    data.prefetch_cubes(division, [i for i in INDICATORS if i in here.index])
    print(f"protected the cubes in {time.perf_counter() - t:.1f} s (machine shared, timings indicative)")
    print(f"{'indicator':24} {'policy':20} {'level':10} " + " ".join(f"{k:>8}" for k in KINDS))
    for ind in INDICATORS:
        if ind not in here.index:
            continue
        for level in LEVELS:
            shares = []
            for kind in KINDS:
                tab = data.table(division, ind, level, kind)
                with_data = tab[tab["status"] != "missing"]
                if with_data.empty:
                    shares.append("       -")
                    continue
                shown = with_data["status"].isin(["published", "rounded"]).mean()
                shares.append(f"{100 * shown:7.1f}%")
            print(f"{ind:24} {here.at[ind, 'disclosure']:20} {level:10} " + " ".join(shares))


if __name__ == "__main__":
    main()
