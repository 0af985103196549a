"""Shared statistical inference: seeds, conditional permutations, pseudo p-values, FDR, Mann-Kendall.

One place for the machinery every local statistic needs, so hot spots, emerging hot spots and
trends draw, test and correct the same way:

* :func:`as_generator` turns a seed into a ``numpy.random.Generator`` (never the global state);
* :func:`conditional_permutation` runs a conditional permutation test (Anselin 1995) for local
  statistics that are affine in the spatial lag of the other areas' values (local Moran, Gi*),
  vectorised over areas and permutations;
* :func:`permutation_p` turns simulated statistics into pseudo p-values;
* :func:`fdr_bh` is the Benjamini-Hochberg (1995) step-up adjustment;
* :func:`mann_kendall` is the Mann (1945) / Kendall (1975) trend test with tie correction,
  vectorised over many series.

See docs/methods/hotspots.md and docs/methods/trends.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy import stats

from ..errors import InputError

__all__ = [
    "ALTERNATIVES",
    "MannKendall",
    "PermutationResult",
    "as_generator",
    "check_permutations",
    "conditional_draws",
    "conditional_permutation",
    "fdr_bh",
    "mann_kendall",
    "normal_p",
    "permutation_p",
]

ALTERNATIVES = ("two-sided", "greater", "lesser", "directed")
_CHUNK_ELEMENTS = 4_000_000  # gathered values per block in the permutation loop (~32 MB of float64)


def as_generator(seed: int | np.random.Generator) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an integer seed (or the generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(
            "Invalid seed.",
            received=repr(seed),
            expected="a non-negative integer or a numpy.random.Generator",
            fix="pass seed=0 (the same seed gives the same pseudo p-values)",
        )
    return np.random.default_rng(int(seed))


def check_permutations(permutations: object) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise InputError(
            "Invalid number of permutations.",
            received=repr(permutations),
            expected="a whole number >= 0 (0: analytical inference only)",
            fix="pass permutations=999",
        )
    return int(permutations)


def normal_p(z: npt.ArrayLike) -> np.ndarray:
    """Two-sided p-value of a standard normal z (NaN stays NaN)."""
    p: np.ndarray = 2.0 * stats.norm.sf(np.abs(np.asarray(z, dtype="float64")))
    return p


def fdr_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1).

    ``p_adj[(i)] = min_{j >= i} min(1, m p_(j) / j)`` over the m non-missing p-values in
    ascending order; NaN entries are left out of m and stay NaN. Rejecting where
    ``p_adj <= q`` is the BH procedure at false discovery rate q. Equals
    ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`` (tested).
    """
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    ok = ~np.isnan(flat)
    m = int(ok.sum())
    if m == 0:
        return out
    if ((flat[ok] < 0) | (flat[ok] > 1)).any():
        bad = flat[ok][(flat[ok] < 0) | (flat[ok] > 1)][0]
        raise InputError(
            "A p-value lies outside 0..1.",
            received=repr(float(bad)),
            expected="p-values between 0 and 1 (or NaN for a missing test)",
            fix="check how the p-values were computed",
        )
    vals = flat[ok]
    order = np.argsort(vals, kind="mergesort")
    ranked = vals[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    adj = np.minimum(adj, 1.0)
    res = np.empty(m)
    res[order] = adj
    out_flat = out.ravel()
    out_flat[ok] = res
    return out_flat.reshape(p.shape)


def permutation_p(
    n_greater_equal: npt.ArrayLike, n_less_equal: npt.ArrayLike, permutations: int, alternative: str = "two-sided"
) -> np.ndarray:
    """Pseudo p-values from the counts of simulated statistics at least / at most the observed one.

    ``greater``: (#sim >= obs + 1) / (P + 1); ``lesser``: (#sim <= obs + 1) / (P + 1);
    ``two-sided``: min(1, 2 min(greater, lesser)); ``directed``: esda's default (its
    ``p_sim``): the smaller tail, (min(#>=, P - #>=) + 1) / (P + 1), which is about half the
    two-sided value.
    """
    if alternative not in ALTERNATIVES:
        raise InputError(
            "Unknown alternative hypothesis.",
            received=repr(alternative),
            expected=", ".join(ALTERNATIVES),
            fix="use alternative='two-sided'",
        )
    ge = np.asarray(n_greater_equal, dtype="float64")
    le = np.asarray(n_less_equal, dtype="float64")
    denom = permutations + 1.0
    if alternative == "greater":
        return (ge + 1) / denom
    if alternative == "lesser":
        return (le + 1) / denom
    if alternative == "directed":
        return np.asarray((np.minimum(ge, permutations - ge) + 1) / denom)
    return np.asarray(np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / denom))


def conditional_draws(n: int, max_card: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """(permutations, max_card) indices drawn without replacement from 0..n-2, one row per permutation.

    As in esda: every area uses the same rows, each index j >= i shifted by one to skip area i,
    so every area's neighbours are a random subset of the *other* areas.
    """
    k = min(max_card, n - 1)
    if permutations == 0 or k <= 0:
        return np.zeros((permutations, max(k, 0)), dtype=np.int64)
    return np.vstack([rng.choice(n - 1, size=k, replace=False) for _ in range(permutations)]).astype(np.int64)


@dataclass(frozen=True)
class PermutationResult:
    """Per area: counts of simulated statistics >= / <= the observed one, and their mean and sd."""

    n_greater_equal: np.ndarray
    n_less_equal: np.ndarray
    sim_mean: np.ndarray
    sim_sd: np.ndarray
    permutations: int

    def p(self, alternative: str = "two-sided") -> np.ndarray:
        return permutation_p(self.n_greater_equal, self.n_less_equal, self.permutations, alternative)


def conditional_permutation(
    values: np.ndarray,
    weights: sp.csr_array,
    intercept: np.ndarray,
    slope: np.ndarray,
    observed: np.ndarray,
    *,
    permutations: int,
    rng: np.random.Generator,
    active: np.ndarray | None = None,
) -> PermutationResult:
    """Conditional permutation test for local statistics of the form ``a_i + b_i * sum_j w_ij v_j``.

    Area i keeps its own value; its k_i neighbours' values are replaced by k_i values drawn at
    random (without replacement) from the other n - 1 areas, ``permutations`` times. Local
    Moran's I_i (a = 0, b = (n-1) z_i / sum z^2) and Getis-Ord G*_i (a = w_ii y_i / sum y,
    b = 1 / sum y) have this form. ``weights`` has no diagonal; ``active`` limits the test to
    some areas (others get NaN). Ties with the observed value count on both sides (to 1e-12
    relative), which makes the test conservative where values repeat.
    """
    values = np.asarray(values, dtype="float64")
    n = len(values)
    w = sp.csr_array(weights)
    card = np.diff(w.indptr)
    active = np.ones(n, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    active = active & (card > 0)
    ge = np.full(n, np.nan)
    le = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    if permutations == 0 or not active.any():
        return PermutationResult(ge, le, mean, sd, permutations)
    draws = conditional_draws(n, int(card[active].max()), permutations, rng)
    scale = np.abs(values).max() if n else 0.0
    for k in np.unique(card[active]):
        if k > n - 1:  # cannot happen for a graph without self-loops; guard anyway
            continue
        rows = np.flatnonzero(active & (card == k))
        base = draws[:, :k]
        step = max(1, _CHUNK_ELEMENTS // (permutations * k))
        for s in range(0, len(rows), step):
            ii = rows[s : s + step]
            idx = base[None, :, :] + (base[None, :, :] >= ii[:, None, None])  # (m, P, k) skip self
            wk = np.vstack([w.data[w.indptr[i] : w.indptr[i + 1]] for i in ii])  # (m, k)
            lag = np.einsum("mpk,mk->mp", values[idx], wk)
            sims = intercept[ii, None] + slope[ii, None] * lag
            obs = observed[ii, None]
            tol = 1e-12 * (np.abs(obs) + np.abs(slope[ii, None]) * scale * k + np.abs(intercept[ii, None]))
            ge[ii] = (sims >= obs - tol).sum(axis=1)
            le[ii] = (sims <= obs + tol).sum(axis=1)
            mean[ii] = sims.mean(axis=1)
            sd[ii] = sims.std(axis=1)
    return PermutationResult(ge, le, mean, sd, permutations)


# -- Mann-Kendall --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MannKendall:
    """Per series: Mann-Kendall S, its variance (tie-corrected), z, two-sided p, Kendall's tau-b, n."""

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray
    n: np.ndarray


def _tie_sums(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, over the non-missing values: sum t(t-1)(2t+5) and sum t(t-1)/2 over tie groups of size t."""
    rows, T = x.shape
    srt = np.sort(x, axis=1)  # NaN last
    valid = ~np.isnan(srt)
    same = np.zeros((rows, T), dtype=bool)
    same[:, 1:] = (srt[:, 1:] == srt[:, :-1]) & valid[:, 1:]
    start = valid & ~same
    gid = np.cumsum(start, axis=1) - 1  # group number within row
    flat = (np.arange(rows)[:, None] * T + gid)[valid]
    t = np.bincount(flat, minlength=rows * T).reshape(rows, T).astype("float64")
    v = (t * (t - 1) * (2 * t + 5)).sum(axis=1)
    pairs = (t * (t - 1) / 2).sum(axis=1)
    return v, pairs


def mann_kendall(x: np.ndarray, *, chunk: int = 4096) -> MannKendall:
    """Mann-Kendall trend test on each row of ``x`` (series in time order; NaN = missing, skipped).

    S = sum_{i<j} sign(x_j - x_i); Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18 with t the
    sizes of groups of tied values; z = (S - sign(S)) / sqrt(Var S) (continuity correction);
    p two-sided from the normal distribution; tau-b = S / sqrt(n0 (n0 - n1)), n0 = n(n-1)/2,
    n1 = sum t(t-1)/2 (equal to ``scipy.stats.kendalltau(time, x)`` when nothing is missing).
    Rows with fewer than 3 values, or all values tied, get S = 0, z = 0, p = 1, tau = NaN
    when undefined; callers decide what a short series means.
    """
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    rows, T = x.shape
    s = np.zeros(rows)
    for a in range(0, rows, chunk):
        block = x[a : a + chunk]
        acc = np.zeros(len(block))
        for d in range(1, T):
            diff = block[:, d:] - block[:, :-d]
            acc += np.nansum(np.sign(diff), axis=1)
        s[a : a + chunk] = acc
    n = (~np.isnan(x)).sum(axis=1).astype("float64")
    ties_v, ties_pairs = _tie_sums(x) if rows else (np.zeros(0), np.zeros(0))
    var_s = (n * (n - 1) * (2 * n + 5) - ties_v) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var_s > 0, (s - np.sign(s)) / np.sqrt(np.where(var_s > 0, var_s, 1.0)), 0.0)
        n0 = n * (n - 1) / 2
        denom = np.sqrt(n0 * (n0 - ties_pairs))
        tau = np.where(denom > 0, s / np.where(denom > 0, denom, 1.0), np.nan)
    z = np.where(n >= 3, z, 0.0)
    p = normal_p(z)
    return MannKendall(s=s, var_s=var_s, z=z, p=p, tau=tau, n=n.astype(np.int64))
