"""The pipeline's verbs as functions: build the embedded default, ingest files, describe.

The CLI is a thin layer over these. Every function takes a ``progress`` callback that receives
one line of text per step, so long work is visible.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import settings
from .areas import build_crosswalk, read_area_file
from .errors import InputError, NotBuiltError, WeerbaarError
from .sources import SourceData, available
from .sources.generic import read_events_csv, read_observations_csv
from .warehouse import WAREHOUSE_FILE, Warehouse

__all__ = [
    "warehouse_path",
    "open_warehouse",
    "build",
    "ingest_areas",
    "ingest_observations",
    "ingest_events",
    "ingest_amsterdam_areas",
    "ingest_amsterdam_bbga",
    "ingest_cbs_kwb",
    "DERIVED_CROSSWALKS",
]

Progress = Callable[[str], None]

#: (from division, from level, to division, to level) crosswalks derived after the areas load.
DERIVED_CROSSWALKS = [
    ("2015", "buurt", "2022", "buurt"),
    ("2022", "buurt", "2015", "buurt"),
    ("vm", "wijk", "2022", "buurt"),
]


def _quiet(_: str) -> None:
    pass


def warehouse_path(home: Path | None = None) -> Path:
    return Path(home or settings.home()) / WAREHOUSE_FILE


def open_warehouse(home: Path | None = None, *, read_only: bool = True) -> Warehouse:
    return Warehouse.open(warehouse_path(home), read_only=read_only)


def clean_stale_builds(home: Path | None = None, progress: Progress = _quiet) -> list[str]:
    """Remove what a killed ``build`` left behind (``.warehouse.duckdb.building-<pid>`` and its WAL), when
    that process no longer runs; returns the names removed."""
    target = warehouse_path(home)
    removed = []
    for path in sorted(target.parent.glob(f".{target.name}.building-*")):
        pid_text = path.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _running(int(pid_text)):
            continue  # another build is still writing it
        path.unlink(missing_ok=True)
        removed.append(path.name)
    if removed:
        progress(f"removed {len(removed)} file(s) left by an interrupted build: {', '.join(removed)}")
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _built_here() -> set[str]:
    from .warehouse.store import CATALOGUE_SOURCE

    return {s.name for s in available().values()} | {"weerbaar-derived", "synthetic-default", CATALOGUE_SOURCE}


def _imported_sources(target: Path) -> list[dict]:
    """The sources of the current warehouse that ``build`` does not make itself (ingested files, online
    sources, the residents' report counts), with everything they loaded."""
    import shapely
    from geopandas import GeoDataFrame

    from .warehouse.schema import TABLES
    from .warehouse.store import NO_SOURCE_TABLES

    if not target.exists():
        return []
    out = []
    wh = Warehouse.open(target, read_only=True)
    try:
        sources = wh.query("SELECT * FROM sources ORDER BY loaded_at, name")
        for row in sources.to_dict("records"):
            if row["name"] in _built_here():
                continue
            data = SourceData()
            for table in TABLES:
                if table in NO_SOURCE_TABLES:
                    continue
                frame = wh.query(f"SELECT * EXCLUDE (source) FROM {table} WHERE source = ?", [row["name"]])
                if len(frame):
                    if table == "areas":
                        wkb = [None if g is None else bytes(g) for g in frame.pop("geometry")]
                        geometry = shapely.from_wkb(wkb)
                        frame = GeoDataFrame(frame, geometry=geometry, crs="EPSG:28992")
                    setattr(data, table, frame)
            out.append({"source": row, "data": data})
    finally:
        wh.close()
    return out


def build(
    *,
    home: Path | None = None,
    real_only: bool = False,
    seed: int | None = None,
    keep_imported: bool = True,
    progress: Progress = _quiet,
) -> dict:
    """Build the embedded Amsterdam default into a fresh warehouse, atomically.

    The new warehouse is written next to the old one and moved into place only when complete,
    so a failing build leaves the previous warehouse untouched. Sources imported into the old warehouse
    (``weerbaar ingest ...``) are carried over unless ``keep_imported`` is False; the answer's ``kept`` and
    ``dropped`` say which.
    """
    started = datetime.now(UTC).replace(tzinfo=None)
    t0 = time.perf_counter()
    target = warehouse_path(home)
    clean_stale_builds(home, progress)
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    imported = _imported_sources(target)
    kept: list[str] = []
    dropped: dict[str, str] = {}
    seed = settings.get("seed") if seed is None else seed
    sources = [s for s in available().values() if s.packaged() is not None]
    steps = len(sources) + 2 + (0 if real_only else 1)
    step = 0

    def say(text: str) -> None:
        progress(f"[{step}/{steps}] {text}")

    wh = Warehouse.create(tmp)
    try:
        for src in sources:
            step += 1
            t = time.perf_counter()
            packaged = src.packaged()
            assert packaged is not None  # the sources were chosen for having a packaged copy
            data, manifest = packaged
            report = wh.load(
                src.name,
                data,
                kind="real",
                title=src.title,
                files=", ".join(src.files),
                version=manifest.get("version", ""),
                checksum=manifest.get("checksum", ""),
                licence=src.licence,
                attribution=src.attribution,
                period=src.period,
            )
            say(f"{src.name}: {report.total:,} rows ({time.perf_counter() - t:.1f} s)")
        step += 1
        t = time.perf_counter()
        n = _load_derived(wh)
        say(f"crosswalks between divisions: {n:,} rows ({time.perf_counter() - t:.1f} s)")
        if not real_only:
            from .synthetic.amsterdam import default_layers

            step += 1
            t = time.perf_counter()
            scenario_data, meta = default_layers(wh, seed=seed)
            report = wh.load(
                "synthetic-default",
                scenario_data,
                kind="synthetic",
                title="Synthetic demonstration layers (calibrated to real Amsterdam totals)",
                version=f"seed {seed}",
                licence="generated by weerbaar",
                attribution="weerbaar synthetic generator: NOT real figures",
                period=meta["period"],
            )
            say(f"synthetic layers (seed {seed}): {report.total:,} rows ({time.perf_counter() - t:.1f} s)")
        for item in imported:
            meta = item["source"]
            if not keep_imported:
                dropped[meta["name"]] = "--fresh"
                continue
            try:
                wh.load(
                    meta["name"], item["data"], kind=meta["kind"], title=meta["title"] or "", files=meta["files"] or "",
                    version=meta["version"] or "", checksum=meta["checksum"] or "", licence=meta["licence"] or "",
                    attribution=meta["attribution"] or "", period=meta["period"] or "",
                )  # fmt: skip
                kept.append(meta["name"])
            except WeerbaarError as exc:
                dropped[meta["name"]] = exc.problem
                progress(f"NOT kept: imported source {meta['name']}: {exc.problem}")
        if kept:
            progress(f"kept {len(kept)} imported source(s): {', '.join(kept)}")
        if dropped and not keep_imported:
            progress(f"dropped {len(dropped)} imported source(s) (--fresh): {', '.join(dropped)}")
        step += 1
        snapshot = wh.snapshot_hash()
        run_id = wh.record_run(
            "build", {"real_only": real_only, "seed": None if real_only else seed}, started_at=started
        )
        counts = wh.counts()
        wh.execute("CHECKPOINT")
        wh.close()
    except BaseException:
        wh.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    say(f"warehouse {target} ready, snapshot {snapshot} ({time.perf_counter() - t0:.1f} s in all)")
    return {
        "path": str(target),
        "snapshot": snapshot,
        "run_id": run_id,
        "counts": counts,
        "seconds": time.perf_counter() - t0,
        "kept": kept,
        "dropped": dropped,
    }


def _load_derived(wh: Warehouse) -> int:
    """Crosswalks between the loaded divisions, derived from their geometry."""
    frames = []
    for from_div, from_level, to_div, to_level in DERIVED_CROSSWALKS:
        src = wh.areas(division=from_div, level=from_level)
        tgt = wh.areas(division=to_div, level=to_level)
        if len(src) and len(tgt):
            frames.append(build_crosswalk(src, tgt, from_division=from_div, to_division=to_div))
    data = SourceData(crosswalk=pd.concat(frames, ignore_index=True) if frames else None)
    report = wh.load(
        "weerbaar-derived",
        data,
        kind="derived",
        title="Crosswalks between area divisions (overlap-weighted)",
        licence="derived",
        attribution="derived by weerbaar from the area sources",
    )
    return report.total


def _open_or_create(home: Path | None) -> Warehouse:
    path = warehouse_path(home)
    if path.exists():
        return Warehouse.open(path)
    return Warehouse.create(path)


def ingest_areas(
    path: Path,
    *,
    division: str | None = None,
    crs: str | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Import areas (GeoJSON/GeoPackage) into the warehouse, atomically."""
    wh = _open_or_create(home)
    try:
        areas = read_area_file(path, division=division, crs=crs, existing_parents=wh.area_keys())
        name = f"import:{Path(path).name}"
        report = wh.load(
            name,
            SourceData(areas=areas),
            kind="import",
            title=f"Areas imported from {Path(path).name}",
            files=str(path),
        )
        progress(f"{len(areas):,} areas loaded into division(s) {', '.join(sorted(set(areas['division'])))}")
        return {"source": name, "rows": report.total, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def ingest_observations(
    path: Path,
    *,
    division: str | None = None,
    source: str | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Import observations (CSV per the data contract), atomically."""
    wh = _require(home)
    try:
        name = source or f"import:{Path(path).name}"
        divisions = wh.area_divisions()
        obs = read_observations_csv(
            path, area_divisions=divisions, division=division or settings.get("division"), source=name
        )
        named = sorted(set(obs["source"]))
        if len(named) > 1:
            raise InputError(
                "The file names more than one source.",
                received=", ".join(named[:5]),
                expected="one source per file (the unit of provenance and of replacement)",
                fix="split the file per source, or leave the source column out",
                file=str(path),
                column="source",
            )
        name = named[0]
        kind = "synthetic" if (obs["status"] == "synthetic").all() else "import"
        if kind != "synthetic" and (obs["status"] == "synthetic").any():
            raise InputError(
                "The file mixes synthetic and real rows.",
                received="status synthetic on some rows only",
                expected="one kind per file",
                fix="split the file into a real and a synthetic one",
                file=str(path),
                column="status",
            )
        report = wh.load(
            name,
            SourceData(observations=obs),
            kind=kind,
            title=f"Observations imported from {Path(path).name}",
            files=str(path),
        )
        progress(
            f"{report.total:,} observations loaded as source {name}"
            + (f" (replacing {sum(report.replaced.values()):,})" if report.replaced else "")
        )
        return {"source": name, "rows": report.total, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def ingest_events(
    path: Path,
    *,
    crs: str = "EPSG:28992",
    source: str | None = None,
    type_map: Path | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Import point events (CSV per the data contract), atomically. ``type_map``: CSV ``from, to`` mapping a
    partner's type codes onto canonical types. Events outside the warehouse's areas are refused."""
    from .sources.generic import read_type_map

    mapping = read_type_map(type_map) if type_map is not None else None
    wh = _open_or_create(home)
    try:
        name = source or f"import:{Path(path).name}"
        events = read_events_csv(path, crs=crs, source=name, type_map=mapping)
        _check_events_in_areas(wh, events, str(path))
        kind = "synthetic" if (events["status"] == "synthetic").all() else "import"
        report = wh.load(
            name, SourceData(events=events), kind=kind, title=f"Events imported from {Path(path).name}", files=str(path)
        )
        progress(f"{report.total:,} events loaded as source {name}")
        return {"source": name, "rows": report.total, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def _check_events_in_areas(wh: Warehouse, events: pd.DataFrame, file: str) -> None:
    """Refuse events that fall outside every area of the warehouse (when it has areas)."""
    import numpy as np
    import shapely

    areas = wh.areas(level="stad")
    if areas.empty:
        areas = wh.areas()
    if areas.empty:
        return
    cover = shapely.buffer(shapely.union_all(areas.geometry.values), 1.0)
    shapely.prepare(cover)
    inside = shapely.contains_xy(cover, events["x"].to_numpy(), events["y"].to_numpy())
    if not inside.all():
        row = int(np.flatnonzero(~inside)[0])
        raise InputError(
            f"Event lies outside the city's areas ({int((~inside).sum())} rows).",
            received=f"event_id {events['event_id'].iloc[row]!r} at x={events['x'].iloc[row]:.0f}, "
            f"y={events['y'].iloc[row]:.0f} (EPSG:28992)",
            expected="events inside the areas in the warehouse",
            fix="check --crs and the coordinate order, or drop events from outside the city",
            file=file,
            row=row + 1,
        )


def ingest_facilities(
    path: Path,
    *,
    fmt: str = "auto",
    crs: str = "EPSG:28992",
    source: str | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Import facility points (the city's layer, an OpenStreetMap export or a CSV), atomically."""
    from .sources.facility_import import read_facilities

    name = source or f"import:{Path(path).name}"
    data = read_facilities(path, fmt=fmt, crs=crs, source=name)  # validated whole before the warehouse is touched
    wh = _open_or_create(home)
    try:
        report = wh.load(
            name, data, kind="import", title=f"Facilities imported from {Path(path).name}", files=str(path)
        )
        for note in data.notes:
            progress(f"note: {note}")
        assert data.facilities is not None  # read_facilities returns facilities or raises
        counts = data.facilities["type"].value_counts().to_dict()
        progress(
            f"{report.total:,} facilities loaded as source {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        return {"source": name, "rows": report.total, "types": counts, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def ingest_reports(
    *,
    home: Path | None = None,
    database_url: str | None = None,
    radius_m: float | None = None,
    division: str = "2022",
    progress: Progress = _quiet,
) -> dict:
    """Counts of the residents' reports in the operational store, per buurt, month and facility type,
    into the warehouse as source ``operational-reports`` (replacing its earlier counts, atomically)."""
    from .sources.operational_reports import NAME, TITLE, aggregate_reports, read_reports
    from .store import database_url as store_url

    radius_m = float(settings.get("facility_radius_m")) if radius_m is None else float(radius_m)
    url = database_url or store_url(home)
    reports = read_reports(url)
    if reports.attrs.get("dropped"):
        progress(f"note: {reports.attrs['dropped']} reports dated outside the accepted window are not counted")
    wh = _require(home)
    try:
        buurten = wh.areas(division=division, level="buurt")
        facilities = wh.query("SELECT x, y, type FROM facilities")
        data = aggregate_reports(reports, buurten, facilities, division=division, radius_m=radius_m)
        obs = data.observations
        covered = sorted(set(obs["period"])) if obs is not None and len(obs) else []
        period = f"{covered[0]}..{covered[-1]}" if covered else "from the operational store"
        report = wh.load(NAME, data, kind="real", title=TITLE, period=period)
        for note in data.notes:
            progress(f"note: {note}")
        progress(f"{len(reports):,} reports -> {report.total:,} rows as source {NAME}")
        for line in superseded_summary(report, covered):
            progress(line)
        return {
            "source": NAME,
            "reports": len(reports),
            "rows": report.total,
            "covered": [covered[0], covered[-1]] if covered else [],
            "superseded": list(report.superseded),
            "snapshot": wh.snapshot_hash(),
        }
    finally:
        wh.close()


def superseded_summary(report, covered: list[str]) -> list[str]:
    """Lines telling the user what decision 0010 did in a load: the synthetic stand-ins it replaced and
    which periods the real data now covers (other periods of those indicators have no data any more)."""
    lines = [f"decision 0010: {n}" for n in report.superseded]
    if covered:
        span = covered[0] if len(covered) == 1 else f"{covered[0]} to {covered[-1]}"
        lines.append(
            f"real data now covers {span} ({len(covered)} period{'s' if len(covered) != 1 else ''})"
            + (
                "; the synthetic series of the replaced indicators is gone, so other periods show no data for them"
                if report.superseded
                else ""
            )
        )
    if report.superseded:
        lines.append("run `weerbaar compute standard` to recompute the stored analyses that rested on the stand-in")
    return lines


def ingest_cbs_police(
    *,
    tables: tuple[str, ...] = ("47018NED", "47022NED"),
    municipality: str = "GM0363",
    since: str | None = None,
    refetch: bool = False,
    home: Path | None = None,
    client=None,
    progress: Progress = _quiet,
    **fetch_options,
) -> dict:
    """Police-registered crime from CBS StatLine (online, incremental), one source per table, atomically.

    Every table is downloaded completely (resuming an interrupted run) before the warehouse is
    opened for writing; without a connection a SourceOfflineError is raised and the warehouse is
    left untouched. CBS codes are linked to the areas in the warehouse (their ``cbs_code``).
    """
    from .sources.cbs_police import fetch, load_options

    wh = _require(home)
    try:
        areas = wh.areas(geometry=False)
    finally:
        wh.close()
    fetched = {
        t: fetch(
            municipality,
            table=t,
            since=since,
            refetch=refetch,
            client=client,
            home=home,
            areas=areas,
            progress=progress,
            **fetch_options,
        )
        for t in tables
    }
    wh = _require(home)
    try:
        out = {}
        for t, data in fetched.items():
            options = load_options(t, municipality, data)
            name = options.pop("source")
            report = wh.load(name, data, **options)
            for note in data.notes:
                progress(f"note: {note}")
            progress(f"{report.total:,} rows loaded as source {name}")
            periods = sorted(set(data.observations["period"])) if data.observations is not None else []
            for line in superseded_summary(report, periods):
                progress(line)
            out[name] = report.total
            moved = _load_crosswalked(wh, name, options.get("title", name))
            if moved is not None:
                progress(f"{moved[1]:,} rows of earlier years moved onto the 2022 division as source {moved[0]}")
                out[moved[0]] = moved[1]
        return {"sources": out, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def ingest_cbs_kwb(
    *,
    years: tuple[int, ...] | list[int],
    municipality: str = "GM0363",
    home: Path | None = None,
    client=None,
    refetch: bool = False,
    progress: Progress = _quiet,
    **fetch_options,
) -> dict:
    """CBS "Kerncijfers wijken en buurten" from StatLine (online), one source ``cbs-kwb-<year>`` per year.

    Every year is downloaded before the warehouse is opened for writing; offline a SourceOfflineError
    is raised and the warehouse is untouched. A year loads under the same name as the embedded 2021
    file source (``cbs-kwb-2021``), so the online 2021 table replaces the file's rows instead of adding
    to them. Figures and indicator definitions another real source already holds (e.g. the BBGA's
    population) are kept from that source and left out here, with a note.
    """
    from .sources.cbs_kwb_online import fetch_kwb, kwb_load_options, kwb_table

    wanted = sorted({int(y) for y in years})
    for y in wanted:
        kwb_table(y)  # an unknown year fails before any download
    wh = _require(home)
    try:
        areas = wh.areas(geometry=False)
    finally:
        wh.close()
    fetched = {
        y: fetch_kwb(
            y, municipality, client=client, areas=areas, home=home, refetch=refetch, progress=progress, **fetch_options
        )
        for y in wanted
    }
    wh = _require(home)
    try:
        out = {}
        for y, data in fetched.items():
            options = kwb_load_options(y, municipality, data)
            name = options.pop("source")
            _drop_held(wh, data, name)
            report = wh.load(name, data, **options)
            for note in data.notes:
                progress(f"note: {note}")
            progress(f"{report.total:,} rows loaded as source {name}")
            periods = sorted(set(data.observations["period"])) if data.observations is not None else []
            for line in superseded_summary(report, periods):
                progress(line)
            out[name] = report.total
        return {"sources": out, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def _drop_held(wh: Warehouse, data: SourceData, source: str) -> None:
    """Leave out of ``data`` the indicator definitions and real figures other sources than ``source`` hold."""
    if data.indicators is not None:
        held = {r[0] for r in wh.execute("SELECT indicator FROM indicators WHERE source <> ?", [source])}
        data.indicators = data.indicators[~data.indicators["indicator"].isin(held)].reset_index(drop=True)
    if data.observations is None or data.observations.empty:
        return
    keys = ["division", "area_code", "period", "indicator"]
    wh.con.register("_incoming_keys", data.observations[keys])
    try:
        taken = wh.query(
            "SELECT DISTINCT o.division, o.area_code, o.period, o.indicator, o.source FROM observations o "
            "JOIN _incoming_keys k USING (division, area_code, period, indicator) "
            "WHERE o.source <> ? AND o.status <> 'synthetic'",
            [source],
        )
    finally:
        wh.con.unregister("_incoming_keys")
    if len(taken):
        merged = data.observations.merge(taken[keys].drop_duplicates().assign(_taken=True), on=keys, how="left")
        data.observations = data.observations[merged["_taken"].isna().to_numpy()].reset_index(drop=True)
        names = ", ".join(sorted(set(taken["source"])))
        data.notes.append(f"{len(taken):,} figures another source already holds were kept from that source ({names}).")


def _load_crosswalked(wh: Warehouse, source: str, title: str) -> tuple[str, int] | None:
    """Continue a source's 2015-division buurt counts on the 2022 division (overlap-weighted crosswalk) for
    the periods the source has no 2022-division data for, as source ``crosswalk:<source>``; series on the
    2022 division then span the redivision, with a series break marked in March 2022."""
    from .areas import move_counts
    from .sources.base import SourceData

    name = f"crosswalk:{source}"
    obs = wh.query(
        "SELECT o.area_code, o.period, o.indicator, o.value, o.unit, o.status FROM observations o "
        "JOIN areas a ON a.division = o.division AND a.code = o.area_code "
        "WHERE o.source = ? AND o.division = '2015' AND a.level = 'buurt'",
        [source],
    )
    later = wh.query("SELECT DISTINCT period FROM observations WHERE source = ? AND division = '2022'", [source])
    obs = obs[~obs["period"].isin(set(later["period"]))]
    cw = wh.query("SELECT * FROM crosswalk WHERE from_division = '2015' AND to_division = '2022'")
    if obs.empty or cw.empty:
        if name in set(wh.query("SELECT name FROM sources")["name"]):
            wh.remove_source(name)
        return None
    moved = move_counts(obs, cw, to_division="2022")
    data = SourceData(
        observations=moved,
        notes=[f"{len(obs):,} buurt rows of the 2015 division moved by overlap share; withheld parts stay withheld"],
    )
    report = wh.load(
        name,
        data,
        kind="derived",
        title=f"{title}, earlier years moved onto the 2022 division (crosswalk)",
        period=f"{obs['period'].min()}..{obs['period'].max()}",
    )
    return name, report.total


def ingest_wastewater(
    path: Path,
    *,
    sites: Path | None = None,
    release: str | None = None,
    allow_older: bool = False,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Load a newer EUDA/SCORE wastewater release in place of the loaded one, atomically.

    ``path`` is the release's data file (``ww2025-all-data.csv`` and the like) or its folder; the site
    table is ``sites`` or the CSV with 'site' in its name next to it (without one, the loaded site table
    is kept). The release is read and validated whole before the warehouse is touched, then replaces
    every row of source ``euda-wastewater``. Cities are matched to the loaded release by name
    (``weerbaar.drug_use.compare_releases``), never by site ID; a release older than the loaded one is refused
    unless ``allow_older``. Returns the matching report, the rows and the snapshot.
    """
    from .drug_use import compare_releases
    from .sources.euda import NAME, EudaWastewater, find_release_files, read_release, release_checksum, release_label

    data_file, sites_file = find_release_files(path, sites)
    label = release or release_label(data_file)
    progress(f"[1/4] reading {data_file}" + (f" and {sites_file.name}" if sites_file else " (no site table)"))
    data = read_release(data_file, sites_file)  # validated whole before the warehouse is touched
    ww = data.wastewater
    assert ww is not None  # read_release returns the values or raises
    first, last = int(ww["year"].min()), int(ww["year"].max())
    progress(
        f"[2/4] {label}: {len(ww):,} values, {ww['city'].nunique()} cities, {ww['site_id'].nunique()} sites, "
        f"{first}-{last}"
    )
    wh = _require(home)
    try:
        old = wh.query("SELECT DISTINCT year, substance, site_id, city FROM wastewater WHERE source = ?", [NAME])
        if len(old) and int(old["year"].max()) > last and not allow_older:
            raise InputError(
                "The release is older than the one loaded.",
                received=f"{label} with years {first}-{last}",
                expected=f"a release at least as recent as the loaded one (years up to {int(old['year'].max())})",
                fix="load the newer release, or pass allow_older=True (`--allow-older`) to go back on purpose",
                file=str(data_file),
            )
        changes = compare_releases(old, ww)
        match, changed_ids, new_years, dropped = (changes[k] for k in ("cities", "site_ids", "new_years", "dropped"))
        notes = list(data.notes)
        if sites_file is None:
            kept = wh.query("SELECT * FROM wastewater_sites WHERE source = ?", [NAME])
            data.wastewater_sites = kept if len(kept) else None
            notes.append(f"no site table with the release: the {len(kept)} sites of the earlier release kept")
        notes += [
            f"{label}: {len(match['matched'])} cities matched by name to the earlier release, "
            f"{len(match['new'])} new, {len(match['missing'])} no longer in it",
            *(f"spelled otherwise: {o} -> {n}" for o, n in match["respelled"].items()),
            *(f"site ID changed: {c} {', '.join(a)} -> {', '.join(b)}" for c, (a, b) in changed_ids.items()),
            *(f"new city: {c}" for c in match["new"]),
            *(
                f"no longer in the release: {c}"
                + (f" (close: {', '.join(match['suggestions'][c])})" if c in match["suggestions"] else "")
                for c in match["missing"]
            ),
        ]
        if dropped:
            notes.append(f"{dropped} city, substance and year combinations of the earlier release not in this one")
        progress(
            f"[3/4] cities by name: {len(match['matched'])} matched ({len(match['respelled'])} spelled otherwise, "
            f"{len(changed_ids)} with another site ID), {len(match['new'])} new, {len(match['missing'])} gone"
            + (f"; new years {', '.join(map(str, new_years))}" if new_years else "")
        )
        for c, close in match["suggestions"].items():
            progress(f"  {c} is not in the release; close names: {', '.join(close)} (not merged)")
        data.notes = notes
        files = [data_file, *([sites_file] if sites_file else [])]
        report = wh.load(
            NAME,
            data,
            kind="real",
            title=f"EUDA/SCORE wastewater analysis, European cities {first}-{last} ({label})",
            files=", ".join(str(f) for f in files),
            version=label,
            checksum=release_checksum(*files),
            licence=EudaWastewater.licence,
            attribution=f"EUDA (formerly EMCDDA) and the SCORE group, wastewater analysis and drugs ({label})",
            period=f"{first}-{last}",
        )
        snapshot = wh.snapshot_hash()
        progress(
            f"[4/4] {report.total:,} rows loaded as source {NAME}"
            + (f" (replacing {sum(report.replaced.values()):,})" if report.replaced else "")
            + f", snapshot {snapshot}"
        )
        return {
            "source": NAME,
            "release": label,
            "period": f"{first}-{last}",
            "rows": report.total,
            "replaced": sum(report.replaced.values()),
            "cities": match,
            "site_ids_changed": changed_ids,
            "new_years": new_years,
            "dropped": dropped,
            "notes": notes,
            "snapshot": snapshot,
        }
    finally:
        wh.close()


def ingest_amsterdam_areas(
    *,
    home: Path | None = None,
    client=None,
    allow_removed: bool = False,
    progress: Progress = _quiet,
    **fetch_options,
) -> dict:
    """The current area division (2022) from Amsterdam's data API, replacing the 2022 areas atomically.

    Everything is downloaded and validated (the area contract's ``validate_areas``, as for
    ``weerbaar ingest areas``) before the warehouse is opened; without a connection a
    SourceOfflineError is raised and the warehouse is left untouched. The areas replace those of
    source ``amsterdam-areas-2022`` (the embedded default's) in one transaction; the codes added and
    removed are reported. A removed code that observations still use is refused unless
    ``allow_removed`` (those observations would no longer have an area). The derived crosswalks
    between divisions are recomputed afterwards.
    """
    from .sources.amsterdam_api import AREAS_SOURCE, ATTRIBUTION, BASE_URL, LICENCE, fetch_areas

    areas = fetch_areas(client=client, progress=progress, **fetch_options)
    wh = _open_or_create(home)
    try:
        sql = "SELECT DISTINCT source FROM areas WHERE division = '2022' AND source <> ?"
        others = [r[0] for r in wh.execute(sql, [AREAS_SOURCE])]
        if others:
            raise InputError(
                "Division 2022 already holds areas of another source.",
                received=", ".join(sorted(others)),
                expected=f"the 2022 areas from source {AREAS_SOURCE} (the embedded default) or none",
                fix="remove that source first, or import the API's areas under another division with a file",
            )
        old = {r[0] for r in wh.execute("SELECT code FROM areas WHERE source = ?", [AREAS_SOURCE])}
        new = set(areas["code"])
        added, removed = sorted(new - old), sorted(old - new)
        if removed:
            used = wh.query(
                "SELECT area_code, count(*) AS n FROM observations WHERE division = '2022' "
                "AND list_contains(?, area_code) GROUP BY area_code ORDER BY area_code",
                [removed],
            )
            if len(used) and not allow_removed:
                raise InputError(
                    "The API no longer has areas that observations in the warehouse use.",
                    received=", ".join(f"{c} ({n:,} rows)" for c, n in zip(used["area_code"], used["n"], strict=True)),
                    expected="every 2022 area code with observations to stay",
                    fix="check the city's new division; pass allow_removed=True (--allow-removed) to replace "
                    "the areas anyway (those observations then have no area until re-imported)",
                )
        report = wh.load(
            AREAS_SOURCE,
            SourceData(areas=areas),
            kind="real",
            title="Gebiedsindeling Amsterdam 2022, current, from the city's data API",
            files=f"{BASE_URL}/gebieden/",
            version=f"geldig op {datetime.now(UTC).date().isoformat()}",
            licence=LICENCE,
            attribution=ATTRIBUTION,
            period="2022-",
        )
        levels = areas["level"].value_counts().to_dict()
        progress(
            f"{len(areas):,} areas loaded into division 2022 as source {AREAS_SOURCE}: "
            + ", ".join(f"{levels.get(k, 0)} {k}" for k in ("stadsdeel", "gebied", "wijk", "buurt"))
        )
        if old:
            progress(f"codes added: {', '.join(added) or 'none'}; codes removed: {', '.join(removed) or 'none'}")
        n = _load_derived(wh)
        progress(f"crosswalks between divisions recomputed: {n:,} rows")
        return {
            "source": AREAS_SOURCE,
            "rows": report.total,
            "added": added,
            "removed": removed if old else [],
            "snapshot": wh.snapshot_hash(),
        }
    finally:
        wh.close()


def ingest_amsterdam_bbga(
    *,
    years: list[int] | None = None,
    variables: list[str] | None = None,
    home: Path | None = None,
    client=None,
    progress: Progress = _quiet,
    **fetch_options,
) -> dict:
    """BBGA kerncijfers from Amsterdam's data API as source ``amsterdam-api-bbga``, atomically.

    Downloads completely before writing; offline the warehouse is untouched. Codes are placed in the
    division of the loaded areas. Indicator definitions and figures another (real) source already
    holds, such as the BBGA file's (source ``ois-bbga``), are kept as they are and left out here
    with a note; synthetic stand-ins are replaced as for any real source.
    """
    from .sources.amsterdam_api import ATTRIBUTION, BASE_URL, BBGA_SOURCE, LICENCE, fetch_bbga

    wh = _require(home)
    try:
        areas = wh.areas(geometry=False)
    finally:
        wh.close()
    data = fetch_bbga(years=years, variables=variables, areas=areas, client=client, progress=progress, **fetch_options)
    wh = _require(home)
    try:
        held = {r[0] for r in wh.execute("SELECT indicator FROM indicators WHERE source <> ?", [BBGA_SOURCE])}
        assert data.indicators is not None and data.observations is not None  # fetch_bbga returns both or raises
        data.indicators = data.indicators[~data.indicators["indicator"].isin(held)].reset_index(drop=True)
        keys = ["division", "area_code", "period", "indicator"]
        wh.con.register("_incoming_keys", data.observations[keys])
        try:
            taken = wh.query(
                "SELECT DISTINCT o.division, o.area_code, o.period, o.indicator FROM observations o "
                "JOIN _incoming_keys k USING (division, area_code, period, indicator) "
                "WHERE o.source <> ? AND o.status <> 'synthetic'",
                [BBGA_SOURCE],
            )
        finally:
            wh.con.unregister("_incoming_keys")
        if len(taken):
            merged = data.observations.merge(taken.assign(_taken=True), on=keys, how="left")
            data.observations = data.observations[merged["_taken"].isna().to_numpy()].reset_index(drop=True)
            data.notes.append(f"{len(taken):,} figures another source already holds were kept from that source.")
        p = data.observations["period"]
        report = wh.load(
            BBGA_SOURCE,
            data,
            kind="real",
            title="OIS Basisbestand Gebieden Amsterdam (BBGA), from the city's data API",
            files=f"{BASE_URL}/bbga/kerncijfers/",
            licence=LICENCE,
            attribution="OIS Amsterdam, Basisbestand Gebieden Amsterdam; " + ATTRIBUTION,
            period=f"{p.min()}..{p.max()}" if len(p) else "",
        )
        for note in data.notes:
            progress(f"note: {note}")
        progress(f"{report.total:,} rows loaded as source {BBGA_SOURCE}")
        return {"source": BBGA_SOURCE, "rows": report.total, "snapshot": wh.snapshot_hash()}
    finally:
        wh.close()


def _require(home: Path | None) -> Warehouse:
    path = warehouse_path(home)
    if not path.exists():
        raise NotBuiltError(
            "There is no warehouse to import observations into.",
            received=str(path),
            expected="a warehouse with areas",
            fix="run `weerbaar build` or `weerbaar ingest areas` first",
        )
    return Warehouse.open(path)
