"""Synthetic scenarios with planted truth: observations and incidents whose causes are known.

``generate(areas, seed=...)`` plants, per buurt, a spatially autocorrelated latent drug-market
intensity, resident vulnerability correlated with it, police effort (with a few focus areas),
a reporting propensity (cut sharply in planted zwijgwijken) and hot-spot clusters that emerge,
persist or diminish; it then draws the monthly and yearly indicators of the data contract and
violent incidents from a self-exciting process. Every row is labelled ``status = synthetic``.
The model, its defaults and its validation are in docs/methods/synthetic.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit, logit

from ..errors import InputError
from .events import simulate_events
from .frames import _long_frame, _prepare_areas, _series_for
from .grid import queen_adjacency
from .model import (
    COUNT_INDICATORS,
    HOTSPOT_PATTERNS,
    INDICATORS,
    Calibration,
    ModelParameters,
    _Calendar,
    _calendar,
    _calibrate,
    _check_model,
    _choose_top,
    _draw_counts,
    _hotspot_profiles,
    _normal_scores,
    _parse_start,
    _plant_hotspots,
    _sar_field,
    _standardise,
    _weighted_order,
)

__all__ = [
    "Calibration",
    "ModelParameters",
    "Scenario",
    "generate",
    "INDICATORS",
    "COUNT_INDICATORS",
    "HOTSPOT_PATTERNS",
    "TRUTH_COLUMNS",
]

VERSION = "weerbaar.synthetic/1"
TRUTH_COLUMNS = [
    "code",
    "division",
    "latent",
    "vulnerability",
    "effort",
    "focus",
    "propensity",
    "zwijgwijk",
    "hotspot_pattern",
    "population",
    "synthetic_population",
    "n_neighbours",
]
_STREAMS = (
    "latent",
    "vulnerability",
    "population",
    "effort",
    "propensity",
    "zwijgwijken",
    "hotspots",
    "yearly",
    "monthly",
    "counts",
    "survey",
    "events",
)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A generated scenario: what an analyst would see, and the truth behind it."""

    observations: pd.DataFrame
    events: pd.DataFrame
    truth: pd.DataFrame
    event_truth: pd.DataFrame
    params: dict

    def summary(self) -> str:
        p = self.params
        t = self.truth
        pat = t["hotspot_pattern"].value_counts()
        lines = [
            "SYNTHETIC scenario (every row has status 'synthetic'; not real figures)",
            f"  seed {p['seed']}, {p['start']} .. {p['end']} ({p['months']} months), "
            f"{p['n_areas']:,} buurten ({p['n_islands']} without neighbours)",
            f"  observations: {len(self.observations):,} rows, {self.observations['indicator'].nunique()} indicators",
            f"  events: {len(self.events):,} ({p['n_background_events']:,} background, "
            f"{len(self.events) - p['n_background_events']:,} follow-ups)",
            f"  planted: {int(t['zwijgwijk'].sum())} zwijgwijken, {int(t['focus'].sum())} focus areas, "
            + ", ".join(f"{int(pat.get(k, 0))} {k}" for k in HOTSPOT_PATTERNS[1:])
            + " hot-spot areas",
            f"  synthetic populations: {int(t['synthetic_population'].sum())} of {len(t)}",
        ]
        calibrated = sorted(p["calibration"]["annual_totals"])
        if calibrated:
            lines.append("  calibrated annual totals: " + ", ".join(calibrated))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Scenario(seed={self.params['seed']!r}, areas={self.params['n_areas']}, "
            f"months={self.params['months']}, observations={len(self.observations)}, "
            f"events={len(self.events)}, synthetic)"
        )


# -- randomness ----------------------------------------------------------------------------------


def _streams(seed: int | np.random.Generator, n: int) -> list[np.random.Generator]:
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(n))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(
            "Invalid seed.",
            received=repr(seed),
            expected="a non-negative integer or a numpy.random.Generator",
            fix="pass seed=42 (same seed, same scenario)",
        )
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


# -- the generator --------------------------------------------------------------------------------------


def generate(
    areas: gpd.GeoDataFrame,
    *,
    seed: int | np.random.Generator,
    start: str = "2015-01",
    months: int = 120,
    n_zwijgwijken: int | None = None,
    hotspot_fraction: float = 0.1,
    calibration: Calibration | None = None,
    events: bool = True,
    model: ModelParameters | None = None,
) -> Scenario:
    """Generate a synthetic scenario over the buurten in ``areas``.

    Parameters
    ----------
    areas:
        Buurten with ``code`` and polygon geometry (any CRS; optional ``division``). With a
        ``level`` column only the rows at level ``buurt`` are used.
    seed:
        Integer seed (or a numpy Generator). The same seed gives identical frames.
    start, months:
        First month (``YYYY-MM``) and the number of months.
    n_zwijgwijken:
        Number of silent neighbourhoods; default 5 % of the buurten, at least one.
    hotspot_fraction:
        Share of buurten inside planted hot-spot clusters.
    calibration:
        Real figures to anchor to (see :class:`Calibration`).
    events:
        Also simulate violent incidents (a Hawkes process).
    model:
        The model's constants (see :class:`ModelParameters`).
    """
    model = model or ModelParameters()
    calibration = calibration or Calibration()
    codes, divisions, geoms = _prepare_areas(areas)
    n = len(codes)
    year0, month0 = _parse_start(start)
    nz = _check_arguments(months, hotspot_fraction, n_zwijgwijken, n, model, calibration)
    rng = dict(zip(_STREAMS, _streams(seed, len(_STREAMS)), strict=True))
    cal = _calendar(year0, month0, int(months))

    # Space: queen contiguity, row-standardised; islands keep an empty row.
    w = queen_adjacency(geoms)
    n_nb = np.asarray(w.sum(axis=1)).ravel().astype(np.int64)
    inv = np.divide(1.0, n_nb, out=np.zeros(n), where=n_nb > 0)
    w_row = sp.csr_array(sp.diags_array(inv) @ w.astype(np.float64))

    planted = _plant(w, w_row, codes, nz, float(hotspot_fraction), model, calibration, rng)
    hot = _hotspot_profiles(cal.T, model.hotspot_multiplier)[planted.pattern]  # (n, T)
    lat_t = _monthly_intensity(planted.latent, hot, cal, model)  # (n, T)
    pop_y, vuln_pct, survey_pct, respondents = _yearly_indicators(planted, lat_t, cal, model, rng)
    e_t = _monthly_effort(planted.effort, cal.T, model, rng["monthly"])

    # Expected monthly counts, calibrated to the annual totals, then drawn.
    means = _monthly_means(pop_y, lat_t, e_t, planted.propensity, cal, model)
    scales = _calibrate(means, calibration.annual_totals, cal.m_year, cal.years)
    expected_totals = {ind: {int(y): float(m[:, cal.m_year == y].sum()) for y in cal.years} for ind, m in means.items()}
    counts = {ind: _draw_counts(means[ind], model.dispersion, rng["counts"]) for ind in COUNT_INDICATORS}
    del means

    monthly = [*(counts[ind] for ind in COUNT_INDICATORS), e_t]
    yearly = [pop_y, vuln_pct, survey_pct, respondents.astype(np.float64)]
    observations = _long_frame(codes, divisions, monthly, yearly, cal.month_labels, [str(y) for y in cal.years])
    ev, ev_truth = _incidents(geoms, codes, planted.latent, hot, cal, model, events, rng["events"])
    truth = _truth_frame(codes, divisions, planted, n_nb)
    params = {
        "version": VERSION,
        "seed": int(seed) if not isinstance(seed, np.random.Generator) else "numpy.random.Generator",
        "start": cal.month_labels[0],
        "end": cal.month_labels[-1],
        "months": cal.T,
        "years": [int(y) for y in cal.years],
        "n_areas": n,
        "divisions": sorted(set(divisions)),
        "n_zwijgwijken": int(nz),
        "n_focus": planted.n_focus,
        "hotspot_fraction": float(hotspot_fraction),
        "n_hotspot_clusters": planted.n_clusters,
        "n_islands": int((n_nb == 0).sum()),
        "islands": [str(x) for x in codes[n_nb == 0]],
        "events": bool(events),
        "n_events": len(ev),
        "n_background_events": int((ev_truth["generation"] == 0).sum()) if len(ev_truth) else 0,
        "indicators": [name for name, _, _ in INDICATORS],
        "n_observations": len(observations),
        "calibration": {
            "population_given": int((~planted.synthetic_pop).sum()),
            "population_unknown_codes": planted.pop_unknown,
            "latent_prior_given": planted.prior_given,
            "latent_prior_unknown_codes": planted.prior_unknown,
            "prior_weight": float(calibration.prior_weight),
            "annual_totals": {
                k: {int(y): float(v) for y, v in dict(d).items()} for k, d in (calibration.annual_totals or {}).items()
            },
            "scale": scales,
        },
        "expected_annual_totals": expected_totals,
        "model": asdict(model),
    }
    return Scenario(observations=observations, events=ev, truth=truth, event_truth=ev_truth, params=params)


# -- the steps of generate -------------------------------------------------------------------------------


def _check_arguments(
    months: int,
    hotspot_fraction: float,
    n_zwijgwijken: int | None,
    n: int,
    model: ModelParameters,
    calibration: Calibration,
) -> int:
    """Check the arguments of :func:`generate`; return the number of zwijgwijken."""
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise InputError(
            "Invalid number of months.",
            received=repr(months),
            expected="a whole number >= 1",
            fix="pass months=120 for ten years",
        )
    if not isinstance(hotspot_fraction, (int, float)) or not 0.0 <= hotspot_fraction <= 1.0:
        raise InputError(
            "Invalid hotspot_fraction.",
            received=repr(hotspot_fraction),
            expected="a share 0..1",
            fix="pass for example hotspot_fraction=0.1",
        )
    _check_model(model, calibration)
    nz = max(1, int(round(model.zwijg_share * n))) if n_zwijgwijken is None else n_zwijgwijken
    if isinstance(nz, bool) or not isinstance(nz, (int, np.integer)) or not 0 <= nz <= n:
        raise InputError(
            "Invalid n_zwijgwijken.",
            received=repr(n_zwijgwijken),
            expected=f"a whole number 0..{n}",
            fix="pass fewer zwijgwijken than buurten",
        )
    return nz


@dataclass(frozen=True)
class _Planted:
    """The planted truth per buurt (arrays in code order) and what the calibration contributed."""

    latent: np.ndarray
    v_logit: np.ndarray  # resident vulnerability on the logit scale
    population: np.ndarray
    synthetic_pop: np.ndarray
    effort: np.ndarray
    focus: np.ndarray
    n_focus: int
    propensity: np.ndarray
    zwijg: np.ndarray
    pattern: np.ndarray  # index into HOTSPOT_PATTERNS
    n_clusters: int
    prior_given: int
    prior_unknown: int
    pop_unknown: int


def _plant(
    w: sp.csr_array,
    w_row: sp.csr_array,
    codes: np.ndarray,
    nz: int,
    hotspot_fraction: float,
    model: ModelParameters,
    calibration: Calibration,
    rng: dict[str, np.random.Generator],
) -> _Planted:
    """Latent intensity, vulnerability, population, police effort, propensity, zwijgwijken and hot spots."""
    n = len(codes)
    # Latent intensity: SAR field, blended with the calibration prior.
    z = _sar_field(w_row, model.rho, rng["latent"])
    prior, prior_unknown = _series_for(calibration.latent_prior, codes, "latent_prior")
    has_prior = ~np.isnan(prior)
    f = z.copy()
    if has_prior.any():
        a = float(calibration.prior_weight)
        f[has_prior] = a * _normal_scores(prior[has_prior]) + np.sqrt(1 - a * a) * z[has_prior]
    f = _standardise(f)
    latent = np.exp(model.latent_sd * f)
    latent /= latent.mean()

    c = model.vulnerability_corr
    v_z = c * f + np.sqrt(1 - c * c) * _sar_field(w_row, model.rho, rng["vulnerability"])
    v_logit = logit(model.vulnerable_pct / 100) + model.vulnerability_sd * v_z

    pop_given, pop_unknown = _series_for(calibration.population, codes, "population")
    if (pop_given < 0).any():
        raise InputError(
            "Negative population in the calibration.",
            expected="inhabitants >= 0",
            received=repr(float(np.nanmin(pop_given))),
            fix="correct the population series",
        )
    synthetic_pop = np.isnan(pop_given)
    drawn = np.round(
        np.exp(np.log(model.population_median) + model.population_sd * rng["population"].standard_normal(n))
    )
    population = np.where(synthetic_pop, drawn, np.round(np.nan_to_num(pop_given)))

    log_e = model.effort_sd * rng["effort"].standard_normal(n) + model.effort_latent_slope * f
    n_focus = max(1, int(round(model.focus_fraction * n)))
    focus = np.zeros(n, dtype=bool)
    focus[_weighted_order(latent, rng["effort"])[:n_focus]] = True
    effort = np.exp(log_e) * np.where(focus, model.focus_multiplier, 1.0)
    effort = 100.0 * effort / effort.mean()

    propensity = expit(logit(model.propensity_mean) + model.propensity_sd * rng["propensity"].standard_normal(n))
    zwijg = np.zeros(n, dtype=bool)
    zwijg[_choose_top(latent, int(nz), model.zwijg_pool, rng["zwijgwijken"])] = True
    propensity = np.where(zwijg, model.zwijg_factor * propensity, propensity)

    pattern, n_clusters = _plant_hotspots(w, latent, hotspot_fraction, rng["hotspots"])
    return _Planted(
        latent=latent,
        v_logit=v_logit,
        population=population,
        synthetic_pop=synthetic_pop,
        effort=effort,
        focus=focus,
        n_focus=n_focus,
        propensity=propensity,
        zwijg=zwijg,
        pattern=pattern,
        n_clusters=n_clusters,
        prior_given=int(has_prior.sum()),
        prior_unknown=prior_unknown,
        pop_unknown=pop_unknown,
    )


def _monthly_intensity(latent: np.ndarray, hot: np.ndarray, cal: _Calendar, model: ModelParameters) -> np.ndarray:
    """Latent intensity per buurt and month: hot-spot profile x city-wide trend x season."""
    calendar = (1 + model.trend) ** (np.arange(cal.T) / 12) * (
        1 + model.seasonality * np.cos(2 * np.pi * (cal.m_month - 7) / 12)
    )
    return latent[:, None] * hot * calendar[None, :]


def _yearly_indicators(
    planted: _Planted, lat_t: np.ndarray, cal: _Calendar, model: ModelParameters, rng: dict[str, np.random.Generator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Population, % vulnerable, survey % drug nuisance and survey respondents per buurt and year."""
    n, Y = len(planted.latent), len(cal.years)
    ry = rng["yearly"]
    pop_y = np.round(
        planted.population[:, None]
        * (1 + model.population_growth) ** (cal.years - cal.years[0])[None, :]
        * np.exp(0.01 * ry.standard_normal((n, Y)))
    )
    drift = np.cumsum(
        np.concatenate([np.zeros((n, 1)), model.vulnerability_drift_sd * ry.standard_normal((n, Y - 1))], axis=1),
        axis=1,
    )
    vuln_pct = np.round(100 * expit(planted.v_logit[:, None] + drift), 1)

    # Survey: anonymous, so it follows the latent intensity, not the reporting propensity.
    bounds = np.searchsorted(cal.year_idx, np.arange(Y))
    lat_y = np.add.reduceat(lat_t, bounds, axis=1) / np.bincount(cal.year_idx)[None, :]
    p_nuisance = expit(logit(model.survey_pct / 100) + model.survey_slope * np.log(lat_y))
    rs = rng["survey"]
    respondents = 1 + rs.poisson(model.survey_rate * pop_y)
    survey_pct = np.round(100 * rs.binomial(respondents, p_nuisance) / respondents, 1)
    return pop_y, vuln_pct, survey_pct, respondents


def _monthly_effort(effort: np.ndarray, T: int, model: ModelParameters, rng: np.random.Generator) -> np.ndarray:
    """Monthly police effort: area level x noise, renormalised to a city mean of 100 each month."""
    e_t = effort[:, None] * np.exp(
        model.effort_monthly_sd * rng.standard_normal((len(effort), T)) - model.effort_monthly_sd**2 / 2
    )
    return np.round(100 * e_t / e_t.mean(axis=0, keepdims=True), 1)


def _monthly_means(
    pop_y: np.ndarray,
    lat_t: np.ndarray,
    e_t: np.ndarray,
    propensity: np.ndarray,
    cal: _Calendar,
    model: ModelParameters,
) -> dict[str, np.ndarray]:
    """Expected monthly counts per count indicator, buurt and month (before calibration)."""
    exposure = pop_y[:, cal.year_idx] / 1000.0 * lat_t
    return {
        "registered.drug_trade": model.rate_drug_trade * exposure * e_t / 100,
        "registered.drug_use": model.rate_drug_use * exposure * e_t / 100,
        "registered.drug_production": model.rate_drug_production * exposure * e_t / 100,
        "reports.drug_nuisance": model.rate_reports * exposure * propensity[:, None],
        "tips.anonymous_drugs": model.rate_tips
        * exposure
        * ((propensity / model.propensity_mean) ** model.tips_propensity_power)[:, None],
    }


def _incidents(
    geoms: np.ndarray,
    codes: np.ndarray,
    latent: np.ndarray,
    hot: np.ndarray,
    cal: _Calendar,
    model: ModelParameters,
    events: bool,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Violent incidents and their truth (with events=False the same empty, typed frames)."""
    background = model.event_rate / 12 * latent[:, None] * hot * (cal.month_days / 30.4375)[None, :]
    return simulate_events(
        geoms,
        codes,
        background if events else np.zeros_like(background),
        cal.month_offset,
        cal.month_days,
        np.datetime64(cal.starts[0], "s"),
        rng,
        branching=model.branching,
        kernel_days=model.kernel_days,
        kernel_m=model.kernel_m,
        type_probs=model.type_probs,
        inherit_type=model.inherit_type,
    )


def _truth_frame(codes: np.ndarray, divisions: np.ndarray, planted: _Planted, n_nb: np.ndarray) -> pd.DataFrame:
    """The truth table: what was planted in each buurt (columns TRUTH_COLUMNS)."""
    return pd.DataFrame(
        {
            "code": codes,
            "division": divisions,
            "latent": planted.latent,
            "vulnerability": 100 * expit(planted.v_logit),
            "effort": planted.effort,
            "focus": planted.focus,
            "propensity": planted.propensity,
            "zwijgwijk": planted.zwijg,
            "hotspot_pattern": np.array(HOTSPOT_PATTERNS, dtype=object)[planted.pattern],
            "population": planted.population.astype(np.int64),
            "synthetic_population": planted.synthetic_pop,
            "n_neighbours": n_nb,
        },
        columns=TRUTH_COLUMNS,
    )
