"""Effort-adjusted registrations and zwijgwijk (silent-neighbourhood) detection (issue 3, part 4).

Per area: how many citizen reports (and police registrations) would be expected from indicators
that do not depend on residents reporting or on police effort (vulnerability, survey nuisance,
anonymous tips; population as offset; police effort for registrations), and how unusual the
observed count is. Counts are Poisson with a log-normal area effect (a Poisson-lognormal
random-effects GLM, fitted by maximum likelihood with adaptive Gauss-Hermite quadrature) or
negative binomial (NB2, statsmodels). The fit is robust: areas in either 0.5 % tail of the
predictive distribution are left out of the fit, iteratively, so planted or real zwijgwijken do
not drag the expectation down. ``p_under`` is the mid-p tail probability of the observed count
under the predictive distribution of a normally reporting area, including parameter uncertainty;
Benjamini-Hochberg controls the false discovery rate among the candidate areas.

A **zwijgwijk** is an area whose problem level from the independent indicators is above the
median and whose citizen reports are significantly below expected after FDR control. An
**effort** area has registrations significantly above what the independent indicators predict
without police effort, while the effort-adjusted expectation explains them, at effort above the
city mean. See docs/methods/zwijgwijk.md and docs/decisions/0005-zwijgwijk-definition.md.
"""

from __future__ import annotations

import functools
import operator
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..contract import period_kind
from ..errors import InputError
from ..indicators import CANONICAL, is_flow
from .inference import as_generator, fdr_bh

__all__ = [
    "COLUMNS",
    "FAMILIES",
    "FLAGS",
    "PREDICTORS",
    "ZwijgwijkResult",
    "detect_zwijgwijken",
    "observations_frame",
]

#: The columns of ``ZwijgwijkResult.to_frame()``, in this order.
COLUMNS = ("area_code", "observed", "expected", "ratio", "ratio_low", "ratio_high", "p_under", "flag")
FLAGS = ("zwijgwijk", "effort", "")
FAMILIES = ("lognormal", "negbin")
MISSING = ("exclude", "impute")
#: Independent problem indicators and how they enter the model (see the methods page).
PREDICTORS: dict[str, str] = {
    "ses.vulnerable_pct": "logit of the share",
    "survey.drug_nuisance_pct": "empirical logit of the share (with survey.respondents when present)",
    "tips.anonymous_drugs": "log of (tips + 0.5) per 1,000 inhabitants",
}
_REPORTS = tuple(c for c in CANONICAL if c.startswith("reports."))
_REGISTRATIONS = tuple(c for c in CANONICAL if c.startswith("registered."))
_CONSEQUENCE = {
    "ses.vulnerable_pct": "the expected counts and the problem level rest on the other indicators (less precise)",
    "survey.drug_nuisance_pct": "the expected counts and the problem level rest on the other indicators; the "
    "survey is the strongest independent signal, so fewer zwijgwijken can be shown to be significant",
    "tips.anonymous_drugs": "the expected counts and the problem level rest on the other indicators (less precise)",
}
# Standard-normal grids for the predictive tail probabilities: fine for the results (relative error
# < 1e-3 down to p = 1e-8, checked against 3,401 points), coarse inside the robust iterations.
_GRID = np.linspace(-8.5, 8.5, 341)
_COARSE = np.linspace(-8.5, 8.5, 86)
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(20)
_ROBUST_ITER = 10


# -- input -----------------------------------------------------------------------------------------------


def _fail(problem: str, received: str, expected: str, fix: str, column: str | None = None) -> NoReturn:
    raise InputError(problem, received=received, expected=expected, fix=fix, column=column)


def _listed(s: pd.Series, bad: pd.Series) -> str:
    return ", ".join(f"{a}: {v:g}" for a, v in s[bad].head(5).items())


def observations_frame(observations: pd.DataFrame, years: Iterable[int | str] | None = None) -> pd.DataFrame:
    """Long observations (data contract) to one row per area: flows summed, other units averaged.

    Only periods that start with one of ``years`` are used (all when None). Per indicator the
    finest period kind present is taken, so monthly counts are summed over the months and a yearly
    population or percentage is averaged over the years. Handy for generator scenarios
    (``observations_frame(scenario.observations, range(2020, 2025))``); from the warehouse use
    :func:`weerbaar.analysis.area_frame`.
    """
    order = {"month": 0, "quarter": 1, "half": 2, "year": 3}
    period = observations["period"].astype("category")
    cats = period.cat.categories.astype(str)
    codes = period.cat.codes.to_numpy()
    year_ok = np.ones(len(cats), dtype=bool) if years is None else cats.str[:4].isin({str(y) for y in years})
    kind = np.array([order[period_kind(c)] for c in cats] or [0])
    ind = observations["indicator"].astype("category")
    area = observations["area_code"].astype(str).astype("category")
    value = observations["value"].to_numpy(dtype="float64")
    units = observations["unit"].astype(str) if "unit" in observations else None
    parts = []
    for k, name in enumerate(ind.cat.categories):
        rows = (ind.cat.codes.to_numpy() == k) & (codes >= 0)
        rows &= year_ok[codes]
        if not rows.any():
            continue
        rows &= kind[codes] == kind[codes[rows]].min()  # the finest period kind present
        unit = units[rows].iloc[0] if units is not None else "count"
        agg = "sum" if is_flow(str(name), unit) else "mean"
        grouped = pd.Series(value[rows]).groupby(area[rows].to_numpy(), observed=True)
        parts.append(grouped.agg(agg).rename(str(name)))
    out = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    out.index.name = "area_code"
    return out.sort_index()


def _choice(what: str, value: object, valid: Sequence[str]) -> None:
    if value not in valid:
        _fail(
            f"Unknown {what}.",
            repr(value),
            ", ".join(repr(v) for v in valid),
            f"choose one of: {', '.join(map(str, valid))}",
        )


def _names(role: str, names: Sequence[str], valid: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [n for n in names if n not in valid]
    if unknown:
        _fail(
            f"Unknown indicator for {role}.",
            ", ".join(map(repr, unknown)),
            f"one of: {', '.join(valid)}",
            f"use the canonical indicator names for {role} (docs/methods/zwijgwijk.md)",
        )
    if len(set(names)) != len(names):
        _fail(
            f"An indicator is listed twice for {role}.", ", ".join(names), "each indicator once", "remove the duplicate"
        )
    return names


def _numeric(frame: pd.DataFrame, col: str) -> pd.Series:
    s = frame[col]
    if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        _fail(
            f"Column {col} is not numeric.",
            str(s.dtype),
            "numbers (NaN where unknown)",
            "convert the column to numbers; leave unknown values empty, not zero",
            col,
        )
    s = s.astype("float64")
    if np.isinf(s).any():
        _fail(
            f"Column {col} has infinite values.",
            ", ".join(map(str, s.index[np.isinf(s)][:5])),
            "finite numbers or NaN",
            "correct or blank these values",
            col,
        )
    return s


def _counts(frame: pd.DataFrame, col: str, notes: list[str]) -> pd.Series:
    s = _numeric(frame, col)
    if (s < 0).any():
        _fail(f"Negative counts in {col}.", _listed(s, s < 0), "counts >= 0", "correct the data", col)
    frac = s.notna() & (s != np.round(s))
    if frac.any():
        notes.append(f"{col}: {int(frac.sum())} non-integer counts rounded to whole numbers")
        s = s.round()
    return s


def _log(s: pd.Series) -> pd.Series:
    """Natural log of a Series, keeping its index (np.log on a Series is typed as an array)."""
    return pd.Series(np.log(s.to_numpy(dtype="float64", na_value=np.nan)), index=s.index, name=s.name)


def _logit_pct(p: pd.Series, col: str) -> pd.Series:
    if ((p < 0) | (p > 100)).any():
        _fail(
            f"Percentages outside 0-100 in {col}.",
            _listed(p, (p < 0) | (p > 100)),
            "values 0..100",
            "give percentages, not shares or counts",
            col,
        )
    q = (p / 100).clip(0.005, 0.995)
    return _log(q / (1 - q))


def _transform(frame: pd.DataFrame, name: str, pop: pd.Series, respondents: str | None) -> pd.Series:
    if name == "tips.anonymous_drugs":
        return _log((_counts(frame, name, []) + 0.5) / pop.where(pop > 0) * 1000.0)
    v = _numeric(frame, name)
    if name == "survey.drug_nuisance_pct" and respondents and respondents in frame.columns:
        r = _numeric(frame, respondents).where(lambda x: x > 0)
        k = v / 100 * r
        emp = _log((k + 0.5) / (r - k + 0.5))
        return emp.where(r.notna(), _logit_pct(v, name))
    return _logit_pct(v, name)


# -- models ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    cov: np.ndarray  # covariance of beta
    scale: float  # sigma at the reference population (lognormal) or alpha (negbin)
    scale_se: float
    converged: bool
    slope: float = 0.0  # lognormal: d log sigma / d log population

    def sigma(self, v: np.ndarray) -> np.ndarray:
        """Per-area sigma of the lognormal area effect; v = log(population / reference)."""
        return np.asarray(self.scale * np.exp(self.slope * np.nan_to_num(v)))


def _pln_modes(y: np.ndarray, eta: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mode and curvature scale of z -> Pois(y | exp(eta + s z)) phi(z), per area (Newton, concave)."""
    mu0 = np.exp(np.minimum(eta, 700))
    z = np.clip(s * (y - mu0) / (1 + s * s * mu0), -10, 10)
    for _ in range(60):
        m = np.exp(np.minimum(eta + s * z, 700))
        step = (y * s - s * m - z) / (-s * s * m - 1)
        z = np.clip(z - step, -40, 40)
        if np.max(np.abs(step)) < 1e-10:
            break
    return z, 1 / np.sqrt(s * s * np.exp(np.minimum(eta + s * z, 700)) + 1)


_GH_LOGW = (np.log(_GH_W) + _GH_X**2 - 0.5 * np.log(2 * np.pi) + 0.5 * np.log(2))[None, :]


def _pln_terms(
    beta: np.ndarray, log_s: np.ndarray, x: np.ndarray, y: np.ndarray, off: np.ndarray, lgy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-area log likelihood of the Poisson-lognormal model, and its gradients with respect to beta and
    to each area's log sigma (adaptive Gauss-Hermite quadrature around the mode of the area effect).
    ``lgy`` is log(y!)."""
    s = np.exp(log_s)
    eta = x @ beta + off
    zh, sc = _pln_modes(y, eta, s)
    z = zh[:, None] + np.sqrt(2) * sc[:, None] * _GH_X[None, :]
    lmu = np.minimum(eta[:, None] + s[:, None] * z, 700)
    mu = np.exp(lmu)
    a = y[:, None] * lmu - mu - 0.5 * z * z + _GH_LOGW + (np.log(sc) - lgy)[:, None]
    top = a.max(axis=1)
    ll = top + np.log(np.exp(a - top[:, None]).sum(axis=1))
    post = np.exp(a - ll[:, None])
    resid = y[:, None] - mu
    g_eta = (post * resid).sum(axis=1)
    g_logs = (post * resid * z).sum(axis=1) * s
    return ll, x.T @ g_eta, g_logs


def _fit_lognormal(
    x: np.ndarray, y: np.ndarray, off: np.ndarray, v: np.ndarray, start: np.ndarray | None, hessian: bool = True
) -> _Fit:
    """Maximum likelihood: log mu = x beta + off + sigma_i z, z ~ N(0, 1), log sigma_i = s0 + s1 v_i.

    The covariance comes from a finite-difference Hessian of the analytic gradient (``hessian``;
    without it the covariance is zero, as used inside the robust iterations)."""
    k = x.shape[1]
    lgy = special.gammaln(y + 1)
    if start is None:
        start = np.zeros(k + 2)
        start[0] = np.log(max(y.sum(), 0.5) / np.exp(off).sum())
        start[k] = np.log(0.3)

    def f(th: np.ndarray) -> tuple[float, np.ndarray]:
        ll, gb, gs = _pln_terms(th[:k], th[k] + th[k + 1] * v, x, y, off, lgy)
        return -float(ll.sum()), -np.concatenate([gb, [gs.sum(), gs @ v]])

    bounds = [(None, None)] * k + [(np.log(1e-3), np.log(5.0)), (-1.5, 1.5)]
    res = optimize.minimize(f, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000})
    th = res.x
    s = float(np.exp(th[k]))
    if not hessian:
        return _Fit(th[:k], np.zeros((k, k)), s, float("nan"), bool(res.success), float(th[k + 1]))
    h = np.empty((k + 2, k + 2))
    for j in range(k + 2):
        d = np.zeros(k + 2)
        d[j] = 1e-5
        h[:, j] = (f(th + d)[1] - f(th - d)[1]) / 2e-5
    h = (h + h.T) / 2
    try:
        cov = np.linalg.inv(h)
        ok = bool(np.all(np.diag(cov) > 0))
    except np.linalg.LinAlgError:
        cov, ok = np.linalg.pinv(h), False
    se = float(s * np.sqrt(max(cov[k, k], 0.0)))
    return _Fit(th[:k], cov[:k, :k], s, se, bool(res.success) and ok, float(th[k + 1]))


def _fit_negbin(
    x: np.ndarray, y: np.ndarray, off: np.ndarray, v: np.ndarray, start: np.ndarray | None, hessian: bool = True
) -> _Fit:
    """NB2 by maximum likelihood (statsmodels); ``v`` is not used (one dispersion for all areas)."""
    import statsmodels.api as sm

    if start is not None and not np.all(np.isfinite(start)):
        start = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.NegativeBinomial(y, x, offset=off, loglike_method="nb2")
        # BFGS keeps alpha positive (log scale); Newton can step to a negative alpha, where the
        # Hessian's polygamma takes minutes.
        r = model.fit(start_params=start, disp=0, maxiter=1000, method="bfgs")
    p, k = np.asarray(r.params), x.shape[1]
    try:
        cov = np.asarray(r.cov_params())
    except ValueError:  # no Hessian: alpha at its boundary
        cov = np.full((k + 1, k + 1), np.nan)
    if not (np.all(np.isfinite(cov)) and np.all(np.isfinite(p)) and p[k] > 1e-8):
        g = sm.GLM(y, x, family=sm.families.Poisson(), offset=off).fit()  # the limit alpha -> 0
        return _Fit(np.asarray(g.params), np.asarray(g.cov_params()), 0.0, 0.0, bool(g.converged))
    ok = bool(r.mle_retvals.get("converged", False))
    return _Fit(p[:k], cov[:k, :k], float(p[k]), float(np.sqrt(max(cov[k, k], 0.0))), ok)


def _tail(
    y: np.ndarray, eta: np.ndarray, se: np.ndarray, v: np.ndarray, fit: _Fit, family: str, grid: np.ndarray = _GRID
) -> np.ndarray:
    """Mid-p P(Y < y) + P(Y = y)/2 under the predictive distribution (area effect and parameter uncertainty).

    Lognormal: Y ~ Poisson(exp(eta + tau Z)), tau^2 = sigma_i^2 + se^2, integrated over a grid of Z.
    Negbin: NB2 with the fitted alpha, mixed over eta ~ N(eta, se^2) by Gauss-Hermite quadrature."""
    weights = np.exp(-0.5 * grid**2) / np.exp(-0.5 * grid**2).sum()
    out = np.full(len(y), np.nan)
    ok = np.isfinite(y) & np.isfinite(eta)
    idx = np.flatnonzero(ok)
    for start in range(0, len(idx), 1000):
        i = idx[start : start + 1000]
        yy = y[i, None]
        if family == "lognormal":
            tau = np.sqrt(fit.sigma(v[i]) ** 2 + se[i] ** 2)
            mu = np.exp(np.minimum(eta[i, None] + tau[:, None] * grid[None, :], 700))
            pmf = np.exp(yy * np.log(mu) - mu - special.gammaln(yy + 1))
            out[i] = (special.pdtr(yy, mu) - 0.5 * pmf) @ weights
        elif fit.scale < 1e-8:  # no overdispersion left: Poisson, mixed over eta
            mu = np.exp(eta[i, None] + np.sqrt(2) * se[i, None] * _GH_X[None, :])
            pmf = np.exp(yy * np.log(mu) - mu - special.gammaln(yy + 1))
            out[i] = ((special.pdtr(yy, mu) - 0.5 * pmf) @ _GH_W) / np.sqrt(np.pi)
        else:
            size = 1.0 / fit.scale
            mu = np.exp(eta[i, None] + np.sqrt(2) * se[i, None] * _GH_X[None, :])
            pr = size / (size + mu)
            cdf = special.betainc(size, yy + 1, pr)
            pmf = np.exp(
                special.gammaln(yy + size)
                - special.gammaln(size)
                - special.gammaln(yy + 1)
                + size * np.log(pr)
                + yy * np.log1p(-pr)
            )
            out[i] = ((cdf - 0.5 * pmf) @ _GH_W) / np.sqrt(np.pi)
    return np.asarray(np.clip(out, 0.0, 1.0))


@dataclass(frozen=True)
class _Model:
    name: str
    columns: tuple[str, ...]
    fit: _Fit
    eta: np.ndarray  # linear predictor incl. offset, every area (NaN where not computable)
    se: np.ndarray
    v: np.ndarray  # log(population / reference population)
    p_under: np.ndarray
    used: np.ndarray  # in the final fit
    dropped: np.ndarray  # left out by the robust step
    iterations: int
    reference_population: float

    @property
    def expected(self) -> np.ndarray:
        return np.asarray(np.exp(self.eta))

    def describe(self, family: str) -> dict:
        se = np.sqrt(np.clip(np.diag(self.fit.cov), 0, None))
        coef = {
            c: {"estimate": round(float(b), 4), "se": round(float(s), 4)}
            for c, b, s in zip(self.columns, self.fit.beta, se, strict=True)
        }
        if family == "lognormal":
            disp = {
                "sigma": round(self.fit.scale, 4),
                "se": round(self.fit.scale_se, 4),
                "sigma_population_slope": round(self.fit.slope, 4),
                "reference_population": round(self.reference_population, 1),
            }
        else:
            disp = {"alpha": round(self.fit.scale, 4), "se": round(self.fit.scale_se, 4)}
        return {
            "coefficients": coef,
            "dispersion": disp,
            "n_fit": int(self.used.sum()),
            "n_left_out_robust": int(self.dropped.sum()),
            "robust_iterations": self.iterations,
            "converged": self.fit.converged,
        }


def _model(
    name: str,
    family: str,
    x: np.ndarray,
    columns: tuple[str, ...],
    y: np.ndarray,
    off: np.ndarray,
    fit_set: np.ndarray,
    robust: float,
) -> _Model:
    """Fit on ``fit_set``, then iteratively leave out areas in either ``robust`` tail and refit.

    ``off`` is log(population / 1000); the lognormal area effect's sd varies with log population
    around the median population of the fit set (small areas have noisier indicators)."""
    fitter = _fit_lognormal if family == "lognormal" else _fit_negbin
    if fit_set.sum() < x.shape[1] + 3:
        _fail(
            f"Too few areas to fit the {name.replace('_', ' ')} model.",
            f"{int(fit_set.sum())} areas with complete data above the minimum population",
            f"at least {x.shape[1] + 3} (better: a few hundred)",
            "analyse a finer level or a longer period, use fewer predictors, or missing='impute'",
        )
    ok_x = np.isfinite(x).all(axis=1) & np.isfinite(off)
    keep = fit_set.copy()
    ref = float(np.median(off[fit_set])) if fit_set.any() else 0.0
    v = off - ref
    start, it = None, 0
    min_n = max(5 * x.shape[1], 10)
    x0, off0 = np.nan_to_num(x), np.nan_to_num(off)
    while robust > 0 and it < _ROBUST_ITER:
        it += 1
        fit = fitter(x[keep], y[keep], off[keep], v[keep], start, hessian=False)
        start = np.append(fit.beta, [np.log(fit.scale), fit.slope] if family == "lognormal" else fit.scale)
        eta = np.where(ok_x, x0 @ fit.beta + off0, np.nan)
        p = _tail(y, eta, np.zeros(len(y)), v, fit, family, _COARSE)
        new = fit_set & (p > robust) & (p < 1 - robust)
        changed = int((new != keep).sum())
        if new.sum() < min_n:
            break
        keep = new
        if changed <= int(0.001 * fit_set.sum()):
            break
    fit = fitter(x[keep], y[keep], off[keep], v[keep], start, hessian=True)
    eta = np.where(ok_x, x0 @ fit.beta + off0, np.nan)
    se = np.sqrt(np.einsum("ij,jk,ik->i", x0, fit.cov, x0).clip(0))
    p = _tail(y, eta, se, v, fit, family)
    return _Model(name, tuple(columns), fit, eta, se, v, p, keep, fit_set & ~keep, it, 1000 * float(np.exp(ref)))


# -- inference helpers -----------------------------------------------------------------------------------


def _ratio_interval(
    y: np.ndarray, eta: np.ndarray, se: np.ndarray, level: float, rng: np.random.Generator, draws: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the area's rate relative to expectation: Jeffreys Gamma(y + 1/2) over lognormal expected."""
    lo = np.full(len(y), np.nan)
    hi = np.full(len(y), np.nan)
    idx = np.flatnonzero(np.isfinite(y) & np.isfinite(eta))
    a = (1 - level) / 2
    for start in range(0, len(idx), 2000):
        i = idx[start : start + 2000]
        g = rng.standard_gamma(y[i, None] + 0.5, size=(len(i), draws))
        mu = np.exp(eta[i, None] + se[i, None] * rng.standard_normal((len(i), draws)))
        q = np.quantile(g / mu, [a, 1 - a], axis=1)
        lo[i], hi[i] = q[0], q[1]
    lo[np.isfinite(lo) & (y == 0)] = 0.0
    return lo, hi


# -- result ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZwijgwijkResult:
    """Zwijgwijk and effort flags per area; ``to_frame()`` keyed by area code (see docs/methods/zwijgwijk.md)."""

    table: pd.DataFrame  # the extended frame, index area_code, sorted
    models: dict
    parameters: dict
    missing_indicators: dict
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """Exactly the columns ``area_code, observed, expected, ratio, ratio_low, ratio_high, p_under, flag``."""
        return self.table.reset_index()[list(COLUMNS)]

    def details(self) -> pd.DataFrame:
        """Every column: the main ones first, then problem level, both channels, p/q values, reasons."""
        return self.table.reset_index()

    def summary(self) -> dict:
        t = self.table
        return {
            "areas": len(t),
            "tested": int(t["tested"].sum()),
            "not_tested": int((~t["tested"]).sum()),
            "flagged": {
                "zwijgwijk": int((t["flag"] == "zwijgwijk").sum()),
                "effort": int((t["flag"] == "effort").sum()),
            },
            "also_effort_driven": int(((t["flag"] == "zwijgwijk") & t["effort_driven"]).sum()),
            "test_channel": self.parameters["test_channel"],
            "effort_flag_available": self.parameters["effort_flag_available"],
            "missing_indicators": dict(self.missing_indicators),
            "areas_with_missing_values": int((t["missing"] != "").sum()),
            "areas_with_imputed_values": int((t["imputed"] != "").sum()),
            "problem_level_threshold": self.parameters["problem_level_threshold"],
            "models": self.models,
            "parameters": {k: v for k, v in self.parameters.items() if k != "problem_level_threshold"},
            "notes": list(self.notes),
        }


# -- the analysis ----------------------------------------------------------------------------------------


def detect_zwijgwijken(
    frame: pd.DataFrame,
    *,
    reports: str | None = "reports.drug_nuisance",
    registrations: Sequence[str] = ("registered.drug_trade", "registered.drug_use", "registered.drug_production"),
    predictors: Sequence[str] = ("ses.vulnerable_pct", "survey.drug_nuisance_pct", "tips.anonymous_drugs"),
    effort: str | None = "police.effort",
    population: str = "population",
    respondents: str | None = "survey.respondents",
    alpha: float = 0.10,
    problem_quantile: float = 0.5,
    interval: float = 0.90,
    min_population: float | None = None,
    missing: str = "exclude",
    family: str = "lognormal",
    robust: float = 0.005,
    seed: int | np.random.Generator = 0,
    graph: Any = None,
) -> ZwijgwijkResult:
    """Expected reports and registrations per area, and the zwijgwijk and effort flags.

    Parameters
    ----------
    frame:
        One row per area (index: area code), one column per canonical indicator, counts summed
        over the analysis period and percentages and the effort index averaged. Several years
        give far more power than one (see the methods page).
    reports, registrations, predictors, effort, population, respondents:
        Indicator names per role. Absent columns are allowed except ``population``; at least one
        of reports and registrations must be present. ``None`` switches a role off.
    alpha:
        False discovery rate (Benjamini-Hochberg) of each flag among its candidate areas. The
        default 0.10 is the level at which the validation aim (precision and recall at least 0.8
        when zwijgwijken report at most 40 %) is met on 10-year frames; 0.05 flags fewer areas
        (docs/decisions/0005-zwijgwijk-definition.md).
    problem_quantile:
        A zwijgwijk's problem level must exceed this quantile of the tested areas (default 0.5,
        the median): low problems with low counts are not a zwijgwijk.
    interval:
        Level of the ratio interval (default 90 %).
    min_population:
        Areas with fewer inhabitants are reported but neither fitted nor flagged (default: the
        ``min_population`` setting, 250).
    missing:
        ``exclude`` (an area with a missing predictor is listed, not modelled) or ``impute`` (the
        median of the other areas, listed per area). Counts are never imputed.
    family:
        ``lognormal`` (Poisson with a log-normal area effect) or ``negbin`` (NB2).
    robust:
        Tail probability beyond which an area is left out of the fit (iteratively); 0 switches
        the robust step off.
    seed:
        Seed of the Monte Carlo ratio intervals (the rest is deterministic).
    graph:
        Optional ``libpysal.graph.Graph`` over the area codes: adds the neighbours' mean of every
        predictor as a covariate (spatial smoothing of the independent indicators).
    """
    from .. import settings

    if not isinstance(frame, pd.DataFrame):
        _fail(
            "The input is not a table.",
            type(frame).__name__,
            "a pandas DataFrame, index area code, one column per indicator",
            "build it with weerbaar.analysis.area_frame or observations_frame",
        )
    _choice("missing", missing, MISSING)
    _choice("family", family, FAMILIES)
    rng = as_generator(seed)
    bounds = [("alpha", alpha, 0, 1), ("interval", interval, 0, 1), ("robust", robust, -1e-12, 0.5)]
    for name, value, lo, hi in [*bounds, ("problem_quantile", problem_quantile, -1e-12, 1)]:
        if not isinstance(value, (int, float)) or not lo < value < hi:
            _fail(f"Invalid {name}.", repr(value), f"a number in ({max(lo, 0)}, {hi})", "see the docs")
    reps = _names("reports", [] if reports is None else [reports], _REPORTS)
    regs = _names("registrations", registrations, _REGISTRATIONS)
    preds = _names("predictors", predictors, tuple(PREDICTORS))
    _names("effort", [] if effort is None else [effort], ("police.effort",))
    _names("population", [population], ("population",))
    if frame.index.has_duplicates:
        _fail(
            "The area table has duplicate area codes.",
            ", ".join(map(str, frame.index[frame.index.duplicated()][:5])),
            "one row per area",
            "aggregate the rows per area first",
        )
    if population not in frame.columns:
        _fail(
            "The population is missing.",
            ", ".join(map(str, frame.columns)) or "(no columns)",
            f"a '{population}' column (the offset of every model)",
            "add the population per area",
        )
    min_pop = float(settings.get("min_population") if min_population is None else min_population)
    frame = frame.copy()
    frame.index = frame.index.map(str)
    frame = frame.sort_index()
    frame.index.name = "area_code"
    codes = frame.index
    n = len(frame)
    notes: list[str] = []

    rep_col = reps[0] if reps and reps[0] in frame.columns else None
    reg_cols = [c for c in regs if c in frame.columns]
    pred_cols = [c for c in preds if c in frame.columns]
    eff_col = effort if effort is not None and effort in frame.columns else None
    absent: dict[str, str] = {}
    if reps and rep_col is None:
        absent[reps[0]] = "citizen reports absent: the zwijgwijk test runs on the registrations"
    for c in regs:
        if c not in frame.columns:
            absent[c] = "left out of the registrations sum"
    for c in preds:
        if c not in frame.columns:
            absent[c] = _CONSEQUENCE.get(c, "not used")
    if effort is not None and eff_col is None:
        absent[effort] = "police effort absent: registrations cannot be effort-adjusted, no effort flag"
    if rep_col is None and not reg_cols:
        _fail(
            "Neither citizen reports nor registrations are in the data.",
            ", ".join(map(str, frame.columns)),
            f"{', '.join(reps)} and/or {', '.join(regs)}",
            "load reports or registrations, or name the columns with reports= / registrations=",
        )

    pop = _numeric(frame, population)
    if (pop < 0).any():
        _fail("Negative population.", _listed(pop, pop < 0), "inhabitants >= 0", "correct the data", population)
    y_rep = _counts(frame, rep_col, notes) if rep_col else pd.Series(np.nan, index=codes)
    y_reg = (
        functools.reduce(operator.add, [_counts(frame, c, notes) for c in reg_cols]).where(
            frame[reg_cols].notna().all(axis=1)
        )
        if reg_cols
        else pd.Series(np.nan, index=codes)
    )
    if eff_col:
        eff = _numeric(frame, eff_col)
        if (eff <= 0).any():
            _fail(
                "Police effort must be positive.",
                _listed(eff, eff <= 0),
                "an index > 0 (city mean 100)",
                "leave unknown effort empty instead of 0",
                eff_col,
            )
    else:
        eff = pd.Series(np.nan, index=codes)

    # Per-area gaps: listed, then excluded or imputed (never zero).
    raw = pd.DataFrame({c: _transform(frame, c, pop, respondents) for c in pred_cols}, index=codes)
    has_pop = pop.notna() & (pop > 0)
    large = has_pop & (pop >= min_pop)
    miss = pd.DataFrame({c: frame[c].isna() for c in pred_cols}, index=codes)
    if eff_col:
        miss[eff_col] = eff.isna()
    for col, s in [(rep_col, y_rep), *[(c, frame[c]) for c in reg_cols]]:
        if col:
            miss[col] = s.isna()
    miss[population] = pop.isna()
    missing_list = miss.apply(lambda r: ", ".join(c for c, m in r.items() if m), axis=1).astype(object)
    imputed = pd.Series("", index=codes, dtype=object)
    pred_missing = raw.isna().any(axis=1) & has_pop
    if missing == "impute":
        fill_cols = [*pred_cols, *([eff_col] if eff_col else [])]
        vals = pd.concat([raw, pd.DataFrame({eff_col: np.log(eff / 100)})], axis=1) if eff_col else raw.copy()
        gaps = vals[fill_cols].isna() & has_pop.to_numpy()[:, None]
        if fill_cols:
            imputed = gaps.apply(lambda r: ", ".join(c for c, m in r.items() if m), axis=1).astype(object)
        vals = vals.fillna(vals[large].median())
        raw = vals[pred_cols]
        log_eff = vals[eff_col] if eff_col else pd.Series(np.nan, index=codes)
        modelled = has_pop.copy()
        if gaps.any().any():
            notes.append(f"{int((imputed != '').sum())} areas with imputed values (median of the other areas)")
    else:
        log_eff = np.log(eff / 100)
        modelled = has_pop & ~pred_missing
    log_eff = log_eff.where(modelled)

    # Design: standardised predictors (+ their spatial lags).
    xcols, xs = ["intercept"], [np.ones(n)]
    ref = modelled & large
    for c in list(pred_cols):
        v = raw[c].where(modelled)
        mu, sd = v[ref].mean(), v[ref].std()
        if not sd > 1e-9 * max(1.0, abs(mu)):
            notes.append(f"{c} does not vary between the areas and is left out of the models")
            pred_cols.remove(c)
            continue
        xs.append(((v - mu) / sd).to_numpy())
        xcols.append(c)
    if not pred_cols:
        notes.append(
            "no independent problem indicator is usable: expected counts follow population only and no "
            "problem level can be judged, so no area is flagged as zwijgwijk"
        )
    if graph is not None and pred_cols:
        lags = _lags(graph, codes, np.column_stack(xs[1:]), modelled.to_numpy(), notes)
        for j, c in enumerate(pred_cols):
            xs.append(lags[:, j])
            xcols.append(f"lag.{c}")
    x = np.column_stack(xs)
    x[~modelled.to_numpy()] = np.nan
    off = np.log(pop.where(has_pop) / 1000.0).to_numpy()
    fit_base = (modelled & large).to_numpy()
    models: dict[str, _Model] = {}
    if rep_col:
        ok = fit_base & y_rep.notna().to_numpy()
        models["reports"] = _model("reports", family, x, xcols, y_rep.to_numpy(), off, ok, robust)
    if reg_cols:
        ok = fit_base & y_reg.notna().to_numpy()
        if eff_col:
            xr, rcols = np.column_stack([x, log_eff.to_numpy()]), [*xcols, "log_effort"]
            ok &= log_eff.notna().to_numpy()
        else:
            xr, rcols = x, xcols
        models["registrations"] = _model("registrations", family, xr, rcols, y_reg.to_numpy(), off, ok, robust)
        if eff_col:
            models["registrations_no_effort"] = _model(
                "registrations_no_effort", family, x, xcols, y_reg.to_numpy(), off, ok, robust
            )
    for m in models.values():
        if not m.fit.converged:
            notes.append(f"model {m.name}: the optimiser did not report convergence; read its figures with care")

    # The test channel, the problem level and the zwijgwijk flag.
    if rep_col:
        channel, y_test = "reports", y_rep.to_numpy()
    else:
        channel, y_test = "registrations", y_reg.to_numpy()
        notes.append(
            "no citizen reports: the zwijgwijk test runs on the registrations"
            + (" (effort-adjusted)" if eff_col else " (not effort-adjusted: police effort is absent)")
        )
    test = models[channel]
    k_pred = len(xcols)
    problem = np.where(modelled, np.nan_to_num(x) @ test.fit.beta[:k_pred], np.nan)
    tested = fit_base & np.isfinite(y_test) & np.isfinite(test.eta)
    med = float(np.quantile(problem[tested], problem_quantile)) if tested.any() else float("nan")
    candidate = tested & (problem > med) if pred_cols else np.zeros(n, dtype=bool)
    q_under = fdr_bh(np.where(candidate, test.p_under, np.nan))
    is_zw = candidate & (q_under <= alpha)

    # The effort flag: registrations significantly above what the independent indicators predict
    # without effort (normal variation in effort included), explained by the effort-adjusted model.
    nan = np.full(n, np.nan)
    mu_no_effort, p_over_a, q_eff, p_over = nan, nan, nan, nan
    is_eff = np.zeros(n, dtype=bool)
    if reg_cols and eff_col:
        m, a_model = models["registrations"], models["registrations_no_effort"]
        mu_no_effort = a_model.expected
        p_over_a = 1 - a_model.p_under
        p_over = 1 - m.p_under
        cand = fit_base & np.isfinite(y_reg.to_numpy()) & (eff.to_numpy() > 100) & np.isfinite(m.eta)
        q_eff = fdr_bh(np.where(cand, p_over_a, np.nan))
        is_eff = cand & (q_eff <= alpha) & (p_over > alpha)
    flag = np.where(is_zw, "zwijgwijk", np.where(is_eff, "effort", ""))

    # Main columns.
    expected = test.expected
    obs = y_test
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, obs / expected, np.nan)
    lo, hi = _ratio_interval(obs, test.eta, test.se, interval, rng)
    lo, hi = np.fmin(lo, ratio), np.fmax(hi, ratio)
    table = pd.DataFrame(
        {
            "observed": obs,
            "expected": expected,
            "ratio": ratio,
            "ratio_low": lo,
            "ratio_high": hi,
            "p_under": test.p_under,
            "flag": flag,
        },
        index=codes,
    )
    pct = pd.Series(problem).rank(pct=True).to_numpy()
    table["problem_level"] = problem
    table["problem_percentile"] = np.where(np.isfinite(problem), np.round(100 * pct), np.nan)
    table["candidate"] = candidate
    table["q_under"] = q_under
    table["tested"] = tested
    for label, mod, yv in [
        ("reports", models.get("reports"), y_rep),
        ("registrations", models.get("registrations"), y_reg),
    ]:
        table[f"{label}_observed"] = yv.to_numpy()
        table[f"{label}_expected"] = mod.expected if mod else np.nan
        table[f"{label}_p_under"] = mod.p_under if mod else np.nan
    table["registrations_expected_no_effort"] = mu_no_effort
    table["registrations_p_over_no_effort"] = p_over_a
    table["q_effort"] = q_eff
    table["registrations_p_over"] = p_over
    table["effort"] = eff.to_numpy()
    table["effort_ratio"] = eff.to_numpy() / 100
    table["effort_driven"] = is_eff
    table["population"] = pop.to_numpy()
    table["used_in_fit"] = test.used
    table["left_out_robust"] = test.dropped
    table["missing"] = missing_list.to_numpy()
    table["imputed"] = imputed.to_numpy()
    why_en, why_nl = np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    hp, md = has_pop.to_numpy(), modelled.to_numpy()
    cases = [
        (
            ~tested,
            "observed count or model input missing: not tested",
            "waarneming of modelinvoer ontbreekt: niet getoetst",
        ),
        (hp & ~large.to_numpy(), f"population < {min_pop:g}: reported, not flagged", "te weinig inwoners"),
        (hp & ~md, "missing: {}: not modelled", "ontbreekt: {}: niet gemodelleerd"),
        (~hp, "population missing or zero: not modelled", "inwoners onbekend of nul: niet gemodelleerd"),
    ]
    for mask, en, nl in cases:  # later cases win
        why_en[mask] = [en.format(m) for m in missing_list[mask]]
        why_nl[mask] = [nl.format(m) for m in missing_list[mask]]
    table["not_tested"] = why_en
    table["reason_nl"], table["reason_en"] = _reasons(table, why_nl, channel, bool(eff_col))
    table.index.name = "area_code"

    params = {
        "reports": rep_col,
        "registrations": reg_cols,
        "predictors": pred_cols,
        "effort": eff_col,
        "population": population,
        "respondents": respondents if respondents in frame.columns else None,
        "alpha": alpha,
        "problem_quantile": problem_quantile,
        "interval": interval,
        "min_population": min_pop,
        "missing": missing,
        "family": family,
        "robust": robust,
        "graph": graph is not None,
        "seed": seed if not isinstance(seed, np.random.Generator) else "numpy.random.Generator",
        "test_channel": channel,
        "effort_flag_available": bool(reg_cols and eff_col),
        "problem_level_threshold": med,
    }
    return ZwijgwijkResult(table, {k: m.describe(family) for k, m in models.items()}, params, absent, tuple(notes))


def _lags(graph: Any, codes: pd.Index, z: np.ndarray, modelled: np.ndarray, notes: list[str]) -> np.ndarray:
    """Neighbours' weighted mean of each column (over modelled neighbours); own value for islands."""
    if not hasattr(graph, "adjacency"):
        _fail(
            "The graph is not a libpysal Graph.",
            type(graph).__name__,
            "libpysal.graph.Graph over the area codes",
            "build it with libpysal.graph.Graph.build_contiguity(areas.set_index('code'))",
        )
    adj = graph.adjacency.reset_index()
    adj.columns = ["focal", "neighbor", "weight"]
    adj = adj.astype({"focal": str, "neighbor": str})
    adj = adj[(adj["focal"] != adj["neighbor"]) & (adj["weight"] > 0)]
    pos = pd.Series(np.arange(len(codes)), index=codes)
    outside = sorted(set(codes) - set(map(str, graph.unique_ids)))
    if outside:
        notes.append(f"{len(outside)} areas are not in the graph and are treated as islands")
    adj = adj[adj["focal"].isin(pos.index) & adj["neighbor"].isin(pos.index)]
    i, j, w = pos[adj["focal"]].to_numpy(), pos[adj["neighbor"]].to_numpy(), adj["weight"].to_numpy(float)
    out = np.empty_like(z)
    for c in range(z.shape[1]):
        v = np.where(modelled, z[:, c], np.nan)
        ok = np.isfinite(v[j])
        num = np.bincount(i[ok], w[ok] * v[j][ok], minlength=len(codes))
        den = np.bincount(i[ok], w[ok], minlength=len(codes))
        out[:, c] = np.where(den > 0, num / np.where(den > 0, den, 1), z[:, c])
    return out


def _fmt(v: float, d: int, nl: bool) -> str:
    s = f"{v:,.{d}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".") if nl else s


def _reasons(t: pd.DataFrame, why_nl: np.ndarray, channel: str, with_effort: bool) -> tuple[np.ndarray, np.ndarray]:
    """A reason per flagged or untested area, in Dutch and English (empty for the others)."""
    nl_out, en_out = why_nl.copy(), t["not_tested"].to_numpy(dtype=object).copy()
    what_nl = {"reports": "Meldingen", "registrations": "Registraties"}
    at_nl = " bij deze politie-inzet" if with_effort else ""
    at_en = " at this police effort" if with_effort else ""
    for k in np.flatnonzero((t["flag"] != "").to_numpy()):
        r = t.iloc[k]
        nl, en = "", ""
        if r["flag"] == "zwijgwijk":
            parts_nl = [
                f"{what_nl[channel]} {_fmt(r['observed'], 0, True)} tegen {_fmt(r['expected'], 1, True)} verwacht "
                f"({_fmt(r['ratio'], 2, True)}x; interval {_fmt(r['ratio_low'], 2, True)}-"
                f"{_fmt(r['ratio_high'], 2, True)}), significant na FDR-correctie (q = {_fmt(r['q_under'], 4, True)}); "
                f"probleemniveau uit onafhankelijke indicatoren hoog (percentiel {r['problem_percentile']:.0f})."
            ]
            parts_en = [
                f"{'Reports' if channel == 'reports' else 'Registrations'} {r['observed']:.0f} against "
                f"{r['expected']:.1f} expected ({r['ratio']:.2f}x; interval {r['ratio_low']:.2f}-"
                f"{r['ratio_high']:.2f}), significant after FDR control (q = {r['q_under']:.4f}); problem level "
                f"from independent indicators high (percentile {r['problem_percentile']:.0f})."
            ]
            if channel == "reports" and np.isfinite(r["registrations_expected"]):
                low = r["registrations_p_under"] < 0.05
                parts_nl.append(
                    f"Registraties {_fmt(r['registrations_observed'], 0, True)} tegen "
                    f"{_fmt(r['registrations_expected'], 1, True)} verwacht{at_nl}" + (": ook laag." if low else ".")
                )
                parts_en.append(
                    f"Registrations {r['registrations_observed']:.0f} against {r['registrations_expected']:.1f} "
                    f"expected{at_en}" + (": also low." if low else ".")
                )
            if r["effort_driven"]:
                parts_nl.append("Registraties zijn daarnaast hoog door politie-inzet.")
                parts_en.append("Registrations are also high because of police effort.")
            nl, en = " ".join(parts_nl), " ".join(parts_en)
        elif r["flag"] == "effort":
            nl = (
                f"Registraties {_fmt(r['registrations_observed'], 0, True)} tegen "
                f"{_fmt(r['registrations_expected_no_effort'], 1, True)} verwacht zonder rekening te houden met inzet "
                f"(q = {_fmt(r['q_effort'], 4, True)}), maar {_fmt(r['registrations_expected'], 1, True)} "
                f"verwacht bij de politie-inzet van {_fmt(r['effort'], 0, True)} (stad = 100): hoog door inzet."
            )
            en = (
                f"Registrations {r['registrations_observed']:.0f} against "
                f"{r['registrations_expected_no_effort']:.1f} expected from the indicators without effort "
                f"(q = {r['q_effort']:.4f}), but {r['registrations_expected']:.1f} expected at the police effort "
                f"of {r['effort']:.0f} (city = 100): high because of effort."
            )
        nl_out[k], en_out[k] = nl, en
    return nl_out, en_out
