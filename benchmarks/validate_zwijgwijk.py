"""Validate the zwijgwijk flag on generator scenarios with planted truth (issue 3, part 4).

    python benchmarks/validate_zwijgwijk.py                      # the full table (several minutes)
    python benchmarks/validate_zwijgwijk.py --quick              # 2 seeds, default noise, 5 and 10 years
    python benchmarks/validate_zwijgwijk.py --graph              # with spatial smoothing of the predictors
    python benchmarks/validate_zwijgwijk.py --runtime-only       # only the 518 / 13,000-area timings

For every seed, noise level and under-reporting strength, one 10-year scenario is generated on a
synthetic grid (``--buurten``, default 600); the analysis frame is the last 1, 3, 5 or 10 years
(counts summed, percentages and effort averaged). The zwijgwijk flag is scored against the
planted zwijgwijken: precision and recall pooled over the seeds, and false alarms on planted
police focus areas and on areas with below-median latent problems. ``zwijg_factor`` is the share
of its normal propensity a planted zwijgwijk keeps (0.4: it reports 40 % of what it otherwise
would); ``null`` runs plant no under-reporting (factor 1.0), so every zwijgwijk flag there is a
false alarm. ``fp_shy``: false alarms whose (unplanted) reporting propensity lies in the lowest
fifth of the normal areas, i.e. areas that do report less than usual without being planted.
``fa_focus``: zwijgwijk flags on focus areas that report normally; ``fa_low``: zwijgwijk flags on
areas with below-median latent problems. The effort flag is scored against the planted focus
areas (effort x 2.5): ``effort_recall`` is the share of them flagged as effort-driven,
``effort_other`` the number of other areas flagged so.

Noise levels: ``low`` (Poisson counts, reporting propensity sd 0.15 on the logit scale),
``default`` (the generator's defaults: negative binomial shape 4, propensity sd 0.3) and ``high``
(shape 1, propensity sd 0.5).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import pandas as pd

from weerbaar.analysis.zwijgwijk import detect_zwijgwijken, observations_frame
from weerbaar.synthetic import ModelParameters, fixture_city, generate, grid_areas

NOISE = {
    "low": {"dispersion": None, "propensity_sd": 0.15},
    "default": {},
    "high": {"dispersion": 1.0, "propensity_sd": 0.5},
}


def score(result, truth: pd.DataFrame) -> dict:
    """Counts of hits and false alarms of both flags against the planted truth."""
    d = result.details().set_index("area_code")
    t = truth.set_index("code").reindex(d.index)
    zw, focus = t["zwijgwijk"].to_numpy(bool), t["focus"].to_numpy(bool)
    low = (t["latent"] < t["latent"].median()).to_numpy()
    shy = (t["propensity"] <= t.loc[~t["zwijgwijk"], "propensity"].quantile(0.2)).to_numpy()
    fz = (d["flag"] == "zwijgwijk").to_numpy()
    fe = (d["flag"] == "effort").to_numpy() | d["effort_driven"].to_numpy(bool)
    return {
        "planted": int(zw.sum()),
        "tp": int((fz & zw).sum()),
        "fp": int((fz & ~zw).sum()),
        "fa_focus": int((fz & focus & ~zw).sum()),
        "fa_low": int((fz & low).sum()),
        "fp_shy": int((fz & ~zw & shy).sum()),
        "focus": int(focus.sum()),
        "effort_hit": int((fe & focus).sum()),
        "effort_other": int((fe & ~focus).sum()),
    }


def run(buurten, seeds, factors, noises, periods, months, kwargs, areas=None) -> pd.DataFrame:
    areas = grid_areas(buurten) if areas is None else areas
    rows = []
    for noise in noises:
        for factor in factors:
            model = replace(ModelParameters(), zwijg_factor=factor, **NOISE[noise])
            for seed in seeds:
                sc = generate(areas, seed=seed, months=months, events=False, model=model)
                years = sc.params["years"]
                graph = None
                if kwargs.get("graph"):
                    from libpysal.graph import Graph

                    b = areas[areas["level"] == "buurt"].set_index("code")
                    graph = Graph.build_contiguity(b, rook=False)
                for n_years in periods:
                    frame = observations_frame(sc.observations, years[-n_years:])
                    res = detect_zwijgwijken(frame, **{**kwargs, "graph": graph})
                    rows.append(
                        {"noise": noise, "factor": factor, "seed": seed, "years": n_years, **score(res, sc.truth)}
                    )
    return pd.DataFrame(rows)


def table(raw: pd.DataFrame) -> pd.DataFrame:
    raw = raw.copy()
    null = raw["factor"] >= 1.0  # nothing planted: every zwijgwijk flag is a false alarm
    raw.loc[null, "fp"] += raw.loc[null, "tp"]  # (fp_shy then leaves out the planted areas)
    raw.loc[null, ["tp", "planted"]] = 0
    g = raw.groupby(["noise", "factor", "years"], sort=False)
    s = g[["planted", "tp", "fp", "fp_shy", "fa_focus", "fa_low", "focus", "effort_hit", "effort_other"]].sum()
    s["precision"] = (s["tp"] / (s["tp"] + s["fp"]).where(lambda v: v > 0)).round(2)
    s["recall"] = (s["tp"] / s["planted"].where(lambda v: v > 0)).round(2)
    s["effort_recall"] = (s["effort_hit"] / s["focus"]).round(2)
    s["seeds"] = g.size()
    cols = [
        "seeds",
        "planted",
        "tp",
        "fp",
        "precision",
        "recall",
        "fp_shy",
        "fa_focus",
        "fa_low",
        "effort_recall",
        "effort_other",
    ]
    return s[cols]


def runtime(n: int, kwargs: dict) -> tuple[float, float]:
    sc = generate(grid_areas(n), seed=1, months=120, events=False)
    t0 = time.perf_counter()
    frame = observations_frame(sc.observations)
    t1 = time.perf_counter()
    detect_zwijgwijken(frame, **kwargs)
    return t1 - t0, time.perf_counter() - t1


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--buurten", type=int, default=600)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--graph", action="store_true", help="spatial smoothing with queen contiguity")
    p.add_argument("--family", default="lognormal")
    p.add_argument("--alpha", type=float, default=0.10)
    p.add_argument("--robust", type=float, default=0.005)
    p.add_argument("--problem-quantile", type=float, default=0.5)
    p.add_argument("--noise", nargs="+", choices=list(NOISE), help="noise levels (default all)")
    p.add_argument("--factors", nargs="+", type=float, help="zwijg_factor values (default 0.2 0.4 0.6 1.0)")
    p.add_argument("--years", nargs="+", type=int, help="analysis periods in years (default 1 3 5 10)")
    p.add_argument("--runtime-only", action="store_true")
    p.add_argument("--no-runtime", action="store_true")
    p.add_argument("--no-fixture", action="store_true")
    a = p.parse_args(argv)
    kwargs = {
        "family": a.family,
        "alpha": a.alpha,
        "robust": a.robust,
        "problem_quantile": a.problem_quantile,
        "graph": a.graph,
    }
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    if not a.runtime_only:
        seeds = list(range(1, (2 if a.quick else a.seeds) + 1))
        noises = a.noise or (["default"] if a.quick else list(NOISE))
        periods = a.years or ([5, 10] if a.quick else [1, 3, 5, 10])
        factors = a.factors or ([0.4, 1.0] if a.quick else [0.2, 0.4, 0.6, 1.0])
        t0 = time.perf_counter()
        raw = run(a.buurten, seeds, factors, noises, periods, 120, kwargs)
        print(f"Grid of {a.buurten} buurten, {len(seeds)} seeds, settings {kwargs} ({time.perf_counter() - t0:.0f} s)")
        print("factor 1.0 = no planted under-reporting: every zwijgwijk flag is a false alarm")
        print(table(raw).to_string())
        if not a.no_fixture and not a.quick:
            fx = run(0, seeds, [0.2, 0.4], ["default"], [10], 120, kwargs, areas=fixture_city())
            print("\nFixture city (12 buurten, 1 planted zwijgwijk), 10 years (too few areas to fit the model well):")
            print(table(fx).to_string())
    if not a.no_runtime:
        rt_kwargs = {k: v for k, v in kwargs.items() if k != "graph"}
        for n in (518, 13000):
            t_frame, t_detect = runtime(n, rt_kwargs)
            print(f"runtime {n:,} areas (10 years): frame {t_frame:.1f} s, detect_zwijgwijken {t_detect:.1f} s")


if __name__ == "__main__":
    main()
