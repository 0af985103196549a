"""Kendall-family trend tests beside the plain Mann-Kendall test, and Sen's slope.

* :func:`hamed_rao` is the Mann-Kendall test with the Hamed & Rao (1998) variance correction for
  serial correlation: Var*(S) = Var(S) n/n*, n/n* = 1 + 2 / (n(n-1)(n-2)) sum_i (n-i)(n-i-1)(n-i-2)
  rho_i, with rho_i the autocorrelation at lag i of the ranks of the series detrended by Sen's slope,
  only the lags whose rho_i is significant (|rho_i| > z_{1-a/2} / sqrt(n)) counted;
* :func:`seasonal_kendall` is the seasonal Kendall test (Hirsch, Slack & Smith 1982): Mann-Kendall
  S and its tie-corrected variance per season (the same month, quarter or half of each year), summed
  over the seasons, z with continuity correction from the sums;
* :func:`sen_slope` is Sen's (1968) slope, within seasons when seasons are given (the seasonal
  Kendall slope of Hirsch et al. 1982);
* :func:`kendall_trend` runs one of :data:`TREND_TESTS` by name; :func:`default_trend_test` gives the
  default per slice kind (docs/decisions/0029-trend-tests.md).

Every function works on the rows of an (series x periods) array at once; NaN is a missing value.
See docs/methods/trends.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..contract import PERIOD_PATTERN, period_kind
from ..errors import InputError
from .inference import MannKendall, _tie_sums, mann_kendall, normal_p

__all__ = [
    "SEASONS_PER_YEAR",
    "TREND_TESTS",
    "TREND_TEST_NAMES",
    "KendallTest",
    "check_trend_test",
    "default_trend_test",
    "hamed_rao",
    "kendall_trend",
    "seasonal_kendall",
    "seasons_of",
    "sen_slope",
]

#: The trend tests by their short name (CLI, API, stored parameters).
TREND_TESTS = ("mk", "hamed-rao", "seasonal")
#: Their full names, as stored with a result and shown on the pages.
TREND_TEST_NAMES = {
    "mk": "Mann-Kendall (normal approximation, tie-corrected, continuity-corrected)",
    "hamed-rao": "Mann-Kendall with the Hamed-Rao (1998) variance correction for serial correlation",
    "seasonal": "seasonal Kendall (Hirsch, Slack & Smith 1982), seasons = the slices of a year",
}
#: Seasons in a year per slice kind (a yearly series has no seasons).
SEASONS_PER_YEAR = {"month": 12, "quarter": 4, "half": 2}


@dataclass(frozen=True)
class KendallTest(MannKendall):
    """A Mann-Kendall result (S, Var S, z, p, tau, n per series) with the test that made it.

    ``variance_factor`` is Var used / Var(S) of the plain test: Hamed-Rao's n/n* (1 elsewhere)."""

    test: str = "mk"
    variance_factor: np.ndarray | None = None


# -- names and defaults ----------------------------------------------------------------------------


def check_trend_test(test: object) -> str:
    """The test's short name, or an error naming the three."""
    if isinstance(test, str):
        name = test.strip().lower().replace("_", "-")
        name = {"hamed-rao-1998": "hamed-rao", "hamedrao": "hamed-rao", "seasonal-kendall": "seasonal"}.get(name, name)
        if name in TREND_TESTS:
            return name
    raise InputError(
        "Unknown trend test.",
        received=repr(test),
        expected="mk, hamed-rao or seasonal",
        fix="use mk (plain Mann-Kendall), hamed-rao (corrected for serial correlation) or seasonal "
        "(seasonal Kendall, for monthly, quarterly or half-yearly slices)",
    )


def default_trend_test(slice_kind: str | None) -> str:
    """The default trend test for a slice kind (decision 0029): the seasonal Kendall test for slices
    shorter than a year (months, quarters, halves), plain Mann-Kendall for years and for slices that are
    not periods."""
    return "seasonal" if slice_kind in SEASONS_PER_YEAR else "mk"


def seasons_of(labels: Sequence[object]) -> np.ndarray:
    """The season (0-based month, quarter or half of the year) of each period label.

    Raises when the labels are not periods of one sub-yearly kind (a seasonal test needs seasons)."""
    items = list(labels)
    if not items or not all(isinstance(v, str) and PERIOD_PATTERN.match(v) for v in items):
        raise InputError(
            "The seasonal Kendall test needs period labels.",
            received=", ".join(map(repr, items[:4])) or "no periods",
            expected="months (YYYY-MM), quarters (YYYY-Qn) or halves (YYYY-Hn)",
            fix="use period labels of the data contract, or another trend test (mk or hamed-rao)",
        )
    periods = [v for v in items if isinstance(v, str)]  # every label, all strings after the check above
    kinds = {period_kind(v) for v in periods}
    kind = kinds.pop() if len(kinds) == 1 else None
    if kind not in SEASONS_PER_YEAR:
        raise InputError(
            "The seasonal Kendall test needs slices shorter than a year.",
            received=", ".join(sorted(kinds | ({kind} if kind else set()))),
            expected="monthly, quarterly or half-yearly slices",
            fix="use --slice month (or quarter), or the trend test mk or hamed-rao for yearly series",
        )
    return np.array([int(v[-2:] if kind == "month" else v[-1]) - 1 for v in periods], dtype=np.int64)


# -- Sen's slope -----------------------------------------------------------------------------------


def sen_slope(
    x: np.ndarray, t: np.ndarray | None = None, *, seasons: np.ndarray | None = None, chunk: int = 512
) -> np.ndarray:
    """Sen's (1968) slope per row: the median of (x_j - x_i) / (t_j - t_i) over pairs i < j.

    ``t`` gives the time of each column (default 0, 1, 2, ...); with ``seasons`` (one per column) only
    pairs of the same season count (the seasonal Kendall slope). NaN values are skipped; rows with no
    pair give NaN.
    """
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    rows, T = x.shape
    t = np.arange(T, dtype="float64") if t is None else np.asarray(t, dtype="float64")
    i, j = np.triu_indices(T, k=1)
    if seasons is not None:
        seasons = np.asarray(seasons)
        same = seasons[i] == seasons[j]
        i, j = i[same], j[same]
    dt = t[j] - t[i]
    out = np.full(rows, np.nan)
    if len(i) == 0:
        return out
    for a in range(0, rows, chunk):
        block = x[a : a + chunk]
        slopes = (block[:, j] - block[:, i]) / dt
        with warnings.catch_warnings():  # all-NaN rows
            warnings.simplefilter("ignore", RuntimeWarning)
            out[a : a + chunk] = np.nanmedian(slopes, axis=1)
    return out


# -- Hamed-Rao -------------------------------------------------------------------------------------


def _z(s: np.ndarray, var: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, (s - np.sign(s)) / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)


def _hamed_rao_factor(block: np.ndarray, acf_alpha: float, max_lag: int | None) -> np.ndarray:
    """n/n* for each row of a block of complete series of equal length n >= 3."""
    rows, n = block.shape
    pos = np.arange(1, n + 1, dtype="float64")  # times 1..n as in Hamed & Rao (1998)
    slope = sen_slope(block)
    detrended = block - slope[:, None] * pos[None, :]
    # values that tie exactly (x_a - a b = x_b - b b) must tie after rounding errors too: round to 12
    # significant digits of the row's scale, so the ranks do not depend on the floating-point noise
    scale = np.nanmax(np.abs(detrended), axis=1, keepdims=True)
    unit = 10.0 ** (np.floor(np.log10(np.where(scale > 0, scale, 1.0))) - 11)
    detrended = np.round(detrended / unit) * unit
    ranks = stats.rankdata(detrended, axis=1)
    y = ranks - ranks.mean(axis=1, keepdims=True)
    c0 = (y * y).sum(axis=1)
    bound = stats.norm.ppf(1 - acf_alpha / 2) / np.sqrt(n)
    acc = np.zeros(rows)
    last = n - 1 if max_lag is None else min(n - 1, max_lag)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in range(1, last + 1):
            w = (n - k) * (n - k - 1) * (n - k - 2)
            if w == 0:
                continue
            rho = (y[:, :-k] * y[:, k:]).sum(axis=1) / c0
            acc += np.where(np.abs(rho) > bound, w * rho, 0.0)
    factor = 1 + 2 / (n * (n - 1) * (n - 2)) * acc
    # no variance in the ranks (nothing to correlate), or a factor that is not positive (possible only in
    # very short series with strong negative autocorrelation): no correction
    return np.where((c0 > 0) & np.isfinite(factor) & (factor > 0), factor, 1.0)


def hamed_rao(x: np.ndarray, *, acf_alpha: float = 0.05, max_lag: int | None = None) -> KendallTest:
    """Mann-Kendall test with the Hamed & Rao (1998) variance correction, on each row of ``x``.

    S and the tie-corrected Var(S) are those of :func:`~weerbaar.analysis.inference.mann_kendall`; the
    series is detrended with Sen's slope, ranked, and the autocorrelations of the ranks at lags 1 ..
    n - 1 (or 1 .. ``max_lag``) that are significant at ``acf_alpha`` (two-sided, bound
    z_{1-a/2} / sqrt(n)) enter n/n*. Missing values are skipped: the test runs on the observed values in
    time order. A factor that is not positive is replaced by 1 (no correction).
    """
    if not (isinstance(acf_alpha, (int, float)) and 0 < acf_alpha < 1):
        raise InputError("Invalid acf_alpha.", received=repr(acf_alpha), expected="between 0 and 1", fix="use 0.05")
    if max_lag is not None and (isinstance(max_lag, bool) or not isinstance(max_lag, (int, np.integer)) or max_lag < 1):
        raise InputError("Invalid max_lag.", received=repr(max_lag), expected="a whole number >= 1 or None", fix="None")
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    base = mann_kendall(x)
    rows, T = x.shape
    factor = np.ones(rows)
    valid = ~np.isnan(x)
    n_obs = valid.sum(axis=1)
    complete = n_obs == T
    if T >= 3 and complete.any():
        factor[complete] = _hamed_rao_factor(x[complete], acf_alpha, max_lag)
    for r in np.flatnonzero(~complete & (n_obs >= 3)):
        factor[r] = _hamed_rao_factor(x[r, valid[r]][None, :], acf_alpha, max_lag)[0]
    var = base.var_s * factor
    z = np.where(base.n >= 3, _z(base.s, var), 0.0)
    return KendallTest(
        s=base.s,
        var_s=var,
        z=z,
        p=normal_p(z),
        tau=base.tau,
        n=base.n,
        test="hamed-rao",
        variance_factor=factor,
    )


# -- seasonal Kendall ------------------------------------------------------------------------------


def seasonal_kendall(x: np.ndarray, seasons: Sequence[int] | np.ndarray) -> KendallTest:
    """The seasonal Kendall test (Hirsch, Slack & Smith 1982) on each row of ``x``.

    ``seasons`` gives the season of each column (e.g. the month 0..11 of a monthly series, see
    :func:`seasons_of`); columns are in time order. Per season: Mann-Kendall S and its tie-corrected
    variance over the season's observed values; S and Var(S) are the sums over the seasons (seasons
    taken as independent); z = (S - sign S) / sqrt(Var S). tau = S / sum_g sqrt(n0_g (n0_g - n1_g)), the
    seasons' pairs with tie correction. Rows without two values in any one season get S = 0, Var = 0,
    z = 0, p = 1 and tau NaN (callers decide what that means).
    """
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    rows, T = x.shape
    seasons = np.asarray(seasons)
    if seasons.shape != (T,):
        raise InputError(
            "One season per column is needed.",
            received=f"{seasons.size} season(s) for {T} column(s)",
            expected=f"{T} seasons",
            fix="pass seasons_of(period labels)",
        )
    s = np.zeros(rows)
    var = np.zeros(rows)
    denom = np.zeros(rows)
    n = np.zeros(rows, dtype=np.int64)
    for g in np.unique(seasons):
        part = x[:, seasons == g]
        mk = mann_kendall(part)
        s += mk.s
        var += mk.var_s
        n += mk.n
        _, tie_pairs = _tie_sums(part)
        n0 = mk.n * (mk.n - 1) / 2
        denom += np.sqrt(np.maximum(n0 * (n0 - tie_pairs), 0.0))
    z = _z(s, var)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(denom > 0, s / np.where(denom > 0, denom, 1.0), np.nan)
    return KendallTest(s=s, var_s=var, z=z, p=normal_p(z), tau=tau, n=n, test="seasonal", variance_factor=np.ones(rows))


# -- by name ---------------------------------------------------------------------------------------


def kendall_trend(
    x: np.ndarray,
    test: str = "mk",
    *,
    seasons: Sequence[int] | np.ndarray | None = None,
    acf_alpha: float = 0.05,
) -> KendallTest:
    """Run the trend test ``test`` (one of :data:`TREND_TESTS`) on each row of ``x``; ``seasons`` (one
    per column) is needed for ``seasonal``."""
    test = check_trend_test(test)
    x = np.atleast_2d(np.asarray(x, dtype="float64"))
    if test == "hamed-rao":
        return hamed_rao(x, acf_alpha=acf_alpha)
    if test == "seasonal":
        if seasons is None:
            raise InputError(
                "The seasonal Kendall test needs the season of each slice.",
                received="no seasons",
                expected="one season per column (seasons_of(period labels))",
                fix="pass seasons=, or use the trend test mk or hamed-rao",
            )
        return seasonal_kendall(x, seasons)
    mk = mann_kendall(x)
    return KendallTest(
        s=mk.s, var_s=mk.var_s, z=mk.z, p=mk.p, tau=mk.tau, n=mk.n, test="mk", variance_factor=np.ones(len(mk.s))
    )
