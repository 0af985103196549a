"""Synthetic scenarios with planted truth: observations and incidents whose causes are known.

``generate(areas, seed=...)`` plants, per buurt, a spatially autocorrelated latent drug-market
intensity, resident vulnerability correlated with it, police effort (with a few focus areas),
a reporting propensity (cut sharply in planted zwijgwijken) and hot-spot clusters that emerge,
persist or diminish; it then draws the monthly and yearly indicators of the data contract and
violent incidents from a self-exciting process. Every row is labelled ``status = synthetic``.
The model, its defaults and its validation are in docs/methods/synthetic.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import expit, logit, ndtri

from ..errors import InputError
from .events import simulate_events
from .grid import queen_adjacency

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
OBSERVATION_COLUMNS = ["area_code", "division", "period", "indicator", "value", "unit", "source", "status"]
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


# -- inputs --------------------------------------------------------------------------------------


def _prepare_areas(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(
            "Areas must be a GeoDataFrame.",
            received=type(areas).__name__,
            expected="a GeoDataFrame of buurten with 'code' and polygon geometry",
            fix="use weerbaar.synthetic.grid_areas() or read_area_file()",
        )
    gdf = areas
    if "level" in gdf.columns:
        gdf = gdf[gdf["level"] == "buurt"]
    if "code" not in gdf.columns:
        raise InputError(
            "Areas lack the column 'code'.",
            received=", ".join(map(str, gdf.columns)),
            expected="code, geometry (and optionally division, level)",
            fix="add a code column",
        )
    if len(gdf) == 0:
        raise InputError(
            "No buurten to generate for.",
            expected="at least one buurt",
            received="0 areas (at level buurt, if level is given)",
            fix="pass the buurten of a division",
        )
    if gdf.crs is None:
        raise InputError(
            "Area geometry has no coordinate reference system.",
            received="no CRS",
            expected="EPSG:28992 (or any CRS, reprojected)",
            fix="set the CRS of the areas",
        )
    if gdf.crs.to_epsg() != 28992:
        gdf = gdf.to_crs("EPSG:28992")
    codes = gdf["code"].astype("string")
    if codes.isna().any() or (codes.str.strip() == "").any():
        raise InputError(
            "Area with an empty code.",
            received="an empty code",
            expected="a code on every buurt",
            fix="fill in the codes",
        )
    codes = codes.to_numpy(dtype=object)
    if len(set(codes)) != len(codes):
        dup = pd.Series(codes)[pd.Series(codes).duplicated()].iloc[0]
        raise InputError(
            "Duplicate buurt code.",
            received=repr(dup),
            expected="each code once",
            fix="pass the buurten of a single division",
        )
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = pd.isna(geoms) | np.array(
        [g is None or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms]
    )
    if bad.any():
        raise InputError(
            "Buurt without polygon geometry.",
            received=repr(codes[np.argmax(bad)]),
            expected="a Polygon or MultiPolygon for every buurt",
            fix="add or repair the geometry",
        )
    if "division" in gdf.columns:
        div = gdf["division"].astype("string").fillna("synthetic").to_numpy(dtype=object)
    else:
        div = np.full(len(codes), "synthetic", dtype=object)
    order = np.argsort(codes, kind="stable")  # results do not depend on row order
    return codes[order], div[order], geoms[order]


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


def _series_for(values: pd.Series | None, codes: np.ndarray, what: str) -> tuple[np.ndarray, int]:
    """Values aligned to ``codes`` (NaN where missing) and how many given codes were unknown."""
    if values is None:
        return np.full(len(codes), np.nan), 0
    s = pd.Series(values)
    num = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & (num.isna() | ~np.isfinite(num.fillna(0)))
    if bad.any():
        raise InputError(
            f"Calibration {what} is not numeric.",
            received=repr(s[bad].iloc[0]),
            expected="finite numbers indexed by buurt code",
            fix=f"clean the {what} series",
        )
    num.index = num.index.astype(str)
    unknown = int((~num.index.isin(codes)).sum())
    aligned = num[~num.index.duplicated()].reindex(codes).to_numpy(dtype=float)
    return aligned, unknown


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
    rng = dict(zip(_STREAMS, _streams(seed, len(_STREAMS)), strict=True))

    # Calendar.
    T = int(months)
    abs_month = year0 * 12 + (month0 - 1) + np.arange(T)
    m_year, m_month = abs_month // 12, abs_month % 12 + 1
    years = np.unique(m_year)
    Y = len(years)
    year_idx = np.searchsorted(years, m_year)
    month_labels = [f"{y:04d}-{m:02d}" for y, m in zip(m_year, m_month, strict=True)]
    first = np.datetime64(f"{year0:04d}-{month0:02d}", "M")
    starts = (first + np.arange(T + 1)).astype("datetime64[D]")
    month_offset = (starts[:-1] - starts[0]).astype(np.float64)
    month_days = np.diff(starts).astype(np.float64)

    # Space: queen contiguity, row-standardised; islands keep an empty row.
    w = queen_adjacency(geoms)
    n_nb = np.asarray(w.sum(axis=1)).ravel().astype(np.int64)
    inv = np.divide(1.0, n_nb, out=np.zeros(n), where=n_nb > 0)
    w_row = sp.csr_array(sp.diags_array(inv) @ w.astype(np.float64))

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

    pattern, n_clusters = _plant_hotspots(w, latent, float(hotspot_fraction), rng["hotspots"])
    hot = _hotspot_profiles(T, model.hotspot_multiplier)[pattern]  # (n, T)
    calendar = (1 + model.trend) ** (np.arange(T) / 12) * (
        1 + model.seasonality * np.cos(2 * np.pi * (m_month - 7) / 12)
    )
    lat_t = latent[:, None] * hot * calendar[None, :]  # (n, T)

    # Yearly quantities.
    ry = rng["yearly"]
    pop_y = np.round(
        population[:, None]
        * (1 + model.population_growth) ** (years - years[0])[None, :]
        * np.exp(0.01 * ry.standard_normal((n, Y)))
    )
    drift = np.cumsum(
        np.concatenate([np.zeros((n, 1)), model.vulnerability_drift_sd * ry.standard_normal((n, Y - 1))], axis=1),
        axis=1,
    )
    vuln_pct = np.round(100 * expit(v_logit[:, None] + drift), 1)

    # Monthly police effort: area level x noise, renormalised to a city mean of 100 each month.
    e_t = effort[:, None] * np.exp(
        model.effort_monthly_sd * rng["monthly"].standard_normal((n, T)) - model.effort_monthly_sd**2 / 2
    )
    e_t = np.round(100 * e_t / e_t.mean(axis=0, keepdims=True), 1)

    # Expected monthly counts.
    exposure = pop_y[:, year_idx] / 1000.0 * lat_t
    means = {
        "registered.drug_trade": model.rate_drug_trade * exposure * e_t / 100,
        "registered.drug_use": model.rate_drug_use * exposure * e_t / 100,
        "registered.drug_production": model.rate_drug_production * exposure * e_t / 100,
        "reports.drug_nuisance": model.rate_reports * exposure * propensity[:, None],
        "tips.anonymous_drugs": model.rate_tips
        * exposure
        * ((propensity / model.propensity_mean) ** model.tips_propensity_power)[:, None],
    }
    scales = _calibrate(means, calibration.annual_totals, m_year, years)
    expected_totals = {ind: {int(y): float(m[:, m_year == y].sum()) for y in years} for ind, m in means.items()}
    counts = {ind: _draw_counts(means[ind], model.dispersion, rng["counts"]) for ind in COUNT_INDICATORS}
    del means, exposure

    # Survey: anonymous, so it follows the latent intensity, not the reporting propensity.
    bounds = np.searchsorted(year_idx, np.arange(Y))
    lat_y = np.add.reduceat(lat_t, bounds, axis=1) / np.bincount(year_idx)[None, :]
    p_nuisance = expit(logit(model.survey_pct / 100) + model.survey_slope * np.log(lat_y))
    rs = rng["survey"]
    respondents = 1 + rs.poisson(model.survey_rate * pop_y)
    survey_pct = np.round(100 * rs.binomial(respondents, p_nuisance) / respondents, 1)

    monthly = [*(counts[ind] for ind in COUNT_INDICATORS), e_t]
    yearly = [pop_y, vuln_pct, survey_pct, respondents.astype(np.float64)]
    observations = _long_frame(codes, divisions, monthly, yearly, month_labels, [str(y) for y in years])

    # Incidents (with events=False the same empty, typed frames).
    background = model.event_rate / 12 * latent[:, None] * hot * (month_days / 30.4375)[None, :]
    ev, ev_truth = simulate_events(
        geoms,
        codes,
        background if events else np.zeros_like(background),
        month_offset,
        month_days,
        np.datetime64(starts[0], "s"),
        rng["events"],
        branching=model.branching,
        kernel_days=model.kernel_days,
        kernel_m=model.kernel_m,
        type_probs=model.type_probs,
        inherit_type=model.inherit_type,
    )

    truth = pd.DataFrame(
        {
            "code": codes,
            "division": divisions,
            "latent": latent,
            "vulnerability": 100 * expit(v_logit),
            "effort": effort,
            "focus": focus,
            "propensity": propensity,
            "zwijgwijk": zwijg,
            "hotspot_pattern": np.array(HOTSPOT_PATTERNS, dtype=object)[pattern],
            "population": population.astype(np.int64),
            "synthetic_population": synthetic_pop,
            "n_neighbours": n_nb,
        },
        columns=TRUTH_COLUMNS,
    )
    params = {
        "version": VERSION,
        "seed": int(seed) if not isinstance(seed, np.random.Generator) else "numpy.random.Generator",
        "start": month_labels[0],
        "end": month_labels[-1],
        "months": T,
        "years": [int(y) for y in years],
        "n_areas": n,
        "divisions": sorted(set(divisions)),
        "n_zwijgwijken": int(nz),
        "n_focus": n_focus,
        "hotspot_fraction": float(hotspot_fraction),
        "n_hotspot_clusters": n_clusters,
        "n_islands": int((n_nb == 0).sum()),
        "islands": [str(x) for x in codes[n_nb == 0]],
        "events": bool(events),
        "n_events": len(ev),
        "n_background_events": int((ev_truth["generation"] == 0).sum()) if len(ev_truth) else 0,
        "indicators": [name for name, _, _ in INDICATORS],
        "n_observations": len(observations),
        "calibration": {
            "population_given": int((~synthetic_pop).sum()),
            "population_unknown_codes": pop_unknown,
            "latent_prior_given": int(has_prior.sum()),
            "latent_prior_unknown_codes": prior_unknown,
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


def _long_frame(
    codes: np.ndarray,
    divisions: np.ndarray,
    monthly: list[np.ndarray],
    yearly: list[np.ndarray],
    month_labels: list[str],
    year_labels: list[str],
) -> pd.DataFrame:
    """The observations in long format, built from (areas x periods) blocks with categorical columns.

    Rows are ordered by indicator (as in INDICATORS), then area code, then period. String
    columns are categoricals (about 170 MB for the national 13,000 x 120 scenario).
    """
    n, T, Y = len(codes), len(month_labels), len(year_labels)
    blocks = [(a, T, 0) for a in monthly] + [(a, Y, T) for a in yearly]
    sizes = [n * k for _, k, _ in blocks]
    total = sum(sizes)
    area_dtype = np.int16 if n < 2**15 else np.int32
    per_dtype = np.int16 if T + Y < 2**15 else np.int32
    area_code = np.empty(total, dtype=area_dtype)
    period = np.empty(total, dtype=per_dtype)
    value = np.empty(total, dtype=np.float64)
    pos = 0
    for arr, k, off in blocks:
        size = n * k
        area_code[pos : pos + size] = np.repeat(np.arange(n, dtype=area_dtype), k)
        period[pos : pos + size] = np.tile(np.arange(k, dtype=per_dtype), n) + off
        value[pos : pos + size] = arr.ravel()
        pos += size
    ind_codes = np.repeat(np.arange(len(INDICATORS), dtype=np.int8), sizes)
    units = sorted({u for _, u, _ in INDICATORS})
    unit_of = np.array([units.index(u) for _, u, _ in INDICATORS], dtype=np.int8)
    div_cats, div_of_area = np.unique(divisions.astype(str), return_inverse=True)
    zeros = np.zeros(total, dtype=np.int8)

    def cat(codes_: np.ndarray, categories, ordered: bool = False) -> pd.Categorical:
        return pd.Categorical.from_codes(codes_, categories=pd.Index(list(categories), dtype=object), ordered=ordered)

    # Periods as an ordered categorical in string order (a year sorts before its months), so
    # min/max and sorting behave as on plain strings.
    labels = np.array(month_labels + year_labels, dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=per_dtype)
    rank[order] = np.arange(len(labels), dtype=per_dtype)

    return pd.DataFrame(
        {
            "area_code": cat(area_code, codes),
            "division": cat(div_of_area.astype(np.int16)[area_code], div_cats),
            "period": cat(rank[period], labels[order], ordered=True),
            "indicator": cat(ind_codes, [name for name, _, _ in INDICATORS]),
            "value": value,
            "unit": cat(unit_of[ind_codes], units),
            "source": cat(zeros, ["synthetic"]),
            "status": cat(zeros, ["synthetic"]),
        },
        columns=OBSERVATION_COLUMNS,
    )
