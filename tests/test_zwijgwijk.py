"""Zwijgwijk detection: hand-checkable cases, planted recovery, false alarms, gaps, errors, properties."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests

from weerbaar.analysis import zwijgwijk as zw
from weerbaar.analysis.zwijgwijk import COLUMNS, FLAGS, detect_zwijgwijken, observations_frame
from weerbaar.errors import InputError
from weerbaar.synthetic import generate, grid_areas

REGS = ("registered.drug_trade", "registered.drug_use", "registered.drug_production")


def make_frame(n: int = 200, seed: int = 0, sigma: float = 0.1) -> pd.DataFrame:
    """Areas whose reports and registrations follow a known log-linear model of the survey share."""
    rng = np.random.default_rng(seed)
    codes = [f"A{i:04d}" for i in range(n)]
    pop = np.round(np.exp(np.log(2000) + 0.3 * rng.standard_normal(n)))
    lam = np.exp(0.5 * rng.standard_normal(n))  # latent problem, mean about 1
    survey = 100 * 1 / (1 + np.exp(-(np.log(0.1 / 0.9) + np.log(lam) + 0.1 * rng.standard_normal(n))))
    vuln = 100 * 1 / (1 + np.exp(-(np.log(0.15 / 0.85) + 0.5 * np.log(lam) + 0.3 * rng.standard_normal(n))))
    effort = 100 * np.exp(0.2 * rng.standard_normal(n))
    effort *= 100 / effort.mean()
    noise = np.exp(sigma * rng.standard_normal((2, n)))
    frame = pd.DataFrame(
        {
            "population": pop,
            "ses.vulnerable_pct": np.round(vuln, 1),
            "survey.drug_nuisance_pct": np.round(survey, 1),
            "tips.anonymous_drugs": rng.poisson(0.05 * pop / 1000 * 60 * lam).astype(float),
            "reports.drug_nuisance": rng.poisson(25 * pop / 1000 * lam * noise[0]).astype(float),
            "police.effort": effort,
        },
        index=pd.Index(codes, name="area_code"),
    )
    reg = rng.poisson(40 * pop / 1000 * lam * effort / 100 * noise[1])
    frame["registered.drug_trade"] = np.floor(reg * 0.45)
    frame["registered.drug_use"] = np.floor(reg * 0.5)
    frame["registered.drug_production"] = reg - frame["registered.drug_trade"] - frame["registered.drug_use"]
    return frame


@pytest.fixture(scope="module")
def scenario():
    """A 10-year generator scenario on 600 buurten with the default planted strength (factor 0.25)."""
    sc = generate(grid_areas(600), seed=11, months=120, events=False)
    return sc, observations_frame(sc.observations)


@pytest.fixture(scope="module")
def scenario_result(scenario):
    return detect_zwijgwijken(scenario[1])


# -- hand-checkable ------------------------------------------------------------------------------------


def test_clear_shortfall_in_a_high_problem_area_is_a_zwijgwijk():
    f = make_frame()
    first = detect_zwijgwijken(f).details().set_index("area_code")
    top = first["problem_level"].idxmax()
    exp = first.at[top, "expected"]
    f.loc[top, "reports.drug_nuisance"] = round(0.2 * exp)
    d = detect_zwijgwijken(f).details().set_index("area_code")
    row = d.loc[top]
    assert row["p_under"] < 1e-4
    assert row["flag"] == "zwijgwijk"
    assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"] < 0.5
    assert row["ratio"] == pytest.approx(row["observed"] / row["expected"])
    assert "Meldingen" in row["reason_nl"] and "Reports" in row["reason_en"]
    # Normal areas of a correctly specified model are not flagged.
    assert (d["flag"] == "zwijgwijk").sum() == 1


def test_low_problem_with_low_counts_is_not_a_zwijgwijk():
    f = make_frame()
    d0 = detect_zwijgwijken(f).details().set_index("area_code")
    low = d0["problem_level"].idxmin()
    f.loc[low, "reports.drug_nuisance"] = 0.0
    d = detect_zwijgwijken(f).details().set_index("area_code")
    assert d.at[low, "p_under"] < 0.05  # low compared to its own expectation ...
    assert d.at[low, "flag"] != "zwijgwijk"  # ... but its problem level is below the median
    assert not d.at[low, "candidate"]


def test_effort_driven_registrations_get_the_effort_flag():
    f = make_frame()
    d0 = detect_zwijgwijken(f).details().set_index("area_code")
    area = d0["problem_level"].sort_values().index[100]
    f.loc[area, "police.effort"] = 300.0
    for c in REGS:
        f.loc[area, c] = f.loc[area, c] * 3
    d = detect_zwijgwijken(f).details().set_index("area_code")
    assert d.at[area, "flag"] == "effort"
    assert d.at[area, "registrations_p_over_no_effort"] < 1e-3
    assert d.at[area, "registrations_p_over"] > 0.05
    assert "politie-inzet" in d.at[area, "reason_nl"] and "police effort" in d.at[area, "reason_en"]


def test_tail_probabilities_match_scipy():
    y = np.array([0.0, 3, 20, 100, 250])
    eta = np.log(np.array([2.0, 5, 100, 100, 200]))
    zero = np.zeros(5)
    # sigma -> 0: the Poisson mid-p
    fit = zw._Fit(np.zeros(1), np.zeros((1, 1)), 1e-6, 0.0, True)
    got = zw._tail(y, eta, zero, zero, fit, "lognormal")
    want = stats.poisson.cdf(y, np.exp(eta)) - 0.5 * stats.poisson.pmf(y, np.exp(eta))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)
    # expected 100, observed 20: essentially impossible for a normally reporting area
    assert got[2] < 1e-15
    # negative binomial (alpha 0.2) without parameter uncertainty
    nb = zw._Fit(np.zeros(1), np.zeros((1, 1)), 0.2, 0.0, True)
    mu = np.exp(eta)
    size = 1 / 0.2
    want = stats.nbinom.cdf(y, size, size / (size + mu)) - 0.5 * stats.nbinom.pmf(y, size, size / (size + mu))
    np.testing.assert_allclose(zw._tail(y, eta, zero, zero, nb, "negbin"), want, rtol=1e-8)
    # lognormal area effect: against direct numerical integration
    fit = zw._Fit(np.zeros(1), np.zeros((1, 1)), 0.3, 0.0, True)
    got = zw._tail(y, eta, zero, zero, fit, "lognormal")
    for k in range(5):

        def integrand(z, k=k):
            m = np.exp(eta[k] + 0.3 * z)
            return (stats.poisson.cdf(y[k], m) - 0.5 * stats.poisson.pmf(y[k], m)) * stats.norm.pdf(z)

        assert got[k] == pytest.approx(integrate.quad(integrand, -10, 10, epsabs=1e-13)[0], rel=1e-6, abs=1e-12)


def test_poisson_lognormal_likelihood_matches_numerical_integration():
    y = np.array([0.0, 4, 37, 500])
    eta = np.log(np.array([1.5, 6, 30, 450]))
    x = np.ones((4, 1))
    s = np.full(4, np.log(0.4))
    ll, _, _ = zw._pln_terms(np.zeros(1), s, x, y, eta, zw.special.gammaln(y + 1))
    for k in range(4):
        f = lambda z, k=k: stats.poisson.pmf(y[k], np.exp(eta[k] + 0.4 * z)) * stats.norm.pdf(z)  # noqa: E731
        assert np.exp(ll[k]) == pytest.approx(integrate.quad(f, -12, 12, epsabs=1e-15)[0], rel=1e-6)


def test_fdr_is_controlled_among_candidates_only():
    d = detect_zwijgwijken(make_frame()).details()
    cand = d["candidate"].to_numpy()
    assert 0.4 < cand.mean() < 0.6  # above the median problem level
    want = multipletests(d.loc[cand, "p_under"], method="fdr_bh")[1]
    np.testing.assert_allclose(d.loc[cand, "q_under"], want)
    assert d.loc[~cand, "q_under"].isna().all()


def test_lognormal_and_negbin_agree_on_expectations():
    f = make_frame(sigma=0.25)
    a = detect_zwijgwijken(f).to_frame()
    b = detect_zwijgwijken(f, family="negbin").to_frame()
    assert np.corrcoef(np.log(a["expected"]), np.log(b["expected"]))[0, 1] > 0.99
    assert a["p_under"].corr(b["p_under"], method="spearman") > 0.95


# -- planted truth --------------------------------------------------------------------------------------


def test_planted_zwijgwijken_are_recovered(scenario, scenario_result):
    sc, _ = scenario
    t = sc.truth.set_index("code")
    flagged = set(scenario_result.to_frame().query("flag == 'zwijgwijk'")["area_code"])
    planted = set(t.index[t["zwijgwijk"]])
    precision = len(flagged & planted) / len(flagged)
    recall = len(flagged & planted) / len(planted)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)


def test_no_zwijgwijk_flag_on_focus_areas_or_low_problem_areas(scenario, scenario_result):
    sc, _ = scenario
    t = sc.truth.set_index("code")
    d = scenario_result.details().set_index("area_code")
    zwf = d["flag"] == "zwijgwijk"
    focus_normal = t.index[t["focus"] & ~t["zwijgwijk"]]
    low = t.index[t["latent"] < t["latent"].median()]
    assert len(focus_normal) >= 10
    assert not zwf[focus_normal].any()
    assert not zwf[low].any()
    # The effort flag goes to focus areas (effort x 2.5), hardly anywhere else.
    eff = d["effort_driven"]
    assert eff[t.index[t["focus"]]].sum() >= 5
    assert eff[t.index[~t["focus"]]].sum() <= 2


def test_result_shape_and_summary(scenario_result):
    r = scenario_result
    out = r.to_frame()
    assert tuple(out.columns) == COLUMNS
    assert out["area_code"].is_monotonic_increasing
    assert set(out["flag"]) <= set(FLAGS)
    assert list(r.details().columns[: len(COLUMNS)]) == list(COLUMNS)
    s = r.summary()
    assert s["flagged"]["zwijgwijk"] == (out["flag"] == "zwijgwijk").sum()
    assert s["test_channel"] == "reports" and s["effort_flag_available"]
    assert s["missing_indicators"] == {}
    assert s["parameters"]["seed"] == 0 and s["parameters"]["family"] == "lognormal"
    reg = s["models"]["registrations"]
    assert 0.9 < reg["coefficients"]["log_effort"]["estimate"] < 1.2  # planted elasticity 1
    assert reg["dispersion"]["sigma"] > 0
    json.dumps(s)  # storable as it is


# -- gaps and errors ------------------------------------------------------------------------------------


def test_missing_predictor_values_are_excluded_or_imputed_never_zero():
    f = make_frame()
    gap = ["A0003", "A0010"]
    f.loc[gap, "survey.drug_nuisance_pct"] = np.nan
    ex = detect_zwijgwijken(f).details().set_index("area_code")
    assert ex.loc[gap, "expected"].isna().all() and (ex.loc[gap, "flag"] == "").all()
    assert (ex.loc[gap, "missing"] == "survey.drug_nuisance_pct").all()
    assert ex.loc[gap, "not_tested"].str.contains("missing").all()
    assert ex.loc[gap, "reason_nl"].str.contains("ontbreekt").all()
    im_res = detect_zwijgwijken(f, missing="impute")
    im = im_res.details().set_index("area_code")
    assert im.loc[gap, "expected"].notna().all()
    assert (im.loc[gap, "imputed"] == "survey.drug_nuisance_pct").all()
    assert im_res.summary()["areas_with_imputed_values"] == 2
    # The imputed value is the median of the other areas (on the model scale), not zero.
    z = f.copy()
    z.loc[gap, "survey.drug_nuisance_pct"] = 0.0
    zero = detect_zwijgwijken(z).details().set_index("area_code")
    assert not np.allclose(zero.loc[gap, "expected"], im.loc[gap, "expected"])


def test_absent_indicators_are_listed_with_their_consequence():
    f = make_frame().drop(columns=["survey.drug_nuisance_pct", "police.effort"])
    r = detect_zwijgwijken(f)
    s = r.summary()
    assert set(s["missing_indicators"]) == {"survey.drug_nuisance_pct", "police.effort"}
    assert "no effort flag" in s["missing_indicators"]["police.effort"]
    assert not s["effort_flag_available"]
    assert (r.to_frame()["flag"] != "effort").all()
    # Without reports the test runs on the registrations; without both it is an error.
    r2 = detect_zwijgwijken(make_frame().drop(columns=["reports.drug_nuisance"]))
    assert r2.summary()["test_channel"] == "registrations"
    assert any("registrations" in n for n in r2.summary()["notes"])
    with pytest.raises(InputError, match="Neither citizen reports nor registrations"):
        detect_zwijgwijken(make_frame().drop(columns=["reports.drug_nuisance", *REGS]))


def test_no_independent_indicator_means_no_zwijgwijk_flag():
    f = make_frame().drop(columns=["ses.vulnerable_pct", "survey.drug_nuisance_pct", "tips.anonymous_drugs"])
    f.iloc[0, f.columns.get_loc("reports.drug_nuisance")] = 0
    r = detect_zwijgwijken(f)
    assert (r.to_frame()["flag"] != "zwijgwijk").all()
    assert any("no independent problem indicator" in n for n in r.summary()["notes"])
    g = make_frame()
    g["ses.vulnerable_pct"] = 12.0
    notes = detect_zwijgwijken(g).summary()["notes"]
    assert any("ses.vulnerable_pct does not vary" in n for n in notes)


def test_small_areas_are_reported_not_flagged():
    f = make_frame()
    f.loc["A0005", "population"] = 120
    f.loc["A0005", "reports.drug_nuisance"] = 0
    d = detect_zwijgwijken(f).details().set_index("area_code")
    assert np.isfinite(d.at["A0005", "expected"]) and d.at["A0005", "flag"] == ""
    assert "population < 250" in d.at["A0005", "not_tested"]
    assert not d.at["A0005", "used_in_fit"]


def test_unknown_indicator_names_give_the_valid_choices():
    f = make_frame()
    with pytest.raises(InputError) as err:
        detect_zwijgwijken(f, predictors=("survey.drug_nuisance_pct", "survey.nuisance"))
    msg = str(err.value)
    assert "survey.nuisance" in msg and "ses.vulnerable_pct" in msg and "tips.anonymous_drugs" in msg
    with pytest.raises(InputError, match="registered.drug_trade"):
        detect_zwijgwijken(f, registrations=("registered.drugs",))
    with pytest.raises(InputError, match="reports.drug_nuisance"):
        detect_zwijgwijken(f, reports="meldingen")
    with pytest.raises(InputError, match="'exclude', 'impute'"):
        detect_zwijgwijken(f, missing="zero")


def test_bad_frames_are_refused():
    f = make_frame(20)
    with pytest.raises(InputError, match="duplicate"):
        detect_zwijgwijken(pd.concat([f, f.iloc[:1]]))
    with pytest.raises(InputError, match="population is missing"):
        detect_zwijgwijken(f.drop(columns="population"))
    g = f.copy()
    g.iloc[0, g.columns.get_loc("reports.drug_nuisance")] = -1
    with pytest.raises(InputError, match="Negative counts"):
        detect_zwijgwijken(g)
    g = f.copy()
    g.iloc[0, g.columns.get_loc("ses.vulnerable_pct")] = 140
    with pytest.raises(InputError, match="0-100"):
        detect_zwijgwijken(g)


def test_observations_frame_sums_flows_and_averages_the_rest():
    sc = generate(grid_areas(6), seed=2, months=24, events=False)
    o = sc.observations.astype({"area_code": str, "period": str, "indicator": str})
    f = observations_frame(sc.observations, [2016])
    a = f.index[0]
    sel = o[(o["area_code"] == a) & o["period"].str.startswith("2016")]
    by = sel.groupby("indicator")["value"]
    assert f.at[a, "reports.drug_nuisance"] == by.sum()["reports.drug_nuisance"]
    assert f.at[a, "police.effort"] == pytest.approx(by.mean()["police.effort"])
    assert f.at[a, "population"] == by.mean()["population"]


# -- properties -----------------------------------------------------------------------------------------


def test_deterministic_for_a_seed():
    f = make_frame(80)
    a, b = detect_zwijgwijken(f, seed=3).to_frame(), detect_zwijgwijken(f, seed=3).to_frame()
    pd.testing.assert_frame_equal(a, b)
    c = detect_zwijgwijken(f, seed=4).to_frame()
    pd.testing.assert_frame_equal(
        a.drop(columns=["ratio_low", "ratio_high"]), c.drop(columns=["ratio_low", "ratio_high"])
    )


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(25, 60),
    data_seed=st.integers(0, 10_000),
    sigma=st.sampled_from([0.05, 0.3, 0.6]),
    order_seed=st.integers(0, 1000),
    family=st.sampled_from(["lognormal", "negbin"]),
)
def test_bounded_and_order_invariant(n, data_seed, sigma, order_seed, family):
    f = make_frame(n, data_seed, sigma)
    f.iloc[0, f.columns.get_loc("reports.drug_nuisance")] = 0
    out = detect_zwijgwijken(f, family=family).to_frame()
    assert tuple(out.columns) == COLUMNS and len(out) == n
    p = out["p_under"]
    assert ((p >= 0) & (p <= 1)).all()
    ok = out["ratio"].notna()
    assert (out.loc[ok, "ratio_low"] <= out.loc[ok, "ratio"]).all()
    assert (out.loc[ok, "ratio"] <= out.loc[ok, "ratio_high"]).all()
    assert set(out["flag"]) <= set(FLAGS)
    shuffled = f.sample(frac=1, random_state=order_seed)
    pd.testing.assert_frame_equal(detect_zwijgwijken(shuffled, family=family).to_frame(), out)
