"""Spatial weights: contiguity, k nearest, distance band, islands, cache, bad input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal import examples
from libpysal.graph import Graph
from shapely.geometry import box

from weerbaar.analysis.weights import build_graph, clear_graph_cache, graph_cache_info, graph_matrix
from weerbaar.errors import InputError
from weerbaar.synthetic import grid_areas


@pytest.fixture(scope="module")
def grid() -> gpd.GeoDataFrame:
    a = grid_areas(60)
    return a[a["level"] == "buurt"].reset_index(drop=True)


@pytest.fixture(scope="module")
def columbus() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(examples.get_path("columbus.shp"))
    gdf["code"] = gdf["POLYID"].astype(int).map(lambda i: f"C{i:02d}")
    return gdf.set_crs(28992, allow_override=True)[["code", "CRIME", "geometry"]]


def _lib(gdf: gpd.GeoDataFrame, **kw) -> Graph:
    return Graph.build_contiguity(gdf.set_index("code").sort_index(), **kw)


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_equals_libpysal(grid, columbus, kind):
    for gdf in (grid, columbus):
        ours = build_graph(gdf, kind, cache=False).graph
        assert ours.equals(_lib(gdf, rook=(kind == "rook")))


def test_queen_on_grid_counts(grid):
    r = build_graph(grid, cache=False)
    card = r.graph.cardinalities
    assert card.max() == 8 and card.min() >= 2
    assert r.islands == () and r.summary()["components"] == 1
    # rook is a subgraph of queen
    rook = build_graph(grid, "rook", cache=False).graph
    assert rook.issubgraph(r.graph)


def test_knn_and_distance_equal_libpysal(columbus):
    cent = columbus.set_index("code").sort_index().centroid
    knn = build_graph(columbus, "knn", k=4, cache=False).graph
    assert knn.equals(Graph.build_knn(cent, k=4))
    assert (knn.cardinalities == 4).all()
    band = build_graph(columbus, "distance", threshold=0.6, islands="keep", cache=False).graph
    lib = Graph.build_distance_band(cent, threshold=0.6)
    assert (band.sparse != lib.sparse).nnz == 0


def _with_island(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = grid.total_bounds
    far = gpd.GeoDataFrame(
        {"code": ["ZZ_ISLAND"], "level": ["buurt"], "division": ["synthetic"]},
        geometry=[box(maxx + 2000, miny, maxx + 2500, miny + 500)],
        crs=grid.crs,
    )
    both = pd.concat([grid[["code", "level", "division", "geometry"]], far], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=grid.crs)


def test_islands_reported_kept_or_connected(grid):
    areas = _with_island(grid)
    kept = build_graph(areas, islands="keep", cache=False)
    assert kept.islands == ("ZZ_ISLAND",)
    assert list(kept.graph.isolates) == ["ZZ_ISLAND"]
    assert kept.to_frame().loc["ZZ_ISLAND", "n_neighbours"] == 0
    joined = build_graph(areas, islands="nearest", cache=False)
    assert joined.islands == ("ZZ_ISLAND",)
    assert len(joined.graph.isolates) == 0
    (island, to, dist), *_ = joined.connected
    assert island == "ZZ_ISLAND" and dist >= 2000.0
    # the nearest area is the one whose polygon is closest, and the link goes both ways
    geoms = areas.set_index("code").geometry
    nearest = min((c for c in geoms.index if c != island), key=lambda c: geoms[island].distance(geoms[c]))
    assert to == nearest and dist == pytest.approx(geoms[island].distance(geoms[to]))
    adj = joined.graph.adjacency
    assert adj.loc[(island, to)] == 1 and adj.loc[(to, island)] == 1
    s = joined.summary()
    assert s["islands"] == ["ZZ_ISLAND"] and s["connected"][0]["to"] == to and s["islands_remaining"] == []
    assert joined.to_frame().loc["ZZ_ISLAND", "connected_to"] == to


def test_row_order_and_crs_do_not_matter(grid):
    base = build_graph(grid, cache=False).graph
    shuffled = grid.sample(frac=1.0, random_state=3)
    assert build_graph(shuffled, cache=False).graph.equals(base)
    wgs = grid.to_crs(4326)
    assert build_graph(wgs, cache=False).graph.equals(base)


def test_cache_hits_and_keys(grid):
    clear_graph_cache()
    a = build_graph(grid)
    b = build_graph(grid.sample(frac=1.0, random_state=1))
    assert a is b
    c = build_graph(grid, "rook")
    assert c is not a
    info = graph_cache_info()
    assert info["hits"] == 1 and info["misses"] == 2 and info["size"] == 2
    moved = grid.copy()
    moved.loc[0, "geometry"] = shapely.affinity.scale(grid.geometry.iloc[0], 0.5, 0.5)
    d = build_graph(moved)
    assert d is not a  # another geometry, another key
    clear_graph_cache()
    assert graph_cache_info()["size"] == 0


def test_level_filter_and_division(grid):
    full = grid_areas(60)
    r = build_graph(full, level="buurt", cache=False)
    assert r.graph.n == 60 and r.division == "synthetic" and r.level == "buurt"
    with pytest.raises(InputError, match="mix several levels"):
        build_graph(full, cache=False)


def test_graph_matrix_subset(grid):
    g = build_graph(grid, cache=False).graph
    ids, m = graph_matrix(g)
    assert list(ids) == sorted(ids) and m.shape == (60, 60)
    sub_ids, sub = graph_matrix(g, ids[:5])
    assert sub.shape == (5, 5)
    with pytest.raises(InputError, match="missing from the spatial weights"):
        graph_matrix(g, ["nope"])
    with pytest.raises(InputError, match="libpysal Graph"):
        graph_matrix("not a graph")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "hexagon"}, "Unknown kind"),
        ({"islands": "drop"}, "Unknown island policy"),
        ({"kind": "queen", "k": 3}, "k only applies"),
        ({"kind": "distance"}, "needs a threshold"),
        ({"kind": "distance", "threshold": -1.0}, "needs a threshold"),
        ({"kind": "knn", "k": 0}, "nearest neighbours"),
        ({"kind": "knn", "k": 60}, "More nearest neighbours"),
        ({"kind": "rook", "threshold": 10.0}, "threshold only applies"),
        ({"tolerance": -1.0}, "tolerance"),
    ],
)
def test_bad_parameters(grid, kwargs, match):
    with pytest.raises(InputError, match=match):
        build_graph(grid, cache=False, **kwargs)


def test_bad_areas(grid):
    with pytest.raises(InputError, match="GeoDataFrame"):
        build_graph(grid.drop(columns="geometry").to_dict())
    with pytest.raises(InputError, match="'code'"):
        build_graph(grid.drop(columns="code"), cache=False)
    dup = grid.copy()
    dup.loc[1, "code"] = dup.loc[0, "code"]
    with pytest.raises(InputError, match="Duplicate"):
        build_graph(dup, cache=False)
    with pytest.raises(InputError, match="no coordinate reference system"):
        build_graph(grid.set_crs(None, allow_override=True), cache=False)
    with pytest.raises(InputError, match="Too few areas"):
        build_graph(grid.iloc[:1], cache=False)


def test_tolerance_closes_small_gaps():
    cells = [box(0, 0, 100, 100), box(100.05, 0, 200, 100)]  # 5 cm gap
    gdf = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=cells, crs=28992)
    assert build_graph(gdf, islands="keep", cache=False).islands == ("A", "B")
    for kind in ("queen", "rook"):
        r = build_graph(gdf, kind, islands="keep", tolerance=0.1, cache=False)
        assert r.islands == () and r.graph.n_edges == 2
    assert np.isclose(build_graph(gdf, cache=False).connected[0][2], 0.05)
