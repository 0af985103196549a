"""The synthetic scenario generator: shape, reproducibility, bounds, and recoverable planted truth."""

from __future__ import annotations

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libpysal.graph import Graph
from pandas.testing import assert_frame_equal
from scipy.stats import spearmanr

from weerbaar.areas import validate_areas
from weerbaar.contract import validate_events, validate_observations
from weerbaar.errors import InputError
from weerbaar.synthetic import (
    COUNT_INDICATORS,
    EVENT_TYPES,
    INDICATORS,
    TRUTH_COLUMNS,
    Calibration,
    ModelParameters,
    Scenario,
    fixture_city,
    generate,
    grid_areas,
    queen_adjacency,
)
from weerbaar.synthetic.grid import hilbert_cells

OBS_COLUMNS = ["area_code", "division", "period", "indicator", "value", "unit", "source", "status"]
MONTHLY = [name for name, _, kind in INDICATORS if kind == "month"]
YEARLY = [name for name, _, kind in INDICATORS if kind == "year"]
PERCENT = ["ses.vulnerable_pct", "survey.drug_nuisance_pct"]
COUNTS = [*COUNT_INDICATORS, "population", "survey.respondents"]
REGISTERED = ["registered.drug_trade", "registered.drug_use", "registered.drug_production"]


def buurten(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return areas[areas["level"] == "buurt"].reset_index(drop=True)


@pytest.fixture(scope="module")
def fixture_scenario() -> Scenario:
    return generate(fixture_city(), seed=7)


@pytest.fixture(scope="module")
def grid400() -> gpd.GeoDataFrame:
    return grid_areas(400)


@pytest.fixture(scope="module")
def scenario400(grid400) -> Scenario:
    return generate(grid400, seed=11, model=ModelParameters(event_rate=0.4))


def per_area(obs: pd.DataFrame, indicators: list[str], periods: slice | None = None) -> pd.Series:
    sub = obs[obs["indicator"].isin(indicators)]
    return sub.groupby("area_code", observed=True)["value"].sum()


# -- the grid --------------------------------------------------------------------------------------


def test_fixture_city_is_a_valid_area_table():
    areas = fixture_city()
    checked = validate_areas(areas)
    assert len(checked) == len(areas) == 1 + 2 + 3 + 12
    assert areas["level"].value_counts().to_dict() == {"buurt": 12, "wijk": 3, "stadsdeel": 2, "stad": 1}
    assert areas.crs.to_epsg() == 28992
    assert list(areas.columns) == ["code", "name", "level", "parent", "division", "cbs_code", "geometry"]
    b = buurten(areas)
    assert b["code"].str.fullmatch(r"S\d{2}W\d{2}B\d{2}").all()
    assert b["name"].str.startswith("Synthetische buurt").all()
    assert set(areas.loc[areas["level"] == "wijk", "parent"]) == {"S01", "S02"}
    assert areas["cbs_code"].isna().all()


def test_higher_levels_are_unions_of_their_buurten():
    areas = grid_areas(37, buurten_per_wijk=3, wijken_per_stadsdeel=4)
    validate_areas(areas)
    b = buurten(areas)
    by_code = areas.set_index("code").geometry
    for wijk, members in b.groupby("parent"):
        union = shapely.union_all(np.asarray(members.geometry.values))
        assert by_code[wijk].symmetric_difference(union).area < 1e-6
    assert abs(by_code["STAD"].area - b.geometry.area.sum()) < 1e-3
    assert by_code["STAD"].geom_type == "Polygon"  # a prefix of a Hilbert curve is connected


def test_national_grid_is_quick_and_complete():
    areas = grid_areas(13000)
    counts = areas["level"].value_counts()
    assert counts["buurt"] == 13000 and counts["wijk"] == 3250 and counts["stad"] == 1
    assert areas["code"].is_unique


def test_hilbert_cells_are_consecutive_neighbours():
    x, y = hilbert_cells(1000)
    assert (np.abs(np.diff(x)) + np.abs(np.diff(y)) == 1).all()
    assert len(set(zip(x.tolist(), y.tolist(), strict=True))) == 1000


@pytest.mark.parametrize("bad", [0, -3, 2.5, "12", True])
def test_grid_rejects_bad_counts(bad):
    with pytest.raises(InputError, match="n_buurten"):
        grid_areas(bad)


# -- adjacency ---------------------------------------------------------------------------------


def test_queen_adjacency_matches_libpysal_on_grid_and_irregular_polygons():
    b = buurten(grid_areas(60))
    graph = Graph.build_contiguity(b, rook=False)
    assert (queen_adjacency(b.geometry) != (graph.sparse > 0)).nnz == 0

    rng = np.random.default_rng(3)
    pts = shapely.multipoints(rng.uniform(0, 5000, size=(80, 2)) + [120000, 480000])
    frame = shapely.box(120000, 480000, 125000, 485000)
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame)), frame)
    gdf = gpd.GeoDataFrame({"code": [f"V{i:03d}" for i in range(len(cells))]}, geometry=cells, crs=28992)
    graph = Graph.build_contiguity(gdf, rook=False)
    assert (queen_adjacency(gdf.geometry) != (graph.sparse > 0)).nnz == 0


def test_islands_have_no_neighbours_and_are_handled():
    b = buurten(fixture_city())
    island = gpd.GeoDataFrame(
        {"code": ["ZZ01"], "level": ["buurt"]}, geometry=[shapely.box(150000, 500000, 150500, 500500)], crs=28992
    )
    areas = pd.concat([b, island], ignore_index=True)
    adj = queen_adjacency(areas.geometry)
    assert adj[[12], :].nnz == 0
    sc = generate(areas, seed=1, months=12)
    assert sc.params["islands"] == ["ZZ01"] and sc.params["n_islands"] == 1
    assert sc.truth.set_index("code").loc["ZZ01", "n_neighbours"] == 0
    assert np.isfinite(sc.truth["latent"]).all()


# -- shape and labels ------------------------------------------------------------------------------


def test_same_seed_same_frames_different_seed_different(fixture_scenario):
    again = generate(fixture_city(), seed=7)
    for name in ("observations", "events", "truth", "event_truth"):
        assert_frame_equal(getattr(fixture_scenario, name), getattr(again, name))
    assert fixture_scenario.params == again.params
    other = generate(fixture_city(), seed=8)
    assert not fixture_scenario.observations["value"].equals(other.observations["value"])
    assert not np.allclose(fixture_scenario.truth["latent"], other.truth["latent"])


def test_row_order_of_the_areas_does_not_matter():
    areas = fixture_city()
    shuffled = areas.sample(frac=1.0, random_state=5)
    a, b = generate(areas, seed=3, months=24), generate(shuffled, seed=3, months=24)
    assert_frame_equal(a.observations, b.observations)
    assert_frame_equal(a.truth, b.truth)
    assert_frame_equal(a.events, b.events)


def test_every_row_is_labelled_synthetic(fixture_scenario, scenario400):
    for sc in (fixture_scenario, scenario400):
        obs = sc.observations
        assert list(obs.columns) == OBS_COLUMNS
        assert (obs["status"] == "synthetic").all() and (obs["source"] == "synthetic").all()
        assert (obs["division"] == "synthetic").all()
        assert (sc.events["status"] == "synthetic").all() and (sc.events["source"] == "synthetic").all()
    assert "SYNTHETIC" in fixture_scenario.summary()
    assert "synthetic" in repr(fixture_scenario)


def test_ten_indicators_with_their_period_kinds_and_units(fixture_scenario):
    obs = fixture_scenario.observations
    assert set(obs["indicator"].unique()) == {name for name, _, _ in INDICATORS} and len(INDICATORS) == 10
    period = obs["period"].astype(str)
    monthly = obs["indicator"].isin(MONTHLY).to_numpy()
    assert period[monthly].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
    assert period[~monthly].str.fullmatch(r"\d{4}").all()
    rows = obs.groupby(["indicator", "area_code"], observed=True).size()
    assert (rows.loc[MONTHLY] == 120).all() and (rows.loc[YEARLY] == 10).all()
    units = obs.groupby("indicator", observed=True)["unit"].first().astype(str).to_dict()
    assert units == {name: unit for name, unit, _ in INDICATORS}
    assert obs["period"].max() == "2024-12" and obs["period"].min() == "2015"


def test_frames_pass_the_data_contract(fixture_scenario, scenario400):
    obs = fixture_scenario.observations
    checked = validate_observations(obs)
    assert len(checked) == len(obs) and (checked["status"] == "synthetic").all()
    ev = validate_events(scenario400.events, status="synthetic")
    assert len(ev) == len(scenario400.events)
    assert list(fixture_scenario.truth.columns) == TRUTH_COLUMNS


def test_values_within_bounds(scenario400):
    obs = scenario400.observations
    counts = obs.loc[obs["indicator"].isin(COUNTS), "value"]
    assert (counts >= 0).all() and (counts == np.round(counts)).all()
    pct = obs.loc[obs["indicator"].isin(PERCENT), "value"]
    assert pct.between(0, 100).all()
    effort = obs[obs["indicator"] == "police.effort"]
    assert (effort["value"] > 0).all()
    monthly_mean = effort.groupby("period", observed=True)["value"].mean()
    assert np.allclose(monthly_mean, 100, atol=0.1)
    assert abs(scenario400.truth["effort"].mean() - 100) < 1e-9
    assert (obs.loc[obs["indicator"] == "survey.respondents", "value"] >= 1).all()


def test_start_mid_year_gives_partial_years():
    sc = generate(fixture_city(), seed=1, start="2015-07", months=18)
    periods = set(sc.observations["period"].astype(str))
    assert {"2015", "2016", "2015-07", "2016-12"} <= periods and "2015-06" not in periods
    assert sc.params["years"] == [2015, 2016]


# -- planted truth, recovered ---------------------------------------------------------------------


def test_defaults_plant_zwijgwijken_among_the_top_latent_areas(scenario400):
    t = scenario400.truth
    assert t["zwijgwijk"].sum() == 20  # 5 % of 400
    assert t.loc[t["zwijgwijk"], "latent"].min() >= t["latent"].quantile(0.74)
    assert t.loc[t["zwijgwijk"], "propensity"].max() < t.loc[~t["zwijgwijk"], "propensity"].median()
    assert generate(fixture_city(), seed=1, months=1).truth["zwijgwijk"].sum() == 1


def test_zwijgwijken_report_less_per_registration(scenario400):
    obs, t = scenario400.observations, scenario400.truth.set_index("code")
    ratio = (per_area(obs, ["reports.drug_nuisance"]) + 1) / (per_area(obs, REGISTERED) + 1)
    zw = t["zwijgwijk"].reindex(ratio.index)
    assert ratio[zw].median() < 0.5 * ratio[~zw].median()


def test_registrations_follow_effort_times_latent_and_reports_do_not_follow_effort(scenario400):
    obs, t = scenario400.observations, scenario400.truth.set_index("code")
    pop = t["population"]
    reg = per_area(obs, REGISTERED).reindex(t.index) / pop
    assert spearmanr(reg, t["effort"] * t["latent"]).statistic > 0.7
    reports = per_area(obs, ["reports.drug_nuisance"]).reindex(t.index) / pop
    assert spearmanr(reports, t["latent"] * t["propensity"]).statistic > 0.6
    # Given latent and propensity, reports carry no effort signal.
    residual = reports / (t["latent"] * t["propensity"])
    assert abs(spearmanr(residual, t["effort"]).statistic) < 0.3
    assert spearmanr(reg / t["latent"], t["effort"]).statistic > 0.7


def test_latent_field_is_spatially_autocorrelated(grid400, scenario400):
    b = buurten(grid400).set_index("code")
    graph = Graph.build_contiguity(b, rook=False)
    latent = scenario400.truth.set_index("code").loc[graph.unique_ids, "latent"].to_numpy()
    moran = esda.Moran(latent, graph, permutations=0)
    assert moran.I > 0.25 and moran.z_norm > 5


def test_vulnerability_correlates_with_latent(scenario400):
    t = scenario400.truth
    assert 0.35 < spearmanr(t["latent"], t["vulnerability"]).statistic < 0.85
    assert t["vulnerability"].between(0, 100).all()


def test_hotspot_patterns_follow_their_time_profiles(grid400):
    sc = generate(grid400, seed=12, hotspot_fraction=0.3, events=False)
    obs, t = sc.observations, sc.truth
    assert set(t["hotspot_pattern"]) == {"none", "emerging", "persistent", "diminishing"}
    assert 0.3 <= (t["hotspot_pattern"] != "none").mean() < 0.4
    sub = obs[obs["indicator"].isin([*REGISTERED, "reports.drug_nuisance", "tips.anonymous_drugs"])]
    pattern = t.set_index("code")["hotspot_pattern"]
    sub = sub.assign(pattern=pattern.reindex(sub["area_code"].astype(str)).to_numpy(), period=sub["period"].astype(str))
    months = sorted(sub["period"].unique())
    third = len(months) // 3
    first, last = months[:third], months[-third:]

    def change(p):
        s = sub[sub["pattern"] == p]
        return s.loc[s["period"].isin(last), "value"].sum() / s.loc[s["period"].isin(first), "value"].sum()

    assert change("emerging") > 1.3 and change("diminishing") < 1.0
    # Relative to the areas without a pattern (which share the city-wide trend):
    assert change("emerging") / change("none") > 1.4
    assert change("diminishing") / change("none") < 0.85
    assert 0.8 < change("persistent") / change("none") < 1.25
    first_level = sub[sub["period"].isin(first)].groupby("pattern")["value"].sum() / pattern.value_counts()
    assert first_level["persistent"] > 1.5 * first_level["none"]
    # Hot-spot clusters are an area plus all its neighbours.
    adj = queen_adjacency(buurten(grid400).geometry)
    code_pattern = t["hotspot_pattern"].to_numpy()
    for i in np.flatnonzero(code_pattern != "none")[:20]:
        nb = adj.indices[adj.indptr[i] : adj.indptr[i + 1]]
        assert (code_pattern[nb] == code_pattern[i]).any()


# -- calibration -------------------------------------------------------------------------------


def test_annual_totals_are_hit_in_expectation_and_realised():
    areas = grid_areas(2000)
    totals = {"registered.drug_trade": {2015: 20000.0, 2017: 30000.0}, "tips.anonymous_drugs": {2016: 5000.0}}
    sc = generate(areas, seed=5, months=36, events=False, calibration=Calibration(annual_totals=totals))
    expected = sc.params["expected_annual_totals"]
    assert expected["registered.drug_trade"][2015] == pytest.approx(20000.0, rel=1e-9)
    assert expected["registered.drug_trade"][2017] == pytest.approx(30000.0, rel=1e-9)
    assert expected["tips.anonymous_drugs"][2016] == pytest.approx(5000.0, rel=1e-9)
    scale = sc.params["calibration"]["scale"]["registered.drug_trade"]
    assert min(scale[2015], scale[2017]) <= scale[2016] <= max(scale[2015], scale[2017])
    obs = sc.observations
    obs = obs[obs["indicator"] == "registered.drug_trade"]
    year = obs["period"].astype(str).str[:4].astype(int)
    realised = obs.groupby(year.to_numpy())["value"].sum()
    assert realised[2015] == pytest.approx(20000.0, rel=0.03)
    assert realised[2017] == pytest.approx(30000.0, rel=0.03)


def test_population_and_prior_calibration():
    areas = grid_areas(400)
    codes = buurten(areas)["code"]
    given = pd.Series(np.arange(200) * 10 + 500.0, index=codes[:200].to_numpy())
    prior = pd.Series(np.exp(np.random.default_rng(1).normal(size=400)), index=codes.to_numpy())
    sc = generate(areas, seed=2, months=12, calibration=Calibration(population=given, latent_prior=prior))
    t = sc.truth.set_index("code")
    assert not t.loc[given.index, "synthetic_population"].any()
    assert t.drop(given.index)["synthetic_population"].all()
    assert (t.loc[given.index, "population"] == given).all()
    pop = sc.observations[sc.observations["indicator"] == "population"].set_index("area_code")["value"]
    assert np.allclose(pop.loc[given.index], given, rtol=0.05)
    assert spearmanr(t.loc[prior.index, "latent"], prior).statistic > 0.5
    assert sc.params["calibration"]["population_given"] == 200


@pytest.mark.parametrize(
    "totals, match",
    [
        ({"population": {2015: 1.0}}, "cannot be calibrated"),
        ({"registered.drug_trade": {2030: 1.0}}, "outside the scenario"),
        ({"registered.drug_trade": {2015: -1.0}}, "non-negative"),
    ],
)
def test_bad_annual_totals_are_rejected(totals, match):
    with pytest.raises(InputError, match=match):
        generate(fixture_city(), seed=1, months=12, calibration=Calibration(annual_totals=totals))


# -- incidents -----------------------------------------------------------------------------------


def test_events_lie_in_the_study_area_with_valid_types_and_parents(grid400, scenario400):
    ev, tr = scenario400.events, scenario400.event_truth
    assert len(ev) > 300 and ev["event_id"].is_unique and (ev["event_id"] == tr["event_id"]).all()
    city = grid400.set_index("code").geometry["STAD"]
    assert shapely.contains_xy(city, ev["x"].to_numpy(), ev["y"].to_numpy()).all()
    own = buurten(grid400).set_index("code").geometry.loc[tr["area_code"]].to_numpy()
    assert shapely.intersects_xy(own, ev["x"].to_numpy(), ev["y"].to_numpy()).all()
    assert set(ev["type"]) <= set(EVENT_TYPES)
    assert ev["occurred_at"].is_monotonic_increasing
    assert ev["occurred_at"].min() >= pd.Timestamp("2015-01-01")
    assert ev["occurred_at"].max() < pd.Timestamp("2025-01-01")
    background = tr["parent_id"].isna()
    assert (background == (tr["generation"] == 0)).all()
    assert tr.loc[background, "parent_id"].map(lambda v: v is None).all()
    assert tr.loc[~background, "parent_id"].isin(tr["event_id"]).all()
    follow = 1 - background.mean()
    assert 0.1 < follow < 0.4  # branching 0.3: a share of about 0.3 of all incidents are follow-ups


def test_follow_ups_are_close_to_their_parents(scenario400):
    ev = scenario400.events.set_index("event_id")
    tr = scenario400.event_truth
    kids = tr[tr["parent_id"].notna()]
    c, p = ev.loc[kids["event_id"]], ev.loc[kids["parent_id"]]
    dist = np.hypot(c["x"].to_numpy() - p["x"].to_numpy(), c["y"].to_numpy() - p["y"].to_numpy())
    days = (c["occurred_at"].to_numpy() - p["occurred_at"].to_numpy()) / np.timedelta64(1, "D")
    assert (days >= 0).all()
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, len(ev), size=(2, 5000))
    x, y, when = ev["x"].to_numpy(), ev["y"].to_numpy(), ev["occurred_at"].to_numpy()
    rdist = np.hypot(x[i] - x[j], y[i] - y[j])
    rdays = np.abs(when[i] - when[j]) / np.timedelta64(1, "D")
    assert np.median(dist) < 0.2 * np.median(rdist)
    assert np.median(days) < 0.05 * np.median(rdays)
    assert 200 < np.median(dist) < 700  # Gaussian kernel, sd 300 m per axis: median distance ~353 m


def test_events_can_be_switched_off():
    sc = generate(fixture_city(), seed=1, months=12, events=False)
    assert len(sc.events) == 0 and len(sc.event_truth) == 0
    assert list(sc.events.columns)[:5] == ["event_id", "type", "occurred_at", "x", "y"]


# -- inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"seed": -1}, "seed"),
        ({"seed": "abc"}, "seed"),
        ({"seed": 1, "months": 0}, "months"),
        ({"seed": 1, "start": "2015/01"}, "start month"),
        ({"seed": 1, "n_zwijgwijken": 13}, "n_zwijgwijken"),
        ({"seed": 1, "hotspot_fraction": 1.5}, "hotspot_fraction"),
        ({"seed": 1, "model": ModelParameters(branching=1.2)}, "out of range"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(InputError, match=match):
        generate(fixture_city(), **kwargs)


def test_bad_areas_are_rejected():
    b = buurten(fixture_city())
    with pytest.raises(InputError, match="code"):
        generate(b.drop(columns="code"), seed=1)
    with pytest.raises(InputError, match="Duplicate"):
        generate(pd.concat([b, b.iloc[:1]]), seed=1)
    with pytest.raises(InputError, match="No buurten"):
        generate(b.iloc[:0], seed=1)


def test_a_generator_can_stand_in_for_the_seed():
    a = generate(fixture_city(), seed=np.random.default_rng(4), months=6)
    b = generate(fixture_city(), seed=np.random.default_rng(4), months=6)
    assert_frame_equal(a.observations, b.observations)


# -- property test -------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    months=st.integers(1, 24),
    n_zw=st.one_of(st.none(), st.integers(0, 1)),
    fraction=st.floats(0, 1),
)
def test_counts_are_non_negative_integers_and_percentages_bounded(n, seed, months, n_zw, fraction):
    sc = generate(grid_areas(n), seed=seed, months=months, n_zwijgwijken=n_zw, hotspot_fraction=fraction)
    obs = sc.observations
    assert len(obs) == n * (6 * months + 4 * len(sc.params["years"]))
    values = obs["value"].to_numpy()
    counts = obs["indicator"].isin(COUNTS).to_numpy()
    assert np.isfinite(values).all()
    assert (values[counts] >= 0).all() and (values[counts] == np.round(values[counts])).all()
    pct = values[obs["indicator"].isin(PERCENT).to_numpy()]
    assert ((pct >= 0) & (pct <= 100)).all()
    assert (obs["status"] == "synthetic").all()
