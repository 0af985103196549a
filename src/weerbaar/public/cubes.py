"""The read model's protected cubes: counts of events per division and indicator, every area level and period
kind at once, protected by the disclosure policy of each indicator (decision 0013) and kept in a disk cache;
the violence event counts, protected the same way as counts about persons.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..contract import LEVELS, period_kind
from ..disclosure import aggregate_cube
from ..ledger import protect_release
from .base import ReadModelBase

#: Bump when the protected cube's columns or the protection itself change (invalidates the disk cache).
#: 2: rounded protection of open submissions (decisions 0028, 0031). 3: complements published again (0034).
CUBE_CACHE_VERSION = 3
#: Tables (level, period kind) whose complements are tried for publication again, in this order (decision
#: 0034): the wijk half-year (the dashboard's map and the council report's period) and the buurt year.
#: Each table tried costs time at every release (5-10 s per indicator and table on the default).
RELEASE_FIRST: tuple[tuple[str, str], ...] = (("wijk", "half"), ("buurt", "year"))
CUBE_COLUMNS = ["area_code", "period", "value", "published", "status", "kind"]


class CubesPart(ReadModelBase):
    """Protected cubes of counts: ``cube``, ``count_indicators``, ``prefetch_cubes``, ``release_date``,
    ``event_counts`` and the protection behind them."""

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
            out[str(ind)] = frame.drop(columns="indicator").reset_index(drop=True)
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
        submissions), and the newly released cells recorded. Open submissions are protected knowing they are
        published rounded (decision 0031): small counts whose rounding hides them are shown rounded."""
        ind = _split_keys(cube["area_code"], sep)[0]
        lineage = {i: ",".join(cat["sources"][i]) for i in ind.unique()}
        previous = []
        for i, lin in lineage.items():
            prev = self.ledger.load(division, i, lin)
            if len(prev):
                previous.append(prev.assign(area_code=i + sep + prev["area_code"]))
        prev_all = pd.concat(previous, ignore_index=True) if previous else None
        round_rows = ind.map({i: bool(cat.at[i, "open_submissions"]) for i in lineage}).to_numpy(dtype=bool)
        level = _split_keys(cube["area_code"], sep)[1].map(self.areas(division)["level"])
        table = level.astype(str) + "|" + _map_unique(cube["period"], period_kind).astype(str)
        order = table.map({f"{lv}|{kind}": float(i) for i, (lv, kind) in enumerate(RELEASE_FIRST)})
        protected, new = protect_release(
            cube,
            forest,
            self.disclosure,
            previous=prev_all,
            as_of=self.release_date(),
            delay_days=self.delay_days,
            round_published=round_rows if self.disclosure.mode == "suppress" else False,
            rounded_protection=True,
            release_order=order.to_numpy(dtype=float),
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
        from ..violence import event_area_counts

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
    from .. import disclosure, indicators, ledger

    try:
        files = [*sorted(Path(disclosure.__file__).parent.glob("*.py")), Path(indicators.__file__)]
        files.append(Path(ledger.__file__))
        code = b"".join(f.read_bytes() for f in files)
        return hashlib.sha256(code).hexdigest()[:12]
    except OSError:
        return __version__
