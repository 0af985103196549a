"""Validate the measurement model's zwijgwijk flag on worlds it was not built from (issue 14).

    python benchmarks/validate_measurement.py                    # every world, 1/3/10 years, 2 seeds
    python benchmarks/validate_measurement.py --years 1 --seeds 3
    python benchmarks/validate_measurement.py --speed            # 518 buurten x 10 years, timed
    python benchmarks/validate_measurement.py --large [--full]   # 13,000 areas x 1 year (approximation)

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


def run(worlds, years_list, seeds, alpha: float = 0.10) -> pd.DataFrame:
    rows = []
    for years in years_list:
        for name in worlds:
            for seed in seeds:
                w = make_world(name, years=years, seed=seed)
                t = time.perf_counter()
                r = measurement_model(
                    w.frame,
                    graph=w.graph,
                    survey=w.survey,
                    survey_area=w.survey_area,
                    years=years,
                    seed=seed,
                    alpha=alpha,
                )
                secs = time.perf_counter() - t
                d = r.table
                silent = w.truth["silent"].reindex(d.index).to_numpy()
                m = score((d["flag"] == "zwijgwijk").to_numpy(), silent)
                b = score(baseline(w), w.truth["silent"].to_numpy())
                eff_flag = (d["effort_driven"]).to_numpy(bool)
                true_eff = w.truth["effort"].reindex(d.index).to_numpy()
                eff = int(eff_flag.sum())
                rows.append(
                    {
                        "world": name,
                        "years": years,
                        "alpha": alpha,
                        "seed": seed,
                        **{f"m_{k}": v for k, v in m.items()},
                        **{f"b_{k}": v for k, v in b.items() if k != "n"},
                        "effort_flags": eff,
                        # effort-driven (whether or not also a zwijgwijk) against the planted effort
                        "effort_tp2": int((eff_flag & (true_eff > 2)).sum()),
                        "effort_tp15": int((eff_flag & (true_eff > 1.5)).sum()),
                        "effort_true2": int((true_eff > 2).sum()),
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
    out["effort_precision_2x"] = (g["effort_tp2"] / g["effort_flags"]).round(2)
    out["effort_precision_1.5x"] = (g["effort_tp15"] / g["effort_flags"]).round(2)
    out["effort_recall_2x"] = (g["effort_tp2"] / g["effort_true2"]).round(2)
    per = df.assign(
        p=df["m_tp"] / df["m_flagged"].where(df["m_flagged"] > 0),
        r=df["m_tp"] / df["m_silent"].where(df["m_silent"] > 0),
        f=100 * df["m_flagged"] / df["m_n"],
    ).groupby(["world", "years"], sort=False)
    out["precision_range"] = per["p"].agg(lambda v: f"{v.min():.2f}-{v.max():.2f}")
    out["recall_mean"] = per["r"].mean().round(2)
    out["recall_range"] = per["r"].agg(lambda v: f"{v.min():.2f}-{v.max():.2f}")
    out["flagged_%_max"] = per["f"].max().round(1)
    out["seeds"] = per.size()
    out["all_converged"] = df.groupby(["world", "years"], sort=False)["converged"].all()
    out["mean_seconds"] = df.groupby(["world", "years"], sort=False)["seconds"].mean().round(1)
    return out


def speed() -> None:
    """518 buurten (a 28 x 18.5 lattice is not possible: 37 x 14 = 518) x 10 years."""
    w = make_world("clustered", years=10, nx=37, ny=14, seed=0)
    t = time.perf_counter()
    r = measurement_model(w.frame, graph=w.graph, years=10)
    print(f"518 buurten x 10 years: {time.perf_counter() - t:.1f} s, converged {r.published}")


def large(nx: int = 130, ny: int = 100, full: bool = False) -> None:
    """13,000 areas x 1 year (a 130 x 100 lattice from worlds.py, SYNTHETIC).

    Faster approximation (``measurement_model(approximate=True)``, the default above ``LARGE_AREAS``): the
    hyperparameters are estimated on a connected block of ``HYPER_BLOCK`` areas (``hyper_block``), then
    fixed for one fit of all areas (mode, heavy-tail weights, draws; no outer optimisation). With ``full``
    the full fit (hyperparameters estimated on all areas) runs too and the flags are compared."""
    w = make_world("clustered", years=1, nx=nx, ny=ny, seed=0)
    codes = w.frame.index
    t = time.perf_counter()
    r = measurement_model(w.frame, graph=w.graph, years=1, approximate=True)
    secs = time.perf_counter() - t
    approx = r.fit["diagnostics"]["approximation"]
    flag = (r.table["flag"] == "zwijgwijk").to_numpy()
    s = score(flag, w.truth["silent"].reindex(r.table.index).to_numpy())
    print(
        f"{len(codes)} areas x 1 year, approximation (block of {approx['block_areas']} areas): {secs:.0f} s, "
        f"converged {r.published}, flagged {s['flagged']}, true {s['tp']} of {s['silent']}",
        flush=True,
    )
    if full:
        t = time.perf_counter()
        rf = measurement_model(w.frame, graph=w.graph, years=1, approximate=False)
        ff = (rf.table["flag"] == "zwijgwijk").to_numpy()
        agree = float((ff == flag).mean())
        both = int((ff & flag).sum())
        print(
            f"full fit: {time.perf_counter() - t:.0f} s, converged {rf.published}, flagged {int(ff.sum())}; "
            f"agreement {agree:.4f}, flagged by both {both}",
            flush=True,
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--worlds", nargs="*", default=list(WORLDS))
    ap.add_argument("--years", nargs="*", type=int, default=[1, 3, 10])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--seed0", type=int, default=0, help="first seed (seeds seed0 .. seed0 + seeds - 1)")
    ap.add_argument("--alpha", type=float, default=0.10, help="the model's Bayesian FDR (the CLI's --alpha)")
    ap.add_argument("--out", help="also write the per-run rows to this CSV")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--large", action="store_true", help="13,000 areas x 1 year (window approximation)")
    ap.add_argument("--full", action="store_true", help="with --large: also the full fit, and the agreement")
    a = ap.parse_args()
    if a.speed:
        speed()
    elif a.large:
        large(full=a.full)
    else:
        res = run(a.worlds, a.years, list(range(a.seed0, a.seed0 + a.seeds)), alpha=a.alpha)
        if a.out:
            res.to_csv(a.out, index=False)
        pd.set_option("display.width", 200)
        print(table(res).to_string())
