"""Import exports of Amsterdam's citizen-report platform Signalen (formerly MORA/SIA) into the store.

Only drug-relevant signals are kept (``RELEVANT_SLUGS``); each becomes a report of kind
``nuisance`` with source ``signalen`` and external id ``signalen:<id>``, through
:func:`weerbaar.store.reports.submit_report` (so its place is coarsened to a 100 m cell and a
second import of the same export stores nothing). A signal in a final Signalen state
(``FINAL_STATES``) is closed with one history step.

Three shapes are read (see docs/data-contract.md, "Signalen / MORA exports"):

* the datawarehouse export (a ZIP or a folder of CSV files, each possibly prefixed with a
  time stamp such as ``120000UTC_``): ``signals.csv`` joined with ``categories.csv``,
  ``locations.csv`` and ``statuses.csv``. In ``locations.csv`` the column ``lat`` holds the
  point's x (longitude) and ``lng`` its y (latitude), as Signalen writes them;
* the flat "TDO" export of the view ``signals_ext_tdo`` (``id, created_at, updated_at,
  geometry, status, main_slug, sub_slug``), or a hand-made flat CSV with ``lat`` and ``lon``;
* GeoJSON points with the same properties.

Privacy: the signal's free text, notes, status texts, employee names and the reporter's contact
details are never read into the store; ``reporters.csv`` and ``notes.csv`` are not even opened.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from ..errors import InputError, WeerbaarError
from .models import Report, utcnow

__all__ = [
    "RELEVANT_SLUGS",
    "KIND",
    "FINAL_STATES",
    "SKIP_REASONS",
    "categories",
    "import_signalen",
]

# The Signalen sub categories that count as drug nuisance. ``drank-en-drugsoverlast`` ("drank- en
# drugsoverlast", under ``overlast-van-en-door-personen-of-groepen``) is the only one in the 2019
# taxonomy; its public form asks whether drugs seem to be sold. One place to extend.
RELEVANT_SLUGS: frozenset[str] = frozenset({"drank-en-drugsoverlast"})
KIND = "nuisance"  # our kind (weerbaar.store.models.KINDS) for every imported signal
# Signalen's final states (signals/apps/signals/workflow.py): afgehandeld, geannuleerd, gesplitst.
FINAL_STATES: dict[str, str] = {"o": "afgehandeld", "a": "geannuleerd", "s": "gesplitst"}
SKIP_REASONS = ("other_category", "unknown_category", "no_id", "bad_date", "no_location", "outside_amsterdam")
SOURCE = "signalen"
Progress = Callable[[str], None]

# Columns read from each shape; every other column (text, text_extra, address, reporter ids...) is ignored.
DWH_TABLES = {
    "signals": ("id", "created_at", "category_assignment_id", "location_id", "status_id"),
    "categories": ("id", "sub_slug"),
    "locations": ("id", "lat", "lng"),
    "statuses": ("id", "state"),
}
FLAT_ID = ("id",)
FLAT_CREATED = ("created_at",)
FLAT_CATEGORY = ("sub_slug", "category_slug", "sub_category", "category")
FLAT_STATE = ("status", "state")
FLAT_LON = ("lon", "lng", "longitude")
FLAT_LAT = ("lat", "latitude")
EXPECTED_FLAT = (
    "id, created_at, sub_slug (or category_slug/category), geometry (or lat and lon), optionally status "
    "(the Signalen TDO export signals_ext_tdo, or a flat CSV)"
)
# Roughly the Netherlands in longitude/latitude: used only to tell a swapped lat/lon pair.
_NL_LON, _NL_LAT = (3.0, 7.5), (50.5, 54.0)


def _quiet(_line: str) -> None:
    pass


# ---------------------------------------------------------------------------------------------
# the category taxonomy (a packaged copy of signals_categories_flat.csv)


@cache
def categories() -> dict[str, dict[str, str]]:
    """Signalen's category taxonomy by slug: ``name``, ``parent_slug`` ('' for a main category), ``is_active``."""
    text = (resources.files("weerbaar") / "data" / "signalen-categories" / "categories.csv").read_text("utf-8")
    found: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["slug"] in found and not row["parent_slug"]:
            continue  # "overig" is a main and a sub category: a signal's sub_slug names the sub category
        found[row["slug"]] = row
    return found


@cache
def _by_name() -> dict[str, str]:
    return {row["name"].casefold(): slug for slug, row in categories().items()}


def _slug(value: str) -> str:
    """A category slug from a slug, a Signalen category URL (.../sub_categories/<slug>) or a name."""
    value = (value or "").strip()
    if "/" in value:
        value = value.rstrip("/").rsplit("/", 1)[1]
    if value in categories():
        return value
    return _by_name().get(value.casefold(), value)


# ---------------------------------------------------------------------------------------------
# reading the files


@dataclass
class _Table:
    label: str  # for messages: the file (and member) name
    header: list[str]
    rows: list[dict[str, str]]


def _parse_csv(text: str, label: str) -> _Table:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(
            "The CSV file cannot be read.",
            received=f"{label}: {exc}",
            expected="a comma- or semicolon-separated file with a header row",
            fix="export the file again from Signalen",
        ) from None
    if not header:
        raise InputError(
            "The CSV file is empty.", received=label, expected="a header row", fix="export the file again from Signalen"
        )
    return _Table(label, header, rows)


def _decode(data: bytes, label: str = "") -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _table_of(name: str) -> str | None:
    """Which datawarehouse table a member is (``120000UTC_signals.csv`` -> ``signals``), if any we read."""
    base = name.rsplit("/", 1)[-1].lower()
    if not base.endswith(".csv"):
        return None
    stem = base[:-4]
    for table in DWH_TABLES:  # the other export files (notes, reporters, sla...) end in other words
        if stem == table or stem.endswith("_" + table):
            return table
    return None


def _bundle_members(path: Path) -> dict[str, tuple[str, bytes]]:
    """The CSV files we read of a datawarehouse ZIP or folder, by table name (other files are not opened)."""
    found: dict[str, tuple[str, bytes]] = {}
    try:
        if path.is_dir():
            for file in sorted(path.iterdir()):
                table = _table_of(file.name)
                if table and table not in found:
                    _check_size(file.stat().st_size, str(file))
                    found[table] = (str(file), file.read_bytes())
        else:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    table = _table_of(info.filename)
                    if table and table not in found:
                        found[table] = (f"{path}:{info.filename}", _read_capped(archive, info, path))
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            "The export cannot be read.",
            received=f"{path}: {exc}",
            expected="the ZIP (or folder) of a Signalen datawarehouse export",
            fix="download the export again",
        ) from None
    return found


#: Bytes of one file (or unpacked ZIP member) read: a 775 KB ZIP unpacking to 200 MB ran out of memory.
MEMBER_MAX = 100 * 2**20


def _check_size(size: int, label: str) -> None:
    if size > MEMBER_MAX:
        raise InputError(
            "A file of the export is too large.",
            received=f"{label}: more than {MEMBER_MAX // 2**20} MB (unpacked)",
            expected=f"at most {MEMBER_MAX // 2**20} MB per file",
            fix="export a shorter period (or only the drug-related categories) from Signalen",
        )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A ZIP member read as a stream and stopped at ``MEMBER_MAX`` bytes, whatever its header claims."""
    label = f"{path}:{info.filename}"
    _check_size(info.file_size, label)
    chunks, total = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            _check_size(total, label)
            chunks.append(chunk)
    return b"".join(chunks)


def _require(table: _Table, columns: Iterable[str], expected: str) -> None:
    missing = [c for c in columns if c not in table.header]
    if missing:
        raise InputError(
            f"The file lacks the column(s) {', '.join(missing)}.",
            received=", ".join(table.header) or "no columns",
            expected=expected,
            fix="export the file again from Signalen, or rename the columns to the expected names",
            file=table.label,
        )


def _first(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in header), None)


@dataclass
class _Signal:
    row: int
    signal_id: str
    created_at: str
    slug: str
    state: str
    lon: float | None = None  # None when absent / unreadable
    lat: float | None = None
    rd: bool = False  # x/y in RD New instead of lon/lat
    seen_at: str = ""  # Signalen's incident_date_start, when the export has it


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        text = str(value).strip()
        number = float(text.replace(",", ".") if "." not in text else text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _geometry(value: str) -> tuple[float | None, float | None, bool]:
    """x, y and whether they are RD New, from hex (E)WKB as PostgreSQL's COPY writes it, or (E)WKT."""
    import shapely

    value = (value or "").strip()
    if not value:
        return None, None, False
    try:
        if all(c in "0123456789abcdefABCDEF" for c in value):
            geom = shapely.from_wkb(bytes.fromhex(value))
        else:
            srid_text, _, wkt = value.partition(";") if value.upper().startswith("SRID=") else ("", "", value)
            geom = shapely.from_wkt(wkt)
            if srid_text:
                geom = shapely.set_srid(geom, int(srid_text.split("=", 1)[1]))
    except Exception:  # unreadable geometry: counted as no location
        return None, None, False
    if geom is None or geom.is_empty or not isinstance(geom, shapely.Point):
        return None, None, False
    return geom.x, geom.y, shapely.get_srid(geom) == 28992


def _read_dwh(path: Path, members: dict[str, tuple[str, bytes]]) -> Iterator[_Signal]:
    missing = [t for t in DWH_TABLES if t not in members]
    if missing:
        raise InputError(
            "The datawarehouse export lacks files.",
            received=", ".join(label for label, _ in members.values()) or f"no CSV files in {path}",
            expected="signals.csv, categories.csv, locations.csv and statuses.csv (names may carry a time prefix)",
            fix="pass the whole ZIP (or folder) of the Signalen datawarehouse export",
            file=str(path),
        )
    tables = {}
    for name, columns in DWH_TABLES.items():
        label, data = members[name]
        tables[name] = _parse_csv(_decode(data, label), label)
        _require(tables[name], columns, f"the Signalen datawarehouse {name}.csv with {', '.join(columns)}")
    cats = {r["id"]: r["sub_slug"] for r in tables["categories"].rows}
    locs = {r["id"]: (r["lat"], r["lng"]) for r in tables["locations"].rows}
    states = {r["id"]: r["state"] for r in tables["statuses"].rows}
    for i, r in enumerate(tables["signals"].rows, start=1):
        # Signalen writes st_x (longitude) as "lat" and st_y (latitude) as "lng".
        x, y = locs.get(r["location_id"], (None, None))
        yield _Signal(
            row=i,
            signal_id=(r["id"] or "").strip(),
            created_at=r["created_at"],
            slug=(cats.get(r["category_assignment_id"]) or "").strip(),
            state=(states.get(r["status_id"]) or "").strip(),
            lon=_number(x),
            lat=_number(y),
            seen_at=r.get("incident_date_start") or "",
        )


def _read_flat(table: _Table) -> Iterator[_Signal]:
    category = _first(table.header, FLAT_CATEGORY)
    state = _first(table.header, FLAT_STATE)
    lon, lat = _first(table.header, FLAT_LON), _first(table.header, FLAT_LAT)
    has_geometry = "geometry" in table.header
    missing = [c for c in ("id", "created_at") if c not in table.header]
    if category is None:
        missing.append("sub_slug")
    if not has_geometry and (lon is None or lat is None):
        missing.append("geometry (or lat and lon)")
    if missing:
        raise InputError(
            f"The file lacks the column(s) {', '.join(missing)}.",
            received=", ".join(table.header) or "no columns",
            expected=EXPECTED_FLAT,
            fix="export the file again from Signalen, or rename the columns to the expected names",
            file=table.label,
        )
    assert category is not None  # a file without it was refused above
    for i, r in enumerate(table.rows, start=1):
        signal = _Signal(
            row=i,
            signal_id=(r.get("id") or "").strip(),
            created_at=r.get("created_at") or "",
            slug=(r.get(category) or "").strip(),
            state=(r.get(state) or "").strip() if state else "",
            seen_at=r.get("incident_date_start") or "",
        )
        if has_geometry and (r.get("geometry") or "").strip():
            signal.lon, signal.lat, signal.rd = _geometry(r["geometry"])
        elif lon and lat:
            signal.lon, signal.lat = _number(r.get(lon)), _number(r.get(lat))
        yield signal


def _read_geojson(path: Path, text: str) -> Iterator[_Signal]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            "The GeoJSON file cannot be read.",
            received=f"{path}: {exc.msg} at line {exc.lineno}",
            expected="a GeoJSON FeatureCollection of points",
            fix="export the file again",
        ) from None
    except RecursionError:
        raise InputError(
            "The GeoJSON file is nested too deeply to be a Signalen export.",
            received=f"{path}: JSON nested deeper than Python reads",
            expected="a GeoJSON FeatureCollection of points",
            fix="export the file again from Signalen",
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(
            "The file is not a GeoJSON FeatureCollection.",
            received=f"{path}: {type(data).__name__}",
            expected="a FeatureCollection of points",
            fix="export the signals as GeoJSON",
        )
    props = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
    keys = sorted(set().union(*(p.keys() for p in props))) if props else []
    table = _Table(str(path), keys, [])
    missing = [c for c in ("id", "created_at") if c not in keys]
    if _first(keys, FLAT_CATEGORY) is None:
        missing.append("sub_slug")
    if features and missing:
        raise InputError(
            f"The features lack the propert(ies) {', '.join(missing)}.",
            received=", ".join(keys) or "no properties",
            expected="properties id, created_at, sub_slug (or category_slug/category), optionally status",
            fix="export the file again, or rename the properties",
            file=table.label,
        )
    category, state = _first(keys, FLAT_CATEGORY), _first(keys, FLAT_STATE)
    for i, (feature, p) in enumerate(zip(features, props, strict=True), start=1):
        slug = p.get(category)
        if isinstance(slug, dict):  # {"slug": ..., "name": ...} or a sub-object with a url
            slug = slug.get("slug") or slug.get("sub_slug") or slug.get("url") or slug.get("name")
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        x = y = None
        if isinstance(coords, list) and len(coords) >= 2:
            x, y = _number(coords[0]), _number(coords[1])
        yield _Signal(
            row=i,
            signal_id=str(p.get("id") if p.get("id") is not None else "").strip(),
            created_at=str(p.get("created_at") or ""),
            slug=str(slug or "").strip(),
            state=str(p.get(state) or "").strip() if state else "",
            lon=x,
            lat=y,
        )


def _read(path: Path) -> tuple[str, list[_Signal]]:
    """The export's shape and its signals; raises InputError before anything is stored."""
    if not path.exists():
        raise InputError(
            "The export file does not exist.",
            received=str(path),
            expected="a Signalen export: ZIP, folder, CSV or GeoJSON",
            fix="check the path",
        )
    if path.is_dir() or zipfile.is_zipfile(path):
        members = _bundle_members(path)
        if "signals" in members:
            label, data = members["signals"]
            table = _parse_csv(_decode(data, label), label)
            if "category_assignment_id" not in table.header and ("sub_slug" in table.header):
                return "tdo", list(_read_flat(table))
        return "datawarehouse", list(_read_dwh(path, members))
    try:
        _check_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            "The export file cannot be read.", received=f"{path}: {exc.strerror}", expected="a readable file"
        ) from None
    text = _decode(data, str(path))
    if path.suffix.lower() in (".geojson", ".json") or text.lstrip("\ufeff \r\n\t").startswith("{"):
        return "geojson", list(_read_geojson(path, text))
    table = _parse_csv(text, str(path))
    if "category_assignment_id" in table.header:
        raise InputError(
            "This is the signals.csv of a Signalen datawarehouse export: alone it holds no category or place.",
            received=str(path),
            expected="the whole export: signals.csv with categories.csv, locations.csv and statuses.csv",
            fix="pass the ZIP of the export (or the folder holding its CSV files)",
            file=str(path),
        )
    return ("tdo" if "geometry" in table.header else "flat-csv"), list(_read_flat(table))


# ---------------------------------------------------------------------------------------------
# checking a signal


def _created_at(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    from .reports import EARLIEST, as_utc

    utc = as_utc(moment)  # None for year 1 or 9999 (converting them across a time zone overflows)
    if utc is None or utc > utcnow() + timedelta(minutes=10) or utc < EARLIEST:
        return None
    return utc


def _seen(value: str, created: datetime) -> datetime | None:
    """Signalen's incident start when it lies in the report's window (at most 12 months before it), else
    none: the report then counts in the month it was made."""
    from .reports import seen_in_window

    seen = _created_at(value)
    return seen if seen_in_window(seen, created) else None


@lru_cache(maxsize=1)
def _to_rd():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def _in_nl(lon: float, lat: float) -> bool:
    return _NL_LON[0] <= lon <= _NL_LON[1] and _NL_LAT[0] <= lat <= _NL_LAT[1]


def _place(signal: _Signal) -> tuple[str, float, float] | str:
    """(crs, x, y) for submit_report, or the skip reason."""
    from .reports import BBOX

    if signal.lon is None or signal.lat is None:
        return "no_location"
    x, y = float(signal.lon), float(signal.lat)
    if signal.rd:
        crs, rx, ry = "EPSG:28992", x, y
    else:
        if not _in_nl(x, y) and _in_nl(y, x):  # a swapped pair (lat first): unambiguous in the Netherlands
            x, y = y, x
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return "outside_amsterdam"
        crs = "EPSG:4326"
        rx, ry = _to_rd().transform(x, y)
    xmin, ymin, xmax, ymax = BBOX
    if not (math.isfinite(rx) and math.isfinite(ry) and xmin <= rx <= xmax and ymin <= ry <= ymax):
        return "outside_amsterdam"
    return crs, x, y


# ---------------------------------------------------------------------------------------------
# the import


def import_signalen(path: Path | str, *, url: str | None = None, progress: Progress = _quiet) -> dict:
    """Import the drug-relevant signals of one Signalen export into the operational store, atomically.

    Returns a summary: ``file``, ``format``, ``read`` (signals in the file), ``imported`` (new
    reports), ``closed`` (of those, closed because Signalen's state is final), ``already_present``
    (imported before: stored nothing), ``skipped`` (count per reason in ``SKIP_REASONS``),
    ``unknown_slugs`` and ``other_slugs`` (category slug -> count). Raises InputError, before
    storing anything, when the file cannot be read or lacks required columns.
    """
    from . import db
    from .reports import change_status, submit_report

    path = Path(path)
    fmt, signals = _read(path)
    progress(f"read {len(signals):,} signals from {path.name} ({fmt})")
    skipped: Counter[str] = Counter({reason: 0 for reason in SKIP_REASONS})
    unknown: Counter[str] = Counter()
    other: Counter[str] = Counter()
    imported = closed = present = 0
    taxonomy = categories()
    db.upgrade(url)
    with db.session(url) as s:
        known = set(s.scalars(select(Report.external_id).where(Report.external_id.like(f"{SOURCE}:%"))))
        for signal in signals:
            slug = _slug(signal.slug)
            if not signal.signal_id:
                skipped["no_id"] += 1
                continue
            if slug not in taxonomy:
                skipped["unknown_category"] += 1
                unknown[slug or "(empty)"] += 1
                continue
            if slug not in RELEVANT_SLUGS:
                skipped["other_category"] += 1
                other[slug] += 1
                continue
            created_at = _created_at(signal.created_at)
            if created_at is None:
                skipped["bad_date"] += 1
                continue
            place = _place(signal)
            if isinstance(place, str):
                skipped[place] += 1
                continue
            crs, x, y = place
            external_id = f"{SOURCE}:{signal.signal_id}"
            if external_id in known:
                present += 1
                continue
            try:
                report = submit_report(
                    s,
                    kind=KIND,
                    x=x,
                    y=y,
                    crs=crs,
                    seen_at=_seen(signal.seen_at, created_at),
                    created_at=created_at,
                    source=SOURCE,
                    external_id=external_id,
                    category=slug,
                    description="",
                )
                known.add(external_id)
                imported += 1
                state = signal.state.lower()
                if state in FINAL_STATES:
                    change_status(s, report.id, "closed", reason=f"imported from Signalen: state {state}", actor=None)
                    closed += 1
            except WeerbaarError as exc:
                raise InputError(
                    f"Signal {signal.signal_id} cannot be imported: {exc.problem}",
                    received=exc.received,
                    expected=exc.expected,
                    fix="correct or remove this row; nothing of this file was stored",
                    file=str(path),
                    row=signal.row,
                ) from None
    summary = {
        "file": str(path),
        "format": fmt,
        "read": len(signals),
        "imported": imported,
        "closed": closed,
        "already_present": present,
        "skipped": dict(skipped),
        "unknown_slugs": dict(unknown.most_common()),
        "other_slugs": dict(other.most_common()),
    }
    progress(
        f"{imported:,} imported ({closed:,} closed), {present:,} already present, {sum(skipped.values()):,} skipped"
    )
    return summary
