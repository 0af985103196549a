"""Import areas from GeoJSON or GeoPackage per the data contract."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..contract import AREA_PROPERTIES
from ..errors import InputError
from .registry import validate_areas

__all__ = ["read_area_file"]


def read_area_file(
    path: str | Path,
    *,
    division: str | None = None,
    crs: str | None = None,
    existing_parents: set[tuple[str, str]] | None = None,
) -> gpd.GeoDataFrame:
    """Read areas with properties ``code, name, level, parent`` (and optionally ``division``,
    ``cbs_code``) from GeoJSON or GeoPackage, in any CRS, and return them validated in EPSG:28992.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(
            "File not found.",
            received=name,
            expected="an existing GeoJSON or GeoPackage file",
            fix="check the path",
            file=name,
        )
    if path.stat().st_size == 0:
        raise InputError(
            "The file is empty.",
            received="0 bytes",
            expected="a GeoJSON or GeoPackage file",
            fix="export the areas again",
            file=name,
        )
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several driver-specific errors
        raise InputError(
            "Cannot read the file as GeoJSON or GeoPackage.",
            received=_short(exc),
            expected="a GeoJSON FeatureCollection or a GeoPackage layer of polygons",
            fix="export the areas as GeoJSON (.geojson) or GeoPackage (.gpkg)",
            file=name,
        ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputError(
            "The file has no geometry.",
            received=f"a table with the columns {', '.join(map(str, gdf.columns))[:200]}",
            expected="a GeoJSON FeatureCollection or a GeoPackage layer of polygons (a CSV has no shapes)",
            fix="export the areas with their shapes as GeoJSON (.geojson) or GeoPackage (.gpkg)",
            file=name,
        )
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if len(gdf) and empty.any():
        first = int(empty.to_numpy().argmax())
        raise InputError(
            f"{int(empty.sum())} areas have no geometry.",
            received="an empty or missing geometry",
            expected="a polygon for every area",
            fix="give every area its shape, or leave the area out",
            file=name,
            row=first + 1,
        )
    if len(gdf) == 0:
        raise InputError(
            "The file holds no areas.",
            received="0 features",
            expected="at least one area",
            fix="export the areas again",
            file=name,
        )
    if crs is not None:
        try:
            gdf = gdf.set_crs(CRS.from_user_input(crs), allow_override=True)
        except CRSError:
            raise InputError(
                "Unknown coordinate reference system.",
                received=repr(crs),
                expected="an EPSG code such as EPSG:28992 or EPSG:4326",
                fix="pass a valid --crs",
                file=name,
            ) from None
    elif gdf.crs is None:
        raise InputError(
            "The file has no coordinate reference system.",
            received="no CRS",
            expected="a CRS in the file (GeoPackage) or --crs",
            fix="pass --crs EPSG:28992 or EPSG:4326",
            file=name,
        )
    assert gdf.crs is not None  # set from --crs above, or refused
    if gdf.crs.to_epsg() == 4326 or gdf.crs.equals(CRS("OGC:CRS84")):
        b = gdf.total_bounds
        if abs(b[0]) > 180 or abs(b[2]) > 180 or abs(b[1]) > 90 or abs(b[3]) > 90:
            raise InputError(
                "The coordinates are not longitude/latitude although the file says so.",
                received=f"bounds {[round(v) for v in b]}",
                expected="degrees (WGS84)",
                fix="coordinates in metres are probably RD New: pass --crs EPSG:28992",
                file=name,
            )
    missing = [p for p in AREA_PROPERTIES if p not in gdf.columns and p != "parent"]
    if missing:
        raise InputError(
            "The areas lack required properties.",
            received=", ".join(c for c in gdf.columns if c != "geometry"),
            expected="properties " + ", ".join(AREA_PROPERTIES) + " (parent empty only for stad)",
            fix="rename the properties to the data contract's names",
            file=name,
        )
    if "division" not in gdf.columns:
        if division is None:
            raise InputError(
                "No area division given.",
                received="no 'division' property and no --division",
                expected="the name of the division these areas belong to, such as 2022",
                fix="pass --division NAME",
                file=name,
            )
        gdf["division"] = division
    elif division is not None:
        gdf["division"] = division
    return validate_areas(gdf, file=name, existing_parents=existing_parents)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
