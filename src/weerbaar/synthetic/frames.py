"""Between frames and arrays: the buurten and calibration series in, the long observation frame out.

:func:`_prepare_areas` checks the buurten and gives their codes, divisions and geometries as
arrays sorted by code; :func:`_series_for` aligns a calibration series to those codes;
:func:`_long_frame` turns the generated (areas x periods) arrays into the observations in the
long format of the data contract.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from .model import INDICATORS

OBSERVATION_COLUMNS = ["area_code", "division", "period", "indicator", "value", "unit", "source", "status"]


# -- inputs ----------------------------------------------------------------------------------------


def _prepare_areas(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(
            "Areas must be a GeoDataFrame.",
            received=type(areas).__name__,
            expected="a GeoDataFrame of buurten with 'code' and polygon geometry",
            fix="use weerbaar.synthetic.grid_areas() or read_area_file()",
        )
    gdf = areas
    if "level" in gdf.columns:
        gdf = gdf[gdf["level"] == "buurt"]
    if "code" not in gdf.columns:
        raise InputError(
            "Areas lack the column 'code'.",
            received=", ".join(map(str, gdf.columns)),
            expected="code, geometry (and optionally division, level)",
            fix="add a code column",
        )
    if len(gdf) == 0:
        raise InputError(
            "No buurten to generate for.",
            expected="at least one buurt",
            received="0 areas (at level buurt, if level is given)",
            fix="pass the buurten of a division",
        )
    if gdf.crs is None:
        raise InputError(
            "Area geometry has no coordinate reference system.",
            received="no CRS",
            expected="EPSG:28992 (or any CRS, reprojected)",
            fix="set the CRS of the areas",
        )
    if gdf.crs.to_epsg() != 28992:
        gdf = gdf.to_crs("EPSG:28992")
    code_text = gdf["code"].astype("string")
    if code_text.isna().any() or (code_text.str.strip() == "").any():
        raise InputError(
            "Area with an empty code.",
            received="an empty code",
            expected="a code on every buurt",
            fix="fill in the codes",
        )
    codes = code_text.to_numpy(dtype=object)
    if len(set(codes)) != len(codes):
        dup = pd.Series(codes)[pd.Series(codes).duplicated()].iloc[0]
        raise InputError(
            "Duplicate buurt code.",
            received=repr(dup),
            expected="each code once",
            fix="pass the buurten of a single division",
        )
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = pd.isna(geoms) | np.array(
        [g is None or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms]
    )
    if bad.any():
        raise InputError(
            "Buurt without polygon geometry.",
            received=repr(codes[np.argmax(bad)]),
            expected="a Polygon or MultiPolygon for every buurt",
            fix="add or repair the geometry",
        )
    if "division" in gdf.columns:
        div = gdf["division"].astype("string").fillna("synthetic").to_numpy(dtype=object)
    else:
        div = np.full(len(codes), "synthetic", dtype=object)
    order = np.argsort(codes, kind="stable")  # results do not depend on row order
    return codes[order], div[order], geoms[order]


def _series_for(values: pd.Series | None, codes: np.ndarray, what: str) -> tuple[np.ndarray, int]:
    """Values aligned to ``codes`` (NaN where missing) and how many given codes were unknown."""
    if values is None:
        return np.full(len(codes), np.nan), 0
    s = pd.Series(values)
    num = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & (num.isna() | ~np.isfinite(num.fillna(0)))
    if bad.any():
        raise InputError(
            f"Calibration {what} is not numeric.",
            received=repr(s[bad].iloc[0]),
            expected="finite numbers indexed by buurt code",
            fix=f"clean the {what} series",
        )
    num.index = num.index.astype(str)
    unknown = int((~num.index.isin(codes)).sum())
    aligned = num[~num.index.duplicated()].reindex(codes).to_numpy(dtype=float)
    return aligned, unknown


# -- output ----------------------------------------------------------------------------------------


def _long_frame(
    codes: np.ndarray,
    divisions: np.ndarray,
    monthly: list[np.ndarray],
    yearly: list[np.ndarray],
    month_labels: list[str],
    year_labels: list[str],
) -> pd.DataFrame:
    """The observations in long format, built from (areas x periods) blocks with categorical columns.

    Rows are ordered by indicator (as in INDICATORS), then area code, then period. String
    columns are categoricals (about 170 MB for the national 13,000 x 120 scenario).
    """
    n, T, Y = len(codes), len(month_labels), len(year_labels)
    blocks = [(a, T, 0) for a in monthly] + [(a, Y, T) for a in yearly]
    sizes = [n * k for _, k, _ in blocks]
    total = sum(sizes)
    area_dtype = np.int16 if n < 2**15 else np.int32
    per_dtype = np.int16 if T + Y < 2**15 else np.int32
    area_code = np.empty(total, dtype=area_dtype)
    period = np.empty(total, dtype=per_dtype)
    value = np.empty(total, dtype=np.float64)
    pos = 0
    for arr, k, off in blocks:
        size = n * k
        area_code[pos : pos + size] = np.repeat(np.arange(n, dtype=area_dtype), k)
        period[pos : pos + size] = np.tile(np.arange(k, dtype=per_dtype), n) + off
        value[pos : pos + size] = arr.ravel()
        pos += size
    ind_codes = np.repeat(np.arange(len(INDICATORS), dtype=np.int8), sizes)
    units = sorted({u for _, u, _ in INDICATORS})
    unit_of = np.array([units.index(u) for _, u, _ in INDICATORS], dtype=np.int8)
    div_cats, div_of_area = np.unique(divisions.astype(str), return_inverse=True)
    zeros = np.zeros(total, dtype=np.int8)

    def cat(codes_: np.ndarray, categories, ordered: bool = False) -> pd.Categorical:
        return pd.Categorical.from_codes(codes_, categories=pd.Index(list(categories), dtype=object), ordered=ordered)

    # Periods as an ordered categorical in string order (a year sorts before its months), so
    # min/max and sorting behave as on plain strings.
    labels = np.array(month_labels + year_labels, dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=per_dtype)
    rank[order] = np.arange(len(labels), dtype=per_dtype)

    return pd.DataFrame(
        {
            "area_code": cat(area_code, codes),
            "division": cat(div_of_area.astype(np.int16)[area_code], div_cats),
            "period": cat(rank[period], labels[order], ordered=True),
            "indicator": cat(ind_codes, [name for name, _, _ in INDICATORS]),
            "value": value,
            "unit": cat(unit_of[ind_codes], units),
            "source": cat(zeros, ["synthetic"]),
            "status": cat(zeros, ["synthetic"]),
        },
        columns=OBSERVATION_COLUMNS,
    )
