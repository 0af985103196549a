"""The read model's areas: the area registry of a division, map geometries and neighbours."""

from __future__ import annotations

from typing import cast

import geopandas as gpd
import pandas as pd

from ..errors import NotFoundError
from .base import ReadModelBase

#: Map levels from coarse to fine (the city itself is a single area and is shown as the reference).
MAP_LEVELS = ("stadsdeel", "gebied", "wijk", "buurt")
#: Simplification tolerance of map geometries in metres (RD New), per level.
SIMPLIFY_M = {"stad": 25.0, "stadsdeel": 20.0, "gebied": 15.0, "wijk": 10.0, "buurt": 6.0}


class AreasPart(ReadModelBase):
    """The areas of a division: ``areas``, ``area``, ``geometry``, ``neighbours``."""

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
                    return d, cast(pd.Series, areas.loc[code])  # area codes are the unique index: one row
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
            from ..analysis.weights import build_graph

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
