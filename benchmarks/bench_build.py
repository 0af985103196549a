"""Benchmark: `weerbaar build` of the embedded default, and the warehouse load of a national-scale scenario.

    python benchmarks/bench_build.py [--skip-national] [--buurten 13000] [--months 120]

Prints wall time and peak memory (resident set, of a child process per measurement) against the
targets of issue 2: build < 60 s and < 2 GB; national-scale generation < 60 s; its load < 60 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap

CHILD_BUILD = """
import json, resource, sys, time
from pathlib import Path
from weerbaar import pipeline
t = time.perf_counter()
result = pipeline.build(home=Path(sys.argv[1]))
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak_mb, "rows": result["counts"]["observations"]}))
"""

CHILD_NATIONAL = """
import json, resource, sys, time
from pathlib import Path
from weerbaar.synthetic import generate, grid_areas
from weerbaar.sources import SourceData
from weerbaar.warehouse import Warehouse
n, months = int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
areas = grid_areas(n)
t_areas = time.perf_counter() - t
t = time.perf_counter()
sc = generate(areas, seed=1, months=months, events=False)
t_gen = time.perf_counter() - t
wh = Warehouse.create(Path(sys.argv[1]) / "national.duckdb")
t = time.perf_counter()
wh.load("synthetic-national", SourceData(observations=sc.observations), kind="synthetic")
t_load = time.perf_counter() - t
t = time.perf_counter()
snap = wh.snapshot_hash()
t_hash = time.perf_counter() - t
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"areas_s": t_areas, "generate_s": t_gen, "load_s": t_load, "hash_s": t_hash,
                  "rows": len(sc.observations), "peak_mb": peak_mb}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--skip-national", action="store_true")
    p.add_argument("--buurten", type=int, default=13000)
    p.add_argument("--months", type=int, default=120)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        b = run(CHILD_BUILD, tmp)
        print(
            f"build of the default: {b['seconds']:.1f} s (target < 60 s), peak RSS {b['peak_mb']:.0f} MB "
            f"(target < 2048 MB), {b['rows']:,} observations"
        )
        if not a.skip_national:
            r = run(CHILD_NATIONAL, tmp, str(a.buurten), str(a.months))
            print(
                f"national scenario {a.buurten:,} buurten x {a.months} months: {r['rows']:,} rows; "
                f"areas {r['areas_s']:.1f} s, generate {r['generate_s']:.1f} s (target < 60 s), "
                f"warehouse load {r['load_s']:.1f} s (target < 60 s), snapshot hash {r['hash_s']:.1f} s, "
                f"peak RSS {r['peak_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
