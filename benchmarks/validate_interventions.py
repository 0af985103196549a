"""Validation: do the intervention estimators recover planted effects and displacement? (issue 19)

Worlds built by ``weerbaar.synthetic.interventions`` (SYNTHETIC: a grid of buurten, monthly Poisson counts, twelve
interventions that cut the target's rate by 40% and raise the rate of the ring of neighbours by 20% from their
start month). For each of several seeds it prints:

* displacement per intervention (12 months before vs after; buffer = ring 1, control = rings 2-3): how often the
  WDD's local part is significantly negative, how often the WDQ shows displacement (< 0), and the mean WDQ
  against the planted one (buffer change / target change relative to control);
* staggered DiD (not-yet-treated controls) on the targets: the overall ATT against the planted mean change in
  counts (the buffers, which also change, are among the controls: a known bias, printed);
* synthetic control for the first intervention (donors: buurten outside every buffer): gap against the truth.
"""

from __future__ import annotations

import numpy as np

from weerbaar.analysis.did import att_gt
from weerbaar.analysis.displacement import Counts, displacement, rings
from weerbaar.analysis.synth import synthetic_control
from weerbaar.synthetic.interventions import intervention_world


def main(seeds=(1, 2, 3)) -> None:
    print("SYNTHETIC worlds with planted effects (target -40%, ring of neighbours +20%)")
    for seed in seeds:
        w = intervention_world(seed=seed)
        wide = w.counts.pivot(index="unit", columns="time", values="y")
        local_sig = disp_neg = significant = 0
        wdqs, planted_wdq = [], []
        for iv in w.interventions.itertuples():
            buf, ctl = rings(w.neighbours, {iv.unit}, buffer_rings=1, control_rings=2)

            def c(units, win, src=wide):
                return float(src.loc[units, win].to_numpy().sum())

            cols_b, cols_a = list(range(iv.start - 12, iv.start)), list(range(iv.start, iv.start + 12))
            r = displacement(
                Counts(c([iv.unit], cols_b), c([iv.unit], cols_a)),
                Counts(c(buf, cols_b), c(buf, cols_a)),
                Counts(c(ctl, cols_b), c(ctl, cols_a)),
            )
            local_sig += r.wdd_local < 0
            disp_neg += r.wdq < 0
            significant += r.p < 0.05
            wdqs.append(r.wdq)
            t = displacement(
                Counts(c([iv.unit], cols_b, w.rate), c([iv.unit], cols_a, w.rate)),
                Counts(c(buf, cols_b, w.rate), c(buf, cols_a, w.rate)),
                Counts(c(ctl, cols_b, w.rate), c(ctl, cols_a, w.rate)),
            )
            planted_wdq.append(t.wdq)
            n = len(w.interventions)
        print(
            f"seed {seed}: displacement: local WDD < 0 in {local_sig}/{n}, WDQ < 0 in {disp_neg}/{n} "
            f"(WDD test significant in {significant}/{n}); "
            f"mean WDQ {np.nanmean(wdqs):+.2f} (planted {np.nanmean(planted_wdq):+.2f}) -> "
            f"{'RECOVERED' if disp_neg >= 0.75 * n and local_sig >= 0.75 * n else 'NOT RECOVERED'}"
        )
        starts = dict(zip(w.interventions["unit"], w.interventions["start"] + 1, strict=True))  # 0 = never
        panel = w.counts.assign(time=w.counts["time"] + 1, group=w.counts["unit"].map(starts).fillna(0).astype(int))
        did = att_gt(panel, control="notyet").summary()
        truth = np.mean(
            [
                (w.rate.loc[u].to_numpy()[s:] - w.baseline.loc[u].to_numpy()[s:]).mean()
                for u, s in zip(w.interventions["unit"], w.interventions["start"], strict=True)
            ]
        )
        ok = did["simple_low"] <= truth <= did["simple_high"]
        print(
            f"        DiD: overall ATT {did['simple_att']:+.2f} (95% {did['simple_low']:+.2f} to "
            f"{did['simple_high']:+.2f}) vs planted {truth:+.2f} -> {'RECOVERED' if ok else 'NOT RECOVERED'}"
            f"; {did['pre_trend_cells_significant']}/{did['pre_trend_cells']} pre-trend cells significant"
        )
        first = w.interventions.iloc[0]
        touched = set(w.interventions["unit"]) | {nb for u in w.interventions["unit"] for nb in w.neighbours[u]}
        donors = [u for u in wide.index if u not in touched]
        start0 = int(first["start"])
        q = w.counts[w.counts["unit"].isin([first["unit"], *donors])].copy()
        q["q"] = (q["time"] - start0) // 3
        q = q.groupby(["unit", "q"], as_index=False)["y"].sum()
        sc = synthetic_control(q, treated=first["unit"], start=0, time="q", donors=donors, placebo=False)
        planted = (w.rate.loc[first["unit"]] - w.baseline.loc[first["unit"]]).to_numpy()[start0:]
        full = len(planted) // 3
        planted_q = planted[: 3 * full].reshape(-1, 3).sum(axis=1).mean()
        post = sc.path[(sc.path.index >= 0) & (sc.path.index < full)]
        print(
            f"        synthetic control ({first['unit']}): mean quarterly gap {post['gap'].mean():+.1f} vs planted "
            f"{planted_q:+.1f}; pre-treatment RMSPE {sc.pre_rmspe:.1f}"
        )


if __name__ == "__main__":
    main()
