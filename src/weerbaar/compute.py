"""The ``compute`` verbs: read the warehouse, run an analysis, store the result with a run id.

Analyses themselves are pure functions in ``weerbaar.analysis``; this module only fetches their
inputs (``analysis.inputs.area_frame``), records what was used, missing and synthetic, and stores
the result frame. Every output frame carries a ``synthetic`` column that is true when any input
was synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import settings
from .analysis.composite import CompositeConfig, composite_index
from .analysis.inputs import area_frame, area_groups
from .analysis.uncertainty import rank_uncertainty
from .pipeline import warehouse_path
from .warehouse import Warehouse

__all__ = ["ComputeOutcome", "compute_vulnerability"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class ComputeOutcome:
    run_id: str
    frame: pd.DataFrame  # the output table (index area code)
    summary: dict
    notes: list[str]
    synthetic: bool
    details: object = None  # the analysis result object (e.g. CompositeResult) for explanations
    groups: pd.Series | None = None  # area -> stadsdeel


def _open(home: Path | None) -> Warehouse:
    return Warehouse.open(warehouse_path(home))


def compute_vulnerability(
    *,
    config: CompositeConfig | None = None,
    period: str | None = None,
    level: str = "buurt",
    division: str | None = None,
    draws: int = 1000,
    seed: int | None = None,
    home: Path | None = None,
    progress: Progress = _quiet,
) -> ComputeOutcome:
    """The vulnerability inventory: composite index, rank intervals and sensitivity, stored with a run id."""
    config = config or CompositeConfig.default().replace(min_population=float(settings.get("min_population")))
    seed = settings.get("seed") if seed is None else seed
    started = datetime.now(UTC).replace(tzinfo=None)
    wh = _open(home)
    try:
        wanted = [s.name for s in config.indicators]
        if config.population not in wanted:
            wanted.append(config.population)
        progress(f"reading {len(wanted)} indicators at level {level}")
        af = area_frame(wh, wanted, period=period, level=level, division=division)
        notes = list(af.meta["notes"])
        progress(f"composite index for {len(af.frame)} areas, period {af.period}")
        result = composite_index(af.frame, config)
        notes += list(result.notes)
        progress(f"uncertainty analysis: {draws} draws (seed {seed})")
        unc = rank_uncertainty(af.frame, config, draws=draws, seed=seed)
        groups = area_groups(wh, af.division, af.level)
        names = wh.areas(division=af.division, level=af.level, geometry=False).set_index("code")["name"]
        table = result.to_frame()
        out = pd.DataFrame(index=table.index)
        out["name"] = names.reindex(out.index)
        out["stadsdeel"] = groups.reindex(out.index)
        out["composite"] = table["composite"]
        out["rank"] = table["rank"].round().astype("Int64")
        out["median_rank"] = unc.ranks["median_rank"]
        out["rank_low"] = unc.ranks["rank_low"].round().astype("Int64")
        out["rank_high"] = unc.ranks["rank_high"].round().astype("Int64")
        out["ranked"] = table["ranked"]
        out["not_ranked_reason"] = table["not_ranked_reason"]
        out["imputed"] = table["imputed"]
        for d in result.domains:
            out[f"domain.{d}"] = table[f"domain.{d}"]
            out[f"contribution.{d}"] = result.contributions[d]
        for c in table.columns:
            if c.startswith("value."):
                out[c] = table[c]
        out["synthetic"] = af.synthetic
        summary = {
            **result.summary(),
            **{"uncertainty": unc.summary()},
            "period": af.period,
            "level": af.level,
            "division": af.division,
            "synthetic_indicators": af.meta["synthetic_indicators"],
        }
        params = {
            "config": config.to_dict(),
            "period": af.period,
            "level": af.level,
            "division": af.division,
            "draws": draws,
            "seed": seed,
            "inputs": af.meta["indicators"],
            "absent": af.meta["absent"],
            "notes": notes,
            "sensitivity": unc.sensitivity.to_dict("records"),
        }
        run_id = wh.store_result(
            "vulnerability",
            out,
            parameters=params,
            division=af.division,
            period=af.period,
            level=af.level,
            synthetic=af.synthetic,
            started_at=started,
        )
        progress(f"stored as run {run_id}")
        return ComputeOutcome(run_id, out, summary, notes, af.synthetic, result, groups)
    finally:
        wh.close()
