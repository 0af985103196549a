"""Spatial weights: a libpysal ``Graph`` of which areas are neighbours, built from area geometries.

Kinds: ``queen`` (areas that touch in at least one point), ``rook`` (areas that share a stretch
of boundary), ``knn`` (the k nearest area centroids) and ``distance`` (centroids within a
threshold in metres). All are binary (weight 1). Areas without neighbours (islands) are
reported, and by default connected to their nearest area (by polygon distance, both ways), so
every area takes part in the local statistics. Built graphs are kept in a small cache keyed by
(division, level, kind, parameters, a fingerprint of the geometries). See
docs/methods/spatial-weights.md.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from libpysal.graph import Graph

from ..errors import InputError

__all__ = [
    "KINDS",
    "ISLAND_POLICIES",
    "WeightsResult",
    "build_graph",
    "clear_graph_cache",
    "graph_cache_info",
    "graph_matrix",
]

KINDS = ("queen", "rook", "knn", "distance")
ISLAND_POLICIES = ("nearest", "keep")
RD_NEW = 28992
_CACHE_SIZE = 16
_cache: OrderedDict[tuple, WeightsResult] = OrderedDict()
_stats = {"hits": 0, "misses": 0}


@dataclass(frozen=True)
class WeightsResult:
    """A spatial weights graph with a report of how it was built.

    ``graph`` is a libpysal ``Graph`` whose ids are the area codes in sorted order; ``islands``
    the areas that had no neighbours under the chosen kind; ``connected`` the links added for
    them (island, nearest area, distance in metres) when ``islands="nearest"``.
    """

    graph: Graph
    kind: str
    parameters: dict
    division: str
    level: str | None
    islands: tuple[str, ...]
    connected: tuple[tuple[str, str, float], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [str(c) for c in self.graph.unique_ids]

    def to_frame(self) -> pd.DataFrame:
        """Per area: number of neighbours, island (before connecting) and the area it was connected to."""
        g = self.graph
        card = g.cardinalities.reindex(g.unique_ids).fillna(0).astype(int)
        linked = {a: b for a, b, _ in self.connected}
        frame = pd.DataFrame(
            {
                "n_neighbours": card.to_numpy(),
                "island": [c in set(self.islands) for c in g.unique_ids],
                "connected_to": [linked.get(c) for c in g.unique_ids],
            },
            index=pd.Index([str(c) for c in g.unique_ids], name="area_code"),
        )
        return frame

    def summary(self) -> dict:
        card = self.graph.cardinalities
        remaining = [str(c) for c in self.graph.isolates]
        return {
            "kind": self.kind,
            "parameters": dict(self.parameters),
            "division": self.division,
            "level": self.level,
            "areas": int(self.graph.n),
            "links": int(self.graph.n_edges),
            "mean_neighbours": round(float(card.mean()), 3) if len(card) else 0.0,
            "min_neighbours": int(card.min()) if len(card) else 0,
            "max_neighbours": int(card.max()) if len(card) else 0,
            "islands": list(self.islands),
            "connected": [{"island": a, "to": b, "distance_m": round(d, 1)} for a, b, d in self.connected],
            "islands_remaining": remaining,
            "components": int(self.graph.n_components),
            "notes": list(self.notes),
        }


def clear_graph_cache() -> None:
    """Empty the cache of built graphs."""
    _cache.clear()
    _stats.update(hits=0, misses=0)


def graph_cache_info() -> dict:
    return {"size": len(_cache), "maxsize": _CACHE_SIZE, **_stats}


def graph_matrix(graph: Graph, codes: list[str] | np.ndarray | None = None) -> tuple[np.ndarray, sp.csr_array]:
    """The graph's ids and its weights as a CSR matrix in that order, optionally restricted to ``codes``.

    Islands have empty rows; self-weights are kept (callers decide what to do with them).
    """
    if not isinstance(graph, Graph):
        raise InputError(
            "Spatial weights must be a libpysal Graph.",
            received=type(graph).__name__,
            expected="libpysal.graph.Graph (weerbaar.analysis.build_graph returns one in .graph)",
            fix="build the weights with build_graph(areas) or Graph.build_contiguity(...)",
        )
    ids = np.array([str(c) for c in graph.unique_ids], dtype=object)
    mat = sp.csr_array(graph.sparse, dtype="float64")
    mat.eliminate_zeros()
    if codes is None:
        return ids, mat
    pos = pd.Index(ids).get_indexer(pd.Index([str(c) for c in codes]))
    if (pos < 0).any():
        missing = [str(c) for c, p in zip(codes, pos, strict=True) if p < 0][:5]
        raise InputError(
            "Areas are missing from the spatial weights.",
            received=", ".join(missing),
            expected="every area in the graph",
            fix="build the graph from the same areas as the data",
        )
    sub = mat[pos][:, pos]
    return np.asarray([str(c) for c in codes], dtype=object), sp.csr_array(sub)


def _prepare(areas: gpd.GeoDataFrame, level: str | None) -> tuple[gpd.GeoDataFrame, str]:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(
            "Areas must be a GeoDataFrame.",
            received=type(areas).__name__,
            expected="a GeoDataFrame with 'code' and polygon geometry in EPSG:28992",
            fix="read the areas with weerbaar.areas or use weerbaar.synthetic.grid_areas()",
        )
    gdf = areas
    if level is not None:
        if "level" not in gdf.columns:
            raise InputError(
                "A level was asked for, but the areas have no 'level' column.",
                received=", ".join(map(str, gdf.columns)),
                expected="a 'level' column (buurt, wijk, ...)",
                fix="pass level=None or areas with a level column",
            )
        gdf = gdf[gdf["level"] == level]
    elif "level" in gdf.columns and gdf["level"].nunique() > 1:
        raise InputError(
            "The areas mix several levels.",
            received=", ".join(sorted(map(str, gdf["level"].unique()))),
            expected="areas of one level",
            fix="pass level='buurt' (or another level)",
        )
    if "code" not in gdf.columns:
        raise InputError(
            "Areas lack the column 'code'.",
            received=", ".join(map(str, gdf.columns)),
            expected="code, geometry",
            fix="add a code column",
        )
    if len(gdf) < 2:
        raise InputError(
            "Too few areas for spatial weights.",
            received=f"{len(gdf)} area(s)" + (f" at level {level}" if level else ""),
            expected="at least two areas",
            fix="pass the areas of a whole division and level",
        )
    if gdf.crs is None:
        raise InputError(
            "Area geometry has no coordinate reference system.",
            received="no CRS",
            expected="EPSG:28992 (RD New), or any CRS to reproject from",
            fix="set the CRS of the areas",
        )
    if gdf.crs.to_epsg() != RD_NEW:
        gdf = gdf.to_crs(epsg=RD_NEW)
    codes = gdf["code"].astype("string")
    if codes.isna().any() or (codes.str.strip() == "").any():
        raise InputError(
            "Area with an empty code.", received="an empty code", expected="a code on every area", fix="fill in codes"
        )
    if codes.duplicated().any():
        raise InputError(
            "Duplicate area code.",
            received=repr(str(codes[codes.duplicated()].iloc[0])),
            expected="each code once",
            fix="pass the areas of a single division and level",
        )
    geoms = gdf.geometry.to_numpy()
    bad = np.array([g is None or g.is_empty for g in geoms])
    if bad.any():
        raise InputError(
            "Area without geometry.",
            received=repr(str(codes.iloc[int(np.argmax(bad))])),
            expected="a polygon for every area",
            fix="add or repair the geometry",
        )
    out = gpd.GeoDataFrame({"code": codes.astype(str).to_numpy()}, geometry=geoms, crs=gdf.crs)
    out = out.sort_values("code", kind="stable").reset_index(drop=True)
    division = "unknown"
    if "division" in gdf.columns:
        divs = sorted(map(str, gdf["division"].dropna().unique()))
        division = divs[0] if len(divs) == 1 else ("mixed:" + ",".join(divs) if divs else "unknown")
    return out, division


def _fingerprint(gdf: gpd.GeoDataFrame) -> str:
    h = hashlib.sha1(usedforsecurity=False)  # a cache key, not a signature
    h.update("\x1f".join(gdf["code"]).encode())
    coords = shapely.get_coordinates(gdf.geometry.to_numpy())
    h.update(np.round(coords, 3).tobytes())
    return h.hexdigest()[:16]


def _pairs_to_matrix(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_array:
    off = rows != cols
    m = sp.csr_array((np.ones(int(off.sum())), (rows[off], cols[off])), shape=(n, n))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _contiguity(geoms: np.ndarray, rook: bool, tolerance: float) -> sp.csr_array:
    """Queen: polygons that touch or overlap (plus shared vertices to the millimetre, and gaps up to
    ``tolerance`` metres); rook: polygons whose common boundary has positive length."""
    n = len(geoms)
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        a, b = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not rook:
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        _, vertex = np.unique(np.round(coords, 3), axis=0, return_inverse=True)
        vertex = vertex.ravel()
        inc = sp.csr_array((np.ones(len(owner)), (owner, vertex)), shape=(n, int(vertex.max()) + 1))
        inc.sum_duplicates()
        inc.data[:] = 1.0
        shared = sp.coo_array(inc @ inc.T)
        rows = np.concatenate([a, b, shared.row])
        cols = np.concatenate([b, a, shared.col])
        return _pairs_to_matrix(rows, cols, n)
    if len(a):
        ga, gb = geoms[a], geoms[b]
        if tolerance > 0:
            ga = shapely.buffer(ga, tolerance / 2)
            gb = shapely.buffer(gb, tolerance / 2)
        inter = shapely.intersection(shapely.boundary(ga), shapely.boundary(gb))
        overlap = shapely.area(shapely.intersection(ga, gb)) > 0
        shared = (shapely.length(inter) > 1e-6) | overlap
        a, b = a[shared], b[shared]
    return _pairs_to_matrix(np.concatenate([a, b]), np.concatenate([b, a]), n)


def _centroids(geoms: np.ndarray) -> np.ndarray:
    return shapely.get_coordinates(shapely.centroid(geoms))


def _knn(geoms: np.ndarray, k: int) -> sp.csr_array:
    from scipy.spatial import cKDTree

    xy = _centroids(geoms)
    n = len(xy)
    _, found = cKDTree(xy).query(xy, k=k + 1)
    idx = np.asarray(found)
    not_self = idx != np.arange(n)[:, None]
    # normally self comes first; with coincident centroids it may not, so keep the first k others
    keep = not_self & (np.cumsum(not_self, axis=1) <= k)
    rows = np.broadcast_to(np.arange(n)[:, None], idx.shape)[keep]
    return _pairs_to_matrix(rows, idx[keep], n)


def _distance(geoms: np.ndarray, threshold: float) -> sp.csr_array:
    from scipy.spatial import cKDTree

    xy = _centroids(geoms)
    pairs = cKDTree(xy).query_pairs(r=threshold, output_type="ndarray")
    if len(pairs) == 0:
        return sp.csr_array((len(xy), len(xy)))
    return _pairs_to_matrix(
        np.concatenate([pairs[:, 0], pairs[:, 1]]), np.concatenate([pairs[:, 1], pairs[:, 0]]), len(xy)
    )


def _check_params(kind: str, k: int | None, threshold: float | None, islands: str, tolerance: float) -> dict:
    if kind not in KINDS:
        raise InputError(
            "Unknown kind of spatial weights.",
            received=repr(kind),
            expected=", ".join(KINDS),
            fix="use kind='queen' (areas that touch)",
        )
    if islands not in ISLAND_POLICIES:
        raise InputError(
            "Unknown island policy.",
            received=repr(islands),
            expected=", ".join(ISLAND_POLICIES),
            fix="use islands='nearest' (connect to the nearest area) or 'keep'",
        )
    if not (isinstance(tolerance, (int, float)) and np.isfinite(tolerance) and tolerance >= 0):
        raise InputError(
            "Invalid tolerance.", received=repr(tolerance), expected="metres >= 0", fix="pass tolerance=0.0"
        )
    params: dict = {}
    if kind in ("queen", "rook"):
        params["tolerance"] = float(tolerance)
    if kind == "knn":
        k = 6 if k is None else k
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(
                "Invalid number of nearest neighbours.",
                received=repr(k),
                expected="a whole number >= 1",
                fix="pass k=6",
            )
        params["k"] = int(k)
    elif k is not None:
        raise InputError(
            "k only applies to kind='knn'.", received=f"k={k!r}, kind={kind!r}", expected="k=None", fix="drop k"
        )
    if kind == "distance":
        if threshold is None or not (isinstance(threshold, (int, float)) and np.isfinite(threshold) and threshold > 0):
            raise InputError(
                "A distance band needs a threshold.",
                received=repr(threshold),
                expected="a positive distance in metres between area centroids",
                fix="pass threshold=1000.0",
            )
        params["threshold"] = float(threshold)
    elif threshold is not None:
        raise InputError(
            "threshold only applies to kind='distance'.",
            received=f"threshold={threshold!r}, kind={kind!r}",
            expected="threshold=None",
            fix="drop threshold",
        )
    params["islands"] = islands
    return params


def build_graph(
    areas: gpd.GeoDataFrame,
    kind: str = "queen",
    *,
    k: int | None = None,
    threshold: float | None = None,
    islands: str = "nearest",
    level: str | None = None,
    tolerance: float = 0.0,
    cache: bool = True,
) -> WeightsResult:
    """Build binary spatial weights between areas.

    Parameters
    ----------
    areas:
        GeoDataFrame with ``code`` and polygon geometry (EPSG:28992; another CRS is reprojected);
        optional ``division`` and ``level``.
    kind:
        ``queen`` (default), ``rook``, ``knn`` (``k`` nearest centroids, default 6; not
        symmetric) or ``distance`` (centroids within ``threshold`` metres).
    islands:
        ``nearest`` (default): an area without neighbours is linked, both ways, to the area
        nearest to its polygon; ``keep``: it stays without neighbours (the statistics then
        report it as "insufficient data"). Either way the islands are listed in the result.
    level:
        Keep only the areas at this level (required when the table mixes levels).
    tolerance:
        For queen and rook: treat polygons closer than this many metres as touching (gaps and
        slivers in real boundaries).
    cache:
        Reuse a graph built before for the same division, level, kind, parameters and geometry.
    """
    params = _check_params(kind, k, threshold, islands, tolerance)
    gdf, division = _prepare(areas, level)
    key = (division, level, kind, tuple(sorted(params.items())), _fingerprint(gdf))
    if cache and key in _cache:
        _cache.move_to_end(key)
        _stats["hits"] += 1
        return _cache[key]
    _stats["misses"] += 1
    geoms = gdf.geometry.to_numpy()
    codes = gdf["code"].to_numpy(dtype=object)
    n = len(codes)
    notes: list[str] = []
    if kind in ("queen", "rook"):
        mat = _contiguity(geoms, rook=(kind == "rook"), tolerance=float(tolerance))
    elif kind == "knn":
        if params["k"] >= n:
            raise InputError(
                "More nearest neighbours than other areas.",
                received=f"k={params['k']} for {n} areas",
                expected=f"k <= {n - 1}",
                fix="pass a smaller k",
            )
        mat = _knn(geoms, params["k"])
    else:
        mat = _distance(geoms, params["threshold"])
    card = np.diff(mat.indptr)
    island_idx = np.flatnonzero(card == 0)
    connected: list[tuple[str, str, float]] = []
    if len(island_idx) and islands == "nearest":
        tree = shapely.STRtree(geoms)
        rows, cols = [], []
        for i in island_idx:
            j_arr, dist = tree.query_nearest(geoms[i], exclusive=True, return_distance=True, all_matches=False)
            j = int(j_arr[0])
            d = float(dist[0])
            rows += [i, j]
            cols += [j, i]
            connected.append((str(codes[i]), str(codes[j]), d))
        extra = _pairs_to_matrix(np.array(rows), np.array(cols), n)
        mat = sp.csr_array(mat + extra)
        mat.data[:] = 1.0
        notes.append(f"{len(island_idx)} island(s) connected to their nearest area")
    elif len(island_idx):
        notes.append(f"{len(island_idx)} island(s) kept without neighbours")
    graph = Graph.from_sparse(sp.csr_array(mat), ids=np.asarray(codes))
    result = WeightsResult(
        graph=graph,
        kind=kind,
        parameters=params,
        division=division,
        level=level,
        islands=tuple(str(codes[i]) for i in island_idx),
        connected=tuple(connected),
        notes=tuple(notes),
    )
    if cache:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result
