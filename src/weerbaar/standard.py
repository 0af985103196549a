"""The standard results: the analyses the dashboard and the report show without being asked.

``ensure_ready`` makes a fresh install usable in one step: it builds the embedded default when
there is no warehouse and computes every standard result that the warehouse does not hold yet
(a result belongs to a snapshot: a rebuild drops them, so they are recomputed here). Stored results
follow their inputs: a standard result whose sources changed since it was computed (a real source
replacing a synthetic stand-in, a newer CBS release) is stale and is computed again here too
(``Warehouse.stale_runs``). A result that cannot be computed on the new data is reported, not hidden.
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


def status(home: Path | None = None) -> list[dict]:
    """Each standard result: its latest run id (or None), and why it is stale ('' when current)."""
    with pipeline.open_warehouse(home) as wh:
        rows = wh.execute(
            "SELECT run_id, kind, parameters FROM runs WHERE kind <> 'build' AND status = 'ok' "
            "ORDER BY finished_at DESC"
        )
        # the standard result of a kind is its newest run, not one computed for a report of an earlier period
        latest: dict[tuple[str, str | None], str] = {}
        for run_id, kind, params in rows:
            p = json.loads(params or "{}")
            if not p.get("for_report"):
                latest.setdefault((kind, p.get("indicator")), run_id)
        wanted = {(s.kind, s.parameters.get("indicator")) for s in STANDARD}
        stale = wh.stale_runs([r for k, r in latest.items() if k in wanted])
    out = []
    for spec in STANDARD:
        run_id = latest.get((spec.kind, spec.parameters.get("indicator")))
        out.append({"spec": spec, "run_id": run_id, "stale": stale.get(run_id, "") if run_id else ""})
    return out


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
    from .errors import WeerbaarError

    todo = [
        (s["spec"], "missing" if s["run_id"] is None else f"stale: {s['stale']}")
        for s in status(home)
        if s["run_id"] is None or s["stale"]
    ]
    done["failed"] = []
    done["stale"] = sum(why.startswith("stale") for _, why in todo)
    for i, (spec, why) in enumerate(todo, start=1):
        t = time.perf_counter()
        try:
            outcome = spec.run(home=home, **spec.parameters)
        except (WeerbaarError, ValueError, ArithmeticError, LookupError) as exc:
            # e.g. too few months of a new real source for a trend: say so, keep going with the others
            problem = exc.problem if isinstance(exc, WeerbaarError) else f"{type(exc).__name__}: {exc}"
            received = f" ({exc.received})" if isinstance(exc, WeerbaarError) and exc.received else ""
            progress(f"[{i}/{len(todo)}] {spec.label} ({why}): not computed: {problem}{received}")
            done["failed"].append({"label": spec.label, "reason": problem + received})
            continue
        progress(
            f"[{i}/{len(todo)}] {spec.label} ({why}): run {outcome.run_id} ({time.perf_counter() - t:.1f} s)"
            + (", synthetic inputs" if outcome.synthetic else "")
        )
        done["computed"].append(outcome.run_id)
    return done


# -- the council report's own period -------------------------------------------------------------


def analysis_year(period: str) -> str:
    """The year a report of ``period`` analyses: the period's year when the period ends in December,
    else the year before (a report on 2019-H1 has no complete 2019 yet)."""
    from .analysis.inputs import period_months

    last = period_months(period)[1]
    year, month = divmod(last, 12)
    return str(year if month == 11 else year - 1)


def period_specs(period: str) -> tuple[StandardResult, ...]:
    """The standard set computed for one reporting period: the snapshot analyses (inventory, zwijgwijken,
    hot spots) for :func:`analysis_year`, the emerging hot spots over the series up to the period's end."""
    from .analysis.inputs import period_months

    year = analysis_year(period)
    y, m = divmod(period_months(period)[1], 12)
    end = f"{y}-{m + 1:02d}"
    out = []
    for spec in STANDARD:
        extra = {"end": end} if spec.kind == "emerging" else {"period": year}
        out.append(StandardResult(spec.kind, f"{spec.label}, {period}", spec.run, {**spec.parameters, **extra}))
    return tuple(out)


def _matches(spec: StandardResult, params: dict, result_period: str | None) -> bool:
    from .analysis.inputs import period_months

    if params.get("indicator") != spec.parameters.get("indicator"):
        return False
    if params.get("level", "buurt") != "buurt":  # the standard set is computed per buurt
        return False
    if spec.kind == "emerging":
        last = str(result_period or "").split("..")[-1]
        try:
            return bool(last) and period_months(last)[1] == period_months(spec.parameters["end"])[1]
        except (ValueError, KeyError):
            return False
    wanted = spec.parameters["period"]
    got = str(params.get("period") or "")
    return got == wanted or got.endswith(f"..{wanted}")


def ensure_period(period: str, home: Path | None = None, *, progress: Progress = _quiet) -> dict:
    """The standard results of a reporting period: found (current, not stale) or computed now.

    Returns ``{"runs": {(kind, indicator): run_id}, "computed": [run ids], "failed": [...]}``; a result that
    cannot be computed for the period (no data then) is left out and named in ``failed``.
    """
    from .errors import WeerbaarError

    with pipeline.open_warehouse(home) as wh:
        rows = wh.execute(
            "SELECT r.run_id, r.kind, r.parameters, any_value(s.period) FROM runs r JOIN results s USING (run_id) "
            "WHERE r.status = 'ok' GROUP BY ALL ORDER BY any_value(r.finished_at) DESC"
        )
        stale = wh.stale_runs([r[0] for r in rows]) if rows else {}
    runs: dict[tuple[str, str | None], str] = {}
    done: dict = {"runs": runs, "computed": [], "failed": []}
    todo = []
    for spec in period_specs(period):
        key = (spec.kind, spec.parameters.get("indicator"))
        found = next(
            (
                run_id
                for run_id, kind, params, rperiod in rows
                if kind == spec.kind and run_id not in stale and _matches(spec, json.loads(params or "{}"), rperiod)
            ),
            None,
        )
        if found:
            runs[key] = found
        else:
            todo.append(spec)
    for i, spec in enumerate(todo, start=1):
        t = time.perf_counter()
        try:
            outcome = spec.run(home=home, **spec.parameters)
        except (WeerbaarError, ValueError, ArithmeticError, LookupError) as exc:
            problem = exc.problem if isinstance(exc, WeerbaarError) else f"{type(exc).__name__}: {exc}"
            progress(f"[{i}/{len(todo)}] {spec.label}: not computed: {problem}")
            done["failed"].append({"label": spec.label, "reason": problem})
            continue
        progress(f"[{i}/{len(todo)}] {spec.label}: run {outcome.run_id} ({time.perf_counter() - t:.1f} s)")
        _tag_for_report(home, outcome.run_id, period)
        runs[(spec.kind, spec.parameters.get("indicator"))] = outcome.run_id
        done["computed"].append(outcome.run_id)
    return done


def _tag_for_report(home: Path | None, run_id: str, period: str) -> None:
    """Mark a run computed for a council report (``for_report``): the dashboard keeps showing its own."""
    from .warehouse import Warehouse

    with Warehouse.open(pipeline.warehouse_path(home)) as wh:
        (params,) = wh.execute("SELECT parameters FROM runs WHERE run_id = ?", [run_id])[0]
        tagged = {**json.loads(params or "{}"), "for_report": period}
        wh.execute(
            "UPDATE runs SET parameters = ? WHERE run_id = ?", [json.dumps(tagged, sort_keys=True, default=str), run_id]
        )
