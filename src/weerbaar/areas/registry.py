"""Area registry rules: levels, hierarchy, codes and geometry in EPSG:28992."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..contract import LEVELS
from ..errors import InputError

__all__ = ["AREA_COLUMNS", "RD_NEW", "validate_areas", "repair_geometry", "dissolve_hierarchy"]

RD_NEW = "EPSG:28992"
AREA_COLUMNS = ["code", "name", "level", "parent", "division", "cbs_code", "geometry"]


def repair_geometry(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Make geometries valid and keep only their polygonal parts (as (Multi)Polygons)."""
    arr = np.asarray(geoms.values, dtype=object)
    invalid = ~shapely.is_valid(arr)
    if invalid.any():
        fixed = shapely.make_valid(arr[invalid])
        # make_valid may return a GeometryCollection with stray lines or points: keep the area.
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        arr = arr.copy()
        arr[invalid] = fixed
    return gpd.GeoSeries(arr, index=geoms.index, crs=geoms.crs)


def _polygonal(geom):
    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def validate_areas(
    areas: gpd.GeoDataFrame, *, file: str | None = None, existing_parents: set[tuple[str, str]] | None = None
) -> gpd.GeoDataFrame:
    """Check an area table against the data contract and return it in canonical form.

    Rules: known levels; non-empty codes unique per division; every parent exists (in this
    table or in ``existing_parents``, as ``(division, code)``) and lies at a higher level;
    only ``stad`` areas lack a parent; geometries are polygons in EPSG:28992, repaired when
    invalid. Areas without geometry are allowed (a statistical area with no public boundary).
    """
    gdf = areas.copy()
    for col in ("cbs_code",):
        if col not in gdf.columns:
            gdf[col] = None
    for col in ("code", "name", "level", "division"):
        if col not in gdf.columns:
            raise InputError(
                f"Area table lacks the column '{col}'.",
                received=", ".join(map(str, gdf.columns)),
                expected="code, name, level, parent, division",
                fix=f"add '{col}'",
                file=file,
            )
        empty = gdf[col].isna() | (gdf[col].astype("string").str.strip() == "")
        if empty.any():
            pos = int(np.asarray(empty).argmax())
            raise InputError(
                f"Area with an empty {col}.",
                received=repr(gdf[col].iloc[pos]),
                expected=f"a non-empty {col} on every area",
                fix=f"fill in {col}",
                file=file,
                row=pos + 1,
                column=col,
            )
        gdf[col] = gdf[col].astype("string").str.strip().astype(object)
    if "parent" not in gdf.columns:
        gdf["parent"] = None
    parents = gdf["parent"].astype("string").str.strip()
    gdf["parent"] = parents.replace("", pd.NA).astype(object)  # type: ignore[call-overload]  # pandas-stubs: value may be pd.NA
    gdf["parent"] = gdf["parent"].where(gdf["parent"].notna(), None)
    bad_level = ~gdf["level"].isin(LEVELS)
    if bad_level.any():
        pos = int(np.asarray(bad_level).argmax())
        raise InputError(
            "Unknown area level.",
            received=repr(gdf["level"].iloc[pos]),
            expected=", ".join(LEVELS),
            fix="use one of the five levels",
            file=file,
            row=pos + 1,
            column="level",
        )
    dup = gdf.duplicated(["division", "code"])
    if dup.any():
        pos = int(np.asarray(dup).argmax())
        raise InputError(
            "Duplicate area code within a division.",
            received=repr(gdf["code"].iloc[pos]),
            expected="each code once per division",
            fix="give every area its own code",
            file=file,
            row=pos + 1,
            column="code",
        )
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    known = {(d, c): lvl for d, c, lvl in zip(gdf["division"], gdf["code"], gdf["level"], strict=True)}
    extra = existing_parents or set()
    for pos, (div, code, level, parent) in enumerate(
        zip(gdf["division"], gdf["code"], gdf["level"], gdf["parent"], strict=True)
    ):
        if parent is None:
            if level != "stad":
                raise InputError(
                    "Area without a parent.",
                    received=f"{code} ({level})",
                    expected="a parent code for every area below the level stad",
                    fix="fill in the parent's code",
                    file=file,
                    row=pos + 1,
                    column="parent",
                )
            continue
        if (div, parent) in known:
            if rank[known[(div, parent)]] >= rank[level]:
                raise InputError(
                    "Parent is not at a higher level.",
                    received=f"{code} ({level}) has parent {parent} ({known[(div, parent)]})",
                    expected="parent level above the area's level: " + " > ".join(LEVELS),
                    fix="correct the parent or the level",
                    file=file,
                    row=pos + 1,
                    column="parent",
                )
        elif (div, parent) not in extra:
            raise InputError(
                "Parent area does not exist.",
                received=f"{code} has parent {parent!r}",
                expected=f"a parent code of an area in division {div}",
                fix="add the parent area or correct the code",
                file=file,
                row=pos + 1,
                column="parent",
            )
    if gdf.crs is None:
        raise InputError(
            "Area geometry has no coordinate reference system.",
            received="no CRS",
            expected="a CRS (EPSG:28992 RD New or EPSG:4326 lon/lat)",
            fix="save the file with its CRS or pass --crs",
            file=file,
        )
    if gdf.crs.to_epsg() != 28992:
        gdf = gdf.to_crs(RD_NEW)
    has_geom = gdf.geometry.notna() & ~gdf.geometry.is_empty
    kinds = gdf.geometry.geom_type[has_geom]
    bad_kind = ~kinds.isin(["Polygon", "MultiPolygon"])
    if bad_kind.any():
        pos = int(np.flatnonzero(np.asarray(has_geom))[np.asarray(bad_kind).argmax()])
        raise InputError(
            "Area geometry is not a polygon.",
            received=str(kinds[bad_kind].iloc[0]),
            expected="Polygon or MultiPolygon",
            fix="give areas as polygons",
            file=file,
            row=pos + 1,
            column="geometry",
        )
    bounds = gdf[has_geom].total_bounds if has_geom.any() else None
    if bounds is not None and not (
        bounds[0] > -7000 and bounds[2] < 300000 and bounds[1] > 289000 and bounds[3] < 629000
    ):
        raise InputError(
            "Area geometry lies outside the Netherlands after reprojection.",
            received=f"bounds {np.round(bounds).tolist()} in EPSG:28992",
            expected="areas within the Netherlands",
            fix="check the CRS of the file: coordinates in RD New need --crs EPSG:28992",
            file=file,
        )
    gdf = gdf.set_geometry(repair_geometry(gdf.geometry))
    return gpd.GeoDataFrame(gdf[AREA_COLUMNS].reset_index(drop=True), geometry="geometry", crs=RD_NEW)


def dissolve_hierarchy(
    buurten: gpd.GeoDataFrame,
    levels: list[tuple[str, str, str]],
    division: str,
    city_code: str = "STAD",
    city_name: str = "Amsterdam",
) -> gpd.GeoDataFrame:
    """Derive the higher levels of a division by dissolving its buurten.

    ``buurten`` has ``code, name, cbs_code, geometry`` and, for every higher level, a code and
    a name column. ``levels`` lists ``(level, code_column, name_column)`` from the largest
    level down (excluding stad and buurt). A buurt's parent is its nearest non-empty level
    (Westpoort has no gebied, so its wijken hang directly under the stadsdeel).
    """
    frames = []
    city = shapely.union_all(np.asarray(buurten.geometry.values))
    frames.append(
        pd.DataFrame(
            {
                "code": [city_code],
                "name": [city_name],
                "level": ["stad"],
                "parent": [None],
                "cbs_code": [None],
                "geometry": [city],
            }
        )
    )
    parent_col = pd.Series([city_code] * len(buurten), index=buurten.index, dtype=object)
    for level, code_col, name_col in levels:
        codes = buurten[code_col].astype("string").str.strip().replace("", pd.NA)  # type: ignore[call-overload]  # pandas-stubs: value may be pd.NA
        present = codes.notna()
        sub = buurten[present].assign(_code=codes[present], _parent=parent_col[present])
        groups = sub.groupby("_code", sort=True)
        rows = groups.agg(name=(name_col, "first"), parent=("_parent", "first"))
        geoms = groups.geometry.apply(lambda g: shapely.union_all(np.asarray(g.values)))
        frames.append(
            pd.DataFrame(
                {
                    "code": rows.index,
                    "name": rows["name"].values,
                    "level": level,
                    "parent": rows["parent"].values,
                    "cbs_code": None,
                    "geometry": geoms.loc[rows.index].values,
                }
            )
        )
        parent_col = parent_col.where(~present, codes)
    frames.append(
        pd.DataFrame(
            {
                "code": buurten["code"].values,
                "name": buurten["name"].values,
                "level": "buurt",
                "parent": parent_col.values,
                "cbs_code": buurten["cbs_code"].values if "cbs_code" in buurten else None,
                "geometry": buurten.geometry.values,
            }
        )
    )
    out = pd.concat(frames, ignore_index=True)
    out["division"] = division
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=buurten.crs)
    return gdf
