"""Benchmark: composite index plus its uncertainty analysis (issue 3 targets; issue 14 part 3).

    python benchmarks/bench_inventory.py [--draws 1000] [--sobol 256] [--skip-national] [--fit]

Per size: the index; the modelling-choice Monte Carlo alone (what the inventory did before issue 14:
``posterior=None, sobol_n=0``); and the full analysis of the model-based inventory (two domains: the
posterior problem and susceptibility; choices, 200 posterior draws, the crossed design and Sobol
indices). The posterior is SYNTHETIC here (log rate of reports and tips plus Gaussian noise, sd 0.3)
unless ``--fit`` fits the measurement model on the 518-area scenario (timed separately).
Targets: 518 buurten under 10 s; 13,000 areas under 2 minutes. Uses generator scenarios.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from weerbaar.analysis import composite_index, rank_uncertainty
from weerbaar.analysis.composite import CompositeConfig
from weerbaar.analysis.inventory import PROBLEM, estimate_problem, model_config
from weerbaar.synthetic import generate, grid_areas


def frame_for(n: int) -> pd.DataFrame:
    sc = generate(grid_areas(n), seed=1, months=12, events=False)
    o = sc.observations.astype({"indicator": str, "area_code": str, "period": str})
    flows = o[o["period"].str.len() == 7].groupby(["area_code", "indicator"])["value"].sum().unstack()
    yearly = o[o["period"].str.len() == 4].groupby(["area_code", "indicator"])["value"].mean().unstack()
    return pd.concat([flows.drop(columns="police.effort"), yearly], axis=1)


def synthetic_posterior(f: pd.DataFrame, draws: int = 200, seed: int = 1) -> pd.DataFrame:
    """SYNTHETIC posterior draws of the log problem (for timing only)."""
    rng = np.random.default_rng(seed)
    base = np.log((f["reports.drug_nuisance"] + f["tips.anonymous_drugs"] + 0.5) / f["population"].clip(lower=1))
    return pd.DataFrame(base.to_numpy()[:, None] + 0.3 * rng.standard_normal((len(f), draws)), index=f.index)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--sobol", type=int, default=256)
    p.add_argument("--skip-national", action="store_true")
    p.add_argument("--fit", action="store_true", help="fit the measurement model on the 518-area scenario")
    a = p.parse_args()
    for n in [518] + ([] if a.skip_national else [13000]):
        f = frame_for(n)
        t = time.perf_counter()
        composite_index(f)
        t_index = time.perf_counter() - t
        t = time.perf_counter()
        u = rank_uncertainty(f, draws=a.draws, seed=1, sobol_n=0)
        t_choices = time.perf_counter() - t
        what = "SYNTHETIC posterior"
        if a.fit and n == 518:
            from weerbaar.analysis.weights import build_graph

            areas = grid_areas(n)
            graph = build_graph(areas[areas["level"] == "buurt"], "queen", level="buurt").graph
            t = time.perf_counter()
            est = estimate_problem(f, graph=graph, draws=200, seed=1)
            print(f"{n:,} areas: measurement model fit and 200 draws {time.perf_counter() - t:.1f} s ({est.source})")
            post = est.draws if est.used else synthetic_posterior(f)
            what = "posterior of the fit" if est.used else what
        else:
            post = synthetic_posterior(f)
        fm = f.assign(**{PROBLEM: post.median(axis=1)})
        cfg = model_config(CompositeConfig.default())
        t = time.perf_counter()
        full = rank_uncertainty(fm, cfg, draws=a.draws, seed=1, posterior={PROBLEM: post}, sobol_n=a.sobol)
        t_full = time.perf_counter() - t
        s = full.summary()
        target = 10 if n == 518 else 120
        print(
            f"{n:,} areas: index {t_index:.2f} s; choices only ({a.draws} draws, indicator index) {t_choices:.1f} s, "
            f"median 90% interval {u.summary()['median_interval_width']:.0f} ranks; model-based index, {what}: "
            f"choices + statistical + crossed + Sobol N={a.sobol} ({s['sobol_evaluations']} runs) {t_full:.1f} s "
            f"(target < {target} s); median widths: statistical {s['median_interval_width_statistical']:.0f}, "
            f"choices {s['median_interval_width_choices']:.0f}, both {s['median_interval_width']:.0f} ranks; "
            f"most influential: {s['most_influential']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
