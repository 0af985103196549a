"""The warehouse: one DuckDB file with the canonical tables, atomic loads and snapshot hashes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, overload

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import __version__
from ..areas import RD_NEW
from ..errors import InputError, NotBuiltError, WarehouseError
from ..indicators import catalogue_rows
from ..sources.base import SourceData
from .schema import CONTENT_TABLES, SCHEMA_VERSION, TABLES, VOLATILE_COLUMNS, columns, ddl

__all__ = ["Warehouse", "LoadReport", "WAREHOUSE_FILE"]

WAREHOUSE_FILE = "warehouse.duckdb"
CATALOGUE_SOURCE = "weerbaar-catalogue"
#: Tables without a ``source`` column: bookkeeping and computed results.
NO_SOURCE_TABLES = ("sources", "runs", "meta", "results")


@dataclass(frozen=True)
class LoadReport:
    source: str
    rows: dict[str, int]
    replaced: dict[str, int]
    #: What the load did besides adding rows: e.g. which synthetic stand-ins it replaced (decision 0010).
    superseded: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class Warehouse:
    """A DuckDB warehouse file. Use :meth:`open` for an existing one, :meth:`create` for a new one."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        self.path = Path(path)
        self.con = con
        self.read_only = read_only

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> Warehouse:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        wh = cls(path, con, read_only=False)
        for stmt in ddl():
            wh.execute(stmt)
        wh.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        # The canonical indicators are known in every warehouse, also one built only from imports.
        wh.load(
            CATALOGUE_SOURCE,
            SourceData(indicators=catalogue_rows()),
            kind="derived",
            title="Canonical indicators of the data contract",
            licence="part of weerbaar",
            attribution="weerbaar data contract",
        )
        return wh

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Warehouse:
        path = Path(path)
        if not path.exists():
            raise NotBuiltError(
                "The warehouse does not exist yet.",
                received=str(path),
                expected="a warehouse built by `weerbaar build` or created by an ingest",
                fix="run `weerbaar build` (or choose another data folder with --home)",
            )
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise WarehouseError(
                "Cannot open the warehouse.",
                received=f"{path}: {exc}",
                expected="a DuckDB file written by weerbaar",
                fix="rebuild it with `weerbaar build`",
            ) from None
        wh = cls(path, con, read_only)
        version = wh.meta("schema_version")
        if version != str(SCHEMA_VERSION):
            wh.close()
            raise WarehouseError(
                "The warehouse has another schema version.",
                received=str(version),
                expected=str(SCHEMA_VERSION),
                fix="rebuild it with `weerbaar build`",
            )
        return wh

    def execute(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run one statement and fetch its whole result (DuckDB wants results finished)."""
        return self.con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def meta(self, key: str) -> str | None:
        try:
            rows = self.execute("SELECT value FROM meta WHERE key = ?", [key])
        except duckdb.Error:
            return None
        return rows[0][0] if rows else None

    # -- loading -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All or nothing: on any error the warehouse is left exactly as it was."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def load(
        self,
        source: str,
        data: SourceData,
        *,
        kind: str = "real",
        title: str = "",
        files: str = "",
        version: str = "",
        checksum: str = "",
        licence: str = "",
        attribution: str = "",
        period: str = "",
        replace: bool = True,
    ) -> LoadReport:
        """Load what a source produced, atomically, replacing that source's earlier rows."""
        if kind not in ("real", "synthetic", "derived", "import"):
            raise ValueError(f"unknown source kind {kind!r}")
        if kind == "synthetic" and data.observations is not None and (data.observations["status"] != "synthetic").any():
            raise WarehouseError(
                "Synthetic source with rows not labelled synthetic.",
                received=source,
                expected="status synthetic on every row",
                fix="label the rows synthetic",
            )
        rows: dict[str, int] = {}
        replaced: dict[str, int] = {}
        frames = {t: _prepare(t, df, source) for t, df in data.tables().items()}
        if "indicators" in frames and source != CATALOGUE_SOURCE:  # the canonical definitions stay as they are
            canonical = {
                r[0] for r in self.execute("SELECT indicator FROM indicators WHERE source = ?", [CATALOGUE_SOURCE])
            }
            frames["indicators"] = frames["indicators"][~frames["indicators"]["indicator"].isin(canonical)]
        with self.transaction() as wh:
            if replace:
                for table in TABLES:
                    if table in NO_SOURCE_TABLES:
                        continue
                    n = wh.execute(f"SELECT count(*) FROM {table} WHERE source = ?", [source])[0][0]
                    if n:
                        wh.execute(f"DELETE FROM {table} WHERE source = ?", [source])
                        replaced[table] = n
            notes = list(data.notes)
            superseded_notes: list[str] = []
            incoming = frames.get("observations")
            if kind != "synthetic" and incoming is not None and (incoming["status"] != "synthetic").any():
                superseded = self._supersede_synthetic(incoming[incoming["status"] != "synthetic"], source)
                if superseded:
                    replaced["synthetic observations"] = sum(superseded.values())
                    superseded_notes = [
                        f"replaces {n:,} synthetic rows of {ind} (division {div}) from source {src}"
                        for (div, ind, src), n in sorted(superseded.items())
                    ]
                    notes += superseded_notes
            for table, frame in frames.items():
                self._insert(table, frame, source)
                rows[table] = len(frame)
            wh.execute("DELETE FROM sources WHERE name = ?", [source])
            wh.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source,
                    title,
                    kind,
                    files,
                    version,
                    checksum,
                    licence,
                    attribution,
                    period,
                    sum(rows.values()),
                    "\n".join(notes),
                    datetime.now(UTC).replace(tzinfo=None),
                ],
            )
        return LoadReport(source, rows, replaced, tuple(superseded_notes))

    def _supersede_synthetic(self, observations: pd.DataFrame, source: str) -> dict[tuple[str, str, str], int]:
        """Remove the synthetic stand-ins of what a real source now provides (decision 0010).

        Real and synthetic rows of one indicator in one division are never summed: once a real source
        provides ``(division, indicator)``, the synthetic rows of that pair from other sources go. Inside
        the caller's transaction; returns the removed row counts per (division, indicator, source).
        """
        pairs = observations[["division", "indicator"]].drop_duplicates()
        self.con.register("_incoming_pairs", pairs)
        try:
            found = self.execute(
                "SELECT o.division, o.indicator, o.source, count(*) FROM observations o "
                "JOIN _incoming_pairs p USING (division, indicator) "
                "WHERE o.status = 'synthetic' AND o.source <> ? GROUP BY ALL",
                [source],
            )
            if found:
                self.execute(
                    "DELETE FROM observations o USING _incoming_pairs p "
                    "WHERE o.division = p.division AND o.indicator = p.indicator "
                    "AND o.status = 'synthetic' AND o.source <> ?",
                    [source],
                )
        finally:
            self._unregister("_incoming_pairs")
        return {(d, i, src): int(n) for d, i, src, n in found}

    def _insert(self, table: str, frame: pd.DataFrame, source: str) -> None:
        name = f"_incoming_{table}"
        self.con.register(name, frame)
        try:
            self.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM {name}")
        except duckdb.ConstraintException as exc:
            raise InputError(
                f"The {table} from source {source} clash with rows already in the warehouse.",
                received=str(exc).splitlines()[0][:300],
                expected=f"keys of {table} not yet loaded by another source",
                fix="use another division name or code, or remove the other source first",
            ) from None
        finally:
            self._unregister(name)

    def _unregister(self, name: str) -> None:
        """Drop a registered frame; in an aborted transaction DuckDB refuses even that, and its
        TransactionException must not hide the error that aborted it (the rollback drops the view anyway)."""
        with suppress(duckdb.Error):
            self.con.unregister(name)

    def remove_source(self, source: str) -> None:
        with self.transaction() as wh:
            for table in TABLES:
                if table not in NO_SOURCE_TABLES:
                    wh.execute(f"DELETE FROM {table} WHERE source = ?", [source])
            wh.execute("DELETE FROM sources WHERE name = ?", [source])

    # -- runs ----------------------------------------------------------------------------
    def record_run(
        self,
        kind: str,
        parameters: dict,
        *,
        started_at: datetime | None = None,
        status: str = "ok",
        synthetic: bool = False,
    ) -> str:
        """Record a run (a build or a computation) with its parameters and the snapshot it saw."""
        run_id = uuid.uuid4().hex[:12]
        now = datetime.now(UTC).replace(tzinfo=None)
        self.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                kind,
                json.dumps(parameters, sort_keys=True, default=str),
                self.snapshot_hash(),
                __version__,
                started_at or now,
                now,
                status,
                synthetic,
            ],
        )
        return run_id

    def store_result(
        self,
        kind: str,
        frame: pd.DataFrame,
        *,
        parameters: dict,
        division: str | None,
        period: str | None,
        level: str | None,
        synthetic: bool,
        started_at: datetime | None = None,
        inputs: list[str] | None = None,
    ) -> str:
        """Store an analysis result (index = area code) with a new run id, atomically.

        Numeric columns go to ``value``, text and flags to ``label``; one row per area and column.
        ``inputs`` are the indicators the analysis read (also those it found absent): the run records
        which sources delivered them and a hash of each source's rows (``rests_on``), so that a later
        change of any of these sources marks the result stale (:meth:`stale_runs`).
        """
        if inputs is not None:
            parameters = {**parameters, "rests_on": self.rests_on(inputs, division)}
        frame = frame.copy()
        frame.index = frame.index.astype(str)
        frame.index.name = "area_code"
        long_parts = []
        for col in frame.columns:
            s = frame[col]
            numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
            # pandas-stubs types na_value without None (pandas takes any value)
            labels = None if numeric else s.astype("string").to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
            long_parts.append(
                pd.DataFrame(
                    {
                        "area_code": frame.index,
                        "measure": str(col),
                        "value": s.astype("float64").to_numpy() if numeric else np.nan,
                        "label": labels,
                    }
                )
            )
        long = (
            pd.concat(long_parts, ignore_index=True)
            if long_parts
            else pd.DataFrame(columns=["area_code", "measure", "value", "label"])
        )
        with self.transaction():
            run_id = self.record_run(kind, parameters, started_at=started_at, synthetic=synthetic)
            long.insert(0, "run_id", run_id)
            long.insert(1, "kind", kind)
            long.insert(2, "division", division)
            long.insert(3, "period", period)
            long.insert(4, "level", level)
            self._insert("results", long[columns("results")], kind)
        return run_id

    # -- provenance of results -------------------------------------------------------------
    def input_hashes(self, indicators: list[str], division: str | None = None) -> dict[str, str]:
        """source -> content hash of that source's observation rows of ``indicators``.

        Every division counts (a crosswalked source feeds another division), and the areas of
        ``division`` count as the pseudo-source ``areas:<division>`` (the analyses read their shapes).
        """
        inds = sorted({str(i) for i in indicators})
        out: dict[str, str] = {}
        if inds:
            marks = ", ".join("?" for _ in inds)
            row = (
                "concat_ws('\x1f', division, area_code, period, indicator, "
                "coalesce(CAST(value AS VARCHAR), ''), status)"
            )
            for src, n, upper, lower in self.execute(
                f"SELECT source, count(*), sum(md5_number_upper({row})::HUGEINT), "
                f"sum(md5_number_lower({row})::HUGEINT) FROM observations WHERE indicator IN ({marks}) GROUP BY source",
                inds,
            ):
                out[src] = hashlib.sha256(f"{n}:{upper}:{lower}".encode()).hexdigest()[:16]
        if division:
            geo = "concat_ws('\x1f', code, level, coalesce(parent, ''), coalesce(md5(CAST(geometry AS VARCHAR)), ''))"
            n, upper, lower = self.execute(
                f"SELECT count(*), coalesce(sum(md5_number_upper({geo})::HUGEINT), 0), "
                f"coalesce(sum(md5_number_lower({geo})::HUGEINT), 0) FROM areas WHERE division = ?",
                [division],
            )[0]
            out[f"areas:{division}"] = hashlib.sha256(f"{n}:{upper}:{lower}".encode()).hexdigest()[:16]
        return out

    def rests_on(self, indicators: list[str], division: str | None = None) -> dict:
        """What a result computed now rests on: its input indicators and the hash of every source of them."""
        return {
            "indicators": sorted({str(i) for i in indicators}),
            "division": division,
            "sources": self.input_hashes(indicators, division),
        }

    def stale_runs(self, run_ids: list[str] | None = None) -> dict[str, str]:
        """run id -> why it is stale, for every stored result whose inputs changed since it was computed.

        A result records its sources and their hashes (``rests_on``); it is stale when one of them
        changed, was removed (a real source superseding a synthetic one, decision 0010) or a new source
        delivers one of its indicators. A result stored before this bookkeeping existed is stale when
        the warehouse snapshot differs from the one it saw.
        """
        if run_ids is not None and not run_ids:
            return {}
        rows = self.execute(
            "SELECT run_id, parameters, snapshot FROM runs WHERE kind <> 'build' AND status = 'ok'"
            + (" AND run_id IN (" + ", ".join("?" for _ in run_ids) + ")" if run_ids else ""),
            list(run_ids or []),
        )
        current_snapshot: str | None = None
        cache: dict[tuple, dict[str, str]] = {}
        stale: dict[str, str] = {}
        for run_id, params, snapshot in rows:
            rests = json.loads(params or "{}").get("rests_on")
            if not rests:
                if current_snapshot is None:
                    current_snapshot = self.snapshot_hash()
                if snapshot != current_snapshot:
                    stale[run_id] = f"the warehouse changed since it was computed (snapshot {snapshot})"
                continue
            key = (tuple(rests.get("indicators", [])), rests.get("division"))
            if key not in cache:
                cache[key] = self.input_hashes(list(key[0]), key[1])
            now, then = cache[key], rests.get("sources", {})
            why = [f"source {s} changed" for s in sorted(then) if s in now and now[s] != then[s]]
            why += [f"source {s} removed" for s in sorted(then) if s not in now]
            why += [f"new source {s}" for s in sorted(now) if s not in then]
            if why:
                stale[run_id] = "; ".join(why)
        return stale

    def result(self, run_id: str) -> pd.DataFrame:
        """A stored result back as a wide frame keyed by area code."""
        long = self.query("SELECT area_code, measure, value, label FROM results WHERE run_id = ?", [run_id])
        if long.empty:
            raise WarehouseError(
                "No stored result with that run id.",
                received=run_id,
                expected="a run id listed by `weerbaar info`",
                fix="check the run id",
            )
        long["cell"] = long["value"].where(long["label"].isna(), long["label"])
        return long.pivot(index="area_code", columns="measure", values="cell")

    # -- reading -------------------------------------------------------------------------
    def snapshot_hash(self) -> str:
        """A content hash of every canonical table, independent of row order and load time."""
        h = hashlib.sha256(f"weerbaar-schema-{SCHEMA_VERSION}".encode())
        for table in CONTENT_TABLES:
            cols = [c for c in columns(table) if c not in VOLATILE_COLUMNS]
            row = "concat_ws('\x1f', " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\x00')" for c in cols) + ")"
            count, upper, lower = self.execute(
                f"SELECT count(*), coalesce(sum(md5_number_upper({row})::HUGEINT), 0), "
                f"coalesce(sum(md5_number_lower({row})::HUGEINT), 0) FROM {table}"
            )[0]
            h.update(f"{table}:{count}:{upper}:{lower};".encode())
        return h.hexdigest()[:16]

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def area_divisions(self) -> dict[str, list[str]]:
        rows = self.execute("SELECT code, list(division ORDER BY division) FROM areas GROUP BY code")
        return {code: list(divs) for code, divs in rows}

    def area_keys(self) -> set[tuple[str, str]]:
        return set(self.execute("SELECT division, code FROM areas"))

    @overload
    def areas(
        self, *, level: str | None = None, division: str | None = None, geometry: Literal[True] = True
    ) -> gpd.GeoDataFrame: ...
    @overload
    def areas(self, *, level: str | None = None, division: str | None = None, geometry: bool) -> pd.DataFrame: ...
    def areas(
        self, *, level: str | None = None, division: str | None = None, geometry: bool = True
    ) -> pd.DataFrame | gpd.GeoDataFrame:
        where, params = [], []
        if level:
            where.append("level = ?")
            params.append(level)
        if division:
            where.append("division = ?")
            params.append(division)
        cols = "division, code, name, level, parent, cbs_code, source" + (", geometry" if geometry else "")
        sql = f"SELECT {cols} FROM areas" + (" WHERE " + " AND ".join(where) if where else "")
        df = self.query(sql + " ORDER BY division, code", params)
        if not geometry:
            return df
        geoms = shapely.from_wkb(
            np.array(
                [bytes(g) if isinstance(g, (bytes, bytearray, memoryview)) else None for g in df["geometry"]],
                dtype=object,
            )
        )
        return gpd.GeoDataFrame(df.drop(columns="geometry"), geometry=gpd.GeoSeries(geoms, crs=RD_NEW))

    def counts(self) -> dict[str, int]:
        return {t: self.execute(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES if t != "meta"}


def _prepare(table: str, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Order and convert a frame to the table's columns; geometry to WKB; stamp the source."""
    cols = columns(table)
    df = pd.DataFrame(frame).copy()
    if table == "areas":
        geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else df["geometry"]
        arr = np.asarray(geom.values, dtype=object)
        wkb = shapely.to_wkb(arr)
        df = pd.DataFrame({c: df[c] for c in df.columns if c != "geometry"})
        df["geometry"] = [None if (g is None or shapely.is_empty(a)) else g for g, a in zip(wkb, arr, strict=True)]
    if table != "indicators" or "source" not in df.columns:
        df["source"] = source
    else:
        df["source"] = df["source"].where(df["source"].notna(), source)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise WarehouseError(
            f"Rows for {table} lack columns.",
            received=", ".join(map(str, df.columns)),
            expected=", ".join(cols),
            fix="adapt the source adapter to the data contract",
        )
    return df[cols].reset_index(drop=True)
