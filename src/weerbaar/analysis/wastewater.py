"""Drug consumption from wastewater: back-calculation of EUDA/SCORE metabolite loads.

The EUDA publishes loads of the measured residue (a metabolite, or the drug itself) in mg per
1000 inhabitants per day. The consumed mass of the parent drug is

    consumption = load x (M_parent / M_residue) / f_excreted = load x correction factor

with M the molar masses and f the mean fraction of a dose excreted in urine as that residue
(Zuccato et al. 2008; Castiglioni et al. 2013; Gracia-Lor et al. 2016). ``consumption_interval``
propagates the uncertainties Castiglioni et al. (2013) quantified (sampling, chemical analysis,
excretion, catchment population) through a seeded Monte Carlo. Every factor, its source and every
default is in docs/methods/wastewater.md.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from numbers import Real
from typing import SupportsFloat, overload

import numpy as np
import pandas as pd

from ..errors import InputError, NotFoundError

__all__ = [
    "Estimate",
    "Substance",
    "SUBSTANCES",
    "MOLAR_MASS",
    "SAMPLING_CV",
    "ANALYSIS_CV",
    "POPULATION_CV",
    "EXCRETION_RSD",
    "substance",
    "back_calculate",
    "load_from_measurements",
    "consumption_interval",
    "interval",
]

# Molar masses in g/mol from the molecular formulas (IUPAC standard atomic weights, C 12.011,
# H 1.008, N 14.007, O 15.999, Cl 35.45).
MOLAR_MASS = {
    "cocaine": 303.358,  # C17H21NO4
    "benzoylecgonine": 289.331,  # C16H19NO4
    "mdma": 193.246,  # C11H15NO2
    "amphetamine": 135.210,  # C9H13N
    "methamphetamine": 149.237,  # C10H15N
    "ketamine": 237.727,  # C13H16ClNO
    "thc": 314.469,  # C21H30O2, delta-9-tetrahydrocannabinol
    "thc-cooh": 344.451,  # C21H28O4, 11-nor-9-carboxy-THC
}

# Defaults of the uncertainty model, from Castiglioni et al. (2013), Environ. Sci. Technol. 47(3),
# 1452-1460 (relative standard deviations):
SAMPLING_CV = 0.10  # sampling: below 10 % with adequate 24-h composite sampling protocols
ANALYSIS_CV = 0.16  # chemical analysis: 6-26 % between laboratories (inter-laboratory study); the middle
POPULATION_CV = 0.20  # catchment population: 7-55 % between estimation methods; a census-based catchment
EXCRETION_RSD = 0.26  # back-calculation of cocaine use (excretion of benzoylecgonine): 26 %


def _span(mean: float, rsd: float = EXCRETION_RSD) -> tuple[float, float]:
    """Bounds of a symmetric triangular distribution around ``mean`` with relative SD ``rsd``.

    The SD of a symmetric triangular distribution of half-width h is h / sqrt(6).
    """
    h = math.sqrt(6.0) * rsd
    return mean * (1.0 - h), mean * (1.0 + h)


@dataclass(frozen=True)
class Substance:
    """A drug measured in wastewater through one residue, with its back-calculation factor."""

    key: str  # "cocaine", as in the EUDA data (weerbaar.sources.euda)
    parent: str  # the drug consumed
    metabolite: str  # the residue measured (may be the parent itself)
    molar_ratio: float  # M parent / M residue
    excretion: float  # mean fraction of a dose excreted in urine as the residue
    excretion_low: float  # range for the uncertainty analysis
    excretion_high: float
    reference: str  # short citation of the excretion figure
    caveat: str | None = None  # why absolute figures of this substance need care

    @property
    def correction_factor(self) -> float:
        """mg of parent drug consumed per mg of residue in the sewer: molar ratio / excretion."""
        return self.molar_ratio / self.excretion

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "parent": self.parent,
            "metabolite": self.metabolite,
            "molar_ratio": self.molar_ratio,
            "excretion": self.excretion,
            "excretion_low": self.excretion_low,
            "excretion_high": self.excretion_high,
            "correction_factor": self.correction_factor,
            "reference": self.reference,
            "caveat": self.caveat,
        }


def _make(
    key: str,
    parent: str,
    metabolite: str,
    m_parent: str,
    m_residue: str,
    excretion: float,
    bounds: tuple[float, float],
    reference: str,
    caveat: str | None = None,
) -> Substance:
    low, high = bounds
    return Substance(
        key=key,
        parent=parent,
        metabolite=metabolite,
        molar_ratio=MOLAR_MASS[m_parent] / MOLAR_MASS[m_residue],
        excretion=excretion,
        excretion_low=low,
        excretion_high=high,
        reference=reference,
        caveat=caveat,
    )


SUBSTANCES: dict[str, Substance] = {
    s.key: s
    for s in (
        # Benzoylecgonine 29.2 % of a cocaine dose, CF 3.59 with RSD 26 % (Castiglioni et al. 2013). The
        # span 10.6-47.8 % holds Ambre et al. (1988, 14-17 %) and the 45 % (CF 2.33) of Zuccato et al. (2008).
        _make(
            "cocaine",
            "cocaine",
            "benzoylecgonine",
            "cocaine",
            "benzoylecgonine",
            0.292,
            _span(0.292),
            "Castiglioni et al. 2013",
        ),
        # MDMA excreted unchanged 22.5 % (CF 4.4; Gracia-Lor et al. 2016), replacing the 65 % (CF 1.5) of
        # Zuccato et al. (2008).
        _make("mdma", "MDMA", "MDMA", "mdma", "mdma", 0.225, _span(0.225), "Gracia-Lor et al. 2016"),
        # Amphetamine excreted unchanged 39 % (CF 2.6; Gracia-Lor et al. 2016); 35-44 % over 24 h after oral
        # doses (Poklis et al. 1998); 30 % in Zuccato et al. (2008).
        _make(
            "amphetamine",
            "amphetamine",
            "amphetamine",
            "amphetamine",
            "amphetamine",
            0.39,
            _span(0.39),
            "Gracia-Lor et al. 2016",
            "Amphetamine in sewage also comes from methamphetamine (a metabolite) and from prescribed "
            "amphetamines (ADHD medication); where these matter the estimate overstates illicit amphetamine use.",
        ),
        # Methamphetamine excreted unchanged 43 % (CF 2.3; Zuccato et al. 2008, kept by Gracia-Lor et al. 2016).
        _make(
            "methamphetamine",
            "methamphetamine",
            "methamphetamine",
            "methamphetamine",
            "methamphetamine",
            0.43,
            _span(0.43),
            "Zuccato et al. 2008; Gracia-Lor et al. 2016",
        ),
        # Ketamine: 20 % (CF 5.0) recommended by Du et al. (2020) from wastewater and seizure data; the
        # pharmacokinetic figure of about 2-3 % unchanged would give a factor some 9 times higher.
        _make(
            "ketamine",
            "ketamine",
            "ketamine",
            "ketamine",
            "ketamine",
            0.20,
            _span(0.20),
            "Du et al. 2020",
            "The excretion factor of ketamine is poorly known (20 % from wastewater and seizure data against "
            "2-3 % from pharmacokinetics) and unused ketamine can be disposed of down the drain: read absolute "
            "figures as an order of magnitude; trends and comparisons between cities are sounder.",
        ),
        # THC-COOH 0.6 % of a THC dose (CF 152; Zuccato et al. 2008; Khan & Nicell 2011/2012); the span
        # 0.2-1.0 % is wider than for the stimulants (under 1 % of the THC consumed is excreted as THC-COOH).
        _make(
            "cannabis",
            "THC",
            "THC-COOH",
            "thc",
            "thc-cooh",
            0.006,
            (0.002, 0.010),
            "Zuccato et al. 2008; Khan & Nicell 2011",
            "Back-calculation of cannabis use is not recommended for absolute consumption: under 1 % of THC is "
            "excreted as THC-COOH in urine, the fraction depends on the route, much is excreted in faeces and "
            "THC-COOH sticks to particles in sewage. The EUDA publishes loads only and has left cannabis out of its "
            "analyses for these reasons; use the loads for trends and comparisons only.",
        ),
    )
}

# Other names by which a substance may be asked for (lower case, spaces and hyphens removed).
_ALIASES = {
    "be": "cocaine",
    "bze": "cocaine",
    "coke": "cocaine",
    "ecstasy": "mdma",
    "xtc": "mdma",
    "speed": "amphetamine",
    "meth": "methamphetamine",
    "crystalmeth": "methamphetamine",
    "thc": "cannabis",
    "thccooh": "cannabis",
    "11nor9carboxythc": "cannabis",
    "marijuana": "cannabis",
    "hashish": "cannabis",
}


def _squash(name: str) -> str:
    return "".join(ch for ch in str(name).casefold() if ch.isalnum())


def _names() -> dict[str, str]:
    names = dict(_ALIASES)
    for s in SUBSTANCES.values():
        for n in (s.key, s.parent, s.metabolite):
            names[_squash(n)] = s.key
    return names


def substance(name: str | Substance) -> Substance:
    """The substance by its key, drug or residue name (case, spaces and hyphens ignored).

    ``substance("MDMA")``, ``substance("benzoylecgonine")`` and ``substance("THC-COOH")`` all work; an
    unknown name raises an InputError that names the closest matches.
    """
    if isinstance(name, Substance):
        return name
    names = _names()
    key = names.get(_squash(name)) if isinstance(name, str) else None
    if key is not None:
        return SUBSTANCES[key]
    candidates = sorted(set(SUBSTANCES) | {SUBSTANCES[k].metabolite for k in SUBSTANCES})
    close = difflib.get_close_matches(str(name).casefold(), [c.casefold() for c in candidates], n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise NotFoundError(
        "Unknown substance for wastewater back-calculation.",
        received=repr(name),
        expected="one of " + ", ".join(SUBSTANCES) + " (or a residue name such as benzoylecgonine, THC-COOH)",
        fix=f"{hint}use a substance of the EUDA data",
    )


def _is_number(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


@overload
def back_calculate(load_mg_per_1000_per_day: float, substance: str | Substance) -> float: ...
@overload
def back_calculate(load_mg_per_1000_per_day: np.ndarray, substance: str | Substance) -> np.ndarray: ...
@overload
def back_calculate(load_mg_per_1000_per_day: pd.Series, substance: str | Substance) -> pd.Series: ...
@overload
def back_calculate(
    load_mg_per_1000_per_day: float | np.ndarray | pd.Series, substance: str | Substance
) -> float | np.ndarray | pd.Series: ...
def back_calculate(
    load_mg_per_1000_per_day: float | np.ndarray | pd.Series, substance: str | Substance
) -> float | np.ndarray | pd.Series:
    """mg of parent drug consumed per 1000 inhabitants per day, from the residue load (same unit).

    A float for a number, an array for an array, a Series (same index) for a Series. Loads must be
    finite and >= 0; a missing load is an error here, so drop or mask missing values first.
    """
    sub = _substance_arg(substance)
    if isinstance(load_mg_per_1000_per_day, pd.Series):
        values = _check_loads(load_mg_per_1000_per_day.to_numpy(dtype="float64", na_value=np.nan), sub)
        return pd.Series(values * sub.correction_factor, index=load_mg_per_1000_per_day.index)
    if _is_number(load_mg_per_1000_per_day) or np.ndim(load_mg_per_1000_per_day) == 0:
        value = _check_loads(np.asarray([_to_float(load_mg_per_1000_per_day, "load")]), sub)
        return float(value[0] * sub.correction_factor)
    values = _check_loads(np.asarray(load_mg_per_1000_per_day, dtype="float64"), sub)
    return values * sub.correction_factor


def _substance_arg(name: str | Substance) -> Substance:
    return substance(name)


def _to_float(x: object, what: str) -> float:
    try:
        if isinstance(x, bool) or not isinstance(x, SupportsFloat | str):
            raise TypeError
        return float(x)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} is not a number.",
            received=repr(x),
            expected="a number",
            fix=f"give the {what} as a number",
        ) from None


def _check_loads(values: np.ndarray, sub: Substance) -> np.ndarray:
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(f"{values[i]!r} (position {i})" for i in where[:5])
        more = f" and {len(where) - 5} more" if len(where) > 5 else ""
        raise InputError(
            f"A {sub.metabolite} load is negative or missing.",
            received=(shown + more) if values.size > 1 else repr(float(values[0])),
            expected="a load >= 0 in mg per 1000 inhabitants per day",
            fix="drop missing days or years before back-calculating; a load below the limit of quantification "
            "is not a negative number",
        )
    return values


def _positive(x: object, what: str, unit: str) -> float:
    v = _to_float(x, what)
    if not math.isfinite(v) or v <= 0:
        raise InputError(
            f"The {what} must be a positive number.",
            received=repr(x),
            expected=f"a finite number > 0 ({unit})",
            fix=f"check the {what}",
        )
    return v


def load_from_measurements(concentration_ng_per_l: float, flow_l_per_day: float, population: float) -> float:
    """Residue load in mg per 1000 inhabitants per day from one 24-hour composite sample.

    load = C [ng/L] x F [L/day] / 1e6 [ng/mg] / population x 1000.
    """
    c = _positive(concentration_ng_per_l, "concentration", "ng per litre")
    f = _positive(flow_l_per_day, "flow", "litres per day")
    p = _positive(population, "population", "inhabitants served by the treatment plant")
    return c * f / 1e6 / p * 1000.0


@dataclass(frozen=True)
class Estimate:
    """A point value with a central interval at ``level`` (e.g. 0.9 for the 5th-95th percentiles)."""

    value: float
    low: float
    high: float
    level: float = 0.9

    def to_dict(self) -> dict:
        return {"value": float(self.value), "low": float(self.low), "high": float(self.high), "level": self.level}


def interval(draws: np.ndarray, value: float, level: float) -> Estimate:
    """The central ``level`` interval of Monte Carlo draws around a given point value."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return Estimate(float(value), float(low), float(high), float(level))


def _check_mc(level: object, draws: object, seed: object) -> tuple[float, int]:
    lv = _to_float(level, "level")
    if not 0.0 < lv < 1.0:
        raise InputError(
            "The interval level must lie between 0 and 1.",
            received=repr(level),
            expected="a fraction in (0, 1), e.g. 0.9 for a 90 % interval",
            fix="give the level as a fraction, not a percentage",
        )
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 100:
        raise InputError(
            "Too few Monte Carlo draws.",
            received=repr(draws),
            expected="a whole number >= 100 (default 10,000)",
            fix="use more draws",
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            "The seed must be a whole number >= 0.",
            received=repr(seed),
            expected="a whole number >= 0",
            fix="give an integer seed (default 20191203)",
        )
    return lv, int(draws)


def _cv(x: object, what: str) -> float:
    v = _to_float(x, what)
    if not math.isfinite(v) or v < 0:
        raise InputError(
            f"The {what} must be a relative standard deviation >= 0.",
            received=repr(x),
            expected="a fraction >= 0, e.g. 0.10 for 10 %",
            fix="give the coefficient of variation as a fraction",
        )
    return v


def lognormal_factor(z: np.ndarray, cv: float) -> np.ndarray:
    """Multiplicative errors with median 1 and coefficient of variation ``cv`` from standard normals ``z``."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return np.exp(sigma * z)


def triangular_quantile(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution (low, mode, high) at uniforms ``u``."""
    if high <= low:
        return np.full_like(u, mode, dtype="float64")
    split = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    return np.where(u < split, left, right)


def consumption_interval(
    load_mg_per_1000_per_day: float,
    substance: str | Substance,
    population: float | None = None,
    *,
    level: float = 0.9,
    draws: int = 10_000,
    seed: int = 20191203,
    sampling_cv: float = SAMPLING_CV,
    analysis_cv: float = ANALYSIS_CV,
    population_cv: float = POPULATION_CV,
) -> dict[str, Estimate]:
    """Consumption of the parent drug with a Monte Carlo interval (seeded; common random numbers).

    Per draw: load x e_sampling x e_analysis x molar ratio / f / e_population, where the e are
    lognormal errors with median 1 and the given coefficients of variation (Castiglioni et al. 2013)
    and f, the excretion fraction, is triangular between the substance's low and high with its mean
    as the mode. ``population`` is the population the load was normalised by (the catchment served):
    ``grams_per_day`` is then the catchment's total, which is the measured mass and so carries no
    population error. The point values are the deterministic back-calculation, not Monte Carlo means.

    Returns ``{"per_1000": Estimate}`` (mg per 1000 inhabitants per day) and, given a population,
    ``"grams_per_day"`` (grams of parent drug a day for that population).
    """
    sub = substance if isinstance(substance, Substance) else _substance_arg(substance)
    load = _to_float(load_mg_per_1000_per_day, "load")
    point = back_calculate(load, sub)
    lv, n = _check_mc(level, draws, seed)
    cvs = [_cv(sampling_cv, "sampling CV"), _cv(analysis_cv, "analysis CV"), _cv(population_cv, "population CV")]
    pop = None if population is None else _positive(population, "population", "inhabitants served")

    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, n))
    u = rng.random(n)
    measured = load * lognormal_factor(z[0], cvs[0]) * lognormal_factor(z[1], cvs[1])
    excretion = triangular_quantile(u, sub.excretion_low, sub.excretion, sub.excretion_high)
    mass_per_1000 = measured * sub.molar_ratio / excretion  # before the per-capita normalisation error
    per_1000 = mass_per_1000 / lognormal_factor(z[2], cvs[2])

    out = {"per_1000": interval(per_1000, point, lv)}
    if pop is not None:
        out["grams_per_day"] = interval(mass_per_1000 * pop / 1e6, point * pop / 1e6, lv)
    return out
