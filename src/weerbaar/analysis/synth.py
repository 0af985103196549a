"""Synthetic control for a single treated area (Abadie, Diamond & Hainmueller 2010), with placebo tests.

The synthetic control is a weighted average of donor areas (weights ``W >= 0``, summing to 1) that resembles
the treated area before the intervention on a set of predictors. With ``X1`` (k) the treated area's predictors,
``X0`` (k x J) the donors', each predictor scaled by its standard deviation over all units,

    W*(V) = argmin_W (X1 - X0 W)' V (X1 - X0 W)        (V diagonal, >= 0, sum 1: predictor importance)
    V*    = argmin_V  sum over pre-treatment periods of (Y1 - Y0 W*(V))^2

(the nested optimisation of the ``Synth`` package). The effect is the gap ``Y1 - Y0 W*`` after the start.
Inference by **placebo tests in space**: every donor in turn is treated as if it had the intervention (with the
other donors as its pool); the treated area's ratio of post- to pre-treatment RMSPE is ranked among all
ratios, ``p = rank / (J + 1)``. See docs/methods/synthetic-control.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeResult, minimize, nnls

from ..errors import InputError

__all__ = ["SynthResult", "synthetic_control", "simplex_weights"]


def simplex_weights(target: np.ndarray, donors: np.ndarray, v: np.ndarray) -> np.ndarray:
    """argmin_W sum_k v_k (target_k - (donors W)_k)^2 with W >= 0, sum W = 1 (donors: k x J)."""
    J = donors.shape[1]
    if J == 1:
        return np.ones(1)
    sv = np.sqrt(v)
    A = donors * sv[:, None]
    b = target * sv
    # Lawson-Hanson NNLS with the sum-to-one constraint as a heavily weighted extra row (exact in the limit)
    big = 1e4 * max(1.0, float(np.abs(A).max()))
    w, _ = nnls(np.vstack([A, np.full((1, J), big)]), np.append(b, big), maxiter=50 * J)
    total = w.sum()
    return w / total if total > 0 else np.full(J, 1.0 / J)


def _fit(
    X1: np.ndarray, X0: np.ndarray, Z1: np.ndarray, Z0: np.ndarray,
    *,
    starts: int,
    maxiter: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """(W, V, pre-treatment MSPE) by the nested optimisation."""
    k = int(X1.shape[0])
    scale = np.hstack([X1[:, None], X0]).std(axis=1, ddof=1)
    scale[scale == 0] = 1.0
    x1, x0 = X1 / scale, X0 / scale[:, None]

    def loss(theta: np.ndarray) -> float:
        v = np.exp(theta - theta.max())
        v /= v.sum()
        w = simplex_weights(x1, x0, v)
        r = Z1 - Z0 @ w
        return float(r @ r) / len(Z1)

    rng = np.random.default_rng(seed)
    candidates: list[np.ndarray] = [np.zeros(k)]
    # regression-based start (as Synth): importance from regressing pre-period outcomes on predictors
    try:
        beta, *_ = np.linalg.lstsq(np.hstack([x0.T, np.ones((x0.shape[1], 1))]), Z0.mean(axis=0), rcond=None)
        candidates.append(np.log(beta[:k] ** 2 + 1e-8))
    except np.linalg.LinAlgError:
        pass
    candidates += [rng.normal(0, 1.5, k) for _ in range(max(0, starts - len(candidates)))]
    best: OptimizeResult | None = None
    for theta0 in candidates:
        res = minimize(loss, theta0, method="Nelder-Mead", options={"maxiter": maxiter, "xatol": 1e-4, "fatol": 1e-8})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None  # candidates always holds the zero start
    v = np.exp(best.x - best.x.max())
    v /= v.sum()
    w = simplex_weights(x1, x0, v)
    r = Z1 - Z0 @ w
    return w, v, float(r @ r) / len(Z1)


@dataclass(frozen=True)
class SynthResult:
    treated: str
    start: object
    weights: pd.Series  # donor -> weight
    predictor_weights: pd.Series  # predictor -> v
    path: pd.DataFrame  # period: treated, synthetic, gap
    predictors: pd.DataFrame  # predictor: treated, synthetic, donor mean
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    placebos: pd.DataFrame  # unit: pre_rmspe, post_rmspe, ratio (treated included)
    p_value: float

    def to_frame(self) -> pd.DataFrame:
        return self.path

    def summary(self) -> dict:
        post = self.path[self.path.index >= self.start]
        return {
            "treated": self.treated,
            "start": str(self.start),
            "weights": {k: round(float(v), 4) for k, v in self.weights.items() if v > 0.001},
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.post_rmspe,
            "ratio": self.ratio,
            "mean_gap_after": float(post["gap"].mean()) if len(post) else float("nan"),
            "placebos": int(len(self.placebos) - 1),
            "p_value": self.p_value,
        }


def _predictor_matrix(
    panel: pd.DataFrame,
    unit: str,
    time: str,
    predictors: tuple[str, ...],
    special: tuple[tuple[str, tuple[Any, ...]], ...],
    pre_periods: list[Any],
) -> pd.DataFrame:
    """Rows = predictors (mean over the pre-treatment periods of each covariate, then the special ones)."""
    rows: list[pd.Series] = []
    names: list[str] = []
    pre = panel[panel[time].isin(pre_periods)]
    for p in predictors:
        rows.append(pre.groupby(unit)[p].mean())
        names.append(p)
    for var, periods in special:
        sel = panel[panel[time].isin(list(periods))]
        rows.append(sel.groupby(unit)[var].mean())
        names.append(f"{var}({min(periods)}-{max(periods)})" if len(periods) > 1 else f"{var}({list(periods)[0]})")
    return pd.DataFrame(rows, index=names)


def synthetic_control(
    panel: pd.DataFrame,
    *,
    treated: str,
    start: Any,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "y",
    predictors: tuple[str, ...] = (),
    special: tuple[tuple[str, tuple], ...] = (),
    donors: list[str] | None = None,
    placebo: bool = True,
    starts: int = 3,
    maxiter: int = 400,
    seed: int = 0,
) -> SynthResult:
    """Synthetic control of ``treated`` from the other units (or ``donors``), treatment from period ``start``.

    Without ``predictors`` and ``special`` the pre-treatment outcomes themselves are the predictors."""
    wide = panel.pivot(index=time, columns=unit, values=outcome).sort_index()
    if treated not in wide.columns:
        raise InputError("The treated unit is not in the panel.", received=repr(treated), expected="one of the units")
    if wide.isna().any().any():
        raise InputError(
            "The outcome has missing values.",
            received=f"{int(wide.isna().sum().sum())} missing",
            expected="a balanced panel",
            fix="fill or drop",
        )
    pool = [u for u in (donors or wide.columns) if u != treated]
    if len(pool) < 2:
        raise InputError("Too few donors.", received=str(len(pool)), expected="at least 2 donor units")
    pre_periods = [p for p in wide.index if p < start]
    if len(pre_periods) < 2 or len(pre_periods) == len(wide.index):
        raise InputError(
            "The start leaves too few periods before or after it.",
            received=str(start),
            expected="at least two periods before and one after",
        )
    if predictors or special:
        P = _predictor_matrix(panel, unit, time, predictors, special, pre_periods)
    else:
        P = wide.loc[pre_periods]
        P.index = [f"{outcome}({p})" for p in P.index]
    if P.isna().any().any():
        bad = P.index[P.isna().any(axis=1)].tolist()
        raise InputError(
            "A predictor has missing values.", received=", ".join(map(str, bad)), expected="complete predictors"
        )
    pre_mask = wide.index < start

    def fit(tr: str, pool_: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
        w, v, mspe = _fit(
            P[tr].to_numpy(float),
            P[pool_].to_numpy(float),
            wide.loc[pre_mask, tr].to_numpy(float),
            wide.loc[pre_mask, pool_].to_numpy(float),
            starts=starts,
            maxiter=maxiter,
            seed=seed,
        )
        synth = wide[pool_].to_numpy(float) @ w
        gap = wide[tr].to_numpy(float) - synth
        pre = float(np.sqrt(np.mean(gap[pre_mask] ** 2)))
        post = float(np.sqrt(np.mean(gap[~pre_mask] ** 2)))
        return w, v, synth, gap, pre, post

    w, v, synth, gap, pre, post = fit(treated, pool)
    ratio = post / pre if pre > 0 else float("inf")
    rows = [(treated, pre, post, ratio)]
    if placebo:
        for d in pool:
            others = [u for u in pool if u != d]
            _, _, _, _, p_pre, p_post = fit(d, others)
            rows.append((d, p_pre, p_post, p_post / p_pre if p_pre > 0 else float("inf")))
    placebos = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "ratio"]).set_index("unit")
    p_value = float((placebos["ratio"] >= ratio).sum() / len(placebos))
    path = pd.DataFrame({"treated": wide[treated].to_numpy(float), "synthetic": synth, "gap": gap}, index=wide.index)
    path.index.name = time
    predictors_table = pd.DataFrame(
        {"treated": P[treated], "synthetic": P[pool].to_numpy(float) @ w, "donor_mean": P[pool].mean(axis=1)}
    )
    return SynthResult(
        treated=treated,
        start=start,
        weights=pd.Series(w, index=pool).sort_values(ascending=False),
        predictor_weights=pd.Series(v, index=P.index),
        path=path,
        predictors=predictors_table,
        pre_rmspe=pre,
        post_rmspe=post,
        ratio=ratio,
        placebos=placebos,
        p_value=p_value,
    )
