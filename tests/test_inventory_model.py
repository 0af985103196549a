"""The inventory on the measurement model (issue 14 part 3): the posterior problem domain and its fallback,
rank intervals with the statistical and the modelling-choice uncertainty apart, and the JRC step-4 checks."""

import numpy as np
import pandas as pd
import pytest

from weerbaar.analysis.composite import CompositeConfig, IndicatorSpec, composite_index
from weerbaar.analysis.composite_checks import composite_checks, cronbach_alpha
from weerbaar.analysis.inventory import PROBLEM, estimate_problem, model_config
from weerbaar.analysis.uncertainty import STATISTICAL, rank_uncertainty
from weerbaar.errors import InputError
from weerbaar.web.inventory_words import inventory_words

CFG2 = CompositeConfig(
    indicators=(IndicatorSpec("p", "problem"), IndicatorSpec("v", "vulnerability")),
    normalisation="rank",
    min_population=0,
)


def frame_with_posterior(n=60, sd=0.0, seed=0):
    rng = np.random.default_rng(seed)
    codes = [f"A{i:03d}" for i in range(n)]
    p = np.linspace(-2, 2, n)
    f = pd.DataFrame({"p": p, "v": rng.normal(size=n), "population": 1000.0}, index=codes)
    draws = pd.DataFrame(p[:, None] + sd * rng.standard_normal((n, 50)), index=codes)
    return f, draws


# -- Cronbach's alpha and the step-4 checks, by hand ----------------------------------------------------------


def test_cronbach_alpha_by_hand():
    # two identical items: alpha 1; two independent standardised items: 0; k items all correlated r: kr/(1+(k-1)r)
    x = np.array([1.0, 2, 3, 4, 5])
    assert cronbach_alpha(np.column_stack([x, x])) == pytest.approx(1.0)
    a, b = np.array([1.0, -1, 1, -1]), np.array([1.0, 1, -1, -1])
    assert cronbach_alpha(np.column_stack([a, b])) == pytest.approx(0.0)
    # raw (unstandardised) alpha of [[1,2],[2,3],[3,5]]: item vars 1, 7/3; sums 3, 5, 8 var 19/3 -> 2 (1 - 10/19)
    items = np.array([[1.0, 2], [2, 3], [3, 5]])
    assert cronbach_alpha(items, standardise=False) == pytest.approx(2 * (1 - 10 / 19))
    assert np.isnan(cronbach_alpha(np.column_stack([x])))


def test_step4_checks_on_a_small_index():
    rng = np.random.default_rng(1)
    z = rng.normal(size=200)
    f = pd.DataFrame(
        {
            "a1": z + 0.3 * rng.normal(size=200),
            "a2": z + 0.3 * rng.normal(size=200),
            "b": rng.normal(size=200),
            "population": 1000.0,
        },
        index=[f"X{i:03d}" for i in range(200)],
    )
    cfg = CompositeConfig(
        indicators=(IndicatorSpec("a1", "A"), IndicatorSpec("a2", "A"), IndicatorSpec("b", "B")),
        normalisation="zscore",
        min_population=0,
    )
    c = composite_checks(composite_index(f, cfg))
    assert c.correlations.loc["a1", "a2"] > 0.8 and abs(c.correlations.loc["a1", "b"]) < 0.2
    alpha = c.alpha.set_index("domain")["alpha"]
    assert alpha["A"] > 0.85 and np.isnan(alpha["B"])
    assert any("'B' has one indicator" in n for n in c.notes)
    assert c.with_scores.loc["a1", "A"] > 0.9 and abs(c.with_scores.loc["b", "A"]) < 0.2
    # eigenvalues of a 3 x 3 correlation matrix sum to 3; one strong component (a1, a2) and one for b
    assert c.pca["eigenvalue"].sum() == pytest.approx(3.0)
    assert c.pca["eigenvalue"].iloc[0] > 1.7 and (c.pca["eigenvalue"] > 1).sum() == 1
    assert c.pca["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert c.summary()["components_kaiser"] == 1


# -- rank intervals: statistical, choices, both ---------------------------------------------------------------


def test_no_posterior_spread_means_no_statistical_uncertainty():
    f, draws = frame_with_posterior(sd=0.0)
    u = rank_uncertainty(f, CFG2, draws=100, seed=1, posterior={"p": draws}, sobol_n=32)
    r = u.to_frame()
    assert (r["rank_low_statistical"] == r["rank_high_statistical"]).all()
    assert (r["rank_low_statistical"] == r["reference_rank"]).all()
    assert r["share_statistical"].max() < 0.05  # all the rank variance is the choices'
    s = u.sensitivity.set_index("factor")
    assert s.loc[STATISTICAL, "total_order"] < 0.05


def test_a_noisy_posterior_widens_the_intervals_and_takes_the_variance():
    f, draws = frame_with_posterior(sd=3.0)
    u = rank_uncertainty(f, CFG2, draws=200, seed=1, posterior={"p": draws}, sobol_n=64)
    r = u.to_frame()
    w_stat = (r["rank_high_statistical"] - r["rank_low_statistical"]).median()
    w_choice = (r["rank_high_choices"] - r["rank_low_choices"]).median()
    assert w_stat > w_choice
    shares = r[["share_statistical", "share_choices", "share_interaction"]]
    assert np.allclose(shares.sum(axis=1), 1) and shares["share_statistical"].mean() > 0.5
    assert (r["rank_low"] <= r["median_rank"]).all() and (r["median_rank"] <= r["rank_high"]).all()
    s = u.summary()
    assert s["statistical"] and s["median_interval_width_statistical"] > s["median_interval_width_choices"]
    # same seed, same result
    u2 = rank_uncertainty(f, CFG2, draws=200, seed=1, posterior={"p": draws}, sobol_n=64)
    pd.testing.assert_frame_equal(u.to_frame(), u2.to_frame())


def test_a_domain_is_never_left_out_whole_and_bad_posteriors_are_refused():
    f, draws = frame_with_posterior()
    u = rank_uncertainty(f, CFG2, draws=50, seed=1, sobol_n=0)
    assert set(u.draws["left_out"]) == {"none"} and u.parameters["leave_one_out"] == []
    cfg3 = CFG2.replace(indicators=(*CFG2.indicators, IndicatorSpec("v2", "vulnerability")))
    u3 = rank_uncertainty(f.assign(v2=f["v"] ** 2), cfg3, draws=200, seed=1, sobol_n=0)
    assert set(u3.draws["left_out"]) == {"none", "v", "v2"}
    with pytest.raises(InputError, match="Posterior draws"):
        rank_uncertainty(f, CFG2, draws=10, posterior={"unknown": draws})


# -- the posterior problem from the measurement model, and the fallback --------------------------------------


@pytest.fixture(scope="module")
def scenario():
    from weerbaar.analysis.weights import build_graph
    from weerbaar.synthetic import generate, grid_areas

    areas = grid_areas(150)
    sc = generate(areas, seed=4, months=12, events=False)
    o = sc.observations.astype({"indicator": str, "area_code": str, "period": str})
    flows = o[o["period"].str.len() == 7].groupby(["area_code", "indicator"])["value"].sum().unstack()
    yearly = o[o["period"].str.len() == 4].groupby(["area_code", "indicator"])["value"].mean().unstack()
    frame = pd.concat([flows.drop(columns="police.effort"), yearly], axis=1)
    graph = build_graph(areas[areas["level"] == "buurt"], "queen", level="buurt").graph
    return frame, graph, sc.truth.set_index("code")["latent"]


def test_problem_from_the_model_tracks_the_planted_problem(scenario):
    frame, graph, latent = scenario
    est = estimate_problem(frame, graph=graph, draws=100, seed=1)
    assert est.used and est.draws.shape[1] == 100 and est.summary()["problem_source"] == "model"
    # the posterior median is the median of the draws, and follows the planted latent problem
    assert np.allclose(est.median.dropna(), est.draws.median(axis=1).reindex(est.median.dropna().index))
    rho = est.median.corr(latent.reindex(est.median.index), method="spearman")
    assert rho > 0.6
    f = frame.assign(**{PROBLEM: est.median})
    cfg = model_config(CompositeConfig.default().replace(min_population=0))
    t = composite_index(f, cfg).to_frame()
    assert {"domain.problem", "domain.vulnerability"} <= set(t.columns)


def test_fallback_when_no_fit_is_possible(scenario):
    frame, graph, _ = scenario
    est = estimate_problem(frame.drop(columns=["reports.drug_nuisance"]), graph=graph, draws=20)
    assert not est.used and "reports.drug_nuisance" in est.reason
    assert est.summary() == {"problem_source": "indicators", "fallback_reason": est.reason}


def test_page_words_say_which_uncertainty_is_which():
    run = {
        "parameters": {
            "problem": {"problem_source": "model", "posterior_draws": 200},
            "uncertainty": {
                "median_interval_width": 74.0,
                "median_interval_width_statistical": 75.0,
                "median_interval_width_choices": 25.0,
                "statistical": True,
                "mean_variance_share": {"statistical": 0.65, "choices": 0.27, "interaction": 0.08},
                "sensitivity_total": {"aggregation": 0.8, "weight.problem": 0.2, STATISTICAL: 0.9},
            },
        }
    }
    w = inventory_words(run, "nl")
    text = " ".join(w["uncertainty"])
    assert w["model"] and "200 trekkingen" in w["source"]
    assert "75 plaatsen" in text and "25 plaatsen" in text and "74" in text and "65%" in text
    assert "optellen" in text  # the aggregation named as the most influential choice, not the statistics
    en = inventory_words({"parameters": {"problem": {"problem_source": "indicators", "fallback_reason": "x"}}}, "en")
    assert not en["model"] and "could not be estimated here (x)" in en["source"]
