"""Synthetic area divisions: a city of square buurten laid out along a Hilbert curve.

``grid_areas(n)`` builds a complete area table (stad, stadsdeel, wijk, buurt) in the data
contract's shape. Buurten are square cells; consecutive buurten along a Hilbert curve form a
wijk, consecutive wijken a stadsdeel, so every wijk and stadsdeel is one connected, compact
block of cells. ``queen_adjacency`` finds the areas that share a vertex (queen contiguity),
vectorised, for the scenario generator. See docs/methods/synthetic.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from ..errors import InputError

__all__ = ["grid_areas", "fixture_city", "queen_adjacency", "hilbert_cells"]

RD_NEW = "EPSG:28992"
AREA_COLUMNS = ["code", "name", "level", "parent", "division", "cbs_code", "geometry"]
CITY_CODE = "STAD"


def hilbert_cells(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of the first ``n`` cells of a Hilbert curve (consecutive cells share an edge)."""
    if n < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = 1
    while order * order < n:
        order *= 2
    t = np.arange(n, dtype=np.int64)
    x = np.zeros(n, dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    s = 1
    while s < order:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        turn = ry == 0
        flip = turn & (rx == 1)
        x = np.where(flip, s - 1 - x, x)
        y = np.where(flip, s - 1 - y, y)
        x, y = np.where(turn, y, x), np.where(turn, x, y)
        x += s * rx
        y += s * ry
        t //= 4
        s *= 2
    return x, y


def _check_count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(
            f"Invalid {name}.",
            received=repr(value),
            expected=f"a whole number >= {minimum}",
            fix=f"pass {name} as a positive integer",
        )
    return int(value)


def grid_areas(
    n_buurten: int,
    *,
    buurten_per_wijk: int = 4,
    wijken_per_stadsdeel: int = 8,
    division: str = "synthetic",
    origin: tuple[float, float] = (110000.0, 470000.0),
    cell: float = 500.0,
) -> gpd.GeoDataFrame:
    """A synthetic city of ``n_buurten`` square buurten, with its wijken, stadsdelen and the city.

    Parameters
    ----------
    n_buurten:
        Number of buurten (cells of ``cell`` metres). They follow a Hilbert curve over the
        smallest power-of-two square grid that holds them, starting at ``origin`` (the lower
        left corner, EPSG:28992 metres).
    buurten_per_wijk, wijken_per_stadsdeel:
        Consecutive buurten (wijken) along the curve form a wijk (stadsdeel); the last one may
        be smaller.
    division:
        The value of the ``division`` column.

    Returns
    -------
    GeoDataFrame in EPSG:28992 with columns ``code, name, level, parent, division, cbs_code,
    geometry``; rows ordered stad, stadsdelen, wijken, buurten. Codes: stad ``STAD``, stadsdeel
    ``S01``, wijk ``S01W01``, buurt ``S01W01B01`` (wider numbers when needed). Names say
    "Synthetisch"/"Synthetische" so no one mistakes them for real places; ``cbs_code`` is empty.
    """
    n = _check_count("n_buurten", n_buurten)
    bpw = _check_count("buurten_per_wijk", buurten_per_wijk)
    wps = _check_count("wijken_per_stadsdeel", wijken_per_stadsdeel)
    if not (isinstance(cell, (int, float)) and np.isfinite(cell) and cell > 0):
        raise InputError(
            "Invalid cell size.",
            received=repr(cell),
            expected="a positive number of metres",
            fix="pass cell=500.0 or another positive size",
        )
    x0, y0 = float(origin[0]), float(origin[1])
    col, row = hilbert_cells(n)
    minx = x0 + col * cell
    miny = y0 + row * cell
    boxes = shapely.box(minx, miny, minx + cell, miny + cell)

    b = np.arange(n)
    wijk = b // bpw
    n_wijk = int(wijk[-1]) + 1
    sd_of_wijk = np.arange(n_wijk) // wps
    n_sd = int(sd_of_wijk[-1]) + 1
    wsd = max(2, len(str(n_sd)))
    ww = max(2, len(str(min(wps, n_wijk))))
    wb = max(2, len(str(min(bpw, n))))
    sd_codes = np.array([f"S{i + 1:0{wsd}d}" for i in range(n_sd)], dtype=object)
    wijk_codes = np.array([f"{sd_codes[s]}W{w % wps + 1:0{ww}d}" for w, s in enumerate(sd_of_wijk)], dtype=object)
    buurt_codes = np.array(
        [f"{wijk_codes[w]}B{i % bpw + 1:0{wb}d}" for i, w in zip(b, wijk, strict=True)], dtype=object
    )

    # Unions of non-overlapping cells: coverage union per group (few hundred microseconds each).
    wijk_starts = np.arange(0, n, bpw)
    wijk_geoms = _group_unions(boxes, wijk_starts)
    sd_starts = np.arange(0, n_wijk, wps)
    sd_geoms = _group_unions(wijk_geoms, sd_starts)
    city = shapely.coverage_union_all(sd_geoms) if n_sd > 1 else sd_geoms[0]

    frames = [
        pd.DataFrame(
            {
                "code": [CITY_CODE],
                "name": ["Synthetische stad"],
                "level": ["stad"],
                "parent": [None],
                "geometry": [city],
            }
        ),
        pd.DataFrame(
            {
                "code": sd_codes,
                "name": [f"Synthetisch stadsdeel {i + 1}" for i in range(n_sd)],
                "level": "stadsdeel",
                "parent": CITY_CODE,
                "geometry": sd_geoms,
            }
        ),
        pd.DataFrame(
            {
                "code": wijk_codes,
                "name": [f"Synthetische wijk {i + 1}" for i in range(n_wijk)],
                "level": "wijk",
                "parent": sd_codes[sd_of_wijk],
                "geometry": wijk_geoms,
            }
        ),
        pd.DataFrame(
            {
                "code": buurt_codes,
                "name": [f"Synthetische buurt {i + 1}" for i in range(n)],
                "level": "buurt",
                "parent": wijk_codes[wijk],
                "geometry": boxes,
            }
        ),
    ]
    out = pd.concat(frames, ignore_index=True)
    out["division"] = str(division)
    out["cbs_code"] = None
    out = out.astype({c: object for c in ("code", "name", "level", "parent", "division", "cbs_code")})
    return gpd.GeoDataFrame(out[AREA_COLUMNS], geometry="geometry", crs=RD_NEW)


def _group_unions(geoms: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Union of consecutive runs of non-overlapping polygons that begin at ``starts``."""
    ends = np.append(starts[1:], len(geoms))
    out = np.empty(len(starts), dtype=object)
    for k, (a, e) in enumerate(zip(starts, ends, strict=True)):
        out[k] = geoms[a] if e - a == 1 else shapely.coverage_union_all(geoms[a:e])
    return out


def fixture_city(*, division: str = "synthetic") -> gpd.GeoDataFrame:
    """The tiny fixture city for fast tests: 12 buurten in 3 wijken in 2 stadsdelen."""
    return grid_areas(12, buurten_per_wijk=4, wijken_per_stadsdeel=2, division=division)


def queen_adjacency(geoms: np.ndarray | gpd.GeoSeries, *, decimals: int = 3) -> sp.csr_array:
    """Binary symmetric adjacency of polygons that touch in at least one point (queen contiguity).

    Two areas are neighbours when they share a vertex after rounding to ``decimals`` (millimetres
    in RD New) -- libpysal's vertex-based ``Graph.build_contiguity(rook=False)`` -- or when their
    geometries intersect at all, which also catches a boundary without a shared vertex (an
    unnoded T-junction). The diagonal is zero; an area without neighbours (an island) has an
    empty row.
    """
    arr = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    n = len(arr)
    if n == 0:
        return sp.csr_array(np.zeros((0, 0), dtype=np.int8))  # from a 2-D array: scipy-stubs types (0, 0) as 1-D
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    pairs = shapely.STRtree(arr).query(arr, predicate="intersects")
    rows, cols = [pairs[0]], [pairs[1]]
    if len(coords):
        _, vertex = np.unique(np.round(coords, decimals), axis=0, return_inverse=True)
        vertex = vertex.ravel()
        incidence = sp.csr_array(
            (np.ones(len(owner), dtype=np.int32), (owner, vertex)), shape=(n, int(vertex.max()) + 1)
        )
        incidence.sum_duplicates()
        incidence.data[:] = 1  # a ring's closing vertex repeats its first one
        shared = sp.coo_array(incidence @ incidence.T)
        rows.append(shared.row)
        cols.append(shared.col)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    off = r != c
    adj = sp.csr_array((np.ones(int(off.sum()), dtype=np.int8), (r[off], c[off])), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1
    return adj
