"""Back-calculation of EUDA/SCORE wastewater loads: factors, hand calculations, Monte Carlo, errors."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.analysis.wastewater import (
    EXCRETION_RSD,
    MOLAR_MASS,
    SUBSTANCES,
    Estimate,
    Substance,
    back_calculate,
    consumption_interval,
    load_from_measurements,
    substance,
    triangular_quantile,
)
from weerbaar.errors import InputError

COCAINE_CF = (303.358 / 289.331) / 0.292  # 3.59


def fixed(key: str = "cocaine") -> Substance:
    """The substance with its excretion fixed at the mean (no excretion uncertainty)."""
    s = SUBSTANCES[key]
    return Substance(s.key, s.parent, s.metabolite, s.molar_ratio, s.excretion, s.excretion, s.excretion, s.reference)


# -- the factors ----------------------------------------------------------------------------------


def test_factors_by_hand():
    assert substance("cocaine").correction_factor == pytest.approx(COCAINE_CF)
    assert substance("cocaine").correction_factor == pytest.approx(3.59, abs=0.005)  # Castiglioni et al. 2013
    assert substance("mdma").correction_factor == pytest.approx(1 / 0.225)  # 4.44
    assert substance("amphetamine").correction_factor == pytest.approx(1 / 0.39)  # 2.56
    assert substance("methamphetamine").correction_factor == pytest.approx(1 / 0.43)  # 2.33
    assert substance("ketamine").correction_factor == pytest.approx(5.0)  # Du et al. 2020: 20 %
    assert substance("cannabis").correction_factor == pytest.approx((314.469 / 344.451) / 0.006)  # 152


def test_molar_masses_reproduce_the_published_factors_of_zuccato_2008():
    # Zuccato et al. (2008) Environ Health Perspect 116:1027: cocaine CF 2.33 at 45 % benzoylecgonine,
    # THC CF 152 at 0.6 % THC-COOH. Our molar masses give the same factors at those excretion rates.
    assert MOLAR_MASS["cocaine"] / MOLAR_MASS["benzoylecgonine"] / 0.45 == pytest.approx(2.33, abs=0.005)
    assert MOLAR_MASS["thc"] / MOLAR_MASS["thc-cooh"] / 0.006 == pytest.approx(152, abs=0.5)


def test_every_substance_of_the_euda_data_has_a_factor():
    from weerbaar.sources.euda import METABOLITES

    assert set(METABOLITES.values()) == set(SUBSTANCES)
    for s in SUBSTANCES.values():
        assert 0 < s.excretion_low < s.excretion < s.excretion_high <= 1
        assert s.reference and s.metabolite and s.to_dict()["correction_factor"] == s.correction_factor


def test_the_stimulant_ranges_carry_the_published_26_percent():
    # symmetric triangular: SD = half-width / sqrt(6); relative SD = 26 % (Castiglioni et al. 2013)
    for key in ("cocaine", "mdma", "amphetamine", "methamphetamine", "ketamine"):
        s = SUBSTANCES[key]
        half = (s.excretion_high - s.excretion_low) / 2
        assert (s.excretion_low + s.excretion_high) / 2 == pytest.approx(s.excretion)
        assert half / math.sqrt(6) / s.excretion == pytest.approx(EXCRETION_RSD)
    be = SUBSTANCES["cocaine"]
    assert be.excretion_low < 0.15 and be.excretion_high > 0.45  # holds Ambre 1988 and Zuccato 2008


def test_caveats():
    assert "not recommended" in SUBSTANCES["cannabis"].caveat
    assert SUBSTANCES["ketamine"].caveat and SUBSTANCES["amphetamine"].caveat
    assert SUBSTANCES["cocaine"].caveat is None


# -- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("cocaine", "cocaine"),
        ("  Cocaine ", "cocaine"),
        ("benzoylecgonine", "cocaine"),
        ("BE", "cocaine"),
        ("MDMA", "mdma"),
        ("ecstasy", "mdma"),
        ("THC-COOH", "cannabis"),
        ("thc cooh", "cannabis"),
        ("Methamphetamine", "methamphetamine"),
        ("KETAMINE", "ketamine"),
    ],
)
def test_names(name, key):
    assert substance(name).key == key


def test_unknown_substance_suggests_the_close_match():
    with pytest.raises(InputError) as exc:
        substance("cocain")
    assert "'cocaine'" in exc.value.fix and "cocain" in exc.value.received
    assert "cocaine" in exc.value.expected and "cannabis" in exc.value.expected
    with pytest.raises(InputError) as exc:
        substance("heroin")
    assert "did you mean" not in exc.value.fix and "ketamine" in exc.value.expected
    with pytest.raises(InputError):
        back_calculate(1.0, "benzoylecgonin e-x")


# -- back-calculation -----------------------------------------------------------------------------------


def test_back_calculation_by_hand():
    assert back_calculate(1000.0, "cocaine") == pytest.approx(1000 * COCAINE_CF)
    assert back_calculate(1000, "benzoylecgonine") == pytest.approx(3590.6, abs=0.1)
    assert isinstance(back_calculate(1000, "cocaine"), float)
    assert back_calculate(0.0, "mdma") == 0.0
    assert back_calculate(np.float64(10), SUBSTANCES["mdma"]) == pytest.approx(44.444, abs=0.001)


def test_back_calculation_keeps_the_shape():
    arr = back_calculate(np.array([100.0, 200.0]), "cocaine")
    assert isinstance(arr, np.ndarray) and arr == pytest.approx([100 * COCAINE_CF, 200 * COCAINE_CF])
    assert back_calculate([1.0, 2.0], "ketamine") == pytest.approx([5.0, 10.0])
    series = pd.Series([10.0, 20.0], index=["Amsterdam", "Antwerpen"])
    out = back_calculate(series, "methamphetamine")
    assert list(out.index) == ["Amsterdam", "Antwerpen"] and out["Antwerpen"] == pytest.approx(20 / 0.43)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, -0.001])
def test_negative_or_missing_load_is_an_input_error(bad):
    with pytest.raises(InputError) as exc:
        back_calculate(bad, "cocaine")
    assert "load" in exc.value.problem and ">= 0" in exc.value.expected and exc.value.fix
    assert exc.value.received == repr(float(bad))


def test_bad_loads_in_an_array_are_located():
    with pytest.raises(InputError) as exc:
        back_calculate(np.array([1.0, np.nan, 3.0, -2.0]), "cocaine")
    assert "position 1" in exc.value.received and "position 3" in exc.value.received
    with pytest.raises(InputError):
        back_calculate(pd.Series([1.0, None]), "mdma")
    with pytest.raises(InputError) as exc:
        back_calculate("lots", "cocaine")
    assert "not a number" in exc.value.problem


def test_load_from_measurements_by_hand():
    # 500 ng/L benzoylecgonine in 200,000 m3 a day (2e8 L) from 800,000 people:
    # 500 x 2e8 = 1e11 ng = 100 g a day; 100,000 mg / 800,000 x 1000 = 125 mg per 1000 a day.
    load = load_from_measurements(500, 2e8, 800_000)
    assert load == pytest.approx(125.0)
    assert back_calculate(load, "cocaine") == pytest.approx(125.0 * COCAINE_CF)  # 448.8 mg cocaine / 1000 / day


@pytest.mark.parametrize(
    ("args", "what"),
    [
        ((0, 2e8, 8e5), "concentration"),
        ((-5, 2e8, 8e5), "concentration"),
        ((math.nan, 2e8, 8e5), "concentration"),
        ((500, 0, 8e5), "flow"),
        ((500, math.inf, 8e5), "flow"),
        ((500, 2e8, 0), "population"),
        ((500, 2e8, -1), "population"),
        (("500 ng", 2e8, 8e5), "concentration"),
        ((500, 2e8, True), "population"),
    ],
)
def test_load_from_measurements_errors(args, what):
    with pytest.raises(InputError) as exc:
        load_from_measurements(*args)
    assert what in exc.value.problem and exc.value.received and exc.value.expected and exc.value.fix


# -- the Monte Carlo interval ------------------------------------------------------------------------------


def test_interval_point_values_are_the_back_calculation():
    est = consumption_interval(1000.0, "cocaine", 700_000)
    per_1000, grams = est["per_1000"], est["grams_per_day"]
    assert per_1000.value == pytest.approx(1000 * COCAINE_CF)
    # 3590.6 mg per 1000 a day x 700 thousands = 2,513,481 mg = 2513.5 g a day
    assert grams.value == pytest.approx(1000 * COCAINE_CF * 700 / 1000)
    assert grams.value == pytest.approx(2513.5, abs=0.1)
    assert per_1000.low < per_1000.value < per_1000.high and grams.low < grams.value < grams.high
    assert per_1000.to_dict() == {"value": per_1000.value, "low": per_1000.low, "high": per_1000.high, "level": 0.9}
    assert "grams_per_day" not in consumption_interval(1000.0, "cocaine")


def test_without_uncertainty_the_interval_collapses():
    est = consumption_interval(
        500.0, fixed("mdma"), 1e6, sampling_cv=0, analysis_cv=0, population_cv=0, draws=500, seed=1
    )
    assert est["per_1000"].low == pytest.approx(est["per_1000"].value)
    assert est["per_1000"].high == pytest.approx(est["per_1000"].value)
    assert est["grams_per_day"].value == pytest.approx(500 / 0.225 * 1000 / 1e3)


def test_sampling_error_alone_matches_the_lognormal_quantiles():
    est = consumption_interval(1000.0, fixed(), sampling_cv=0.10, analysis_cv=0, population_cv=0, draws=200_000)
    sigma = math.sqrt(math.log(1 + 0.10**2))
    point = 1000 * COCAINE_CF
    assert est["per_1000"].low == pytest.approx(point * math.exp(-1.6449 * sigma), rel=0.005)
    assert est["per_1000"].high == pytest.approx(point * math.exp(1.6449 * sigma), rel=0.005)


def test_population_error_widens_per_1000_but_not_the_catchment_total():
    est = consumption_interval(1000.0, fixed(), 500_000, sampling_cv=0, analysis_cv=0, population_cv=0.3)
    assert est["per_1000"].high / est["per_1000"].low > 2
    assert est["grams_per_day"].low == pytest.approx(est["grams_per_day"].value)
    assert est["grams_per_day"].high == pytest.approx(est["grams_per_day"].value)


def test_same_seed_same_result_other_seed_other_draws():
    a = consumption_interval(800.0, "cocaine", 7e5, seed=7, draws=2000)
    b = consumption_interval(800.0, "cocaine", 7e5, seed=7, draws=2000)
    c = consumption_interval(800.0, "cocaine", 7e5, seed=8, draws=2000)
    assert a == b and a["per_1000"].low != c["per_1000"].low and a["per_1000"].value == c["per_1000"].value


def test_level_widens_the_interval():
    narrow = consumption_interval(800.0, "cocaine", level=0.5)["per_1000"]
    wide = consumption_interval(800.0, "cocaine", level=0.99)["per_1000"]
    assert wide.low < narrow.low < narrow.value < narrow.high < wide.high and wide.level == 0.99


@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": 1.0},
        {"level": 0},
        {"level": 90},
        {"draws": 10},
        {"draws": 1000.5},
        {"seed": -1},
        {"sampling_cv": -0.1},
        {"analysis_cv": math.nan},
        {"population": 0},
        {"population": -5},
    ],
)
def test_interval_argument_errors(kwargs):
    with pytest.raises(InputError) as exc:
        consumption_interval(100.0, "cocaine", **kwargs)
    assert exc.value.expected and exc.value.fix


def test_interval_load_errors():
    with pytest.raises(InputError):
        consumption_interval(-1.0, "cocaine")
    with pytest.raises(InputError):
        consumption_interval(math.nan, "cocaine")
    with pytest.raises(InputError):
        consumption_interval(1.0, "cocain")


def test_triangular_quantile():
    u = np.array([0.0, 0.5, 1.0])
    assert triangular_quantile(u, 1.0, 2.0, 3.0) == pytest.approx([1.0, 2.0, 3.0])
    assert triangular_quantile(u, 2.0, 2.0, 2.0) == pytest.approx([2.0, 2.0, 2.0])
    draws = triangular_quantile(np.random.default_rng(0).random(200_000), 0.1, 0.2, 0.6)
    assert draws.mean() == pytest.approx(0.3, rel=0.01) and draws.min() >= 0.1 and draws.max() <= 0.6
    # mode at a bound
    assert triangular_quantile(np.array([0.0, 1.0]), 0.1, 0.1, 0.5) == pytest.approx([0.1, 0.5])


def test_amsterdam_2018_reproduces_the_programmes_two_kilos():
    # EUDA ww2025-all-data.csv: Amsterdam (NL001) 2018, cocaine (benzoylecgonine) daily mean 932.36 mg per
    # 1000 inhabitants a day; site table: RWZI Amsterdam-West serves 699,648 people. The programme (December
    # 2019) says "at least two kilos of pure cocaine a day": 932.36 x 3.59 = 3,348 mg per 1000 a day, 2.34 kg a day.
    est = consumption_interval(932.36, "cocaine", 699_648)
    assert est["per_1000"].value == pytest.approx(3347.8, abs=0.1)
    assert est["grams_per_day"].value == pytest.approx(2342.3, abs=0.1)
    assert est["grams_per_day"].value > 2000


# -- properties ------------------------------------------------------------------------------------------

loads = st.floats(min_value=0.0, max_value=1e5, allow_nan=False)
keys = st.sampled_from(sorted(SUBSTANCES))


@settings(max_examples=60, deadline=None)
@given(loads, loads, st.floats(min_value=0.0, max_value=100.0), keys)
def test_back_calculation_is_linear_and_monotone(a, b, k, key):
    fa, fb = back_calculate(a, key), back_calculate(b, key)
    assert back_calculate(a + b, key) == pytest.approx(fa + fb, rel=1e-9, abs=1e-9)
    assert back_calculate(k * a, key) == pytest.approx(k * fa, rel=1e-9, abs=1e-9)
    if a <= b:
        assert fa <= fb


@settings(max_examples=25, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=5000.0),
    keys,
    st.floats(min_value=0.5, max_value=0.99),
    st.floats(min_value=0.0, max_value=0.5),
    st.floats(min_value=0.0, max_value=0.5),
    st.floats(min_value=0.0, max_value=0.5),
    st.integers(min_value=0, max_value=2**31),
)
def test_interval_contains_the_point(load, key, level, s_cv, a_cv, p_cv, seed):
    est = consumption_interval(
        load, key, 1e5, level=level, draws=2000, seed=seed, sampling_cv=s_cv, analysis_cv=a_cv, population_cv=p_cv
    )
    for e in est.values():
        assert isinstance(e, Estimate) and e.low <= e.value <= e.high


@settings(max_examples=25, deadline=None)
@given(
    keys,
    st.floats(min_value=0.0, max_value=0.4),
    st.floats(min_value=0.05, max_value=0.5),
    st.sampled_from(["sampling_cv", "analysis_cv", "population_cv"]),
)
def test_wider_input_uncertainty_gives_a_wider_interval(key, cv, extra, which):
    base = {"sampling_cv": 0.1, "analysis_cv": 0.1, "population_cv": 0.1}
    narrow = consumption_interval(100.0, key, draws=4000, **{**base, which: cv})["per_1000"]
    wide = consumption_interval(100.0, key, draws=4000, **{**base, which: cv + extra})["per_1000"]
    assert wide.high - wide.low > narrow.high - narrow.low
