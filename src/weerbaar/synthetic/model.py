"""The generative model: its parameters, its indicators and the pure functions it is made of.

:class:`ModelParameters` (every constant of the model) and :class:`Calibration` (real figures to
anchor to); the indicators it generates; the calendar of a scenario; the spatial field, the
planted hot spots, zwijgwijken and focus areas, the count draws and the calibration to annual
totals. Every random function takes its own numpy Generator; none keeps state.
:func:`weerbaar.synthetic.generate` assembles them; the model is described in
docs/methods/synthetic.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import ndtri

from ..errors import InputError

__all__ = ["Calibration", "ModelParameters", "INDICATORS", "COUNT_INDICATORS", "HOTSPOT_PATTERNS"]

#: The ten generated indicators: (name, unit, period kind).
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("registered.drug_trade", "count", "month"),
    ("registered.drug_use", "count", "month"),
    ("registered.drug_production", "count", "month"),
    ("reports.drug_nuisance", "count", "month"),
    ("tips.anonymous_drugs", "count", "month"),
    ("police.effort", "index", "month"),
    ("population", "count", "year"),
    ("ses.vulnerable_pct", "percent", "year"),
    ("survey.drug_nuisance_pct", "percent", "year"),
    ("survey.respondents", "count", "year"),
)
#: Monthly count indicators; only these can be calibrated to annual city totals.
COUNT_INDICATORS: tuple[str, ...] = tuple(name for name, unit, kind in INDICATORS[:5])
HOTSPOT_PATTERNS: tuple[str, ...] = ("none", "emerging", "persistent", "diminishing")


@dataclass(frozen=True)
class Calibration:
    """Real figures the scenario is anchored to (all optional).

    population:
        Inhabitants per buurt code. Buurten missing here get a synthetic population
        (lognormal around ``ModelParameters.population_median``), flagged in the truth table.
    latent_prior:
        Any score per buurt code whose ranking the latent intensity should follow (for example
        real registrations per inhabitant). It is turned into normal scores and blended with
        the spatial noise with weight ``prior_weight`` (the expected correlation).
    annual_totals:
        ``{indicator: {year: city total}}`` for the monthly count indicators. The expected
        counts of that indicator are rescaled so the expected city total of each given year
        (over the scenario's months in that year) equals the figure. Years not given follow
        the generated trend, scaled by the factor interpolated between the given years.
    """

    population: pd.Series | None = None
    latent_prior: pd.Series | None = None
    annual_totals: Mapping[str, Mapping[int, float]] | None = None
    prior_weight: float = 0.7


@dataclass(frozen=True)
class ModelParameters:
    """Every constant of the generative model; the defaults are documented in docs/methods/synthetic.md."""

    rho: float = 0.8  # SAR autocorrelation of the latent field
    latent_sd: float = 0.7  # sd of log latent intensity
    vulnerability_corr: float = 0.6  # correlation of vulnerability with the latent field
    vulnerable_pct: float = 15.0  # median % vulnerable residents
    vulnerability_sd: float = 0.6  # sd of vulnerability on the logit scale
    vulnerability_drift_sd: float = 0.05  # yearly random-walk step on the logit scale
    effort_sd: float = 0.25  # sd of log police effort between areas
    effort_latent_slope: float = 0.2  # police effort partly follows the latent intensity
    focus_fraction: float = 0.03  # share of areas that are police focus areas
    focus_multiplier: float = 2.5  # effort multiplier in focus areas
    effort_monthly_sd: float = 0.1  # month-to-month noise of effort (log scale)
    propensity_mean: float = 0.6  # median reporting propensity
    propensity_sd: float = 0.3  # sd of propensity on the logit scale
    zwijg_factor: float = 0.25  # propensity of a zwijgwijk = factor x its own value
    zwijg_pool: float = 0.25  # zwijgwijken are drawn from this top share by latent intensity
    zwijg_share: float = 0.05  # default number of zwijgwijken as a share of areas
    hotspot_multiplier: float = 2.5  # peak intensity multiplier inside hot-spot clusters
    rate_drug_trade: float = 0.25  # per 1000 inhabitants per month at latent 1, effort 100
    rate_drug_use: float = 0.30
    rate_drug_production: float = 0.03
    rate_reports: float = 0.5  # per 1000 inhabitants per month at latent 1, propensity 1
    rate_tips: float = 0.08  # per 1000 inhabitants per month at latent 1
    tips_propensity_power: float = 0.25  # tips depend weakly on propensity
    dispersion: float | None = 4.0  # negative-binomial shape (None: Poisson)
    trend: float = 0.02  # city-wide growth per year
    seasonality: float = 0.1  # amplitude of the yearly cycle (peak in July)
    population_median: float = 1500.0
    population_sd: float = 0.5  # sd of log population (synthetic populations)
    population_growth: float = 0.005  # per year
    survey_rate: float = 0.03  # respondents per inhabitant per year
    survey_pct: float = 10.0  # % experiencing much drug nuisance at latent 1
    survey_slope: float = 0.8  # logit slope on log latent intensity
    event_rate: float = 0.05  # background incidents per area per year at latent 1
    branching: float = 0.3  # expected follow-ups per incident
    kernel_days: float = 7.0  # mean delay of a follow-up
    kernel_m: float = 300.0  # sd of a follow-up's displacement per axis
    type_probs: tuple[float, ...] = field(default=(0.4, 0.35, 0.25))  # shooting, explosion, stabbing
    inherit_type: float = 0.5  # chance a follow-up has its parent's type


def _check_model(model: ModelParameters, calibration: Calibration) -> None:
    values = {**asdict(model), "prior_weight": calibration.prior_weight}
    probs = tuple(model.type_probs)
    checks = {
        "rho": 0 <= model.rho < 1,
        "branching": 0 <= model.branching < 1,
        "vulnerability_corr": -1 < model.vulnerability_corr < 1,
        "prior_weight": -1 < calibration.prior_weight <= 1,
        "seasonality": 0 <= model.seasonality < 1,
        "zwijg_factor": 0 <= model.zwijg_factor <= 1,
        "dispersion": model.dispersion is None or model.dispersion > 0,
        "type_probs": len(probs) == 3 and min(probs) >= 0 and sum(probs) > 0,
    }
    bad = [k for k, ok in checks.items() if not ok]
    if bad:
        raise InputError(
            "Model parameter out of range.",
            received=", ".join(f"{k}={values[k]!r}" for k in bad),
            expected="0 <= rho < 1, 0 <= branching < 1 (a stable process), |correlations| < 1, "
            "0 <= seasonality < 1, 0 <= zwijg_factor <= 1, dispersion > 0 or None, "
            "three non-negative type_probs",
            fix="use the defaults of ModelParameters and Calibration",
        )


# -- calendar ------------------------------------------------------------------------------------------


def _parse_start(start: str) -> tuple[int, int]:
    text = str(start).strip()
    try:
        if len(text) == 4:
            return int(text), 1
        year, month = text.split("-")
        if len(year) == 4 and len(month) == 2 and 1 <= int(month) <= 12:
            return int(year), int(month)
    except ValueError:
        pass
    raise InputError(
        "Malformed start month.", received=repr(start), expected="YYYY-MM such as 2015-01", fix="pass start='2015-01'"
    )


@dataclass(frozen=True)
class _Calendar:
    """The scenario's months: year, month, index of the year, label, and start offset and length in days."""

    T: int  # number of months
    m_year: np.ndarray
    m_month: np.ndarray
    years: np.ndarray  # the distinct years, ascending
    year_idx: np.ndarray  # index into years per month
    month_labels: list[str]
    starts: np.ndarray  # first day of every month, and of the month after the last (datetime64[D])
    month_offset: np.ndarray  # days from the first month's start
    month_days: np.ndarray


def _calendar(year0: int, month0: int, T: int) -> _Calendar:
    abs_month = year0 * 12 + (month0 - 1) + np.arange(T)
    m_year, m_month = abs_month // 12, abs_month % 12 + 1
    years = np.unique(m_year)
    year_idx = np.searchsorted(years, m_year)
    month_labels = [f"{y:04d}-{m:02d}" for y, m in zip(m_year, m_month, strict=True)]
    first = np.datetime64(f"{year0:04d}-{month0:02d}", "M")
    starts = (first + np.arange(T + 1)).astype("datetime64[D]")
    month_offset = (starts[:-1] - starts[0]).astype(np.float64)
    month_days = np.diff(starts).astype(np.float64)
    return _Calendar(T, m_year, m_month, years, year_idx, month_labels, starts, month_offset, month_days)


# -- planted structure -------------------------------------------------------------------------------


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if len(x) > 1 and sd > 0 else x - x.mean()


def _sar_field(w_row: sp.csr_array, rho: float, rng: np.random.Generator) -> np.ndarray:
    """A standardised SAR field z = (I - rho W)^-1 eps, solved sparsely."""
    n = w_row.shape[0]
    eps = rng.standard_normal(n)
    if n == 1 or rho == 0:
        return _standardise(eps)
    a = (sp.identity(n, format="csc") - rho * sp.csc_matrix(w_row)).tocsc()
    return _standardise(spla.spsolve(a, eps))


def _normal_scores(x: np.ndarray) -> np.ndarray:
    ranks = pd.Series(x).rank(method="average").to_numpy()
    return ndtri((ranks - 0.5) / len(x))


def _weighted_order(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random order without replacement, each step picking proportional to ``weights``."""
    return np.argsort(rng.exponential(size=len(weights)) / np.maximum(weights, 1e-12), kind="stable")


def _plant_hotspots(
    w: sp.csr_array, latent: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Disjoint clusters (an area plus its neighbours), seeds drawn proportional to latent intensity.

    Clusters cycle through emerging, persistent, diminishing until ``fraction`` of the areas is
    covered. Returns the pattern code per area (index into HOTSPOT_PATTERNS) and the cluster count.
    """
    n = len(latent)
    pattern = np.zeros(n, dtype=np.int8)
    target = fraction * n
    if target <= 0:
        return pattern, 0
    taken = np.zeros(n, dtype=bool)
    indptr, indices = w.indptr, w.indices
    covered = 0
    clusters = 0
    for s in _weighted_order(latent, rng):
        if covered >= target:
            break
        members = np.append(indices[indptr[s] : indptr[s + 1]], s)
        if taken[members].any():
            continue
        taken[members] = True
        pattern[members] = 1 + clusters % 3
        clusters += 1
        covered += members.size
    return pattern, clusters


def _hotspot_profiles(n_months: int, multiplier: float) -> np.ndarray:
    """Intensity multiplier per pattern (rows: HOTSPOT_PATTERNS) and month: ramps over the last third."""
    t = np.arange(n_months)
    t0 = (2 * n_months) // 3
    ramp = np.clip((t - t0 + 1) / max(n_months - t0, 1), 0.0, 1.0)
    up = multiplier - 1.0
    flat = np.ones(n_months)
    return np.vstack([flat, 1.0 + up * ramp, multiplier * flat, multiplier - up * ramp])


def _choose_top(latent: np.ndarray, k: int, pool_share: float, rng: np.random.Generator) -> np.ndarray:
    n = len(latent)
    pool = min(n, max(3 * k, int(np.ceil(pool_share * n))))
    top = np.argsort(-latent, kind="stable")[:pool]
    return np.sort(rng.choice(top, size=k, replace=False)) if k else np.zeros(0, dtype=np.int64)


# -- counts ----------------------------------------------------------------------------------------


def _draw_counts(mean: np.ndarray, dispersion: float | None, rng: np.random.Generator) -> np.ndarray:
    if dispersion is not None:
        mean = mean * rng.gamma(dispersion, 1.0 / dispersion, size=mean.shape)
    return rng.poisson(mean).astype(np.float64)


def _calibrate(
    means: dict[str, np.ndarray],
    totals: Mapping[str, Mapping[int, float]] | None,
    year_of_month: np.ndarray,
    years: np.ndarray,
) -> dict[str, dict[int, float]]:
    """Rescale ``means`` in place to hit the given annual totals; return the scale per indicator and year."""
    scales: dict[str, dict[int, float]] = {}
    for ind, by_year in (totals or {}).items():
        if ind not in COUNT_INDICATORS:
            raise InputError(
                "Annual totals given for an indicator that cannot be calibrated.",
                received=repr(ind),
                expected=", ".join(COUNT_INDICATORS),
                fix="calibrate monthly count indicators only",
            )
        given: dict[int, float] = {}
        for year, total in dict(by_year).items():
            try:
                y, v = int(year), float(total)
            except (TypeError, ValueError):
                raise InputError(
                    "Malformed annual total.",
                    received=f"{ind}: {year!r} -> {total!r}",
                    expected="a year and a number",
                    fix="write {year: total}",
                ) from None
            if y not in years:
                raise InputError(
                    "Annual total for a year outside the scenario.",
                    received=f"{ind}: {y}",
                    expected=f"a year in {years.min()}..{years.max()}",
                    fix="extend months or drop the year",
                )
            if not np.isfinite(v) or v < 0:
                raise InputError(
                    "Annual total must be a non-negative number.",
                    received=f"{ind} {y}: {total!r}",
                    expected="a finite number >= 0",
                    fix="correct the total",
                )
            given[y] = v
        if not given:
            continue
        m = means[ind]
        yearly = np.array([m[:, year_of_month == y].sum() for y in years])
        gy = np.array(sorted(given))
        factor = np.empty(len(gy))
        for k, y in enumerate(gy):
            expected = yearly[np.searchsorted(years, y)]
            if expected <= 0 and given[y] > 0:
                raise InputError(
                    "Cannot calibrate: the expected total is zero.",
                    received=f"{ind} {y}",
                    expected="areas with inhabitants",
                    fix="give populations above zero",
                )
            factor[k] = given[y] / expected if expected > 0 else 1.0
        scale = np.interp(years, gy, factor)
        m *= scale[np.searchsorted(years, year_of_month)][None, :]
        scales[ind] = {int(y): float(f) for y, f in zip(years, scale, strict=True)}
    return scales
