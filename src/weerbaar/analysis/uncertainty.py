"""Uncertainty and sensitivity of the composite index ranks (Saisana, Saltelli & Tarantola 2005).

Monte Carlo over the index's modelling choices: the normalisation (min-max, z-score, rank), the
aggregation (arithmetic, geometric), every domain and indicator weight multiplied by a uniform
factor in [1 - p, 1 + p] (p = 0.25), and leaving out one indicator (or none). Per area: the
reference rank, the median rank and a 90 % rank interval. Per choice: its first-order
sensitivity index on the average shift in ranks, S_i = Var(E[R | X_i]) / Var(R). Seeded.
See docs/methods/composite-index.md.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .composite import (
    AGGREGATIONS,
    NORMALISATIONS,
    CompositeConfig,
    aggregate,
    composite_index,
    normalise,
    prepare_indicators,
    rank_desc,
    weight_matrix,
)

__all__ = ["UncertaintyResult", "rank_uncertainty", "first_order_indices"]


@dataclass(frozen=True)
class UncertaintyResult:
    ranks: pd.DataFrame  # per area: reference_rank, median_rank, rank_low, rank_high
    sensitivity: pd.DataFrame  # per factor: first-order index
    draws: pd.DataFrame  # per draw: the choices and the average rank shift
    parameters: dict

    def to_frame(self) -> pd.DataFrame:
        return self.ranks.copy()

    def summary(self) -> dict:
        r = self.ranks.dropna(subset=["median_rank"])
        width = r["rank_high"] - r["rank_low"]
        s = self.sensitivity.set_index("factor")["first_order"]
        return {
            "draws": self.parameters["draws"],
            "seed": self.parameters["seed"],
            "areas_ranked": len(r),
            "median_interval_width": float(width.median()) if len(r) else None,
            "mean_rank_shift": float(self.draws["mean_rank_shift"].mean()),
            "sensitivity": {k: round(float(v), 4) for k, v in s.items()},
            "most_influential": str(s.idxmax()) if len(s) else None,
        }


def first_order_indices(y: np.ndarray, factors: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """First-order sensitivity indices Var(E[y | x]) / Var(y), by conditioning on each factor.

    Categorical factors condition on their levels; numeric ones on ``bins`` quantile bins.
    """
    y = np.asarray(y, dtype="float64")
    total = y.var()
    rows = []
    for name, x in factors.items():
        if pd.api.types.is_numeric_dtype(x) and x.nunique() > bins:
            groups = pd.qcut(x, bins, labels=False, duplicates="drop")
        else:
            groups = x.astype("string")
        means = pd.Series(y).groupby(groups.to_numpy()).agg(["mean", "size"])
        between = float(((means["mean"] - y.mean()) ** 2 * means["size"]).sum() / len(y))
        rows.append({"factor": name, "first_order": between / total if total > 0 else 0.0})
    return pd.DataFrame(rows)


def rank_uncertainty(
    frame: pd.DataFrame,
    config: CompositeConfig | None = None,
    *,
    draws: int = 1000,
    seed: int | np.random.Generator = 0,
    weight_perturbation: float = 0.25,
    interval: float = 0.90,
) -> UncertaintyResult:
    """Monte Carlo rank intervals and first-order sensitivity indices of the composite index."""
    config = config or CompositeConfig.default()
    rng = np.random.default_rng(seed)
    prep = prepare_indicators(frame, config)
    reference = composite_index(frame, config).table
    domains = [d for d in config.domains if any(s.domain == d for s in prep.specs)]
    rankable = prep.rankable.to_numpy() & reference["ranked"].to_numpy()
    specs = prep.specs
    k, n = len(specs), len(prep.values)
    z_by = {m: normalise(prep.values, m, rankable) for m in NORMALISATIONS}
    base_w = np.array([s.weight for s in specs])
    base_d = np.array([config.domain_weight(d) for d in domains])
    ref_rank = reference["rank"].to_numpy()

    norm_draw = rng.integers(len(NORMALISATIONS), size=draws)
    agg_draw = rng.integers(len(AGGREGATIONS), size=draws)
    left_out = rng.integers(k + 1, size=draws) - 1  # -1: none left out
    w_fac = rng.uniform(1 - weight_perturbation, 1 + weight_perturbation, size=(draws, k))
    d_fac = rng.uniform(1 - weight_perturbation, 1 + weight_perturbation, size=(draws, len(domains)))

    ranks = np.full((draws, n), np.nan, dtype="float32")
    shift = np.empty(draws)
    for i in range(draws):
        w = base_w * w_fac[i]
        if left_out[i] >= 0 and k > 1:
            w[left_out[i]] = 0.0
        within = weight_matrix(specs, domains, w)
        _, comp = aggregate(
            z_by[NORMALISATIONS[norm_draw[i]]], within, base_d * d_fac[i], AGGREGATIONS[agg_draw[i]], rankable
        )
        r = rank_desc(comp, rankable)
        ranks[i] = r
        shift[i] = np.nanmean(np.abs(r[rankable] - ref_rank[rankable])) if rankable.any() else 0.0

    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    with warnings.catch_warnings():  # areas that are never ranked give all-NaN columns
        warnings.simplefilter("ignore", RuntimeWarning)
        table = pd.DataFrame(
            {
                "reference_rank": ref_rank,
                "median_rank": np.nanmedian(ranks, axis=0) if draws else np.nan,
                "rank_low": np.nanquantile(ranks, lo_q, axis=0),
                "rank_high": np.nanquantile(ranks, hi_q, axis=0),
            },
            index=prep.values.index,
        )
    table.loc[~rankable, ["median_rank", "rank_low", "rank_high"]] = np.nan
    factors = pd.DataFrame(
        {
            "normalisation": [NORMALISATIONS[j] for j in norm_draw],
            "aggregation": [AGGREGATIONS[j] for j in agg_draw],
            "left_out": ["none" if j < 0 else specs[j].name for j in left_out],
        }
    )
    for j, d in enumerate(domains):
        factors[f"weight.{d}"] = d_fac[:, j]
    sens = first_order_indices(shift, factors)
    weight_rows = sens["factor"].str.startswith("weight.")
    sens = pd.concat(
        [
            sens,
            pd.DataFrame(
                [
                    {
                        "factor": "weights (sum of domain weights)",
                        "first_order": sens.loc[weight_rows, "first_order"].sum(),
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    draws_table = factors.assign(mean_rank_shift=shift)
    params = {
        "draws": draws,
        "seed": seed if isinstance(seed, int) else "generator",
        "weight_perturbation": weight_perturbation,
        "interval": interval,
        "config": config.to_dict(),
    }
    return UncertaintyResult(table, sens, draws_table, params)
