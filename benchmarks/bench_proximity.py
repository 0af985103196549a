"""Benchmark: facility proximity (measure 11) with 999 simulations over ~1,500 facilities and 10,000 reports
(issue 19 target: under a minute).

Real facilities (the embedded Amsterdam set, 1,462) and the 518 buurten of 2022; 10,000 SYNTHETIC report points:
8,000 from a background proportional to buurt area, 2,000 planted within 150 m of schools. Prints the time and
whether the schools stand out above the envelope while the other types stay mostly inside it.
"""

from __future__ import annotations

import time
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from weerbaar.analysis.proximity import BackgroundGrid, cross_k


def main() -> None:
    data = resources.files("weerbaar") / "data"
    fac = pd.read_parquet(str(data / "amsterdam-facilities" / "facilities.parquet"))
    areas = pd.read_parquet(str(data / "amsterdam-areas-2022" / "areas.parquet"))
    areas = gpd.GeoDataFrame(areas, geometry=shapely.from_wkb(areas["geometry"]), crs=28992)
    buurten = areas[areas["level"] == "buurt"].set_index("code")
    t0 = time.perf_counter()
    grid = BackgroundGrid.from_areas(buurten, buurten.geometry.area)
    rng = np.random.default_rng(11)
    schools = fac[fac["type"] == "school"][["x", "y"]].to_numpy()
    near = schools[rng.integers(0, len(schools), 2000)] + rng.uniform(-100, 100, (2000, 2))
    reports = np.vstack([grid.sample(8000, rng), near])
    t1 = time.perf_counter()
    result = cross_k(fac, reports, grid, radii=(50, 100, 200, 300, 500), simulations=999, seed=1)
    t2 = time.perf_counter()
    t = result.table
    print(
        f"background grid {t1 - t0:.1f} s; 999 simulations, {len(fac)} facilities, {len(reports)} reports: "
        f"{t2 - t1:.1f} s"
    )
    for ftype, g in t.groupby("facility_type"):
        above = g.loc[g["pairs"] > g["high"], "r"].astype(int).tolist()
        print(f"  {ftype:17s} CLQ {result.clq[ftype]:.2f}; above the envelope at r = {above or 'none'}")


if __name__ == "__main__":
    main()
