"""Facility points from files: the city's layer, an OpenStreetMap export, or a CSV per the data contract.

Reports near schools and playgrounds (measure 11) are linked to the nearest facility; these
readers bring the facilities in. Every reader gives the warehouse's facility columns with one of
our facility types (``FACILITY_TYPES``), coordinates in RD New, and refuses a bad file whole.

* ``city``: the city's MAATSCHAPPELIJKE_VZN GeoJSON (``read_city_layer``, ``CATEGORY_TYPES``).
* ``osm``: a GeoJSON export of OpenStreetMap features (osmtogeojson / Overpass turbo): the tags
  ``amenity`` and ``leisure`` (as properties, or under ``tags``) are mapped by ``OSM_TYPES``; points,
  and polygons by their centroid. Features without a mapped tag are left out and counted.
* ``csv``: ``facility_id, name, type, x, y`` (optional ``category, kind, address, postcode``), in the
  CRS given (RD New by default).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from ..areas import RD_NEW
from ..errors import InputError
from .base import SourceData
from .facilities import FACILITY_COLUMNS, FACILITY_TYPES, read_city_layer

__all__ = ["OSM_TYPES", "read_facilities"]

#: OpenStreetMap tag values -> our facility types (key=value).
OSM_TYPES = {
    "amenity=school": "school",
    "amenity=kindergarten": "school",
    "amenity=college": "school",
    "leisure=playground": "playground",
    "amenity=community_centre": "community_centre",
    "amenity=social_centre": "community_centre",
    "amenity=youth_centre": "youth_centre",
    "amenity=social_facility": "care_centre",
    "amenity=clinic": "care_centre",
    "amenity=doctors": "care_centre",
}
#: Amsterdam and its surroundings in RD New: a point outside is a wrong CRS or a wrong file.
BOUNDS = (100_000.0, 470_000.0, 140_000.0, 500_000.0)
FORMATS = ("auto", "city", "osm", "csv")


def _bad(problem: str, path: Path, **kw) -> InputError:
    return InputError(problem, file=str(path), **kw)


def _check_bounds(frame: pd.DataFrame, path: Path, crs: str) -> None:
    x0, y0, x1, y1 = BOUNDS
    outside = ~(frame["x"].between(x0, x1) & frame["y"].between(y0, y1))
    if outside.any():
        i = int(outside.to_numpy().nonzero()[0][0])
        raise _bad(
            "A facility lies outside the Amsterdam region.",
            path,
            row=i + 1,
            received=f"x={frame['x'].iloc[i]:.1f}, y={frame['y'].iloc[i]:.1f} (after reading as {crs})",
            expected=f"RD New coordinates within x {x0:.0f}-{x1:.0f}, y {y0:.0f}-{y1:.0f}",
            fix="give the right --crs (EPSG:4326 for lon/lat) or check the file",
        )


def _detect(path: Path) -> str:
    if path.suffix.lower() == ".csv":
        return "csv"
    try:
        first = json.loads(path.read_text(encoding="utf-8"))
        props = (first.get("features") or [{}])[0].get("properties") or {}
    except (OSError, ValueError, AttributeError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise _bad(
            "The facilities file is neither CSV nor GeoJSON.",
            path,
            received=(str(exc) or type(exc).__name__)[:200],
            expected="a .csv file or a GeoJSON FeatureCollection",
            fix="export the layer as GeoJSON or CSV",
        ) from None
    return "city" if "MVZN_ID" in props else "osm"


def _read_osm(path: Path, source: str) -> tuple[pd.DataFrame, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise _bad(
            "The OpenStreetMap export is not a GeoJSON FeatureCollection.",
            path,
            received=str(exc)[:200],
            expected='{"type": "FeatureCollection", "features": [...]}',
            fix="export with Overpass turbo (Export > GeoJSON) or osmtogeojson",
        ) from None
    rows, skipped = [], 0
    for i, feat in enumerate(features, start=1):
        props = dict(feat.get("properties") or {})
        tags = {**props, **(props.get("tags") or {})}
        kind = next(
            (f"{k}={tags[k]}" for k in ("amenity", "leisure") if f"{k}={tags.get(k)}" in OSM_TYPES),
            None,
        )
        if kind is None:
            skipped += 1
            continue
        try:
            geom = shape(feat["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise _bad(
                "A feature has no valid geometry.",
                path,
                row=i,
                received=str(feat.get("geometry"))[:200],
                expected="a Point or Polygon in lon/lat",
                fix="export with geometry",
            ) from None
        osm_id = str(props.get("@id") or props.get("id") or feat.get("id") or f"feature-{i}")
        address = " ".join(str(tags.get(k, "")) for k in ("addr:street", "addr:housenumber")).strip()
        rows.append(
            {
                "facility_id": osm_id,
                "name": str(tags.get("name", "")),
                "type": OSM_TYPES[kind],
                "category": kind,
                "kind": str(tags.get("social_facility", tags.get("school", ""))),
                "address": address,
                "postcode": str(tags.get("addr:postcode", "")),
                "geometry": geom.centroid if geom.geom_type != "Point" else geom,
            }
        )
    if not rows:
        raise _bad(
            "The OpenStreetMap export holds no facilities we know.",
            path,
            received=f"{len(features)} features, none tagged with {', '.join(sorted(OSM_TYPES))}",
            expected="schools, playgrounds, community or care centres",
            fix="query amenity=school, leisure=playground, amenity=community_centre, amenity=social_facility",
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").to_crs(RD_NEW)
    out = pd.DataFrame(gdf.drop(columns="geometry"))
    out["x"], out["y"] = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    out["source"] = source
    notes = [f"{skipped} features without a facility tag were left out."] if skipped else []
    return out[FACILITY_COLUMNS], notes


def _read_csv(path: Path, source: str, crs: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _bad(
            "The facilities CSV cannot be read.",
            path,
            received=str(exc)[:200],
            expected="a UTF-8 CSV with a header",
            fix="save the file as CSV (UTF-8)",
        ) from None
    needed = ["facility_id", "name", "type", "x", "y"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise _bad(
            "The facilities CSV lacks columns.",
            path,
            received=", ".join(raw.columns) or "no columns",
            expected=", ".join(needed) + " (optional: category, kind, address, postcode)",
            fix=f"add {', '.join(missing)}",
        )
    for col in ("x", "y"):
        values = pd.to_numeric(raw[col].str.replace(",", ".", regex=False), errors="coerce")
        if values.isna().any():
            i = int(values.isna().to_numpy().nonzero()[0][0])
            raise _bad(
                "A coordinate is not a number.",
                path,
                row=i + 1,
                column=col,
                received=repr(raw[col].iloc[i]),
                expected="a number",
                fix="fill in the coordinate",
            )
        raw[col] = values
    unknown = ~raw["type"].isin(FACILITY_TYPES)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise _bad(
            "Unknown facility type.",
            path,
            row=i + 1,
            column="type",
            received=repr(raw["type"].iloc[i]),
            expected=", ".join(FACILITY_TYPES),
            fix="use one of our facility types",
        )
    if raw["facility_id"].eq("").any() or raw["facility_id"].duplicated().any():
        bad = raw["facility_id"].eq("") | raw["facility_id"].duplicated()
        i = int(bad.to_numpy().nonzero()[0][0])
        raise _bad(
            "Facility ids must be present and unique.",
            path,
            row=i + 1,
            column="facility_id",
            received=repr(raw["facility_id"].iloc[i]),
            expected="a unique id per row",
            fix="give every facility its own id",
        )
    pts = gpd.GeoSeries(gpd.points_from_xy(raw["x"], raw["y"]), crs=crs).to_crs(RD_NEW)
    out = pd.DataFrame({c: raw[c] if c in raw.columns else "" for c in FACILITY_COLUMNS})
    out["x"], out["y"] = pts.x.to_numpy(), pts.y.to_numpy()
    out["source"] = source
    return out[FACILITY_COLUMNS]


def read_facilities(path: Path, *, fmt: str = "auto", crs: str = "EPSG:28992", source: str) -> SourceData:
    """Facility rows from a file (see the module docstring), validated whole."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(
            "Unknown facilities format.", received=repr(fmt), expected=", ".join(FORMATS), fix="use --format auto"
        )
    if not path.is_file():
        raise _bad("File not found.", path, received=str(path), expected="a facilities file", fix="check the path")
    fmt = _detect(path) if fmt == "auto" else fmt
    notes: list[str] = []
    if fmt == "city":
        data = read_city_layer(path, source=source)
        assert data.facilities is not None  # read_city_layer returns facilities or raises
        frame, notes = data.facilities, list(data.notes)
        crs = "EPSG:4326"
    elif fmt == "osm":
        frame, notes = _read_osm(path, source)
        crs = "EPSG:4326"
    else:
        frame = _read_csv(path, source, crs)
    _check_bounds(frame, path, crs)
    if frame["facility_id"].duplicated().any():
        raise _bad(
            "Duplicate facility id.",
            path,
            received=frame.loc[frame["facility_id"].duplicated(), "facility_id"].iloc[0],
            expected="unique ids",
            fix="remove the duplicate features",
        )
    return SourceData(facilities=frame.reset_index(drop=True), notes=notes)
