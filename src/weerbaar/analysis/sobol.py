"""Variance-based global sensitivity: first- and total-order Sobol indices (Saltelli 2010, Jansen 1999).

A model ``y = f(x)`` with independent inputs, each uniform on [0, 1) (a categorical choice with L
levels is ``floor(u * L)``, a weight factor in [1 - p, 1 + p] is ``1 - p + 2 p u``, and so on: the
caller maps the unit cube onto its inputs). Two independent N x k sample matrices A and B come from
a scrambled Sobol' sequence in 2k dimensions; for every factor (or group of inputs) i, the matrix
A_B^i is A with the columns of i taken from B. With V the variance of f over A and B together:

* first order (Saltelli et al. 2010, eq. b):  S_i  = mean(f(B) (f(A_B^i) - f(A))) / V
* total order (Jansen 1999):                  ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)

N (k + 2) model evaluations; the outputs are centred on their mean first (the first-order estimator's
variance grows with the square of the output's mean). Intervals by bootstrap over the N rows. S_i is the share of Var(y)
that factor i explains alone; ST_i adds every interaction it takes part in (ST_i - S_i > 0 means the
factor acts together with others); a factor with ST_i ~ 0 can be fixed anywhere in its range.
See docs/methods/composite-index.md ("Sensitivity").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import InputError

__all__ = ["SobolResult", "sobol_indices", "sobol_estimates", "saltelli_matrices"]


@dataclass(frozen=True)
class SobolResult:
    """Per factor: first_order, total_order and their bootstrap intervals; the evaluations made."""

    indices: pd.DataFrame  # factor, first_order, first_low, first_high, total_order, total_low, total_high
    n: int  # base sample size N
    evaluations: int  # N (k + 2)
    variance: float  # Var(y) over A and B
    mean: float

    def to_frame(self) -> pd.DataFrame:
        return self.indices.copy()

    def summary(self) -> dict:
        t = self.indices.set_index("factor")
        return {
            "n": self.n,
            "evaluations": self.evaluations,
            "output_mean": round(self.mean, 4),
            "output_variance": round(self.variance, 6),
            "first_order": {k: round(float(v), 4) for k, v in t["first_order"].items()},
            "total_order": {k: round(float(v), 4) for k, v in t["total_order"].items()},
            "sum_first_order": round(float(t["first_order"].sum()), 4),
            "most_influential": str(t["total_order"].idxmax()) if len(t) else None,
        }


def saltelli_matrices(k: int, n: int, seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent N x k matrices in [0, 1) from one scrambled Sobol' sequence in 2k dimensions."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(
            "Sobol indices need at least one factor.",
            received=repr(k),
            expected="k >= 1",
            fix="name the uncertain inputs",
        )
    if not isinstance(n, (int, np.integer)) or n < 8:
        raise InputError(
            "The base sample is too small for Sobol indices.",
            received=repr(n),
            expected="N >= 8 (a power of two such as 256 or 1024 keeps the Sobol' sequence balanced)",
            fix="raise N",
        )
    gen = qmc.Sobol(d=2 * k, scramble=True, seed=seed)
    m = int(np.ceil(np.log2(n)))
    u = gen.random_base2(m)[:n] if 2**m == n else gen.random(n)
    return u[:, :k], u[:, k:]


def sobol_estimates(
    f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """S_i (Saltelli 2010) and ST_i (Jansen 1999) from f(A), f(B) (N) and f(A_B^i) (k x N)."""
    if rows is not None:
        f_a, f_b, f_ab = f_a[rows], f_b[rows], f_ab[:, rows]
    both = np.concatenate([f_a, f_b])
    centre = both.mean()  # centred outputs: same expectations, far less variance when |mean| >> sd
    f_a, f_b, f_ab = f_a - centre, f_b - centre, f_ab - centre
    var = float(np.var(both, ddof=1))
    if not var > 0:
        k = f_ab.shape[0]
        return np.zeros(k), np.zeros(k), 0.0
    first = np.mean(f_b[None, :] * (f_ab - f_a[None, :]), axis=1) / var
    total = 0.5 * np.mean((f_a[None, :] - f_ab) ** 2, axis=1) / var
    return first, total, var


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    factors: Sequence[str] | Mapping[str, Sequence[int]],
    *,
    n: int = 1024,
    seed: int | np.random.Generator = 0,
    bootstrap: int = 200,
    confidence: float = 0.90,
) -> SobolResult:
    """First- and total-order Sobol indices of ``func`` over the unit cube.

    ``func`` takes an (m x d) array of points in [0, 1)^d and returns m outputs. ``factors`` names the
    d inputs (each its own factor) or maps each factor name to the input columns it moves together
    (a group, e.g. all weights of one domain). Seeded; intervals from ``bootstrap`` resamples of the N rows.
    """
    if isinstance(factors, Mapping):
        names = [str(k) for k in factors]
        cols = [list(map(int, v)) for v in factors.values()]
        d = 1 + max((c for g in cols for c in g), default=-1)
        flat = sorted(c for g in cols for c in g)
        if flat != list(range(d)) or any(not g for g in cols):
            raise InputError(
                "The factor groups must split the inputs.",
                received=repr(dict(zip(names, cols, strict=True))),
                expected="every input column 0..d-1 in exactly one non-empty group",
                fix="list each column once",
            )
    else:
        names = [str(x) for x in factors]
        cols = [[j] for j in range(len(names))]
        d = len(names)
    if not 0 < confidence < 1:
        raise InputError("Invalid confidence.", received=repr(confidence), expected="in (0, 1)", fix="use 0.90")
    rng = np.random.default_rng(seed)
    a, b = saltelli_matrices(d, n, rng)
    k = len(names)
    mats = [a, b]
    for g in cols:
        ab = a.copy()
        ab[:, g] = b[:, g]
        mats.append(ab)
    y = np.asarray(func(np.vstack(mats)), dtype="float64").ravel()
    if y.shape != (n * (k + 2),):
        raise InputError(
            "The model returned the wrong number of outputs.",
            received=f"{y.shape}",
            expected=f"{n * (k + 2)} values, one per row",
            fix="return one value per input row",
        )
    if not np.isfinite(y).all():
        raise InputError(
            "The model returned non-finite outputs.",
            received=f"{int((~np.isfinite(y)).sum())} NaN or infinite values",
            expected="finite numbers",
            fix="check the model on the whole unit cube",
        )
    f_a, f_b, f_ab = y[:n], y[n : 2 * n], y[2 * n :].reshape(k, n)
    first, total, var = sobol_estimates(f_a, f_b, f_ab)
    boots_f = np.empty((bootstrap, k))
    boots_t = np.empty((bootstrap, k))
    for r in range(bootstrap):
        rows = rng.integers(n, size=n)
        boots_f[r], boots_t[r], _ = sobol_estimates(f_a, f_b, f_ab, rows)
    lo, hi = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    table = pd.DataFrame(
        {
            "factor": names,
            "first_order": first,
            "first_low": np.quantile(boots_f, lo, axis=0) if bootstrap else np.nan,
            "first_high": np.quantile(boots_f, hi, axis=0) if bootstrap else np.nan,
            "total_order": total,
            "total_low": np.quantile(boots_t, lo, axis=0) if bootstrap else np.nan,
            "total_high": np.quantile(boots_t, hi, axis=0) if bootstrap else np.nan,
        }
    )
    return SobolResult(table, n, n * (k + 2), var, float(np.mean(np.concatenate([f_a, f_b]))))
