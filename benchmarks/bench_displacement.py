"""Benchmark: one displacement analysis (issue 19 target: under 1 s).

Builds a synthetic grid city of 518 buurten with 120 months of counts (labelled synthetic) in a temporary data
folder, then times (a) the pure WDQ/WDD computation and (b) a warehouse-mode run with the buffer and control
derived as rings of buurten (queen contiguity), stored with a run id.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from weerbaar import pipeline, settings
from weerbaar.analysis.displacement import Counts, displacement
from weerbaar.compute_displacement import compute_displacement
from weerbaar.synthetic.grid import grid_areas


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings.override("home", home)
        areas = grid_areas(518, division="B")
        f = home / "areas.geojson"
        areas.drop(columns="division").to_crs("EPSG:4326").to_file(f, driver="GeoJSON")
        pipeline.ingest_areas(f, division="B", home=home)
        buurten = areas.loc[areas["level"] == "buurt", "code"].tolist()
        rng = np.random.default_rng(1)
        months = [f"{y}-{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
        obs = pd.DataFrame(
            {
                "area_code": np.repeat(buurten, len(months)),
                "period": np.tile(months, len(buurten)),
                "indicator": "registered.drug_trade",
                "value": rng.poisson(3, len(buurten) * len(months)),
                "status": "synthetic",
            }
        )
        of = home / "obs.csv"
        obs.to_csv(of, index=False)
        pipeline.ingest_observations(of, division="B", home=home)

        t0 = time.perf_counter()
        for _ in range(1000):
            displacement(Counts(207, 110), Counts(178, 157), Counts(308, 318), Counts(150, 140))
        pure = (time.perf_counter() - t0) / 1000
        target = buurten[len(buurten) // 2]
        t0 = time.perf_counter()
        run_id, r, described = compute_displacement(
            target=target,
            indicator="registered.drug_trade",
            before="2021-01..2022-12",
            after="2023-01..2024-12",
            division="B",
            home=home,
        )
        wh_time = time.perf_counter() - t0
        print(f"pure WDQ/WDD: {pure * 1e6:.0f} microseconds per analysis")
        print(
            f"warehouse mode, 518 buurten x 120 months, rings derived "
            f"(buffer {len(described['areas']['buffer'])}, control {len(described['areas']['control'])} buurten): "
            f"{wh_time:.2f} s (run {run_id}, WDD {r.wdd:+.1f}, p {r.p:.2f})"
        )
        settings.override("home", None)


if __name__ == "__main__":
    main()
