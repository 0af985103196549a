"""The standard results: the analyses the dashboard and the report show without being asked.

``ensure_ready`` makes a fresh install usable in one step: it builds the embedded default when
there is no warehouse and computes every standard result that the warehouse does not hold yet
(a result belongs to a snapshot: a rebuild drops them, so they are recomputed here).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import compute, pipeline

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class StandardResult:
    kind: str  # the stored result kind (runs.kind)
    label: str  # short name for progress lines
    run: Callable[..., compute.ComputeOutcome]
    parameters: dict = field(default_factory=dict)


#: The standard set, in the order they run. Indicators: the effort-driven police registrations and the
#: fear-driven citizen reports, the pair the programme asks to read side by side.
STANDARD: tuple[StandardResult, ...] = (
    StandardResult("vulnerability", "vulnerability inventory (measure 7)", compute.compute_vulnerability),
    StandardResult("zwijgwijken", "zwijgwijken and effort flags", compute.compute_zwijgwijken),
    *(
        StandardResult(
            "hotspots.gi", f"hot spots (Gi*) of {ind}", compute.compute_hotspots, {"indicator": ind, "method": "gi"}
        )
        for ind in ("registered.drug_trade", "reports.drug_nuisance")
    ),
    *(
        StandardResult("emerging", f"emerging hot spots of {ind}", compute.compute_emerging, {"indicator": ind})
        for ind in ("registered.drug_trade", "reports.drug_nuisance")
    ),
)


def _present(home: Path | None) -> set[tuple[str, str | None]]:
    """(kind, indicator) of every stored result."""
    with pipeline.open_warehouse(home) as wh:
        rows = wh.execute("SELECT kind, parameters FROM runs WHERE kind <> 'build' AND status = 'ok'")
    return {(kind, json.loads(params or "{}").get("indicator")) for kind, params in rows}


def ensure_ready(
    home: Path | None = None, *, progress: Progress = _quiet, build: bool = True, results: bool = True
) -> dict:
    """Build the default warehouse if it is missing, then compute the standard results it lacks."""
    done: dict = {"built": False, "computed": []}
    if not pipeline.warehouse_path(home).exists():
        if not build:
            from .errors import WarehouseError

            raise WarehouseError(
                "There is no warehouse yet.",
                received=str(pipeline.warehouse_path(home)),
                expected="a built warehouse",
                fix="run `weerbaar build` (or `weerbaar serve` without --no-build)",
            )
        progress("no warehouse yet: building the embedded Amsterdam default")
        pipeline.build(home=home, progress=progress)
        done["built"] = True
    if not results:
        return done
    present = _present(home)
    missing = [s for s in STANDARD if (s.kind, s.parameters.get("indicator")) not in present]
    for i, spec in enumerate(missing, start=1):
        t = time.perf_counter()
        outcome = spec.run(home=home, **spec.parameters)
        progress(f"[{i}/{len(missing)}] {spec.label}: run {outcome.run_id} ({time.perf_counter() - t:.1f} s)")
        done["computed"].append(outcome.run_id)
    return done
