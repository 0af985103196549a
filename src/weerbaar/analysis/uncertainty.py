"""Uncertainty and sensitivity of the composite index ranks (Saisana, Saltelli & Tarantola 2005).

Two kinds of uncertainty, kept apart:

* **modelling choices**: Monte Carlo over the normalisation (min-max, z-score, rank), the aggregation
  (arithmetic, geometric), every domain and indicator weight multiplied by a uniform factor in
  [1 - p, 1 + p] (p = 0.25), and leaving out one indicator (or none) of a domain that has more than
  one (a domain is never left out whole: that is a different index, not a choice within this one);
* **statistical**: where an indicator is estimated (the measurement model's posterior drug
  problem), its posterior draws (``posterior``).

Per area: the reference rank; the 90 % rank interval of the choices alone (at the posterior median),
of the statistical uncertainty alone (at the reference choices), and of both together (a crossed
design: every posterior draw of a subset with every choice draw of a subset), with the shares of the
rank variance due to each (two-way random-effects ANOVA on the crossed ranks; what is left is their
interaction). Per choice: first- and total-order Sobol indices (``analysis.sobol``) of the average
shift in ranks, the posterior draw being one more factor. Seeded. See docs/methods/composite-index.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .composite import (
    AGGREGATIONS,
    NORMALISATIONS,
    CompositeConfig,
    Prepared,
    aggregate,
    composite_index,
    normalise,
    prepare_indicators,
    rank_desc,
    weight_matrix,
)
from .sobol import sobol_indices

__all__ = ["UncertaintyResult", "rank_uncertainty", "first_order_indices", "STATISTICAL"]

#: The Sobol factor (and the name in outputs) of the statistical uncertainty: which posterior draw.
STATISTICAL = "statistical (posterior draw)"
#: Posterior draws crossed with choice draws for the combined interval: at most this many posterior draws.
CROSSED_POSTERIOR = 40


@dataclass(frozen=True)
class UncertaintyResult:
    ranks: pd.DataFrame  # per area: reference_rank, median_rank, rank_low, rank_high, ..._choices, ..._statistical
    sensitivity: pd.DataFrame  # per factor: first_order, total_order (Sobol) and their intervals
    draws: pd.DataFrame  # per choice draw: the choices and the average rank shift
    parameters: dict

    def to_frame(self) -> pd.DataFrame:
        return self.ranks.copy()

    def summary(self) -> dict:
        r = self.ranks.dropna(subset=["median_rank"])
        width = r["rank_high"] - r["rank_low"]
        s = self.sensitivity.set_index("factor")
        out = {
            "draws": self.parameters["draws"],
            "seed": self.parameters["seed"],
            "areas_ranked": len(r),
            "median_interval_width": float(width.median()) if len(r) else None,
            "median_interval_width_choices": float((r["rank_high_choices"] - r["rank_low_choices"]).median())
            if len(r)
            else None,
            "statistical": bool(self.parameters["posterior"]),
            "mean_rank_shift": float(self.draws["mean_rank_shift"].mean()),
            "sensitivity": {k: round(float(v), 4) for k, v in s["first_order"].items()},
            "sensitivity_total": {k: round(float(v), 4) for k, v in s["total_order"].items()},
            "sobol_evaluations": self.parameters["sobol_evaluations"],
            "most_influential": str(s["total_order"].idxmax()) if len(s) else None,
        }
        if self.parameters["posterior"]:
            out["median_interval_width_statistical"] = (
                float((r["rank_high_statistical"] - r["rank_low_statistical"]).median()) if len(r) else None
            )
            share = r[["share_statistical", "share_choices", "share_interaction"]].mean()
            out["mean_variance_share"] = {str(k).removeprefix("share_"): round(float(v), 3) for k, v in share.items()}
        return out


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


class _Index:
    """The index under any choice and posterior draw, on precomputed normalised columns."""

    def __init__(
        self, prep: Prepared, config: CompositeConfig, rankable: np.ndarray, posterior: Mapping[str, np.ndarray]
    ):
        self.specs = prep.specs
        self.domains = [d for d in config.domains if any(s.domain == d for s in self.specs)]
        self.rankable = rankable
        self.values = prep.values
        self.z = {m: normalise(prep.values, m, rankable) for m in NORMALISATIONS}
        self.base_w = np.array([s.weight for s in self.specs])
        self.base_d = np.array([config.domain_weight(d) for d in self.domains])
        names = [s.name for s in self.specs]
        self.post = {names.index(k): v for k, v in posterior.items()}  # column -> n x S (direction applied)
        self.n_post = min((v.shape[1] for v in self.post.values()), default=0)
        self._cache: dict[tuple[int, int, int], np.ndarray] = {}
        sizes = pd.Series([s.domain for s in self.specs]).value_counts()
        self.can_leave_out = [k for k, s in enumerate(self.specs) if sizes[s.domain] > 1]

    def _z(self, norm: int, draw: int | None) -> np.ndarray:
        z = self.z[NORMALISATIONS[norm]]
        if draw is None or not self.post:
            return z
        z = z.copy()
        for col, v in self.post.items():
            key = (col, norm, draw)
            if key not in self._cache:
                self._cache[key] = normalise(v[:, draw : draw + 1], NORMALISATIONS[norm], self.rankable)[:, 0]
            z[:, col] = self._cache[key]
        return z

    def ranks(
        self, norm: int, agg: int, left_out: int, w_fac: np.ndarray, d_fac: np.ndarray, draw: int | None
    ) -> np.ndarray:
        w = self.base_w * w_fac
        if left_out >= 0:
            w[left_out] = 0.0
        within = weight_matrix(self.specs, self.domains, w)
        _, comp = aggregate(self._z(norm, draw), within, self.base_d * d_fac, AGGREGATIONS[agg], self.rankable)
        return rank_desc(comp, self.rankable)


def _interval(ranks: np.ndarray, interval: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    with warnings.catch_warnings():  # areas that are never ranked give all-NaN columns
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(ranks, axis=0), np.nanquantile(ranks, lo_q, axis=0), np.nanquantile(ranks, hi_q, axis=0)


def _anova_shares(r: np.ndarray) -> np.ndarray:
    """Per area (last axis), from ranks crossed S x C: shares of variance of the posterior draw, the
    choice draw and their interaction (two-way random effects without replication, negative components 0)."""
    s, c = r.shape[0], r.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = r.mean(axis=(0, 1))
        rs, cs = r.mean(axis=1), r.mean(axis=0)
        ms_s = c * ((rs - m) ** 2).sum(axis=0) / (s - 1)
        ms_c = s * ((cs - m) ** 2).sum(axis=0) / (c - 1)
        resid = r - rs[:, None, :] - cs[None, :, :] + m
        ms_e = (resid**2).sum(axis=(0, 1)) / ((s - 1) * (c - 1))
        v_s = np.clip((ms_s - ms_e) / c, 0, None)
        v_c = np.clip((ms_c - ms_e) / s, 0, None)
        total = v_s + v_c + ms_e
        return np.stack([v_s, v_c, ms_e]) / np.where(total > 0, total, np.nan)


def rank_uncertainty(
    frame: pd.DataFrame,
    config: CompositeConfig | None = None,
    *,
    draws: int = 1000,
    seed: int | np.random.Generator = 0,
    weight_perturbation: float = 0.25,
    interval: float = 0.90,
    posterior: Mapping[str, pd.DataFrame] | None = None,
    sobol_n: int = 256,
) -> UncertaintyResult:
    """Rank intervals (modelling choices, statistical, both) and Sobol indices of the composite index.

    ``posterior`` maps an indicator of the index to its posterior draws (a frame: index area code,
    one column per draw, on the indicator's scale before its direction); its posterior median should be
    the indicator's value in ``frame``. ``sobol_n``: base sample of the Sobol design (N (k + 2) runs);
    0 skips the Sobol indices.
    """
    config = config or CompositeConfig.default()
    rng = np.random.default_rng(seed)
    prep = prepare_indicators(frame, config)
    reference = composite_index(frame, config).table
    rankable = prep.rankable.to_numpy() & reference["ranked"].to_numpy()
    specs = prep.specs
    post: dict[str, np.ndarray] = {}
    for name, f in (posterior or {}).items():
        spec = next((s for s in specs if s.name == name), None)
        if spec is None or not isinstance(f, pd.DataFrame) or f.shape[1] < 2:
            raise InputError(
                "Posterior draws for an indicator the index does not use, or too few draws.",
                received=f"{name}: {type(f).__name__} {getattr(f, 'shape', '')}",
                expected=f"one of {', '.join(s.name for s in specs)}, a frame area x draws (>= 2 draws)",
                fix="pass the posterior draws of an indicator of the configuration",
            )
        post[name] = f.reindex(prep.values.index).to_numpy(dtype="float64") * spec.direction
    idx = _Index(prep, config, rankable, post)
    k, n, nd = len(specs), len(prep.values), len(idx.domains)
    ref_rank = reference["rank"].to_numpy()

    def shift(r: np.ndarray) -> float:
        return float(np.nanmean(np.abs(r[rankable] - ref_rank[rankable]))) if rankable.any() else 0.0

    # -- modelling choices (at the posterior median: the reference values) ------------------------------
    lo_w, span_w = 1 - weight_perturbation, 2 * weight_perturbation
    norm_draw = rng.integers(len(NORMALISATIONS), size=draws)
    agg_draw = rng.integers(len(AGGREGATIONS), size=draws)
    eligible = idx.can_leave_out
    pick = rng.integers(len(eligible) + 1, size=draws) - 1  # -1: none left out
    left_out = np.array([-1 if j < 0 else eligible[j] for j in pick], dtype=int)
    w_fac = rng.uniform(lo_w, lo_w + span_w, size=(draws, k))
    d_fac = rng.uniform(lo_w, lo_w + span_w, size=(draws, nd))
    ranks = np.full((draws, n), np.nan, dtype="float32")
    shifts = np.empty(draws)
    for i in range(draws):
        ranks[i] = idx.ranks(norm_draw[i], agg_draw[i], left_out[i], w_fac[i], d_fac[i], None)
        shifts[i] = shift(ranks[i])
    med_c, lo_c, hi_c = _interval(ranks, interval) if draws else (np.full(n, np.nan),) * 3
    table = pd.DataFrame({"reference_rank": ref_rank}, index=prep.values.index)
    table["rank_low_choices"], table["rank_high_choices"] = lo_c, hi_c
    ref_norm = NORMALISATIONS.index(config.normalisation)
    ref_agg = AGGREGATIONS.index(config.aggregation)
    ones_w, ones_d = np.ones(k), np.ones(nd)
    if idx.post and draws:
        # -- statistical (every posterior draw at the reference choices) ------------------------------
        s_ranks = np.stack([idx.ranks(ref_norm, ref_agg, -1, ones_w, ones_d, s) for s in range(idx.n_post)])
        _, table["rank_low_statistical"], table["rank_high_statistical"] = _interval(s_ranks, interval)
        # -- both: a crossed design of posterior draws x choice draws ---------------------------------
        n_s = min(idx.n_post, CROSSED_POSTERIOR)
        n_c = max(2, int(np.ceil(draws / n_s)))
        s_pick = rng.choice(idx.n_post, size=n_s, replace=False)
        c_pick = np.arange(n_c) % draws
        crossed = np.stack(
            [
                np.stack([idx.ranks(norm_draw[c], agg_draw[c], left_out[c], w_fac[c], d_fac[c], s) for c in c_pick])
                for s in s_pick
            ]
        )
        med, lo, hi = _interval(crossed.reshape(-1, n), interval)
        shares = _anova_shares(crossed.astype("float64"))
        table["median_rank"], table["rank_low"], table["rank_high"] = med, lo, hi
        table["share_statistical"], table["share_choices"], table["share_interaction"] = shares
    else:
        table["median_rank"], table["rank_low"], table["rank_high"] = med_c, lo_c, hi_c
    cols = [c for c in table.columns if c != "reference_rank"]
    table.loc[~rankable, cols] = np.nan
    first = ["reference_rank", "median_rank", "rank_low", "rank_high"]
    table = table[first + [c for c in table.columns if c not in first]]

    # -- Sobol indices of the average rank shift ---------------------------------------------------------
    factors: dict[str, list[int]] = {"normalisation": [0], "aggregation": [1]}
    col = 2
    if eligible:
        factors["left_out"] = [col]
        col += 1
    for j, d in enumerate(idx.domains):
        members = [k_ for k_, s in enumerate(specs) if s.domain == d]
        factors[f"weight.{d}"] = [col + j] + [col + nd + m for m in members]
    col += nd + k
    if idx.post:
        factors[STATISTICAL] = [col]

    def model(u: np.ndarray) -> np.ndarray:
        out = np.empty(len(u))
        for i, row in enumerate(u):
            c = 2
            lo_ = -1
            if eligible:
                j = int(row[c] * (len(eligible) + 1)) - 1
                lo_ = -1 if j < 0 else eligible[j]
                c += 1
            dfac = lo_w + span_w * row[c : c + nd]
            wfac = lo_w + span_w * row[c + nd : c + nd + k]
            draw = int(row[c + nd + k] * idx.n_post) if idx.post else None
            r = idx.ranks(int(row[0] * len(NORMALISATIONS)), int(row[1] * len(AGGREGATIONS)), lo_, wfac, dfac, draw)
            out[i] = shift(r)
        return out

    if sobol_n:
        sob = sobol_indices(model, factors, n=sobol_n, seed=rng, bootstrap=200, confidence=interval)
        sens = sob.indices.copy()
        for c in ("first_order", "total_order"):
            sens[c] = sens[c].clip(0, 1)  # estimates a little below 0 are sampling noise around 0
        evaluations = sob.evaluations
    else:
        sens = pd.DataFrame(columns=["factor", "first_order", "total_order"])
        evaluations = 0
    factors_table = pd.DataFrame(
        {
            "normalisation": [NORMALISATIONS[j] for j in norm_draw],
            "aggregation": [AGGREGATIONS[j] for j in agg_draw],
            "left_out": ["none" if j < 0 else specs[j].name for j in left_out],
        }
    )
    for j, d in enumerate(idx.domains):
        factors_table[f"weight.{d}"] = d_fac[:, j]
    params = {
        "draws": draws,
        "seed": seed if isinstance(seed, int) else "generator",
        "weight_perturbation": weight_perturbation,
        "interval": interval,
        "config": config.to_dict(),
        "posterior": {name: int(v.shape[1]) for name, v in post.items()},
        "leave_one_out": [specs[j].name for j in eligible],
        "sobol_n": sobol_n,
        "sobol_evaluations": evaluations,
    }
    return UncertaintyResult(table, sens, factors_table.assign(mean_rank_shift=shifts), params)
