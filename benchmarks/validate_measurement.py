"""Validate the measurement model's zwijgwijk flag on worlds it was not built from (issue 14).

    python benchmarks/validate_measurement.py                    # every world, 1/3/10 years, 2 seeds
    python benchmarks/validate_measurement.py --years 1 --seeds 3
    python benchmarks/validate_measurement.py --speed            # 518 buurten x 10 years, timed

The worlds come from ``weerbaar.synthetic.worlds`` (SAR fields, negative binomial counts, a probit
beta-binomial survey, silence in clusters following vulnerability; SYNTHETIC). Per world and number
of years: precision and recall of the zwijgwijk flag (pooled over the seeds), the share of areas
flagged in the world without silence, and the same for the baseline the issue quotes: a robust
negative-binomial regression of reports on the survey's logit and log tips (offset population),
areas in either 0.5 % predictive tail left out iteratively, flags where the mid-p lower tail is
significant after Benjamini-Hochberg at 0.10.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from weerbaar.analysis.inference import fdr_bh
from weerbaar.analysis.measurement import measurement_model
from weerbaar.synthetic.worlds import WORLDS, make_world


def baseline(world) -> np.ndarray:
    """Robust NB2 regression of reports on survey logit and log tips; BH-FDR 0.10 on the lower tail."""
    import statsmodels.api as sm

    f = world.frame
    if world.survey is not None:
        sv = world.survey["survey.drug_nuisance_pct"].reindex(world.survey_area.reindex(f.index)).to_numpy()
    else:
        sv = f["survey.drug_nuisance_pct"].to_numpy()
    q = np.clip(sv / 100, 0.005, 0.995)
    x = np.column_stack([np.ones(len(f)), np.log(q / (1 - q)), np.log(f["tips.anonymous_drugs"] + 0.5)])
    y = f["reports.drug_nuisance"].to_numpy()
    off = np.log(f["population"].to_numpy() / 1000)
    keep = np.ones(len(y), dtype=bool)
    for _ in range(10):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = sm.NegativeBinomial(y[keep], x[keep], offset=off[keep], loglike_method="nb2").fit(disp=0, maxiter=500)
        b, alpha = r.params[:-1], r.params[-1]
        mu = np.exp(x @ b + off)
        size = 1 / alpha
        pr = size / (size + mu)
        p = stats.nbinom.cdf(y - 1, size, pr) + 0.5 * stats.nbinom.pmf(y, size, pr)
        new = (p > 0.005) & (p < 0.995)
        if (new == keep).all():
            break
        keep = new
    return fdr_bh(p) <= 0.10


def score(flag: np.ndarray, silent: np.ndarray) -> dict:
    tp = int((flag & silent).sum())
    return {"flagged": int(flag.sum()), "tp": tp, "silent": int(silent.sum()), "n": len(flag)}


def run(worlds, years_list, seeds) -> pd.DataFrame:
    rows = []
    for years in years_list:
        for name in worlds:
            for seed in seeds:
                w = make_world(name, years=years, seed=seed)
                t = time.perf_counter()
                r = measurement_model(
                    w.frame, graph=w.graph, survey=w.survey, survey_area=w.survey_area, years=years, seed=seed
                )
                secs = time.perf_counter() - t
                d = r.table
                silent = w.truth["silent"].reindex(d.index).to_numpy()
                m = score((d["flag"] == "zwijgwijk").to_numpy(), silent)
                b = score(baseline(w), w.truth["silent"].to_numpy())
                eff = int((d["flag"] == "effort").sum())
                rows.append(
                    {
                        "world": name,
                        "years": years,
                        "seed": seed,
                        **{f"m_{k}": v for k, v in m.items()},
                        **{f"b_{k}": v for k, v in b.items() if k != "n"},
                        "effort_flags": eff,
                        "converged": r.published,
                        "seconds": round(secs, 1),
                    }
                )
                print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["world", "years"], sort=False).sum(numeric_only=True)
    out = pd.DataFrame(index=g.index)
    out["precision"] = (g["m_tp"] / g["m_flagged"]).round(2)
    out["recall"] = (g["m_tp"] / g["m_silent"]).round(2)
    out["flagged_%"] = (100 * g["m_flagged"] / g["m_n"]).round(1)
    out["base_precision"] = (g["b_tp"] / g["b_flagged"]).round(2)
    out["base_recall"] = (g["b_tp"] / g["b_silent"]).round(2)
    out["base_flagged_%"] = (100 * g["b_flagged"] / g["m_n"]).round(1)
    out["effort_flags_per_run"] = (g["effort_flags"] / df.groupby(["world", "years"], sort=False).size()).round(1)
    out["all_converged"] = df.groupby(["world", "years"], sort=False)["converged"].all()
    out["mean_seconds"] = df.groupby(["world", "years"], sort=False)["seconds"].mean().round(1)
    return out


def speed() -> None:
    """518 buurten (a 28 x 18.5 lattice is not possible: 37 x 14 = 518) x 10 years."""
    w = make_world("clustered", years=10, nx=37, ny=14, seed=0)
    t = time.perf_counter()
    r = measurement_model(w.frame, graph=w.graph, years=10)
    print(f"518 buurten x 10 years: {time.perf_counter() - t:.1f} s, converged {r.published}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--worlds", nargs="*", default=list(WORLDS))
    ap.add_argument("--years", nargs="*", type=int, default=[1, 3, 10])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--speed", action="store_true")
    a = ap.parse_args()
    if a.speed:
        speed()
    else:
        res = run(a.worlds, a.years, list(range(a.seeds)))
        pd.set_option("display.width", 200)
        print(table(res).to_string())
