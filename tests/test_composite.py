"""Composite index, EB rates and rank uncertainty on small hand-checkable data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.analysis.composite import CompositeConfig, IndicatorSpec, composite_index, normalise
from weerbaar.analysis.rates import eb_rates
from weerbaar.analysis.uncertainty import first_order_indices, rank_uncertainty
from weerbaar.errors import InputError


def small():
    return pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [30.0, 20.0, 10.0], "population": [1000, 1000, 1000]}, index=["X", "Y", "Z"]
    )


CFG = CompositeConfig(
    indicators=(IndicatorSpec("a", "d1"), IndicatorSpec("b", "d2", direction=-1)),
    normalisation="minmax",
    min_population=0,
)


def test_minmax_arithmetic_by_hand():
    t = composite_index(small(), CFG).to_frame()
    # a -> 0, .5, 1; b reversed -> 0, .5, 1; equal domain weights
    assert t["composite"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert t["rank"].tolist() == [3, 2, 1]
    assert t.loc["Z", "domain.d1"] == pytest.approx(1.0)


def test_weights_and_geometric():
    cfg = CFG.replace(domain_weights={"d1": 3.0, "d2": 1.0})
    f = pd.DataFrame({"a": [0.0, 1.0], "b": [0.0, 1.0]}, index=["P", "Q"])  # P: a low, b high (-> 1)
    t = composite_index(f, cfg).to_frame()
    assert t.loc["P", "composite"] == pytest.approx(0.25) and t.loc["Q", "composite"] == pytest.approx(0.75)
    g = composite_index(f, cfg.replace(aggregation="geometric")).to_frame()
    # geometric on [0.01, 1]: P = 0.01^0.75 * 1^0.25
    assert g.loc["P", "composite"] == pytest.approx(0.01**0.75)


def test_normalisations():
    x = np.array([[1.0], [2.0], [4.0], [np.nan]])
    assert normalise(x, "minmax")[:3, 0] == pytest.approx([0, 1 / 3, 1])
    assert normalise(x, "rank")[:3, 0] == pytest.approx([1 / 3, 2 / 3, 1])
    z = normalise(x, "zscore")[:3, 0]
    assert z.mean() == pytest.approx(0) and z.std(ddof=1) == pytest.approx(1)
    assert np.isnan(normalise(x, "rank")[3, 0])
    with pytest.raises(InputError, match="Unknown normalisation") as e:
        normalise(x, "softmax")
    assert "minmax" in e.value.expected


def test_eb_rates_equal_esda():
    from esda.smoothing import Empirical_Bayes

    rng = np.random.default_rng(4)
    pop = rng.integers(20, 5000, size=60)
    events = rng.poisson(pop * rng.gamma(2.0, 0.005, size=60))  # heterogeneous rates: prior variance > 0
    ours = eb_rates(pd.Series(events, dtype=float), pd.Series(pop, dtype=float), per=1.0)
    ref = Empirical_Bayes(events.reshape(-1, 1).astype(float), pop.reshape(-1, 1).astype(float)).r.ravel()
    assert ours.to_numpy() == pytest.approx(ref, rel=1e-9)
    # Homogeneous rates give a negative moment estimate of the prior variance: esda lets the weights go
    # negative, we floor the variance at zero (Marshall 1991), so every area takes the city rate.
    flat = rng.poisson(pop * 0.01)
    eb = eb_rates(pd.Series(flat, dtype=float), pd.Series(pop, dtype=float), per=1.0)
    assert eb.nunique() == 1 and eb.iloc[0] == pytest.approx(flat.sum() / pop.sum())


def test_eb_shrinks_small_areas_more():
    events = pd.Series([1.0, 100.0, 10.0, 12.0, 8.0])
    pop = pd.Series([20.0, 10000.0, 1000.0, 1000.0, 1000.0])
    raw = events / pop * 1000
    eb = eb_rates(events, pop)
    city = events.sum() / pop.sum() * 1000
    assert abs(eb[0] - city) < abs(raw[0] - city) * 0.5  # the 20-person area is pulled hard
    assert eb[1] == pytest.approx(raw[1], rel=0.05)  # the large one hardly moves


def test_missing_values_exclude_or_impute_never_zero():
    f = small()
    f.loc["Y", "a"] = np.nan
    ex = composite_index(f, CFG).to_frame()
    assert not ex.loc["Y", "ranked"] and "missing a" in ex.loc["Y", "not_ranked_reason"]
    assert np.isnan(ex.loc["Y", "composite"])
    im = composite_index(f, CFG.replace(missing="impute")).to_frame()
    assert im.loc["Y", "ranked"] and im.loc["Y", "imputed"] == "a"
    assert im.loc["Y", "value.a"] == pytest.approx(2.0)  # median of X and Z, not zero


def test_small_populations_are_scored_not_ranked_and_absent_indicators_listed():
    f = small()
    f.loc["X", "population"] = 10
    cfg = CFG.replace(min_population=100, indicators=(*CFG.indicators, IndicatorSpec("c", "d3")))
    r = composite_index(f, cfg)
    t = r.to_frame()
    assert not t.loc["X", "ranked"] and not np.isnan(t.loc["X", "composite"]) and np.isnan(t.loc["X", "rank"])
    assert r.summary()["absent_indicators"] == ["c"]
    assert any("d3" in n for n in r.notes)


def test_config_toml_roundtrip_and_errors(tmp_path):
    p = tmp_path / "index.toml"
    p.write_text(
        'normalisation = "zscore"\n[domains.a]\nweight = 2\nindicators = [{ name = "x", direction = -1 }]\n'
        '[domains.b]\nindicators = ["y"]\n'
    )
    cfg = CompositeConfig.from_toml(p)
    assert cfg.normalisation == "zscore" and cfg.domain_weight("a") == 2 and cfg.indicators[0].direction == -1
    p.write_text('normalisation = "zscore"\ncolour = 1\n[domains.a]\nindicators = ["x"]\n')
    with pytest.raises(InputError, match="Unknown keys"):
        CompositeConfig.from_toml(p)
    p.write_text("this is [not toml")
    with pytest.raises(InputError, match="not valid TOML"):
        CompositeConfig.from_toml(p)
    with pytest.raises(InputError, match="Unknown aggregation"):
        CompositeConfig.default().replace(aggregation="median")


def test_explain_against_group_and_city():
    r = composite_index(small(), CFG)
    e = r.explain("Z", groups=pd.Series({"X": "g1", "Y": "g2", "Z": "g2"}))
    assert list(e["domain"]) == ["d1", "d2"]
    assert e["contribution"].sum() == pytest.approx(1.0)
    assert e.loc[0, "group_mean"] == pytest.approx(0.75) and e.loc[0, "city_mean"] == pytest.approx(0.5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100), st.integers(300, 5000)), min_size=3, max_size=12),
    st.sampled_from(["minmax", "rank"]),
    st.sampled_from(["arithmetic", "geometric"]),
    st.randoms(),
)
def test_bounded_and_order_invariant(rows, norm, agg, rnd):
    f = pd.DataFrame(rows, columns=["a", "b", "population"], index=[f"A{i}" for i in range(len(rows))])
    cfg = CFG.replace(normalisation=norm, aggregation=agg)
    t = composite_index(f, cfg).to_frame()
    assert ((t["composite"] >= -1e-9) & (t["composite"] <= 1 + 1e-9)).all()
    shuffled = f.sample(frac=1, random_state=rnd.randint(0, 1000))
    t2 = composite_index(shuffled, cfg).to_frame()
    pd.testing.assert_frame_equal(t, t2)


def test_uncertainty_is_seeded_and_ordered():
    rng = np.random.default_rng(2)
    f = pd.DataFrame(
        {"a": rng.normal(size=40), "b": rng.normal(size=40), "population": 1000}, index=[f"A{i:02d}" for i in range(40)]
    )
    u1 = rank_uncertainty(f, CFG, draws=200, seed=5)
    u2 = rank_uncertainty(f, CFG, draws=200, seed=5)
    pd.testing.assert_frame_equal(u1.to_frame(), u2.to_frame())
    r = u1.to_frame()
    assert (r["rank_low"] <= r["median_rank"]).all() and (r["median_rank"] <= r["rank_high"]).all()
    s = u1.sensitivity.set_index("factor")["first_order"]
    assert ((s >= 0) & (s <= 1 + 1e-9)).all()


def test_first_order_indices_find_the_factor_that_matters():
    rng = np.random.default_rng(0)
    x1 = rng.choice(["p", "q"], size=2000)
    x2 = rng.uniform(size=2000)
    y = np.where(x1 == "p", 10.0, 0.0) + rng.normal(scale=0.5, size=2000)
    s = first_order_indices(y, pd.DataFrame({"x1": x1, "x2": x2})).set_index("factor")["first_order"]
    assert s["x1"] > 0.9 and s["x2"] < 0.02


def test_index_recovers_planted_latent_problem():
    from weerbaar.synthetic import generate, grid_areas

    sc = generate(grid_areas(300), seed=3, months=12, events=False)
    o = sc.observations.astype({"indicator": str, "area_code": str, "period": str})
    flows = o[o["period"].str.len() == 7].groupby(["area_code", "indicator"])["value"].sum().unstack()
    yearly = o[o["period"].str.len() == 4].groupby(["area_code", "indicator"])["value"].mean().unstack()
    f = pd.concat([flows.drop(columns="police.effort"), yearly], axis=1)
    t = composite_index(f).to_frame()
    latent = sc.truth.set_index("code")["latent"]
    assert t["composite"].corr(latent.reindex(t.index), method="spearman") > 0.7
