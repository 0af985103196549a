"""Benchmark the synthetic scenario generator at national scale.

    python benchmarks/bench_generator.py                 # 13,000 buurten x 120 months
    python benchmarks/bench_generator.py --buurten 500   # a smaller run
    python benchmarks/bench_generator.py --tracemalloc   # also trace Python/numpy allocations (slower)

Prints the wall time of building the grid and of generating the scenario, the number of rows
and incidents, and the peak memory: the process's maximum resident set size (getrusage) and,
with --tracemalloc, the peak of traced allocations during ``generate``. Target: well under 60 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

from weerbaar.synthetic import generate, grid_areas


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buurten", type=int, default=13000, help="number of buurten (default 13000)")
    parser.add_argument("--months", type=int, default=120, help="number of months (default 120)")
    parser.add_argument("--seed", type=int, default=20190601, help="seed")
    parser.add_argument("--no-events", action="store_true", help="skip the incident process")
    parser.add_argument("--tracemalloc", action="store_true", help="trace the peak of allocations (slower)")
    args = parser.parse_args(argv)

    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    areas = grid_areas(args.buurten)
    t_grid = time.perf_counter() - t0

    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    scenario = generate(areas, seed=args.seed, months=args.months, events=not args.no_events)
    t_gen = time.perf_counter() - t0
    traced = None
    if args.tracemalloc:
        traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()

    obs = scenario.observations
    print(f"buurten                {args.buurten:>14,}")
    print(f"months                 {args.months:>14,}")
    print(f"observation rows       {len(obs):>14,}")
    print(f"incidents              {len(scenario.events):>14,}")
    print(f"grid_areas             {t_grid:>12.2f} s")
    note = "  (under tracemalloc)" if traced is not None else ""
    print(f"generate               {t_gen:>12.2f} s{note}")
    print(f"observations in memory {obs.memory_usage(deep=True).sum() / 1024 / 1024:>12.0f} MiB")
    print(f"peak RSS (process)     {_maxrss_mb():>12.0f} MiB  (at start {rss0:.0f} MiB)")
    if traced is not None:
        print(f"peak traced (generate) {traced:>12.0f} MiB")


if __name__ == "__main__":
    main()
