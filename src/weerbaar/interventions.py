"""The intervention register (issue 19; measures 5, 10 and 11): what was done, where and when.

Interventions live in the operational store (``store.intervention_models``, migration 0005). One record:
its kind (13b closure, area ban, camera area, enforcement focus, prevention project, other), title, start and
end date, location (a point with a radius, one or more buurten, or a polygon; always also the buurten it
touches), the responsible partner (an organisation), the programme measure it serves, a note.

* ``validate_record`` checks one record from a file or a form and says what was wrong where;
* ``read_file`` reads CSV or GeoJSON; ``import_file`` loads a whole file in one transaction (all or nothing;
  a record whose ``external_id`` is already stored is skipped, so importing twice stores it once);
* ``add`` / ``update`` write through the partner pages, each change after creation appended to the history;
* ``public_rows`` is what the public sees: kind, month of start and end, buurten, measure, partner — never the
  point, the polygon, the title or the note (a closed premises' address is not public).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from .errors import InputError, NotFoundError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "KINDS",
    "FIELDS",
    "validate_record",
    "read_file",
    "import_file",
    "register_view",
    "synthetic_demo",
    "add",
    "update",
    "list_interventions",
    "intervention_history",
    "as_dict",
    "public_rows",
    "prepared",
    "ImportSummary",
]

KINDS = ("closure_13b", "area_ban", "camera_area", "enforcement_focus", "prevention_project", "other")
FIELDS = (
    "external_id",
    "kind",
    "title",
    "start_date",
    "end_date",
    "x",
    "y",
    "radius_m",
    "polygon_wkt",
    "areas",
    "partner",
    "measure",
    "note",
    "synthetic",
)
TITLE_MAX = 200
NOTE_MAX = 2000
PARTNER_MAX = 200
FIRST_DATE = date(2000, 1, 1)
# RD New (EPSG:28992) box around Amsterdam and its surroundings
X_RANGE = (100_000.0, 150_000.0)
Y_RANGE = (460_000.0, 510_000.0)
_SPLIT = re.compile(r"[;,|\s]+")
EDITABLE = ("kind", "title", "start_date", "end_date", "partner", "measure_number", "note", "area_codes")


def _err(problem: str, received: Any, expected: str, fix: str, where: dict) -> InputError:
    return InputError(problem, received=repr(received), expected=expected, fix=fix, **where)


@overload
def _date(value: Any, field: str, where: dict, *, optional: Literal[False]) -> date: ...
@overload
def _date(value: Any, field: str, where: dict, *, optional: bool) -> date | None: ...
def _date(value: Any, field: str, where: dict, *, optional: bool) -> date | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if optional:
            return None
        raise _err(f"The {field} is missing.", value, "a date YYYY-MM-DD", f"fill in the {field}", where)
    try:
        d = date.fromisoformat(text[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        d = None
    if d is None:
        raise _err(f"The {field} is not a date.", value, "YYYY-MM-DD, e.g. 2020-03-01", f"write the {field}", where)
    last = date(datetime.now(UTC).year + 5, 12, 31)
    if not FIRST_DATE <= d <= last:
        raise _err(
            f"The {field} lies outside the sane range.",
            value,
            f"a date from {FIRST_DATE} to {last}",
            "check the year",
            where,
        )
    return d


def _number(value: Any, field: str, where: dict, lo: float, hi: float) -> float | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        raise _err(f"The {field} is not a number.", value, f"a number from {lo:g} to {hi:g}", "fix it", where) from None
    if not lo <= v <= hi:
        raise _err(
            f"The {field} is outside the sane range.",
            value,
            f"{lo:g} to {hi:g}" + (" (RD New metres, Amsterdam)" if field in ("x", "y") else ""),
            "check the value and its coordinate system (x, y in EPSG:28992; lon, lat in a GeoJSON file)",
            where,
        )
    return v


def validate_record(
    raw: dict[str, Any],
    *,
    known_areas: set[str] | None,
    buurten=None,
    division: str,
    measures: range = range(1, 16),
    where: dict | None = None,
) -> dict[str, Any]:
    """One record from a file or a form, checked and normalised to the columns of ``Intervention``.

    ``known_areas``: the buurt codes of the division (None: not checked, e.g. no warehouse yet);
    ``buurten``: a GeoDataFrame of buurt geometries (index code) to derive the buurten a point or polygon
    touches (None: the record must list its areas)."""
    where = where or {}
    extra = sorted(set(raw) - set(FIELDS) - {"lon", "lat", "geometry"})
    if extra:
        raise _err("Unknown column.", extra[0], f"columns among {', '.join(FIELDS)}", "rename or drop it", where)
    kind = str(raw.get("kind") or "").strip()
    if kind not in KINDS:
        raise _err(
            "Unknown intervention kind.", kind, f"one of {', '.join(KINDS)}", "use one of the kinds listed", where
        )
    title = str(raw.get("title") or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise _err("The title is empty or too long.", title[:50], f"1 to {TITLE_MAX} characters", "fix it", where)
    partner = str(raw.get("partner") or "").strip()
    if not partner or len(partner) > PARTNER_MAX:
        raise _err(
            "The partner is missing or too long.",
            partner[:50],
            f"the responsible organisation, 1 to {PARTNER_MAX} characters (never a person's name)",
            "fill in the partner, e.g. Gemeente Amsterdam or Politie Amsterdam",
            where,
        )
    note = str(raw.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise _err("The note is too long.", f"{len(note)} characters", f"at most {NOTE_MAX}", "shorten it", where)
    start = _date(raw.get("start_date"), "start date", where, optional=False)
    end = _date(raw.get("end_date"), "end date", where, optional=True)
    if end is not None and end < start:
        raise _err("The end date lies before the start date.", f"{start} to {end}", "end >= start", "swap them", where)
    measure_text = str(raw.get("measure") or "").strip()
    measure = None
    if measure_text:
        if not measure_text.isdigit() or int(measure_text) not in measures:
            raise _err(
                "Unknown programme measure.",
                measure_text,
                f"a measure number {measures.start}-{measures.stop - 1} or empty",
                "see `weerbaar programme`",
                where,
            )
        measure = int(measure_text)
    syn = str(raw.get("synthetic") or "").strip().lower()
    if syn not in ("", "0", "1", "true", "false", "yes", "no"):
        raise _err("The synthetic flag is not a yes/no value.", syn, "true or false", "fix it", where)
    synthetic = syn in ("1", "true", "yes")

    x = _number(raw.get("x"), "x", where, *X_RANGE)
    y = _number(raw.get("y"), "y", where, *Y_RANGE)
    radius = _number(raw.get("radius_m"), "radius_m", where, 1, 5000)
    polygon = str(raw.get("polygon_wkt") or "").strip() or None
    codes = sorted({c for c in _SPLIT.split(str(raw.get("areas") or "").strip()) if c})
    geom: BaseGeometry | None = None
    if (x is None) != (y is None):
        raise _err("Only one coordinate is given.", f"x={x}, y={y}", "both x and y, or neither", "fill in both", where)
    if x is not None and polygon:
        raise _err("Both a point and a polygon.", "x, y and polygon_wkt", "one location", "drop one", where)
    if x is not None:
        import shapely

        assert y is not None  # both or neither, checked above
        location_kind = "point"
        radius = radius or 50.0
        geom = shapely.Point(x, y).buffer(radius)
    elif polygon:
        import shapely

        location_kind = "polygon"
        try:
            geom = shapely.from_wkt(polygon)
        except Exception:
            geom = None
        if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
            raise _err(
                "The polygon is not a valid polygon.",
                polygon[:80],
                "WKT POLYGON or MULTIPOLYGON in RD New (EPSG:28992)",
                "check the polygon",
                where,
            )
        minx, miny, maxx, maxy = geom.bounds
        if not (X_RANGE[0] <= minx and maxx <= X_RANGE[1] and Y_RANGE[0] <= miny and maxy <= Y_RANGE[1]):
            raise _err(
                "The polygon lies outside Amsterdam.",
                f"bounds {geom.bounds}",
                "RD New coordinates around Amsterdam",
                "check the coordinate system",
                where,
            )
        radius = None
    else:
        location_kind = "areas"
        radius = None
        if not codes:
            raise _err(
                "The intervention has no location.",
                "no x/y, no polygon_wkt, no areas",
                "a point (x, y, radius_m), a polygon (polygon_wkt) or buurt codes (areas)",
                "give one of the three",
                where,
            )
    if geom is not None and not codes:
        if buurten is None:
            raise _err(
                "The buurten of this location cannot be derived.",
                "a point or polygon without areas, and no area geometries in the warehouse",
                "the buurt codes in the areas column, or a built warehouse (weerbaar build)",
                "add the buurt codes the intervention touches",
                where,
            )
        codes = sorted(buurten.index[buurten.intersects(geom)].astype(str))
        if not codes:
            raise _err(
                "The location touches no buurt.",
                f"{location_kind} at {geom.centroid.x:.0f}, {geom.centroid.y:.0f}",
                f"a location inside a buurt of division {division}",
                "check the coordinates",
                where,
            )
    if known_areas is not None:
        bad = sorted(set(codes) - known_areas)
        if bad:
            raise _err(
                "Unknown buurt codes.",
                ", ".join(bad[:5]),
                f"buurt codes of division {division}",
                "see `weerbaar areas --level buurt`",
                where,
            )
    ext = str(raw.get("external_id") or "").strip() or None
    if ext is not None and len(ext) > 100:
        raise _err("The external id is too long.", ext[:50], "at most 100 characters", "shorten it", where)
    return {
        "external_id": ext,
        "kind": kind,
        "title": title,
        "start_date": start,
        "end_date": end,
        "location_kind": location_kind,
        "x": x,
        "y": y,
        "radius_m": radius,
        "polygon_wkt": polygon,
        "area_codes": ",".join(codes),
        "division": division,
        "partner": partner,
        "measure_number": measure,
        "note": note,
        "synthetic": synthetic,
    }


def _lonlat_to_rd(coords: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, 28992, always_xy=True)
    return np.column_stack(tr.transform(coords[:, 0], coords[:, 1]))


def read_file(path: Path) -> list[tuple[dict[str, Any], dict]]:
    """Raw records of a CSV (UTF-8, header row) or GeoJSON file, each with where it was found."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            "The file does not exist.", received=str(path), expected="a CSV or GeoJSON file", fix="check the path"
        )
    if path.stat().st_size > 50_000_000:
        raise InputError("The file is too large.", received=f"{path.stat().st_size:,} bytes", expected="at most 50 MB")
    text = path.read_text("utf-8-sig")
    suffix = path.suffix.lower()
    out = []
    if suffix in (".geojson", ".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                "The file is not valid JSON.", received=str(exc), expected="GeoJSON", file=path.name
            ) from None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise InputError(
                "The file is not a GeoJSON FeatureCollection.",
                received=str(data.get("type") if isinstance(data, dict) else type(data).__name__),
                expected="FeatureCollection",
                file=path.name,
            )
        crs = str(((data.get("crs") or {}).get("properties") or {}).get("name", ""))
        rd = "28992" in crs
        for i, feat in enumerate(data.get("features") or [], start=1):
            where = {"file": path.name, "row": i}
            props = dict((feat or {}).get("properties") or {})
            geom = (feat or {}).get("geometry")
            if geom:
                import shapely
                from shapely.geometry import shape

                try:
                    g = shape(geom)
                except Exception:
                    raise _err(
                        "The geometry is not valid GeoJSON.", str(geom)[:80], "Point or Polygon", "fix it", where
                    ) from None
                if not rd:
                    from pyproj import Transformer

                    g = shapely.transform(g, _lonlat_to_rd)
                if isinstance(g, shapely.Point):
                    props["x"], props["y"] = g.x, g.y
                elif g.geom_type in ("Polygon", "MultiPolygon"):
                    props["polygon_wkt"] = g.wkt
                else:
                    raise _err("Unsupported geometry.", g.geom_type, "Point, Polygon or MultiPolygon", "fix it", where)
            out.append((props, where))
    elif suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "kind" not in reader.fieldnames:
            raise InputError(
                "The CSV has no header row with the register's columns.",
                received=", ".join(reader.fieldnames or [])[:200] or "an empty file",
                expected=f"a header with {', '.join(FIELDS)} (kind, title, start_date, partner, a location)",
                file=path.name,
            )
        for i, row in enumerate(reader, start=1):
            where = {"file": path.name, "row": i}
            row = {k: v for k, v in row.items() if k is not None}
            if row.get("lon") or row.get("lat"):
                from pyproj import Transformer

                lon = _number(row.get("lon"), "lon", where, 4.0, 5.5)
                lat = _number(row.get("lat"), "lat", where, 52.0, 52.7)
                if lon is None or lat is None:
                    raise _err("Only one of lon, lat.", f"{lon}, {lat}", "both", "fill in both", where)
                row["x"], row["y"] = Transformer.from_crs(4326, 28992, always_xy=True).transform(lon, lat)
            row.pop("lon", None)
            row.pop("lat", None)
            out.append((row, where))
    else:
        raise InputError(
            "Unknown file type.",
            received=path.suffix or "no suffix",
            expected=".csv or .geojson",
            fix="rename the file",
        )
    if not out:
        raise InputError(
            "The file holds no interventions.", received="0 records", expected="at least one", file=path.name
        )
    return out


def _area_context(home: Path | None, division: str):
    """(known buurt codes, buurt geometries indexed by code) from the warehouse, or (None, None) without one."""
    from .pipeline import open_warehouse, warehouse_path

    if not warehouse_path(home).exists():
        return None, None
    with open_warehouse(home) as wh:
        areas = wh.areas(level="buurt", division=division)
    if areas.empty:
        return None, None
    areas = areas.set_index("code")
    return set(areas.index.astype(str)), areas[areas.geometry.notna()].geometry


_ready: set[str] = set()


def prepared(url: str | None) -> str:
    """The store's URL with its schema brought up to date (once per process)."""
    from . import store

    url = store.database_url() if url is None else store.db.check_url(url)
    if url not in _ready:
        store.upgrade(url)
        _ready.add(url)
    return url


@dataclass(frozen=True)
class ImportSummary:
    added: int
    skipped: int
    file: str


def import_file(
    path: Path, *, url: str | None = None, home: Path | None = None, division: str | None = None
) -> ImportSummary:
    """Validate every record, then store them in one transaction (nothing is stored when one is wrong)."""
    from sqlalchemy import select

    from . import settings, store
    from .store.intervention_models import Intervention

    division = division or settings.get("division")
    raws = read_file(path)
    known, geoms = _area_context(home, division)
    clean = [
        validate_record(raw, known_areas=known, buurten=geoms, division=division, where=where) for raw, where in raws
    ]
    ids = [c["external_id"] for c in clean if c["external_id"]]
    if len(ids) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError(
            "Duplicate external ids in the file.",
            received=", ".join(dup[:5]),
            expected="unique ids",
            file=Path(path).name,
        )
    url = prepared(url)
    added = skipped = 0
    with store.session(url) as s:
        have = (
            set(s.scalars(select(Intervention.external_id).where(Intervention.external_id.in_(ids)))) if ids else set()
        )
        for c in clean:
            if c["external_id"] and c["external_id"] in have:
                skipped += 1
                continue
            s.add(Intervention(**c))
            added += 1
    return ImportSummary(added, skipped, Path(path).name)


def add(s, record: dict[str, Any], actor=None):
    """Store one validated record (from ``validate_record``); returns the row."""
    from .store.intervention_models import Intervention
    from .store.models import AuditEntry

    row = Intervention(**record, updated_by=getattr(actor, "id", None))
    s.add(row)
    s.flush()
    s.add(AuditEntry(actor_id=getattr(actor, "id", None), action=f"intervention_add:{row.id}"))
    return row


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def update(s, intervention_id: int, record: dict[str, Any], actor=None) -> list:
    """Apply a validated record's editable fields to a stored intervention; each change goes to the history."""
    from .store.intervention_models import Intervention, InterventionChange
    from .store.models import AuditEntry, utcnow

    row = s.get(Intervention, intervention_id)
    if row is None:
        raise NotFoundError(
            "Unknown intervention.", received=repr(intervention_id), expected="a stored intervention id"
        )
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    changes = []
    for field in EDITABLE + ("location_kind", "x", "y", "radius_m", "polygon_wkt", "synthetic"):
        if field not in record:
            continue
        old, new = getattr(row, field), record[field]
        if _text(old) != _text(new):
            change = InterventionChange(
                intervention_id=row.id,
                at=now,
                field=field,
                old_value=_text(old),
                new_value=_text(new),
                actor_id=actor_id,
            )
            s.add(change)
            changes.append(change)
            setattr(row, field, new)
    if changes:
        row.updated_at = now
        row.updated_by = actor_id
        s.add(AuditEntry(actor_id=actor_id, action=f"intervention_edit:{row.id}"))
    s.flush()
    return changes


def as_dict(row, *, public: bool = False) -> dict[str, Any]:
    """A stored intervention as JSON-ready data; ``public`` keeps only what may be shown at area level."""
    d = {
        "id": row.id,
        "kind": row.kind,
        "start": row.start_date.isoformat()[:7] if public else row.start_date.isoformat(),
        "end": (row.end_date.isoformat()[:7] if public else row.end_date.isoformat()) if row.end_date else None,
        "areas": [c for c in row.area_codes.split(",") if c],
        "division": row.division,
        "partner": row.partner,
        "measure": row.measure_number,
        "synthetic": bool(row.synthetic),
    }
    if public:
        return d
    d.update(
        external_id=row.external_id,
        title=row.title,
        location_kind=row.location_kind,
        x=row.x,
        y=row.y,
        radius_m=row.radius_m,
        polygon_wkt=row.polygon_wkt,
        note=row.note,
        updated_at=row.updated_at.isoformat(timespec="seconds") if row.updated_at else None,
    )
    return d


def list_interventions(s, *, measure: int | None = None) -> list:
    from sqlalchemy import select

    from .store.intervention_models import Intervention

    q = select(Intervention)
    if measure is not None:
        q = q.where(Intervention.measure_number == measure)
    return list(s.scalars(q.order_by(Intervention.start_date.desc(), Intervention.id.desc())))


def intervention_history(s, intervention_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from .store.intervention_models import InterventionChange
    from .store.models import User

    q = select(InterventionChange, User.username).outerjoin(User, User.id == InterventionChange.actor_id)
    if intervention_id is not None:
        q = q.where(InterventionChange.intervention_id == intervention_id)
    q = q.order_by(InterventionChange.at.desc(), InterventionChange.id.desc()).limit(limit)
    return [
        {
            "intervention": c.intervention_id,
            "at": c.at.isoformat(timespec="seconds"),
            "field": c.field,
            "old": c.old_value,
            "new": c.new_value,
            "user": name,
        }
        for c, name in s.execute(q)
    ]


def public_rows(url: str | None = None, *, measure: int | None = None) -> list[dict[str, Any]]:
    """The register at area level: what the public page, the public API and the public export show."""
    from . import store

    url = prepared(url)
    with store.session(url, write=False) as s:
        return [as_dict(r, public=True) for r in list_interventions(s, measure=measure)]


# ---------------------------------------------------------------------------------------------
# the SYNTHETIC demonstration set (issue 19): shown only while the store's register is empty

SYNTHETIC_ORIGIN = (2019, 1)  # month index 0 of the synthetic world, for display only
SYNTHETIC_AREA = "synthetisch raster / synthetic grid"


def _synthetic_month(index: int) -> str:
    y, m = divmod(SYNTHETIC_ORIGIN[0] * 12 + SYNTHETIC_ORIGIN[1] - 1 + int(index), 12)
    return f"{y:04d}-{m + 1:02d}"


@lru_cache(maxsize=1)
def synthetic_demo(seed: int = 0) -> dict[str, Any]:
    """The labelled SYNTHETIC set: twelve interventions on a grid of made-up buurten (codes ``S000`` ...) with a
    planted effect (-40% in the target) and displacement (+20% in the ring of neighbours), and what the estimators
    find on it: WDD/WDQ per intervention (12 months before and after, buffer = ring 1, control = rings 2-3) and the
    staggered DiD (not-yet-treated controls). Computed from the generator, never written to the store, so it
    cannot mix with real records; every row carries ``synthetic: True``."""
    from .analysis.did import att_gt
    from .analysis.displacement import Counts, displacement, rings
    from .synthetic.interventions import intervention_world

    w = intervention_world(seed=seed)
    wide = w.counts.pivot(index="unit", columns="time", values="y")
    months = wide.shape[1]
    rows, estimates = [], []
    for i, iv in enumerate(w.interventions.to_dict("records"), start=1):
        s = int(iv["start"])
        rows.append(
            {
                "id": -i,
                "kind": iv["kind"],
                "start": _synthetic_month(s),
                "end": None,
                "areas": [iv["unit"]],
                "division": "synthetic",
                "partner": "synthetisch / synthetic",
                "measure": 10,
                "synthetic": True,
            }
        )
        buf, ctl = rings(w.neighbours, {iv["unit"]}, buffer_rings=1, control_rings=2)
        before, after = list(range(max(0, s - 12), s)), list(range(s, min(months, s + 12)))

        def c(units, cols):
            return float(wide.loc[list(units), cols].to_numpy().sum())

        r = displacement(
            Counts(c([iv["unit"]], before), c([iv["unit"]], after)),
            Counts(c(buf, before), c(buf, after)),
            Counts(c(ctl, before), c(ctl, after)),
        )
        estimates.append(
            {
                "run_id": f"synthetic-{i}",
                "target": [iv["unit"]],
                "buffer": sorted(buf),
                "count": "synthetic registrations",
                "before": f"{_synthetic_month(before[0])}..{_synthetic_month(before[-1])}",
                "after": f"{_synthetic_month(after[0])}..{_synthetic_month(after[-1])}",
                "wdd": r.wdd,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "p": r.p,
                "wdq": r.wdq if np.isfinite(r.wdq) else None,
                "wdd_local": r.wdd_local,
                "alpha": r.alpha,
                "synthetic": True,
            }
        )
    starts = dict(zip(w.interventions["unit"], w.interventions["start"] + 1, strict=True))  # 0 = never treated
    panel = w.counts.assign(time=w.counts["time"] + 1, group=w.counts["unit"].map(starts).fillna(0).astype(int))
    result = att_gt(panel, control="notyet")
    summary = {k: (float(v) if isinstance(v, (int, float, np.floating)) else v) for k, v in result.summary().items()}
    ev = result.event
    ev = ev[(ev["e"] >= -6) & (ev["e"] <= 12)].sort_values("e")
    planted = float(
        np.mean(
            [
                (w.rate.loc[u].to_numpy()[s:] - w.baseline.loc[u].to_numpy()[s:]).mean()
                for u, s in zip(w.interventions["unit"], w.interventions["start"], strict=True)
            ]
        )
    )
    did = {
        "run_id": "synthetic-did",
        "indicator": "synthetic registrations",
        "from": _synthetic_month(0),
        "to": _synthetic_month(months - 1),
        "treated": len(w.interventions),
        "summary": summary,
        "event": [{k: float(v) for k, v in r.items()} for r in ev[["e", "att", "low", "high"]].to_dict("records")],
        "synthetic": True,
        "planted": {"effect": w.effect, "displacement": w.displacement, "mean_change": planted},
    }
    return {"rows": rows, "displacement": estimates, "did": did, "planted": did["planted"]}


def register_view(url: str | None = None, *, measure: int | None = None) -> dict[str, Any]:
    """What the public page, API and report show: the stored register at area level, or, while the register is
    empty (and no measure filter excludes everything real), the SYNTHETIC demonstration set, labelled."""
    rows = public_rows(url, measure=measure)
    if rows:
        return {"synthetic": False, "rows": rows, "displacement": None, "did": None}
    if measure is not None and public_rows(url):
        return {"synthetic": False, "rows": [], "displacement": None, "did": None}
    demo = synthetic_demo()
    shown = [r for r in demo["rows"] if measure is None or r["measure"] == measure]
    return {"synthetic": True, "rows": shown, "displacement": demo["displacement"], "did": demo["did"]}
