"""Emerging hot spot analysis: space-time Gi* against brute force and Gi*, the category rules, planted
recovery on a synthetic city, and bad input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from shapely.geometry import box

from weerbaar.analysis.emerging import (
    CATEGORIES,
    NO_PATTERN,
    classify_series,
    emerging_hotspots,
    space_time_gi,
    to_cube,
)
from weerbaar.analysis.hotspots import INSUFFICIENT, gi_star
from weerbaar.analysis.weights import build_graph
from weerbaar.errors import InputError
from weerbaar.synthetic import ModelParameters, generate, grid_areas

COUNTS = [
    "registered.drug_trade",
    "registered.drug_use",
    "registered.drug_production",
    "reports.drug_nuisance",
    "tips.anonymous_drugs",
]
EMERGING_LIKE = {"new hot spot", "consecutive hot spot", "intensifying hot spot"}
PERSISTENT_LIKE = {"persistent hot spot", "intensifying hot spot"}
DIMINISHING_LIKE = {"diminishing hot spot", "historical hot spot"}


def _grid(n_side: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"A{r:02d}{c:02d}" for r in range(n_side) for c in range(n_side)]},
        geometry=[box(c * 100, r * 100, c * 100 + 100, r * 100 + 100) for r in range(n_side) for c in range(n_side)],
        crs=28992,
    )


# -- the space-time Gi* ----------------------------------------------------------------------------------


def _brute_force(x: np.ndarray, adj: np.ndarray, k: int) -> np.ndarray:
    n, T = x.shape
    valid = ~np.isnan(x)
    vals = x[valid]
    big_n, xbar = len(vals), vals.mean()
    s = np.sqrt((vals**2).mean() - xbar**2)
    z = np.full(x.shape, np.nan)
    for i in range(n):
        nb = [i, *np.flatnonzero(adj[i])]
        for t in range(T):
            if not valid[i, t]:
                continue
            cells = [(j, u) for j in nb for u in range(max(0, t - k), t + 1) if valid[j, u]]
            w = len(cells)
            local = sum(x[j, u] for j, u in cells)
            z[i, t] = (local - xbar * w) / (s * np.sqrt((big_n * w - w * w) / (big_n - 1)))
    return z


@pytest.mark.parametrize("k", [0, 1, 3])
def test_space_time_gi_equals_brute_force(k):
    rng = np.random.default_rng(k)
    g = build_graph(_grid(4), cache=False).graph
    adj = (g.sparse.toarray() > 0).astype(float)
    x = rng.poisson(4, (16, 7)).astype(float)
    x[3, 2] = np.nan
    x[5, 0] = np.nan
    ours = space_time_gi(x, sp.csr_array(adj), time_window=k)
    np.testing.assert_allclose(ours, _brute_force(x, adj, k), atol=1e-10)
    assert np.isnan(ours[3, 2]) and np.isnan(ours[5, 0])


def test_time_window_zero_slice_window_equals_gi_star():
    rng = np.random.default_rng(5)
    areas = _grid(5)
    g = build_graph(areas, cache=False)
    x = rng.poisson(6, (25, 4)).astype(float)
    z = space_time_gi(x, sp.csr_array(g.graph.sparse), time_window=0, global_window="slice")
    for t in range(4):
        y = pd.Series(x[:, t], index=g.codes)
        ref = gi_star(y, g, permutations=0).table.loc[g.codes, "z"].to_numpy()
        np.testing.assert_allclose(z[:, t], ref, atol=1e-10)


# -- the category rules ----------------------------------------------------------------------------------


def _classify(hot_slices, cold_slices=(), n=20, trend=0, significant=False, valid_slices=None):
    hot = np.zeros((1, n), bool)
    cold = np.zeros((1, n), bool)
    hot[0, list(hot_slices)] = True
    cold[0, list(cold_slices)] = True
    valid = np.ones((1, n), bool)
    if valid_slices is not None:
        valid[:] = False
        valid[0, list(valid_slices)] = True
    cat, details = classify_series(hot, cold, valid, np.array([trend]), np.array([significant]))
    return cat[0], {k: v[0] for k, v in details.items()}


@pytest.mark.parametrize(
    "hot, cold, trend, sig, expected",
    [
        ([19], [], 0, False, "new hot spot"),
        ([17, 18, 19], [], 1, True, "consecutive hot spot"),
        (range(20), [], 1, True, "intensifying hot spot"),
        (range(20), [], 0, False, "persistent hot spot"),
        (range(20), [], 1, False, "persistent hot spot"),  # a trend that is not significant
        (range(20), [], -1, True, "diminishing hot spot"),
        (range(1, 20), [], 1, True, "intensifying hot spot"),  # 19/20 = 95% >= 90%
        ([3, 7, 18, 19], [], 0, False, "sporadic hot spot"),
        ([10, 19], [2], 0, False, "oscillating hot spot"),
        ([19], [2], 0, False, "oscillating hot spot"),  # cold history wins over "new"
        (range(19), [], -1, True, "historical hot spot"),
        ([3], [], 0, False, NO_PATTERN),
        (range(15), [], -1, True, NO_PATTERN),  # hot 75%, then stopped: not historical (needs 90%)
        ([], [19], 0, False, "new cold spot"),
        ([], [16, 17, 18, 19], 0, False, "consecutive cold spot"),
        ([], range(20), -1, True, "intensifying cold spot"),
        ([], range(20), 1, True, "diminishing cold spot"),
        ([], range(20), 0, False, "persistent cold spot"),
        ([], [1, 5, 19], 0, False, "sporadic cold spot"),
        ([4], [19], 0, False, "oscillating cold spot"),
        ([], range(18), 0, False, "historical cold spot"),
        ([], [], 0, False, NO_PATTERN),
    ],
)
def test_category_rules(hot, cold, trend, sig, expected):
    cat, _ = _classify(hot, cold, trend=trend, significant=sig)
    assert cat == expected


def test_rules_count_only_slices_with_data():
    # 12 slices with data, hot in the last 11 of them: 92% -> intensifying; the gaps do not count
    cat, d = _classify(range(9, 20), trend=1, significant=True, valid_slices=[0, *range(9, 20)])
    assert cat == "intensifying hot spot" and d["n_slices"] == 12 and d["final_run_hot"] == 11
    # the final run skips missing slices
    cat, d = _classify([14, 16, 19], valid_slices=[*range(0, 15), 16, 19])
    assert cat == "consecutive hot spot" and d["final_run_hot"] == 3


# -- planted recovery --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted():
    """A 2,048-buurt synthetic city with hot spots planted 5 x the background (default 2.5; see
    docs/methods/emerging-hotspots.md for the recovery at the default), ten years of months summed
    to 40 quarters over the five count indicators."""
    areas = grid_areas(2048)
    buurten = areas[areas["level"] == "buurt"]
    sc = generate(buurten, seed=1, events=False, model=ModelParameters(hotspot_multiplier=5.0))
    obs = sc.observations
    obs = obs[obs["indicator"].isin(COUNTS)].astype({"area_code": str, "period": str})
    quarter = obs["period"].str[:4] + "-Q" + ((obs["period"].str[5:7].astype(int) - 1) // 3 + 1).astype(str)
    long = obs.assign(period=quarter).groupby(["area_code", "period"], as_index=False)["value"].sum()
    graph = build_graph(buurten, cache=False)
    result = emerging_hotspots(long, graph)
    truth = sc.truth.set_index("code")["hotspot_pattern"].reindex(result.table.index)
    adj = graph.graph.sparse
    ids = np.asarray(graph.codes)
    pat = truth.reindex(ids).to_numpy()
    centre = pd.Series(
        [pat[i] != "none" and (pat[adj[[i]].indices] == pat[i]).all() for i in range(len(ids))], index=ids
    )
    near = pd.Series([(pat[adj[[i]].indices] != "none").any() for i in range(len(ids))], index=ids)
    return result, truth, centre.reindex(result.table.index), near.reindex(result.table.index)


def test_planted_patterns_are_recovered(planted):
    result, truth, centre, near = planted
    cat = result.table["category"]
    confusion = pd.crosstab(cat, truth)
    print("\nplanted (columns) x found (rows), all buurten:\n" + confusion.to_string())
    print("cluster centres:\n" + pd.crosstab(cat[centre], truth[centre]).to_string())

    def share(pattern, accepted, mask=None):
        m = truth == pattern if mask is None else (truth == pattern) & mask
        return cat[m].isin(accepted).mean()

    # centres of planted clusters: their whole Gi* neighbourhood carries the pattern
    assert share("emerging", EMERGING_LIKE, centre) >= 0.8
    assert share("persistent", PERSISTENT_LIKE, centre) >= 0.7
    # every member, including cluster edges whose neighbourhood is half background
    assert share("emerging", EMERGING_LIKE) >= 0.45
    assert share("persistent", PERSISTENT_LIKE) >= 0.4
    assert share("diminishing", DIMINISHING_LIKE) >= 0.2
    # a planted pattern is never mistaken for its opposite
    assert not cat[truth == "diminishing"].isin(EMERGING_LIKE).any()
    assert not cat[truth == "emerging"].isin(DIMINISHING_LIKE).any()
    assert not cat[truth != "none"].str.contains("cold").any()
    # diminishing clusters that end below the hot level for > 10 % of the slices are "no pattern" by
    # ArcGIS's rules, but their Gi* trend is down
    dim = result.table[(truth == "diminishing") & centre]
    assert (dim["trend_tau"] < 0).mean() >= 0.75
    # background away from any planted cluster rarely becomes a new or consecutive hot spot (it can be an
    # intensifying one: the latent field has hot regions of its own, and the city grows 2 % a year)
    background = (truth == "none") & ~near
    assert cat[background].isin(["new hot spot", "consecutive hot spot"]).mean() <= 0.02


def test_result_shape_and_summary(planted):
    result = planted[0]
    t = result.to_frame()
    assert {"category", "trend_tau", "trend_p", "n_hot", "n_cold", "last_status", "last_slice"} <= set(t.columns)
    assert set(t["category"]) <= set(CATEGORIES)
    assert t["trend_p"].between(0, 1).all() and t["trend_tau"].between(-1, 1).all()
    assert result.z.shape == (len(t), 40)
    bins = result.bins()
    assert len(bins) == len(t) * 40 and bins["gi_bin"].between(-3, 3).all()
    assert (bins["p_fdr"] >= bins["p"] - 1e-15).all()
    s = result.summary()
    assert s["slices"] == 40 and s["first_slice"] == "2015-Q1" and s["last_slice"] == "2024-Q4"
    assert sum(s["categories"].values()) == len(t)


# -- bad input -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    areas = _grid(5)
    g = build_graph(areas, cache=False)
    rng = np.random.default_rng(9)
    periods = [f"20{y:02d}-{m:02d}" for y in (20, 21) for m in range(1, 13)]
    wide = pd.DataFrame(rng.poisson(5, (25, 24)).astype(float), index=g.codes, columns=periods)
    return areas, g, wide


def test_long_and_wide_give_the_same(small):
    _, g, wide = small
    long = wide.rename_axis(index="area_code", columns="period").stack().rename("value").reset_index()
    long["indicator"] = "x"
    a = emerging_hotspots(wide, g).table
    b = emerging_hotspots(long.sample(frac=1.0, random_state=2), g).table
    pd.testing.assert_frame_equal(a, b)
    c = emerging_hotspots(wide.sample(frac=1.0, random_state=3)[wide.columns[::-1]], g).table
    pd.testing.assert_frame_equal(a, c)
    assert list(to_cube(long).columns) == list(wide.columns)


def test_short_series_island_no_variance_empty_slices(small):
    areas, g, wide = small
    short = wide.iloc[:, :6]
    t = emerging_hotspots(short, g).table
    assert (t["category"] == INSUFFICIENT).all()
    assert t["reason"].str.contains("at least 10 needed").all()
    flat = wide * 0 + 2.0
    t = emerging_hotspots(flat, g).table
    assert (t["category"] == INSUFFICIENT).all() and t["reason"].str.contains("no variance").all()
    holes = wide.copy()
    holes["2020-05"] = np.nan
    holes.iloc[0, :20] = np.nan
    r = emerging_hotspots(holes, g)
    assert any("2020-05" in n for n in r.notes)
    assert len(r.slices) == 23 and r.table.loc[g.codes[0], "category"] == INSUFFICIENT
    assert r.table.loc[g.codes[1], "category"] != INSUFFICIENT
    island_areas = pd.concat(
        [areas, gpd.GeoDataFrame({"code": ["FAR"]}, geometry=[box(5000, 5000, 5100, 5100)], crs=28992)]
    )
    kept = build_graph(gpd.GeoDataFrame(island_areas, crs=28992), islands="keep", cache=False)
    data = pd.concat([wide, pd.DataFrame([wide.iloc[0].to_numpy()], index=["FAR"], columns=wide.columns)])
    data.loc["UNKNOWN"] = 1.0
    t = emerging_hotspots(data, kept).table
    assert t.loc["FAR", "category"] == INSUFFICIENT and t.loc["FAR", "reason"] == "no neighbours"
    assert t.loc["UNKNOWN", "reason"] == "area not in the spatial weights"
    assert t["category"].notna().all() and (t.loc[t["reason"] == "", "trend_p"].notna()).all()


def test_bad_input_raises(small):
    _, g, wide = small
    long = wide.rename_axis(index="area_code", columns="period").stack().rename("value").reset_index()
    two = pd.concat([long.assign(indicator="a"), long.assign(indicator="b")])
    with pytest.raises(InputError, match="several indicators"):
        emerging_hotspots(two, g)
    assert emerging_hotspots(two, g, indicator="b").parameters["indicator"] == "b"
    with pytest.raises(InputError, match="not in the observations"):
        emerging_hotspots(two, g, indicator="c")
    with pytest.raises(InputError, match="More than one value"):
        emerging_hotspots(pd.concat([long, long.iloc[:1]]), g)
    mixed = wide.rename(columns={"2020-01": "2020"})
    with pytest.raises(InputError, match="mix period kinds"):
        emerging_hotspots(mixed, g)
    with pytest.raises(InputError, match="None of the areas"):
        emerging_hotspots(wide.set_axis([f"X{i}" for i in range(25)]), g)
    with pytest.raises(InputError, match="DataFrame"):
        emerging_hotspots(wide.to_numpy(), g)
    for kwargs in ({"time_window": -1}, {"alpha": 0}, {"global_window": "year"}, {"min_slices": 1}):
        with pytest.raises(InputError):
            emerging_hotspots(wide, g, **kwargs)


def test_all_missing_cube(small):
    _, g, wide = small
    r = emerging_hotspots(wide * np.nan, g)
    assert (r.table["category"] == INSUFFICIENT).all() and (r.table["reason"] == "no slices with data").all()
    assert r.summary()["slices"] == 0 and r.bins().empty
