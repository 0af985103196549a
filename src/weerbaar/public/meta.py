"""The read model's metadata: the warehouse's snapshot and build, the loaded divisions and levels, the sources."""

from __future__ import annotations

import pandas as pd

from .. import __version__, settings
from ..contract import LEVELS
from ..errors import NotFoundError
from ..indicators import MIN_BASE
from .base import ReadModelBase


class MetaPart(ReadModelBase):
    """What the warehouse holds: ``meta``, ``division``, ``level``, ``sources``."""

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
