"""The public read model: what pages, the open API and (later) the council report may show.

Everything public goes through here, so disclosure control is applied in one place
(``docs/decisions/0007-disclosure-control.md``):

* counts of events (flow indicators) come from a *protected cube* per division and indicator:
  every area level and period kind at once, with primary and secondary suppression over area
  and time totals (or rounding), so no view can be combined with another to recover a cell;
* rates per 1,000 inhabitants are computed from the published counts and withheld with them;
* stored results keep only their public measures; counts in them, and measures computed from
  a withheld count, are withheld (see ``RESULT_RULES``).

The warehouse is opened read-only for each cache miss and closed again, so ``weerbaar compute`` can
run while the dashboard serves (a cache miss during the write is answered 503 "being updated"; what
is cached stays available); caches are dropped when the warehouse file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import __version__, settings
from .analysis.inputs import area_series, period_months
from .contract import LEVELS, period_kind
from .disclosure import DisclosureConfig, aggregate_cube
from .errors import InputError, NotBuiltError, NotFoundError
from .indicators import MIN_BASE, disclosure_policy, is_flow
from .ledger import ReleaseLedger, protect_release
from .pipeline import warehouse_path
from .warehouse import Warehouse

__all__ = ["PublicData", "RESULT_KINDS", "ResultView", "Layer"]

KINDS = ("year", "half", "quarter", "month")
#: Bump when the protected cube's columns or the protection itself change (invalidates the disk cache).
CUBE_CACHE_VERSION = 1
CUBE_COLUMNS = ["area_code", "period", "value", "published", "status", "kind"]
#: Map levels from coarse to fine (the city itself is a single area and is shown as the reference).
MAP_LEVELS = ("stadsdeel", "gebied", "wijk", "buurt")
#: Simplification tolerance of map geometries in metres (RD New), per level.
SIMPLIFY_M = {"stad": 25.0, "stadsdeel": 20.0, "gebied": 15.0, "wijk": 10.0, "buurt": 6.0}

#: Non-count indicators computed from a count (a percentage of a population): withheld wherever that count
#: is not published exactly, or count = percentage x population would give it away. (pattern, count template)
DERIVED_FROM: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^ois\.suspects_pct\.(.+)$"), r"ois.suspects.\1"),
    (re.compile(r"^(bbga\..+)_P$"), r"\1"),
)
#: Indicators never shown: the sum of two published ones, so subtraction would undo disclosure control.
NOT_PUBLIC = re.compile(r"^ois\..+\.age_12_24$")

#: The stored result kinds the public may see, with the measures they may see.
#: ``counts``: measures that are counts of events (withheld like any count), ``derived``: measures
#: computed from those counts (withheld with them). Everything not listed is not public.
RESULT_KINDS: dict[str, dict[str, Any]] = {
    "vulnerability": {
        "measures": [
            "name",
            "stadsdeel",
            "composite",
            "rank",
            "median_rank",
            "rank_low",
            "rank_high",
            "ranked",
            "not_ranked_reason",
            "imputed",
        ],
        "prefixes": ["domain.", "contribution.", "value."],
        "category": None,
    },
    "zwijgwijken": {
        "measures": [
            "name",
            "observed",
            "expected",
            "ratio",
            "ratio_low",
            "ratio_high",
            "p_under",
            "q_under",
            "p_silent",
            "p_effort",
            "flag",
            "candidate",
            "effort_driven",
            "tested",
            "not_tested",
            "problem_level",
            "problem_percentile",
            "effort_ratio",
            "reason_nl",
            "reason_en",
        ],
        "prefixes": [],
        "category": "flag",
        # measures computed from the observed reports count (withheld when it is); the model's posterior
        # probabilities stay public, to the percent (decision 0027)
        "derived": ["observed", "ratio", "ratio_low", "ratio_high"],
        "rounded": ["p_under", "q_under", "p_silent", "p_effort"],
        "count_indicators": ["reports.drug_nuisance"],
        # the reason texts quote report and registration totals: replaced by a generic text unless all are public
        "texts": ["reason_nl", "reason_en"],
        "text_indicators": [
            "reports.drug_nuisance",
            "registered.drug_trade",
            "registered.drug_use",
            "registered.drug_production",
        ],
    },
    "hotspots.gi": {
        # z-scores and statistics are never public for counts: with known weights a full set inverts to the counts
        "measures": ["category", "p", "p_fdr", "p_sim", "n_neighbours", "reason"],
        "prefixes": [],
        "category": "category",
    },
    "hotspots.lisa": {
        "measures": ["category", "p", "p_fdr", "p_sim", "n_neighbours", "reason"],
        "prefixes": [],
        "category": "category",
    },
    "emerging": {
        "measures": [
            "category",
            "trend_tau",
            "trend_p",
            "n_slices",
            "n_hot",
            "n_cold",
            "share_hot",
            "share_cold",
            "last_slice",
            "last_status",
            "reason",
        ],
        "prefixes": [],
        "category": "category",
    },
}


@dataclass(frozen=True)
class Layer:
    """Values of one indicator for every area of a level in one period, disclosure-controlled."""

    frame: pd.DataFrame  # index code: name, value (published), status, count (published count, rate only)
    indicator: str
    division: str
    level: str
    period: str
    measure: str  # "value" or "rate"
    unit: str
    flow: bool
    synthetic: bool
    sources: list[str]
    notes: list[str]


@dataclass(frozen=True)
class ResultView:
    run: dict  # run_id, kind, division, period, level, synthetic, parameters (public subset)
    frame: pd.DataFrame  # index area_code, public measures only


class PublicData:
    """Disclosure-controlled, cached access to one warehouse for the dashboard, the API and the report."""

    def __init__(
        self, home: Path | None = None, *, disclosure: DisclosureConfig | None = None, as_of: date | None = None
    ) -> None:
        self.home = Path(home) if home else None
        self.path = warehouse_path(home)
        self.disclosure = disclosure or DisclosureConfig(
            threshold=int(settings.get("disclosure_threshold")),
            mode=str(settings.get("disclosure_mode")),
            protection=max(int(settings.get("disclosure_protection")), 1),
        )
        #: release date of about-persons counts (today unless given: tests and back-dated reports)
        self.as_of = as_of
        self.delay_days = int(settings.get("disclosure_delay_days"))
        #: what earlier releases published of counts about persons (survives rebuilds of the warehouse)
        self.ledger = ReleaseLedger(self.path.parent / "disclosure-ledger.sqlite")
        self._cache: dict[tuple, Any] = {}
        self._stamp: tuple | None = None
        self._checked = 0.0
        self._lock = threading.RLock()
        #: called (in a background thread) when the warehouse file changed under a running reader
        self.on_change: Callable[[], None] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def _current_stamp(self) -> tuple:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise NotBuiltError(
                "There is no warehouse to show.",
                received=str(self.path),
                expected="a built warehouse",
                fix="run `weerbaar build`, or `weerbaar serve` (it builds the default when missing)",
            ) from None
        return (st.st_mtime_ns, st.st_size)

    @contextmanager
    def _wh(self):
        wh = Warehouse.open(self.path, read_only=True)
        try:
            yield wh
        finally:
            wh.close()

    def _fresh(self) -> None:
        """Drop every cached value when the warehouse file has changed (a rebuild or a new result).

        The file is looked at most once a second: a page reads hundreds of cached values."""
        now = time.monotonic()
        if self._stamp is not None and now - self._checked < 1.0:
            return
        self._checked = now
        stamp = self._current_stamp()
        if stamp != self._stamp:
            changed = False
            with self._lock:
                if stamp != self._stamp:
                    changed = self._stamp is not None
                    self._cache = {}
                    self._stamp = stamp
            if changed and self.on_change is not None:
                # e.g. the web app protects the new cubes in the background at once, not at the next request
                threading.Thread(target=self.on_change, name="weerbaar-rewarm", daemon=True).start()

    def version(self) -> tuple:
        """The warehouse version the caches belong to (changes with every rebuild or stored result)."""
        self._fresh()
        return self._stamp

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The value for ``key``, made once per warehouse version (thread-safe)."""
        self._fresh()
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    # -- metadata ---------------------------------------------------------------------------
    def meta(self) -> dict:
        def make() -> dict:
            with self._wh() as wh:
                sources = wh.query("SELECT name, kind FROM sources ORDER BY name")
                divisions = wh.query(
                    "SELECT division, level, count(*) AS n FROM areas GROUP BY ALL ORDER BY division, level"
                )
                snapshot = wh.meta("snapshot") or wh.snapshot_hash()
                built = wh.execute("SELECT max(finished_at) FROM runs WHERE kind = 'build'")[0][0]
            levels: dict[str, dict[str, int]] = {}
            for row in divisions.itertuples():
                levels.setdefault(row.division, {})[row.level] = int(row.n)
            return {
                "snapshot": snapshot,
                "version": __version__,
                "built_at": built.isoformat(timespec="seconds") if built is not None else None,
                "synthetic_sources": sorted(sources.loc[sources["kind"] == "synthetic", "name"]),
                "synthetic": bool((sources["kind"] == "synthetic").any()),
                "divisions": {d: [lv for lv in LEVELS if lv in lv_counts] for d, lv_counts in sorted(levels.items())},
                "area_counts": levels,
                "default_division": str(settings.get("division")),
                "disclosure": {
                    "mode": self.disclosure.mode,
                    "threshold": self.disclosure.threshold,
                    "protection": self.disclosure.protection,
                    "delay_days": self.delay_days,
                    "base": self.disclosure.base,
                    "min_base": dict(MIN_BASE),
                },
            }

        return self.cached(("meta",), make)

    def division(self, division: str | None) -> str:
        meta = self.meta()
        division = division or meta["default_division"]
        if division not in meta["divisions"]:
            raise NotFoundError(
                "Unknown area division.",
                received=repr(division),
                expected=", ".join(meta["divisions"]),
                fix="choose one of the loaded divisions",
            )
        return division

    def level(self, division: str, level: str) -> str:
        levels = self.meta()["divisions"][division]
        if level not in levels:
            raise NotFoundError(
                "This division has no areas at that level.",
                received=f"{level} in division {division}",
                expected=", ".join(levels),
                fix="choose one of the levels of the division",
            )
        return level

    def sources(self) -> pd.DataFrame:
        def make() -> pd.DataFrame:
            with self._wh() as wh:
                df = wh.query(
                    "SELECT name, title, kind, files, version, checksum, licence, attribution, period, rows, notes, "
                    "loaded_at FROM sources ORDER BY kind = 'synthetic', kind, name"
                )
            df["synthetic"] = df["kind"] == "synthetic"
            return df

        return self.cached(("sources",), make)

    def areas(self, division: str) -> pd.DataFrame:
        """Areas of a division (no geometry), index code: name, level, parent, cbs_code, stadsdeel."""

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                df = wh.areas(division=division, geometry=False).set_index("code")
            df = df[["name", "level", "parent", "cbs_code"]].copy()
            parent = df["parent"].to_dict()
            level = df["level"].to_dict()

            def ancestor(code: str, wanted: str) -> str | None:
                seen = 0
                while code is not None and seen < 10:
                    if level.get(code) == wanted:
                        return code
                    code = parent.get(code)
                    seen += 1
                return None

            df["stadsdeel"] = [ancestor(c, "stadsdeel") for c in df.index]
            df["stad"] = [ancestor(c, "stad") for c in df.index]
            return df

        return self.cached(("areas", division), make)

    def area(self, code: str, division: str | None = None) -> tuple[str, pd.Series]:
        """Find an area by code (in the given or default division, else any division that has it)."""
        meta = self.meta()
        order = [division] if division else [meta["default_division"], *meta["divisions"]]
        for d in order:
            if d in meta["divisions"]:
                areas = self.areas(d)
                if code in areas.index:
                    return d, areas.loc[code]
        known = self.areas(self.division(division))
        close = [c for c in known.index if c.upper().startswith(code[:2].upper())][:5]
        raise NotFoundError(
            "Unknown area code.",
            received=repr(code),
            expected=f"an area code such as {', '.join(close or list(known.index[:3]))}",
            fix="look the area up in /api/v1/areas or pick it on the map",
        )

    def geometry(self, division: str, level: str) -> gpd.GeoDataFrame:
        """Simplified WGS84 geometries of one level (for maps and GeoJSON downloads)."""

        def make() -> gpd.GeoDataFrame:
            with self._wh() as wh:
                gdf = wh.areas(division=division, level=level)
            gdf = gdf[gdf.geometry.notna()].copy()
            gdf["geometry"] = gdf.geometry.simplify(SIMPLIFY_M.get(level, 10.0), preserve_topology=True)
            gdf = gdf.to_crs(4326)
            return gdf[["code", "name", "level", "parent", "geometry"]].set_index("code", drop=False)

        return self.cached(("geometry", division, level), make)

    def neighbours(self, division: str, level: str) -> dict[str, list[str]]:
        def make() -> dict[str, list[str]]:
            from .analysis.weights import build_graph

            with self._wh() as wh:
                gdf = wh.areas(division=division, level=level)
            gdf = gdf[gdf.geometry.notna()]
            if len(gdf) < 2:
                return {}
            g = build_graph(gdf, "queen", level=level).graph
            adj = g.adjacency.reset_index()
            adj = adj[(adj["weight"] > 0) & (adj["focal"] != adj["neighbor"])]
            return adj.groupby("focal")["neighbor"].apply(lambda s: sorted(map(str, s))).to_dict()

        return self.cached(("neighbours", division, level), make)

    # -- indicators ---------------------------------------------------------------------------
    def catalogue(self) -> pd.DataFrame:
        """Every indicator with data, per division: labels, unit, flow, levels, first and last period."""

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                cat = wh.query(
                    "SELECT indicator, label_nl, label_en, unit, description, effort_dependent, canonical "
                    "FROM indicators"
                )
                avail = wh.query(
                    "SELECT o.division, o.indicator, list(DISTINCT a.level) AS levels, min(o.period) AS first, "
                    "max(o.period) AS last, bool_or(o.status = 'synthetic') AS synthetic, "
                    "list(DISTINCT o.source) AS sources, list(DISTINCT length(o.period)) AS lengths "
                    "FROM observations o JOIN areas a ON a.division = o.division AND a.code = o.area_code "
                    "WHERE o.value IS NOT NULL GROUP BY o.division, o.indicator"
                )
            avail = avail[~avail["indicator"].str.match(NOT_PUBLIC)]
            df = avail.merge(cat, on="indicator", how="left")
            df["canonical"] = df["canonical"].fillna(False).astype(bool)
            df["label_nl"] = df["label_nl"].fillna(df["indicator"])
            df["label_en"] = df["label_en"].fillna(df["label_nl"])
            df["unit"] = df["unit"].fillna("")
            df["flow"] = [is_flow(i, u) for i, u in zip(df["indicator"], df["unit"], strict=True)]
            policies = [
                disclosure_policy(i, u, s) for i, u, s in zip(df["indicator"], df["unit"], df["sources"], strict=True)
            ]
            df["disclosure"] = [p.kind for p in policies]
            df["disclosure_base"] = [p.base for p in policies]
            df["min_base"] = [p.min_base for p in policies]
            df["open_submissions"] = [p.open_submissions for p in policies]
            df["levels"] = [sorted(lv, key=LEVELS.index) for lv in df["levels"]]
            df["sources"] = [sorted(s) for s in df["sources"]]
            df["finest"] = ["month" if 7 in ln else ("quarter" if max(ln) >= 7 else "year") for ln in df["lengths"]]
            return df.drop(columns=["lengths"]).sort_values(
                ["division", "canonical", "indicator"], ascending=[True, False, True], ignore_index=True
            )

        return self.cached(("catalogue",), make)

    def indicator(self, indicator: str, division: str) -> pd.Series:
        if NOT_PUBLIC.match(indicator):
            raise NotFoundError(
                "This indicator is not public.",
                received=repr(indicator),
                expected="an indicator that is not the sum of other published ones",
                fix="use the separate age groups (age_12_17 and age_18_24): their sum would undo disclosure control",
            )
        cat = self.catalogue()
        rows = cat[(cat["indicator"] == indicator) & (cat["division"] == division)]
        if rows.empty:
            known = cat.loc[cat["division"] == division, "indicator"].tolist()
            close = [k for k in known if indicator.split(".")[0] in k][:5] or known[:5]
            raise NotFoundError(
                "No data for this indicator in the division.",
                received=f"{indicator!r} in division {division}",
                expected=f"an indicator with data, such as {', '.join(close)}",
                fix="see /api/v1/indicators for what each division has",
            )
        return rows.iloc[0]

    # -- values -------------------------------------------------------------------------------
    def cube(self, division: str, indicator: str) -> pd.DataFrame:
        """The protected cube of a count indicator: area_code, period, value, published, status, kind."""
        key = ("cube", division, indicator)
        self._fresh()
        if key not in self._cache:
            # the whole batch of the division's counts at once: one protection problem and one cache file,
            # the same ones the web app's warm-up makes, so a first request after a start reuses them
            batch = self.count_indicators(division)
            self.prefetch_cubes(division, batch if indicator in batch else [indicator])
        return self.cached(key, lambda: self._cubes(division, [indicator])[indicator])

    def count_indicators(self, division: str) -> list[str]:
        """The count indicators (flows) of a division: the batch whose cubes are protected together."""
        cat = self.catalogue()
        return cat.loc[(cat["division"] == division) & cat["flow"], "indicator"].tolist()

    def prefetch_cubes(self, division: str, indicators: list[str]) -> None:
        """Protect the cubes of many count indicators in one pass (a forest of one area tree per indicator)."""
        todo = [i for i in dict.fromkeys(indicators) if ("cube", division, i) not in self._cache]
        if not todo:
            return
        with self._lock:
            for ind, frame in self._cubes(division, todo).items():
                self._cache[("cube", division, ind)] = frame

    def _cube_file(self, division: str, indicators: list[str]) -> Path:
        """Where protected cubes are kept between restarts: keyed by the warehouse's content hash (snapshot),
        the division, the indicators and the disclosure rule, so any change to those makes a new file."""
        d = self.disclosure
        key = json.dumps(
            [
                CUBE_CACHE_VERSION,
                _protection_code(),
                self.meta()["snapshot"],
                division,
                sorted(indicators),
                d.mode,
                d.threshold,
                d.base,
                d.protection,
                self.delay_days,
                self.release_date().isoformat(),  # the ledger releases a period once it is old enough
            ]
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return self.path.parent / "cache" / "cubes" / f"{self.meta()['snapshot']}-{digest}.parquet"

    def _cubes(self, division: str, indicators: list[str]) -> dict[str, pd.DataFrame]:
        """Protected cubes, from the disk cache when the warehouse did not change since they were made."""
        path = self._cube_file(division, indicators)
        if path.exists():
            try:
                stored = _plain_text(pd.read_parquet(path))
                return {
                    i: stored[stored["indicator"] == i].drop(columns="indicator").reset_index(drop=True)
                    if (stored["indicator"] == i).any()
                    else pd.DataFrame(columns=CUBE_COLUMNS)
                    for i in indicators
                }
            except Exception:  # noqa: BLE001 - a damaged cache file is removed and made again
                path.unlink(missing_ok=True)
        out = {i: _plain_text(f) for i, f in self._protect_cubes(division, indicators).items()}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("*.parquet"):  # cubes of earlier snapshots are of no further use
                if not old.name.startswith(self.meta()["snapshot"] + "-"):
                    old.unlink(missing_ok=True)
            frames = [f.assign(indicator=i) for i, f in out.items() if len(f)]
            if frames:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                pd.concat(frames, ignore_index=True).to_parquet(tmp, index=False)
                tmp.replace(path)
        except OSError:  # a read-only data folder: no cache, same figures
            pass
        return out

    def _protect_cubes(self, division: str, indicators: list[str]) -> dict[str, pd.DataFrame]:
        """Protected cubes, by the disclosure policy of each indicator (decision 0013): counts the source
        publishes pass through with the source's secrecy markers; counts about persons are protected
        against the release ledger."""
        cat = self.catalogue()
        cat = cat[cat["division"] == division].set_index("indicator")
        persons = [i for i in indicators if i in cat.index and cat.at[i, "disclosure"] == "about-persons"]
        others = [i for i in indicators if i not in persons]
        out: dict[str, pd.DataFrame] = {}
        if others:
            out.update(self._cubes_batch(division, others, None))
        if persons:
            out.update(self._cubes_batch(division, persons, cat))
        return out

    def release_date(self) -> date:
        return self.as_of or datetime.now(UTC).date()

    def _cubes_batch(
        self, division: str, indicators: list[str], persons: pd.DataFrame | None
    ) -> dict[str, pd.DataFrame]:
        with self._wh() as wh:
            base = wh.query(
                "SELECT o.indicator, o.area_code, a.level, o.period, sum(o.value) AS value FROM observations o "
                "JOIN areas a ON a.division = o.division AND a.code = o.area_code "
                f"WHERE o.division = ? AND o.indicator IN ({', '.join('?' for _ in indicators)}) "
                "AND o.value IS NOT NULL GROUP BY ALL",
                [division, *indicators],
            )
        areas = self.areas(division)
        parent = {c: (p if isinstance(p, str) and p in areas.index else None) for c, p in areas["parent"].items()}
        level_rank = {lv: i for i, lv in enumerate(LEVELS)}
        sep = "\x1f"
        forest: dict[str, str | None] = {}
        for ind, rows in base.groupby("indicator"):
            finest = max(level_rank[lv] for lv in rows["level"].unique())
            # each indicator's tree holds its levels down to the finest one it has data on
            for code in areas.index[areas["level"].map(level_rank) <= finest]:
                p = parent[code]
                forest[f"{ind}{sep}{code}"] = f"{ind}{sep}{p}" if p is not None else None
        out: dict[str, pd.DataFrame] = {i: pd.DataFrame(columns=CUBE_COLUMNS) for i in indicators}
        if base.empty:
            return out
        keyed = pd.DataFrame(
            {
                "area_code": base["indicator"] + sep + base["area_code"],
                "period": base["period"],
                "value": base["value"],
            }
        )
        cube = aggregate_cube(keyed, forest)
        if persons is None:
            protected = self._pass_through(division, cube, indicators, sep)
        else:
            protected = self._release(division, cube, forest, persons, sep)
        ind_of, code_of = _split_keys(protected["area_code"], sep)
        protected = protected.assign(indicator=ind_of, area_code=code_of)
        protected["kind"] = _map_unique(protected["period"], period_kind)
        own_years = base.assign(year=base["period"].str[:4]).groupby("indicator")["year"].agg(set)
        for ind, frame in protected.groupby("indicator"):
            # a batch shares one period grid: keep each indicator to the years it has data for
            frame = frame[frame["period"].str[:4].isin(own_years[ind])]
            out[ind] = frame.drop(columns="indicator").reset_index(drop=True)
        return out

    def _pass_through(self, division: str, cube: pd.DataFrame, indicators: list[str], sep: str) -> pd.DataFrame:
        """Published-by-source counts: shown as the source publishes them, sums of them where every part is
        there; a cell the source itself marked secret (status suppressed) is shown as such."""
        with self._wh() as wh:
            secret = wh.query(
                "SELECT indicator || ? || area_code AS area_code, period FROM observations WHERE division = ? AND "
                f"indicator IN ({', '.join('?' for _ in indicators)}) AND status = 'suppressed' AND value IS NULL",
                [sep, division, *indicators],
            )
        values = cube["value"].to_numpy(dtype=float)
        status = np.where(np.isnan(values), "missing", "published").astype(object)
        if len(secret):
            marked = pd.MultiIndex.from_frame(secret[["area_code", "period"]])
            at = pd.MultiIndex.from_frame(cube[["area_code", "period"]]).isin(marked)
            status[at & np.isnan(values)] = "suppressed"
        return cube.assign(published=np.where(status == "published", values, np.nan), status=status)

    def _release(self, division: str, cube: pd.DataFrame, forest: dict, cat: pd.DataFrame, sep: str) -> pd.DataFrame:
        """About-persons counts: protected with the release ledger (delay, frozen cells, rounding of open
        submissions), and the newly released cells recorded."""
        ind = _split_keys(cube["area_code"], sep)[0]
        lineage = {i: ",".join(cat.at[i, "sources"]) for i in ind.unique()}
        previous = []
        for i, lin in lineage.items():
            prev = self.ledger.load(division, i, lin)
            if len(prev):
                previous.append(prev.assign(area_code=i + sep + prev["area_code"]))
        prev_all = pd.concat(previous, ignore_index=True) if previous else None
        round_rows = ind.map({i: bool(cat.at[i, "open_submissions"]) for i in lineage}).to_numpy(dtype=bool)
        protected, new = protect_release(
            cube,
            forest,
            self.disclosure,
            previous=prev_all,
            as_of=self.release_date(),
            delay_days=self.delay_days,
            round_published=round_rows if self.disclosure.mode == "suppress" else False,
        )
        if len(new):
            new_ind, new_code = _split_keys(new["area_code"], sep)
            new = new.assign(area_code=new_code)
            for i, rows in new.groupby(new_ind):
                self.ledger.record(
                    division,
                    i,
                    lineage[i],
                    rows,
                    self.release_date(),
                )
        return protected

    def event_counts(self, division: str, level: str | None = None) -> tuple[str | None, pd.DataFrame]:
        """Violence events (measure 8) per area, month and type group, protected as counts about persons
        (threshold, secondary suppression, release ledger; never points). ``level``: the areas counted
        in, by default the stadsdelen (or the coarsest level below the city when there are none).
        Returns (level, frame: group, area_code, level, period, kind, value, status); ``value`` is the
        published count or NaN."""
        from .violence import event_area_counts

        areas = self.areas(division)
        present = [lv for lv in LEVELS if lv != "stad" and (areas["level"] == lv).any()]
        if level is None:
            level = "stadsdeel" if "stadsdeel" in present else (present[0] if present else None)
        cols = ["group", "area_code", "level", "period", "kind", "value", "status"]
        if level is None or level not in present:
            return level, pd.DataFrame(columns=cols)

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                raw = event_area_counts(wh, wh.areas(division=division, level=level))
            if raw.empty:
                return pd.DataFrame(columns=cols)
            sep = "\x1f"
            rank = {lv: i for i, lv in enumerate(LEVELS)}
            kept = areas.index[areas["level"].map(rank) <= rank[level]]
            parents = areas.loc[kept, "parent"].items()
            parent = {c: (p if isinstance(p, str) and p in kept else None) for c, p in parents}
            # every area, month (first to last event) and group: a month without events is a count of 0
            months = pd.period_range(raw["period"].min(), raw["period"].max(), freq="M").strftime("%Y-%m")
            full = pd.MultiIndex.from_product(
                [sorted(raw["group"].unique()), list(areas.index[areas["level"] == level]), list(months)],
                names=["group", "area_code", "period"],
            )
            raw = raw.set_index(["group", "area_code", "period"])["value"].reindex(full, fill_value=0).reset_index()
            indicators = sorted({f"violence.events.{g}" for g in raw["group"]})
            forest = {f"{i}{sep}{c}": (f"{i}{sep}{parent[c]}" if parent[c] else None) for i in indicators for c in kept}
            keyed = pd.DataFrame(
                {
                    "area_code": "violence.events." + raw["group"] + sep + raw["area_code"],
                    "period": raw["period"],
                    "value": raw["value"].astype(float),
                }
            )
            cube = aggregate_cube(keyed, forest)
            cat = pd.DataFrame(
                {"sources": [["events"]] * len(indicators), "open_submissions": False}, index=indicators
            )
            protected = self._release(division, cube, forest, cat, sep)
            split = protected["area_code"].str.split(sep, n=1, expand=True)
            out = pd.DataFrame(
                {
                    "group": split[0].str.removeprefix("violence.events."),
                    "area_code": split[1],
                    "level": split[1].map(areas["level"]),
                    "period": protected["period"],
                    "kind": protected["period"].map(period_kind),
                    "value": protected["published"],
                    "status": protected["status"],
                }
            )
            return out[out["kind"].isin(["month", "year"])].sort_values(["group", "area_code", "period"]).reset_index(
                drop=True
            )

        return level, self.cached(("event_counts", division, level, _protection_code(), self.release_date()), make)

    def count_source(self, division: str, indicator: str) -> str | None:
        """The count a non-count indicator is computed from (``DERIVED_FROM``), when that count is here."""
        cat = self.catalogue()
        flows = set(cat.loc[(cat["division"] == division) & cat["flow"], "indicator"])
        for pattern, template in DERIVED_FROM:
            if pattern.match(indicator):
                source = pattern.sub(template, indicator)
                if source in flows:
                    return source
        return None

    def _mask_derived(self, division: str, indicator: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Withhold a derived value (area_code, period, value, status) where its count is not published exactly."""
        source = self.count_source(division, indicator)
        if source is None or frame.empty:
            return frame
        cube = self.cube(division, source)
        exact = cube.loc[cube["status"] == "published", ["area_code", "period"]].assign(_exact=True)
        out = frame.merge(exact, on=["area_code", "period"], how="left")
        hide = out["_exact"].isna() & out["value"].notna()
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out.drop(columns="_exact")

    def _mask_base(self, division: str, indicator: str, level: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Share-with-base: a percentage or mean is withheld where its base (respondents, inhabitants) of the
        same area and year is below the minimum or unknown; the base is kept beside the figure (``base``)."""
        info = self.indicator(indicator, division)
        if info.get("disclosure") != "share-with-base" or frame.empty:
            return frame
        base_ind, minimum = str(info["disclosure_base"]), int(info["min_base"])
        try:
            base = self.table(division, base_ind, level, "year")
        except (InputError, NotFoundError):
            base = pd.DataFrame(columns=["area_code", "period", "value"])
        lookup = base.assign(year=base["period"].astype(str).str[:4]).set_index(["area_code", "year"])["value"]
        lookup = lookup[~lookup.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([frame["area_code"], frame["period"].astype(str).str[:4]])
        out = frame.copy()
        out["base"] = lookup.reindex(keys).to_numpy(dtype=float)
        if base_ind == "survey.respondents" and out["base"].isna().all():
            # no respondents known for this division: the population is the (weaker) base
            return self._mask_base_on(out, division, level, "population", MIN_BASE["population"])
        hide = out["value"].notna() & ~(out["base"] >= minimum)
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out

    def _mask_base_on(self, out: pd.DataFrame, division: str, level: str, base_ind: str, minimum: int):
        try:
            base = self.table(division, base_ind, level, "year")
        except (InputError, NotFoundError):
            base = pd.DataFrame(columns=["area_code", "period", "value"])
        lookup = base.assign(year=base["period"].astype(str).str[:4]).set_index(["area_code", "year"])["value"]
        lookup = lookup[~lookup.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([out["area_code"], out["period"].astype(str).str[:4]])
        out["base"] = lookup.reindex(keys).to_numpy(dtype=float)
        hide = out["value"].notna() & ~(out["base"] >= minimum)
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out

    def table(self, division: str, indicator: str, level: str, kind: str = "year") -> pd.DataFrame:
        """Long table area_code, period, value (published), status for every area of a level and slice kind."""
        if kind not in KINDS:
            raise InputError(
                "Unknown period kind.",
                received=repr(kind),
                expected=", ".join(KINDS),
                fix="use year, half, quarter or month",
            )

        def make() -> pd.DataFrame:
            info = self.indicator(indicator, division)
            areas = self.areas(division)
            codes = areas.index[areas["level"] == level]
            if info["flow"]:
                cube = self.cube(division, indicator)
                t = cube[(cube["kind"] == kind) & cube["area_code"].isin(codes)]
                t = t[["area_code", "period", "published", "status"]].rename(columns={"published": "value"})
            else:
                with self._wh() as wh:
                    try:
                        s, _ = area_series(wh, indicator, level=level, division=division, slice_kind=kind)
                    except InputError:
                        s = pd.DataFrame(columns=["area_code", "period", "value"])
                t = s.assign(status=np.where(s["value"].notna(), "published", "missing"))
                t = self._mask_derived(division, indicator, t)
                t = self._mask_base(division, indicator, level, t)
            return t.sort_values(["area_code", "period"], ignore_index=True)

        return self.cached(("table", division, indicator, level, kind), make)

    def periods(self, division: str, indicator: str, level: str | None = None) -> dict[str, list[str]]:
        """Available periods per kind (newest first); kinds finer than the data are absent."""

        def make() -> dict[str, list[str]]:
            info = self.indicator(indicator, division)
            out: dict[str, list[str]] = {}
            if info["flow"]:
                cube = self.cube(division, indicator)
                for kind in KINDS:
                    ps = sorted(cube.loc[cube["kind"] == kind, "period"].unique(), reverse=True)
                    if ps:
                        out[kind] = ps
            else:
                finest = KINDS.index(info["finest"])
                lv = level or info["levels"][0]
                for kind in KINDS[: finest + 1]:
                    ps = sorted(self.table(division, indicator, lv, kind)["period"].unique(), reverse=True)
                    if ps:
                        out[kind] = ps
            return out

        return self.cached(("periods", division, indicator, level), make)

    def default_period(self, division: str, indicator: str, level: str | None = None) -> str:
        periods = self.periods(division, indicator, level)
        if "year" in periods:
            # the latest complete year: a flow year exists in the cube only when all its months are there
            return periods["year"][0]
        first = next(iter(periods.values()), [])
        if not first:
            raise NotFoundError(
                "No periods with data.",
                received=indicator,
                expected="an indicator with data",
                fix="choose another indicator",
            )
        return first[0]

    def layer(
        self,
        indicator: str,
        *,
        division: str | None = None,
        level: str = "buurt",
        period: str | None = None,
        measure: str = "value",
    ) -> Layer:
        division = self.division(division)
        level = self.level(division, level)
        info = self.indicator(indicator, division)
        if measure not in ("value", "rate"):
            raise InputError(
                "Unknown measure.",
                received=repr(measure),
                expected="value or rate",
                fix="use measure=value (as published) or measure=rate (per 1,000 inhabitants, counts only)",
            )
        if measure == "rate" and not info["flow"]:
            raise InputError(
                "A rate per 1,000 inhabitants exists only for counts of events.",
                received=f"{indicator} ({info['unit'] or 'no unit'})",
                expected="a count indicator such as registered.drug_trade",
                fix="use measure=value for this indicator",
            )
        period = period or self.default_period(division, indicator, level)
        try:
            kind = period_kind(period)
        except Exception:  # noqa: BLE001 - contract raises its own error types
            kind = None
        if kind not in KINDS:
            raise InputError(
                "Invalid period.",
                received=repr(period),
                expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
                fix="for example period=2023 or period=2023-Q2",
            )

        available = self.periods(division, indicator, level)
        if period not in available.get(kind, []):
            spans = ", ".join(f"{k} {ps[-1]} .. {ps[0]}" for k, ps in available.items() if ps) or "none"
            raise NotFoundError(
                "No data for this indicator in that period.",
                received=f"{indicator}, period {period}",
                expected=f"a period with data: {spans}",
                fix="choose a period from the list",
            )

        def make() -> Layer:
            areas = self.areas(division)
            codes = areas.index[areas["level"] == level]
            t = self.table(division, indicator, level, kind)
            t = t[t["period"] == period].set_index("area_code")
            frame = pd.DataFrame(index=pd.Index(codes, name="code"))
            frame["name"] = areas["name"].reindex(frame.index)
            frame["value"] = t["value"].reindex(frame.index).astype("float64")
            frame["status"] = t["status"].reindex(frame.index).fillna("missing")
            if "base" in t.columns:
                frame["base"] = t["base"].reindex(frame.index).astype("float64")
            notes: list[str] = []
            if t.empty:
                notes.append(f"no data for {period}")
            unit = str(info["unit"])
            if info["flow"]:
                withheld = int(frame["status"].isin(["primary", "secondary"]).sum())
                if withheld:
                    notes.append(f"withheld:{withheld}")
            if measure == "rate":
                pop, pop_year = self._population(division, level, period)
                if pop_year is not None and pop_year != period[:4]:
                    notes.append(f"population:{pop_year}")
                frame["count"] = frame["value"]
                frame["population"] = pop.reindex(frame.index)
                ok = frame["population"] > 0
                frame["value"] = np.where(ok, frame["count"] / frame["population"] * 1000.0, np.nan)
                frame.loc[~ok & (frame["status"] != "missing"), "status"] = "missing"
                unit = "per 1,000 inhabitants"
            return Layer(
                frame=frame,
                indicator=indicator,
                division=division,
                level=level,
                period=period,
                measure=measure,
                unit=unit,
                flow=bool(info["flow"]),
                synthetic=bool(info["synthetic"]),
                sources=list(info["sources"]),
                notes=notes,
            )

        return self.cached(("layer", division, indicator, level, period, measure), make)

    def yearly_values(self, division: str, codes: list[str]) -> pd.DataFrame:
        """Yearly values of every non-count indicator published for exactly these areas (no aggregation):
        area_code, indicator, period (year), value. One query, for area profiles with hundreds of indicators.
        Counts are not here: they only ever come from the protected cube."""
        codes = sorted(set(codes))

        def make() -> pd.DataFrame:
            cat = self.catalogue()
            flows = cat.loc[(cat["division"] == division) & cat["flow"], "indicator"].tolist()
            with self._wh() as wh:
                df = wh.query(
                    f"SELECT area_code, indicator, substr(period, 1, 4) AS period, avg(value) AS value "
                    f"FROM observations WHERE division = ? AND area_code IN ({', '.join('?' for _ in codes)}) "
                    f"AND value IS NOT NULL GROUP BY ALL",
                    [division, *codes],
                )
            df = df[~df["indicator"].isin(flows) & ~df["indicator"].str.match(NOT_PUBLIC)]
            parts = [
                self._mask_derived(division, ind, g.drop(columns="indicator").assign(status="published")).assign(
                    indicator=ind
                )
                for ind, g in df.groupby("indicator")
            ]
            df = pd.concat(parts, ignore_index=True) if parts else df.assign(status=[])
            # share-with-base: withheld below the minimum base of the same area and year (base kept beside it)
            here = cat[cat["division"] == division].set_index("indicator")
            bases = df.set_index(["indicator", "area_code", "period"])["value"]
            bases = bases[~bases.index.duplicated()]
            df["base"] = np.nan
            for ind in df["indicator"].unique():
                if ind not in here.index or here.at[ind, "disclosure"] != "share-with-base":
                    continue
                rows = df["indicator"] == ind
                b_ind, minimum = str(here.at[ind, "disclosure_base"]), int(here.at[ind, "min_base"])
                keys = pd.MultiIndex.from_arrays(
                    [[b_ind] * int(rows.sum()), df.loc[rows, "area_code"], df.loc[rows, "period"]]
                )
                base = bases.reindex(keys).to_numpy(dtype=float)
                if b_ind == "survey.respondents" and np.isnan(base).all():
                    keys = pd.MultiIndex.from_arrays(
                        [["population"] * int(rows.sum()), df.loc[rows, "area_code"], df.loc[rows, "period"]]
                    )
                    base, minimum = bases.reindex(keys).to_numpy(dtype=float), MIN_BASE["population"]
                df.loc[rows, "base"] = base
                hide = rows & df["value"].notna() & ~(df["base"] >= minimum)
                df.loc[hide, "value"] = np.nan
                df.loc[hide, "status"] = "secondary"
            return df.sort_values(["indicator", "area_code", "period"], ignore_index=True)

        return self.cached(("yearly_values", division, tuple(codes)), make)

    def _population(self, division: str, level: str, period: str) -> tuple[pd.Series, str | None]:
        """Population per area in the period's year, or in the nearest year with data (and which year)."""
        year = str(period_months(period)[0] // 12)
        try:
            t = self.table(division, "population", level, "year")
        except InputError:
            return pd.Series(dtype="float64"), None
        if t.empty:
            return pd.Series(dtype="float64"), None
        years = sorted(t["period"].unique())
        nearest = min(years, key=lambda y: (abs(int(y) - int(year)), y))  # the year itself when it is there
        here = t[t["period"] == nearest]
        return here.set_index("area_code")["value"], nearest

    # -- drug use from the sewer -------------------------------------------------------------------
    def wastewater(self):
        """The EUDA wastewater data as a ``weerbaar.drug_use.Wastewater`` (city level: no disclosure control)."""
        from .drug_use import Wastewater, load_wastewater

        def make():
            with self._wh() as wh:
                return Wastewater(*load_wastewater(wh))

        return self.cached(("wastewater",), make)

    def surveys(self, division: str) -> pd.DataFrame:
        """Survey prevalence indicators (``survey.prevalence.*``) for the city: indicator, label, period, value."""
        cat = self.catalogue()
        rows = cat[(cat["division"] == division) & cat["indicator"].str.startswith("survey.prevalence.")]
        parts = []
        for info in rows.itertuples():
            if "stad" not in info.levels:
                continue
            t = self.table(division, info.indicator, "stad", "year")
            t = t[t["status"] == "published"]
            if len(t):
                last = t.iloc[-1]
                parts.append(
                    {
                        "indicator": info.indicator,
                        "label_nl": info.label_nl,
                        "label_en": info.label_en,
                        "unit": info.unit,
                        "period": last["period"],
                        "value": float(last["value"]),
                        "synthetic": bool(info.synthetic),
                        "sources": list(info.sources),
                    }
                )
        return pd.DataFrame(
            parts, columns=["indicator", "label_nl", "label_en", "unit", "period", "value", "synthetic", "sources"]
        )

    # -- results ------------------------------------------------------------------------------
    def runs(self, division: str | None = None) -> pd.DataFrame:
        """Stored results with their public parameters (newest first)."""

        def make() -> pd.DataFrame:
            with self._wh() as wh:
                runs = wh.query(
                    "SELECT r.run_id, r.kind, r.parameters, r.snapshot, r.software_version, r.finished_at, "
                    "r.synthetic, any_value(s.division) AS division, any_value(s.period) AS period, "
                    "any_value(s.level) AS level, count(DISTINCT s.area_code) AS areas FROM runs r "
                    "JOIN results s USING (run_id) WHERE r.status = 'ok' GROUP BY ALL ORDER BY r.finished_at DESC"
                )
                stale = wh.stale_runs()  # results whose sources changed since (weerbaar compute standard)
            runs = runs[runs["kind"].isin(RESULT_KINDS)].copy()
            runs["stale"] = [stale.get(r, "") for r in runs["run_id"]]
            # newest first, but a result computed for a council report of an earlier period (weerbaar report
            # --period 2019-H2, tagged for_report) after the others: the dashboard stays as it was
            tagged = [bool(json.loads(p or "{}").get("for_report")) for p in runs["parameters"]]
            runs = runs.assign(_report=tagged).sort_values("_report", kind="stable").drop(columns="_report")
            params = [json.loads(p or "{}") for p in runs["parameters"]]
            runs["indicator"] = [p.get("indicator") for p in params]
            runs["parameters"] = [
                {k: v for k, v in p.items() if k not in ("notes", "sensitivity", "model", "inputs", "weights")}
                for p in params
            ]
            runs = runs.reset_index(drop=True)
            runs["indicator"] = pd.Series(
                [i if isinstance(i, str) else None for i in runs["indicator"]], index=runs.index, dtype=object
            )
            return runs

        runs = self.cached(("runs",), make)
        if division:
            runs = runs[runs["division"] == division]
        return runs

    def latest_run(self, kind: str, *, division: str | None = None, indicator: str | None = None) -> dict:
        if kind == "inventory":
            kind = "vulnerability"
        if kind == "hotspots":
            kind = "hotspots.gi"
        if kind not in RESULT_KINDS:
            raise NotFoundError(
                "Unknown result kind.",
                received=repr(kind),
                expected=", ".join(["inventory", "zwijgwijken", "hotspots", "emerging"]),
                fix="choose one of the public result kinds",
            )
        division = self.division(division)
        runs = self.runs(division)
        runs = runs[runs["kind"] == kind]
        if indicator:
            runs = runs[runs["indicator"] == indicator]
        if runs.empty:
            raise NotFoundError(
                "No stored result of this kind yet.",
                received=f"{kind}" + (f" of {indicator}" if indicator else "") + f" in division {division}",
                expected="a result computed by `weerbaar compute` or `weerbaar serve` (it computes the standard set)",
                fix=f"run `weerbaar compute {kind.split('.')[0]}`",
            )
        return runs.iloc[0].to_dict()

    def result(self, run_id: str) -> ResultView:
        """A stored result with only its public measures, disclosure control applied."""

        def make() -> ResultView:
            runs = self.runs()
            row = runs[runs["run_id"] == run_id]
            if row.empty:
                raise NotFoundError(
                    "No public result with that run id.",
                    received=repr(run_id),
                    expected="a run id listed by /api/v1/results",
                    fix="list the stored results first",
                )
            run = row.iloc[0].to_dict()
            rules = RESULT_KINDS[run["kind"]]
            with self._wh() as wh:
                wide = wh.result(run_id)
            keep = [
                c for c in wide.columns if c in rules["measures"] or any(c.startswith(p) for p in rules["prefixes"])
            ]
            frame = wide[keep].copy()
            for c in frame.columns:
                texts = set(frame[c].dropna().astype(str).unique())
                if texts and texts <= {"True", "False"}:
                    frame[c] = frame[c].map({"True": True, "False": False, True: True, False: False})
                    continue
                if c not in (
                    "name",
                    "stadsdeel",
                    "not_ranked_reason",
                    "category",
                    "flag",
                    "reason",
                    "reason_nl",
                    "reason_en",
                    "last_slice",
                    "last_status",
                    "problem_level",
                ):
                    converted = pd.to_numeric(frame[c], errors="coerce")
                    if converted.notna().sum() >= frame[c].notna().sum():
                        frame[c] = converted
            frame = self._protect_result(run, frame)
            for c in [c for c in rules.get("rounded", []) if c in frame.columns]:
                frame[c] = pd.to_numeric(frame[c], errors="coerce").round(2)
            order = [c for c in rules["measures"] if c in frame.columns]
            order += [c for c in frame.columns if c not in order]
            frame.index.name = "area_code"
            return ResultView(run=_public_run(run), frame=frame[order])

        return self.cached(("result", run_id), make)

    def _protect_result(self, run: dict, frame: pd.DataFrame) -> pd.DataFrame:
        """Withhold counts in a result, and the measures computed from them."""
        division, level, period = run["division"], run["level"], str(run["period"] or "")
        years = _cells_of(period)
        cat = self.catalogue()
        flows = set(cat.loc[(cat["division"] == division) & cat["flow"], "indicator"])
        # raw count values in the inventory: the cube's published value for the same area and period
        for col in [c for c in frame.columns if c.startswith("value.") and c[6:] in flows]:
            status = self._status_over(division, col[6:], level, years, frame.index)
            frame.loc[~status, col] = np.nan
        rules = RESULT_KINDS[run["kind"]]
        counted = [i for i in rules.get("count_indicators", []) if i in flows]
        if rules.get("count_indicators") and not counted:
            # without reports the analysis counts registrations: those are then the counts behind 'observed'
            counted = [i for i in rules.get("text_indicators", []) if i in flows]
        for ind in counted:
            ok = self._status_over(division, ind, level, years, frame.index)
            for col in rules.get("derived", []):
                if col in frame.columns:
                    frame.loc[~ok, col] = np.nan
        if rules.get("texts"):
            ok = pd.Series(True, index=frame.index)
            for ind in rules["text_indicators"]:
                if ind in flows:
                    ok &= self._status_over(division, ind, level, years, frame.index)
            flags = frame["flag"].fillna("").astype(str) if "flag" in frame.columns else pd.Series("", frame.index)
            if "tested" in frame.columns:
                flags = flags.where(frame["tested"].fillna(False).astype(bool) | (flags != ""), "not tested")
            for col in rules["texts"]:
                if col in frame.columns:
                    lang = col.rsplit("_", 1)[1]
                    generic = flags.map(lambda f, lang=lang: WITHHELD_REASONS[lang].get(f, WITHHELD_REASONS[lang][""]))
                    frame[col] = frame[col].where(ok, generic)
        return frame

    def _status_over(self, division: str, indicator: str, level: str, cells: tuple[str, list[str]], codes) -> pd.Series:
        """True for areas whose count is published in every period of ``cells`` (kind, periods): a multi-year
        total is public only when each year is, or the total minus the other years would give one away."""
        kind, periods = cells
        t = self.table(division, indicator, level, kind)
        t = t[t["period"].isin(periods)]
        years = periods
        # exact figures only: in rounding mode a multi-year sum or a ratio would give the exact count away
        ok = t.assign(ok=t["status"] == "published").groupby("area_code")["ok"].all()
        n = t.groupby("area_code")["period"].nunique()
        ok = ok & (n == len(years))
        return ok.reindex(pd.Index(codes)).fillna(False).astype(bool)


#: Public reason texts of the zwijgwijk result where the counts it would quote are withheld.
#: Why a result's counts are withheld: a multi-year total is shown only when every year of it is published,
#: so a total of 19-58 is withheld when one year in it is small (the total minus the other years gives it away).
_WHY_NL = (
    "De aantallen zijn afgeschermd: in minstens één jaar of periode van de analyse is het aantal hier niet "
    "gepubliceerd (te klein), en uit het totaal zou het terug te rekenen zijn."
)
_WHY_EN = (
    "The counts are withheld: in at least one year or period of the analysis the count here is not published "
    "(too small), and the total would give it away."
)
WITHHELD_REASONS = {
    "nl": {
        "zwijgwijk": "Minder meldingen dan verwacht bij de kenmerken van dit gebied (significant na FDR-correctie). "
        + _WHY_NL,
        "effort": "Meer registraties dan verwacht bij de overlast en kenmerken van dit gebied: mogelijk "
        "inzet-gedreven (significant na FDR-correctie). " + _WHY_NL,
        "": "Geen signaal. " + _WHY_NL,
        "not tested": "Niet getoetst (te weinig inwoners of gegevens). De aantallen zijn afgeschermd.",
    },
    "en": {
        "zwijgwijk": "Fewer reports than expected given this area's characteristics (significant after FDR "
        "correction). " + _WHY_EN,
        "effort": "More registrations than expected given the nuisance and characteristics of this area: possibly "
        "effort-driven (significant after FDR correction). " + _WHY_EN,
        "": "No signal. " + _WHY_EN,
        "not tested": "Not tested (too few inhabitants or data). The counts are withheld.",
    },
}


def _map_unique(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``values.map(fn)``, calling ``fn`` once per distinct value (cube columns repeat a few values)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques], dtype=object)
    out = mapped[codes] if len(uniques) else np.empty(len(values), dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def _split_keys(keys: pd.Series, sep: str) -> tuple[pd.Series, pd.Series]:
    """Split "indicator<sep>area_code" keys into (indicator, area_code), once per distinct key."""
    codes, uniques = pd.factorize(keys)
    parts = [str(u).split(sep, 1) for u in uniques]
    first = np.array([q[0] for q in parts], dtype=object)
    second = np.array([q[1] if len(q) > 1 else None for q in parts], dtype=object)
    return (
        pd.Series(first[codes], index=keys.index, dtype=object),
        pd.Series(second[codes], index=keys.index, dtype=object),
    )


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain object columns, so a cube read from the disk cache equals the one just made
    (Parquet gives back pandas' string dtype where the protection made objects, or the other way round)."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) and frame[c].dtype != object]
    return frame.astype({c: object for c in text}) if text else frame


def _protection_code() -> str:
    """A hash of the disclosure code, so that a changed protection rule never reads old cached cubes."""
    from . import disclosure, indicators, ledger

    try:
        code = b"".join(Path(m.__file__).read_bytes() for m in (disclosure, indicators, ledger))
        return hashlib.sha256(code).hexdigest()[:12]
    except OSError:
        return __version__


def _cells_of(period: str) -> tuple[str, list[str]]:
    """The cube cells a result's counts are made of: one period ('2024', '2024-Q3') or the years of a range."""
    if period and ".." not in period:
        try:
            return period_kind(period), [period]
        except Exception:  # noqa: BLE001
            return "year", []
    return "year", _years_of(period)


def _years_of(period: str) -> list[str]:
    """Years covered by a result period: '2024', '2015..2024' or '2015-Q1..2024-Q4'."""
    if not period:
        return []
    first, _, last = period.partition("..")
    last = last or first
    try:
        y0, y1 = period_months(first)[0] // 12, period_months(last)[1] // 12
    except Exception:  # noqa: BLE001
        return []
    return [str(y) for y in range(y0, y1 + 1)]


def _public_run(run: dict) -> dict:
    out = {
        k: run[k]
        for k in ("run_id", "kind", "division", "period", "level", "indicator", "snapshot", "software_version", "areas")
    }
    out["synthetic"] = bool(run["synthetic"])
    out["finished_at"] = run["finished_at"].isoformat(timespec="seconds") if run["finished_at"] is not None else None
    out["parameters"] = run["parameters"]
    out["areas"] = int(out["areas"])
    out["stale"] = run.get("stale") or None  # why the result no longer matches its sources, else None
    return out
