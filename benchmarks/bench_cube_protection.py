"""Benchmark: how long the public read model takes to protect the cubes of the embedded default (issue 15/16).

    python benchmarks/bench_cube_protection.py --home DIR [--profile]

Uses a built home (``weerbaar.standard.ensure_ready``; built in a temporary home when ``--home`` is not
given). Each run copies the warehouse into a fresh temporary home (no cube cache, empty release ledger),
so the timing is that of a first start / the first request after a warehouse change. Prints the
seconds for all count indicators of the default division, then again for a second release on the same
ledger (cells already published are then fixed), and the share of cells withheld.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from weerbaar import pipeline, standard
from weerbaar.public import PublicData


def fresh_copy(home: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="weerbaar-benchcube-"))
    shutil.copy2(pipeline.warehouse_path(home), tmp / pipeline.warehouse_path(home).name)
    return tmp


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--home", type=Path, default=None)
    p.add_argument("--profile", action="store_true", help="print a cProfile of the first protection")
    a = p.parse_args()
    home = a.home or Path(tempfile.mkdtemp(prefix="weerbaar-bench-"))
    if not pipeline.warehouse_path(home).exists():
        t = time.perf_counter()
        standard.ensure_ready(home)
        print(f"built the default in {time.perf_counter() - t:.0f} s")
    work = fresh_copy(home)
    try:
        data = PublicData(work)
        division = data.meta()["default_division"]
        cat = data.catalogue()
        flows = cat.loc[(cat["division"] == division) & cat["flow"], "indicator"].tolist()
        t = time.perf_counter()
        if a.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            data.prefetch_cubes(division, flows)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        else:
            data.prefetch_cubes(division, flows)
        first = time.perf_counter() - t
        cells = withheld = 0
        for ind in flows:
            cube = data.cube(division, ind)
            cells += int((cube["status"] != "missing").sum())
            withheld += int(cube["status"].isin(["primary", "secondary"]).sum())
        print(f"{len(flows)} count indicators, {cells} cells with data, {withheld} withheld")
        print(f"first protection (empty ledger, no cube cache): {first:.2f} s")
        shutil.rmtree(work / "cache", ignore_errors=True)
        again = PublicData(work)
        t = time.perf_counter()
        again.prefetch_cubes(division, flows)
        print(f"second release (ledger filled, no cube cache): {time.perf_counter() - t:.2f} s")
        third = PublicData(work)
        t = time.perf_counter()
        third.prefetch_cubes(division, flows)
        print(f"restart with the cube cache on disk: {time.perf_counter() - t:.2f} s")
        # the first area profile after a start (protected cubes of the warm-up's batch on disk, nothing in memory)
        from weerbaar.web import views

        fourth = PublicData(work)
        areas = fourth.areas(division)
        code = str(areas.index[areas["level"] == "wijk"][0])
        t = time.perf_counter()
        views.profile(fourth, code, division=division)
        print(f"first /area/{code} profile after a start (cube cache on disk): {time.perf_counter() - t:.2f} s")
        print("(machine shared by other jobs: timings indicative)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
