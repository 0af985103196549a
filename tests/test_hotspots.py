"""Global/local Moran and Gi*: cross-checked against esda, hand-checked, bad input, properties; BH FDR."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libpysal import examples
from libpysal.graph import Graph
from shapely.geometry import box
from statsmodels.stats.multitest import multipletests

from weerbaar.analysis.hotspots import (
    GI_CATEGORIES,
    INSUFFICIENT,
    LISA_CATEGORIES,
    gi_star,
    global_moran,
    local_moran,
)
from weerbaar.analysis.inference import conditional_permutation, fdr_bh, permutation_p
from weerbaar.analysis.weights import build_graph
from weerbaar.errors import InputError

PERMS = 999


def _noise_tolerance(p: np.ndarray, permutations: int = PERMS) -> np.ndarray:
    """Allowed gap between two independent pseudo p-values of the same test (5 sd plus two draws)."""
    return 5 * np.sqrt(2 * p * (1 - p) / permutations) + 2 / (permutations + 1)


@pytest.fixture(scope="module")
def columbus():
    """libpysal's bundled Columbus data (49 areas; available offline in the installed package)."""
    gdf = gpd.read_file(examples.get_path("columbus.shp"))
    gdf.index = gdf["POLYID"].astype(int).map(lambda i: f"C{i:02d}")
    gdf = gdf.sort_index()
    return gdf, Graph.build_contiguity(gdf, rook=False)


def grid3(values: list[float], kind: str = "rook"):
    cells = [box(c * 100, r * 100, c * 100 + 100, r * 100 + 100) for r in range(3) for c in range(3)]
    codes = [f"G{r}{c}" for r in range(3) for c in range(3)]
    gdf = gpd.GeoDataFrame({"code": codes}, geometry=cells, crs=28992)
    return pd.Series(values, index=codes, name="x"), build_graph(gdf, kind, cache=False)


# -- esda cross-check ----------------------------------------------------------------------------------


def test_global_moran_equals_esda(columbus):
    gdf, g = columbus
    y = gdf["CRIME"]
    ref = esda.Moran(y.to_numpy(), g, permutations=PERMS)
    ours = global_moran(y, g, permutations=PERMS, seed=1)
    for mine, theirs in (
        (ours.I, ref.I),
        (ours.expected, ref.EI),
        (ours.variance_norm, ref.VI_norm),
        (ours.variance_rand, ref.VI_rand),
        (ours.z_norm, ref.z_norm),
        (ours.z_rand, ref.z_rand),
        (ours.p_norm, ref.p_norm),
        (ours.p_rand, ref.p_rand),
    ):
        assert mine == pytest.approx(theirs, abs=1e-6)
    assert abs(ours.p_sim_directed - ref.p_sim) <= _noise_tolerance(np.array(ref.p_sim))
    assert ours.summary()["category"] == "clustered"
    b = global_moran(y, g, transform="b", permutations=0)
    ref_b = esda.Moran(y.to_numpy(), g, transformation="b", permutations=0)
    assert abs(b.I - ref_b.I) < 1e-9 and abs(b.z_rand - ref_b.z_rand) < 1e-9


def test_local_moran_equals_esda(columbus):
    gdf, g = columbus
    y = gdf["CRIME"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(y.to_numpy(), g, permutations=PERMS, seed=7)
    t = local_moran(y, g, permutations=PERMS, seed=1).table.loc[list(g.unique_ids)]
    np.testing.assert_allclose(t["statistic"], ref.Is, atol=1e-6)
    np.testing.assert_allclose(t["expected"], ref.EIc, atol=1e-6)
    np.testing.assert_allclose(t["variance"], ref.VIc, atol=1e-6)
    np.testing.assert_allclose(t["z"], (ref.Is - ref.EIc) / np.sqrt(ref.VIc), atol=1e-6)
    assert (np.abs(t["p_sim"] - ref.p_sim) <= _noise_tolerance(ref.p_sim)).all()
    assert np.corrcoef(t["p_sim"], ref.p_sim)[0, 1] > 0.98
    quads = np.array(["", "HH", "LH", "LL", "HL"])[ref.q]
    assert (t["quadrant"].to_numpy() == quads).all()
    # two-sided p is twice the directed one (capped at 1); ties count on both sides, so it can be a bit more
    twice = np.minimum(1, 2 * t["p_sim"])
    assert (t["p"] >= twice - 1e-12).all() and (t["p"] <= twice + 0.02).all()


def test_gi_star_equals_esda(columbus):
    gdf, g = columbus
    y = gdf["CRIME"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(y.to_numpy(), g, transform="B", star=True, permutations=PERMS, seed=7)
    t = gi_star(y, g, permutations=PERMS, seed=1).table.loc[list(g.unique_ids)]
    np.testing.assert_allclose(t["statistic"], ref.Gs, atol=1e-6)
    np.testing.assert_allclose(t["z"], ref.Zs, atol=1e-6)
    np.testing.assert_allclose(t["expected"], ref.EGs, atol=1e-9)
    np.testing.assert_allclose(t["variance"], ref.VGs, atol=1e-9)
    assert (np.abs(t["p_sim"] - ref.p_sim) <= _noise_tolerance(ref.p_sim)).all()
    assert np.corrcoef(t["p_sim"], ref.p_sim)[0, 1] > 0.98
    assert set(t["category"]) <= set(GI_CATEGORIES)
    # analytical inference when permutations=0: the normal p of the z-score
    a = gi_star(y, g, permutations=0).table.loc[list(g.unique_ids)]
    np.testing.assert_allclose(a["p"], 2 * esda.getisord.stats.norm.sf(np.abs(ref.Zs)), atol=1e-9)


# -- hand-checkable cases ------------------------------------------------------------------------------


def test_gi_star_3x3_hot_centre_by_hand():
    # centre 10, others 1: mean 2, S = sqrt(108/9 - 4) = sqrt(8); rook neighbourhoods with self
    y, g = grid3([1, 1, 1, 1, 10, 1, 1, 1, 1])
    t = gi_star(y, g, permutations=PERMS, seed=0).table
    assert t.loc["G11", "z"] == pytest.approx(2 / np.sqrt(5))  # (14 - 2*5) / (sqrt 8 sqrt((45-25)/8))
    assert t.loc["G00", "z"] == pytest.approx(-1 / np.sqrt(2))  # (3 - 6) / (sqrt 8 sqrt((27-9)/8))
    assert t.loc["G01", "z"] == pytest.approx(5 / np.sqrt(20))  # (13 - 8) / (sqrt 8 sqrt((36-16)/8))
    assert t.loc["G11", "statistic"] == pytest.approx(14 / 18)
    # every permutation of the centre's four neighbours draws four 1s: all ties, p = 1
    assert t.loc["G11", "p"] == 1.0 and t.loc["G11", "category"] == "not significant"
    assert (t["category"] == "not significant").all()


def test_local_moran_3x3_by_hand():
    y, g = grid3([1, 1, 1, 1, 10, 1, 1, 1, 1])
    t = local_moran(y, g, permutations=PERMS, seed=0).table
    # z = (y - 2)/sqrt 8: centre 2 sqrt 2, others -1/(2 sqrt 2); row-standardised lag of centre -1/(2 sqrt 2)
    assert t.loc["G11", "statistic"] == pytest.approx(-8 / 9)  # (n-1)/n * z_i * lag_i
    assert t.loc["G11", "quadrant"] == "HL"
    assert t.loc["G00", "quadrant"] == "LL" and t.loc["G01", "quadrant"] == "LH"


def test_clear_cluster_is_a_hot_spot():
    a = gpd.GeoDataFrame(
        {"code": [f"A{r:02d}{c:02d}" for r in range(12) for c in range(12)]},
        geometry=[box(c, r, c + 1, r + 1) for r in range(12) for c in range(12)],
        crs=28992,
    )
    rng = np.random.default_rng(4)
    y = pd.Series(rng.poisson(5, len(a)).astype(float), index=a["code"])
    block = [f"A{r:02d}{c:02d}" for r in range(4, 8) for c in range(4, 8)]
    y[block] += 25
    g = build_graph(a, cache=False)
    gi = gi_star(y, g, permutations=PERMS, seed=2).table
    centre = ["A0505", "A0506", "A0605", "A0606"]
    assert gi.loc[centre, "category"].str.startswith("hot spot").all()
    assert (gi.loc[centre, "z"] > 5).all() and (gi.loc[centre, "p"] == 2 / (PERMS + 1)).all()
    far = [c for c in gi.index if min(int(c[1:3]), int(c[3:5])) >= 10 or max(int(c[1:3]), int(c[3:5])) <= 1]
    assert not gi.loc[far, "category"].str.startswith("hot").any()
    # 999 permutations cannot reach an FDR-adjusted p of 0.01 with this few discoveries; analytically it can
    assert (gi_star(y, g, permutations=0).table.loc[centre, "category"] == "hot spot 99%").all()
    lisa = local_moran(y, g, permutations=PERMS, seed=2).table
    assert (lisa.loc[["A0505", "A0606"], "category"] == "HH").all()
    glob = global_moran(y, g, seed=2)
    assert glob.z_rand > 5 and glob.p_sim <= 0.002


# -- seeds ---------------------------------------------------------------------------------------------


def test_seeded_and_reproducible(columbus):
    gdf, g = columbus
    y = gdf["CRIME"]
    a = gi_star(y, g, seed=11).table
    b = gi_star(y, g, seed=11).table
    c = gi_star(y, g, seed=12).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["p"], c["p"])
    d = gi_star(y, g, seed=np.random.default_rng(11)).table
    pd.testing.assert_frame_equal(a, d)
    with pytest.raises(InputError, match="seed"):
        gi_star(y, g, seed=-1)
    with pytest.raises(InputError, match="permutations"):
        local_moran(y, g, permutations=-5)


# -- bad input -----------------------------------------------------------------------------------------


def test_no_variance_is_insufficient(columbus):
    gdf, g = columbus
    flat = pd.Series(3.0, index=gdf.index)
    for fn in (gi_star, local_moran):
        t = fn(flat, g, permutations=9).table
        assert (t["category"] == INSUFFICIENT).all()
        assert (t["reason"] == "the indicator has no variance (all values are equal)").all()
        assert t[["statistic", "z", "p", "p_fdr"]].isna().all().all()
    r = global_moran(flat, g)
    assert not r.valid and "no variance" in r.reason and r.summary()["category"] == INSUFFICIENT


def test_missing_values_islands_and_unknown_areas(columbus):
    gdf, g = columbus
    y = gdf["CRIME"].copy()
    y.iloc[0] = np.nan
    y["NOT_IN_GRAPH"] = 5.0
    # an island: make C01 (whatever its neighbours) isolated by dropping its links
    adj = g.adjacency.reset_index()
    adj = adj[(adj["focal"] != "C05") & (adj["neighbor"] != "C05")]
    iso = Graph.from_arrays(
        np.append(adj["focal"].to_numpy(), "C05"),
        np.append(adj["neighbor"].to_numpy(), "C05"),
        np.append(adj["weight"].to_numpy(), 0.0),
    )
    for fn in (gi_star, local_moran):
        t = fn(y, iso, permutations=99).table
        assert t.loc[y.index[0], "category"] == INSUFFICIENT
        assert t.loc[y.index[0], "reason"] == "no value for this area"
        assert t.loc["NOT_IN_GRAPH", "reason"] == "area not in the spatial weights"
        assert t.loc["C05", "reason"] == "no neighbours (with a value)"
        ok = t["reason"] == ""
        assert ok.sum() == 47 and t.loc[ok, ["z", "p", "p_fdr"]].notna().all().all()
        assert t.loc[~ok, ["z", "p", "p_fdr"]].isna().all().all()
        assert set(t["category"]) <= set(GI_CATEGORIES if fn is gi_star else LISA_CATEGORIES)
    s = gi_star(y, iso, permutations=9).summary()
    assert s["areas"] == 50 and s["tested"] == 47 and sum(s["insufficient_reasons"].values()) == 3
    g_r = global_moran(y, iso, permutations=9)
    assert g_r.n == 48 and any("without neighbours" in n for n in g_r.notes)


def test_bad_values_raise(columbus):
    gdf, g = columbus
    with pytest.raises(InputError, match="None of the areas"):
        gi_star(pd.Series([1.0, 2.0], index=["x", "y"]), g)
    with pytest.raises(InputError, match="not numeric"):
        gi_star(pd.Series(["a"] * len(gdf), index=gdf.index), g)
    with pytest.raises(InputError, match="Series"):
        gi_star([1, 2, 3], g)
    with pytest.raises(InputError, match="one indicator"):
        local_moran(gdf[["CRIME", "HOVAL"]], g)
    dup = pd.Series([1.0, 2.0], index=["C01", "C01"])
    with pytest.raises(InputError, match="Duplicate"):
        gi_star(dup, g)
    with pytest.raises(InputError, match="transformation"):
        local_moran(gdf["CRIME"], g, transform="x")
    with pytest.raises(InputError, match="correction"):
        gi_star(gdf["CRIME"], g, correction="bonferroni")


def test_too_few_areas(columbus):
    gdf, g = columbus
    y = pd.Series([1.0, 2.0], index=["C01", "C02"])
    t = local_moran(y, g, permutations=9).table
    assert (t.loc[["C01", "C02"], "reason"].str.contains("at least 3")).all()
    assert not global_moran(y, g).valid


# -- FDR and permutation helpers -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=60))
def test_fdr_bh_equals_statsmodels(ps):
    p = np.array(ps)
    ours = fdr_bh(p)
    ref = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(ours, ref, atol=1e-12)
    assert (ours >= p - 1e-15).all() and (ours <= 1).all()


def test_fdr_bh_keeps_nan_out():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    out = fdr_bh(p)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3]], multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1])
    assert np.isnan(fdr_bh(np.array([np.nan]))).all()
    with pytest.raises(InputError, match="outside 0..1"):
        fdr_bh(np.array([0.5, 1.5]))


def test_permutation_p_alternatives():
    assert permutation_p(0, 999, 999, "greater") == pytest.approx(0.001)
    assert permutation_p(0, 999, 999, "two-sided") == pytest.approx(0.002)
    assert permutation_p(999, 999, 999, "two-sided") == 1.0
    assert permutation_p(600, 400, 999, "directed") == pytest.approx(400 / 1000)
    with pytest.raises(InputError, match="alternative"):
        permutation_p(1, 1, 9, "both")


def test_conditional_permutation_never_draws_self():
    import scipy.sparse as sp

    # area 0 has value 1000; if a draw ever used area 0 as its own neighbour, area 0's lag would exceed 2
    y = np.array([1000.0, 1.0, 1.0, 1.0, 1.0])
    w = sp.csr_array(np.array([[0, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0]]))
    obs = w @ y
    r = conditional_permutation(y, w, np.zeros(5), np.ones(5), obs, permutations=200, rng=np.random.default_rng(0))
    assert r.sim_mean[0] == 2.0 and r.sim_sd[0] == 0.0


# -- properties ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_city():
    a = gpd.GeoDataFrame(
        {"code": [f"B{i:02d}" for i in range(30)]},
        geometry=[box(i % 6, i // 6, i % 6 + 1, i // 6 + 1) for i in range(30)],
        crs=28992,
    )
    return a, build_graph(a, cache=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.integers(0, 50), min_size=30, max_size=30),
    order_seed=st.integers(0, 10_000),
)
def test_properties_bounds_fdr_and_row_order(small_city, values, order_seed):
    areas, g = small_city
    y = pd.Series(np.array(values, dtype=float), index=areas["code"])
    shuffled = y.sample(frac=1.0, random_state=order_seed)
    g2 = build_graph(areas.sample(frac=1.0, random_state=order_seed), cache=False)
    for fn in (gi_star, local_moran):
        t = fn(y, g, permutations=99, seed=3).table
        ok = t["reason"] == ""
        assert ((t.loc[ok, "p"] >= 0) & (t.loc[ok, "p"] <= 1)).all()
        assert (t.loc[ok, "p_fdr"] >= t.loc[ok, "p"] - 1e-15).all() and (t.loc[ok, "p_fdr"] <= 1).all()
        assert t["category"].notna().all() and (t.loc[~ok, "category"] == INSUFFICIENT).all()
        pd.testing.assert_frame_equal(t, fn(shuffled, g, permutations=99, seed=3).table)
        pd.testing.assert_frame_equal(t, fn(shuffled, g2, permutations=99, seed=3).table)


def test_all_missing_values(columbus):
    gdf, g = columbus
    empty = pd.Series(np.nan, index=gdf.index)
    for fn in (gi_star, local_moran):
        t = fn(empty, g).table
        assert (t["category"] == INSUFFICIENT).all() and (t["reason"] == "no value for this area").all()
    assert "at least 4" in global_moran(empty, g).reason
