"""Effects of many interventions over time (``weerbaar compute did``): staggered DiD on the warehouse.

The panel is one indicator per buurt and month (from the warehouse); a buurt's treatment starts in the month of
the first intervention in the register that touches it (optionally of some kinds only); buurten without one are
never treated. The result (the event study, keyed by months since the start) is stored with a run id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from . import settings
from .analysis.did import DidResult, att_gt
from .analysis.inputs import period_months
from .errors import InputError
from .pipeline import warehouse_path
from .warehouse.store import Warehouse

__all__ = ["treatment_starts", "monthly_panel", "compute_did"]


def _month(period: str) -> int:
    return period_months(period)[0]


def treatment_starts(url: str | None, *, division: str, kinds: list[str] | None = None) -> dict[str, int]:
    """Buurt -> month number (year * 12 + month - 1) of the first intervention touching it."""
    from . import store
    from .interventions import list_interventions, prepared

    starts: dict[str, int] = {}
    with store.session(prepared(url), write=False) as s:
        for r in list_interventions(s):
            if r.division != division or (kinds and r.kind not in kinds):
                continue
            m = r.start_date.year * 12 + r.start_date.month - 1
            for code in r.area_codes.split(","):
                if code and (code not in starts or m < starts[code]):
                    starts[code] = m
    return starts


def monthly_panel(wh: Warehouse, indicator: str, division: str, start: str | None, end: str | None):
    """(panel with unit, time, y; synthetic flag): monthly observations of the buurten, zero-filled."""
    obs = wh.query(
        "SELECT o.area_code, o.period, sum(o.value) AS value, bool_or(o.status = 'synthetic') AS synthetic "
        "FROM observations o JOIN areas a ON a.code = o.area_code AND a.division = o.division "
        "WHERE o.indicator = ? AND o.division = ? AND a.level = 'buurt' AND length(o.period) = 7 "
        "AND substr(o.period, 6, 1) IN ('0', '1') GROUP BY o.area_code, o.period",
        [indicator, division],
    )
    if obs.empty:
        raise InputError(
            "The indicator has no monthly observations per buurt.",
            received=f"{indicator} in division {division}",
            expected="counts per buurt and month (YYYY-MM)",
            fix="choose another --indicator (see `weerbaar indicators`)",
        )
    obs["time"] = obs["period"].map(_month)
    lo = _month(start) if start else int(obs["time"].min())
    hi = period_months(end)[1] if end else int(obs["time"].max())
    obs = obs[(obs["time"] >= lo) & (obs["time"] <= hi)]
    units = sorted(wh.areas(division=division, level="buurt", geometry=False)["code"])
    full = pd.MultiIndex.from_product([units, range(lo, hi + 1)], names=["unit", "time"])
    y = obs.rename(columns={"area_code": "unit", "value": "y"}).set_index(["unit", "time"])["y"]
    panel = y.reindex(full, fill_value=0.0).reset_index()
    return panel, bool(obs["synthetic"].any())


def compute_did(
    *,
    indicator: str,
    control: str = "notyet",
    kinds: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    division: str | None = None,
    url: str | None = None,
    home: Path | None = None,
    alpha: float = 0.05,
) -> tuple[str, DidResult, dict]:
    division = division or settings.get("division")
    started = datetime.now(UTC).replace(tzinfo=None)
    starts = treatment_starts(url, division=division, kinds=kinds)
    if not starts:
        raise InputError(
            "The intervention register holds no interventions for this division.",
            received=f"division {division}" + (f", kinds {', '.join(kinds)}" if kinds else ""),
            expected="interventions with buurten (weerbaar ingest interventions FILE)",
            fix="import interventions first, or choose another --division or --kind",
        )
    wh = Warehouse.open(warehouse_path(home))
    try:
        panel, synthetic = monthly_panel(wh, indicator, division, start, end)
        panel["group"] = panel["unit"].map(starts).fillna(0).astype(int)
        result = att_gt(panel, control=control, alpha=alpha)
        lo, hi = int(panel["time"].min()), int(panel["time"].max())

        def label(m: int) -> str:
            return f"{m // 12}-{m % 12 + 1:02d}"

        treated = panel.groupby("unit")["group"].first()
        described = {
            "indicator": indicator,
            "control": control,
            "kinds": kinds or [],
            "from": label(lo),
            "to": label(hi),
            "division": division,
            "buurten": int(len(treated)),
            "treated_in_window": int(((treated > lo) & (treated <= hi)).sum()),
            "synthetic": synthetic,
        }
        frame = result.event.assign(area_code=lambda d: [f"e{e:+d}" for e in d["e"]]).set_index("area_code")
        run_id = wh.store_result(
            "did",
            frame,
            parameters={**described, "summary": result.summary()},
            division=division,
            period=f"{label(lo)}..{label(hi)}",
            level="buurt",
            synthetic=synthetic,
            started_at=started,
        )
        return run_id, result, described
    finally:
        wh.close()


def compute_synthetic_control(
    *,
    indicator: str,
    treated: str,
    start: str,
    before: str | None = None,
    end: str | None = None,
    donors: list[str] | None = None,
    division: str | None = None,
    url: str | None = None,
    home: Path | None = None,
    placebo: bool = True,
    seed: int | None = None,
):
    """Synthetic control of one buurt from buurten without interventions (default: of the same stadsdeel),
    quarterly sums of a monthly count, the pre-treatment quarters as predictors; stored with a run id."""
    from .analysis.synth import synthetic_control

    division = division or settings.get("division")
    seed = settings.get("seed") if seed is None else seed
    started = datetime.now(UTC).replace(tzinfo=None)
    touched = set(treatment_starts(url, division=division))
    wh = Warehouse.open(warehouse_path(home))
    try:
        areas = wh.areas(division=division, geometry=False).set_index("code")
        if treated not in areas.index or areas.loc[treated, "level"] != "buurt":
            raise InputError(
                "The treated area is not a buurt of the division.",
                received=repr(treated),
                expected=f"a buurt code of division {division}",
                fix="see `weerbaar areas --level buurt`",
            )
        panel, synthetic = monthly_panel(wh, indicator, division, before, end)
        start_m = _month(start)
        if donors:
            pool = donors
        else:
            parent = areas["parent"].to_dict()

            def stadsdeel(code):
                seen = 0
                while areas.loc[code, "level"] != "stadsdeel" and seen < 6:
                    up = parent.get(code)
                    if not isinstance(up, str) or up not in areas.index:
                        break
                    code, seen = up, seen + 1
                return code

            mine = stadsdeel(treated)
            buurten = areas.index[areas["level"] == "buurt"]
            pool = [b for b in buurten if b != treated and b not in touched and stadsdeel(b) == mine]
        panel = panel[panel["unit"].isin([treated, *pool])].copy()
        # quarters relative to the start: steadier counts, fewer predictors
        panel["q"] = (panel["time"] - start_m) // 3
        q = panel.groupby(["unit", "q"], as_index=False)["y"].sum()
        result = synthetic_control(q, treated=treated, start=0, time="q", placebo=placebo, seed=int(seed))

        def label(m: int) -> str:
            return f"{m // 12}-{m % 12 + 1:02d}"

        described = {
            "indicator": indicator,
            "treated": treated,
            "start": label(start_m),
            "from": label(int(panel["time"].min())),
            "to": label(int(panel["time"].max())),
            "donors": len(pool),
            "division": division,
            "synthetic": synthetic,
        }
        frame = result.path.copy()
        frame.index = [f"q{int(i):+d}" for i in frame.index]
        run_id = wh.store_result(
            "synthetic_control",
            frame,
            parameters={**described, "summary": result.summary()},
            division=division,
            period=f"{described['from']}..{described['to']}",
            level="buurt",
            synthetic=synthetic,
            started_at=started,
        )
        return run_id, result, described
    finally:
        wh.close()


def proximity_inputs(
    *, events: str | None, store_reports: bool, background: str, division: str, url: str | None, home: Path | None
):
    """(facilities frame, report points n x 2, background grid, synthetic flag) from the warehouse and store."""
    import numpy as np

    from .analysis.proximity import BackgroundGrid

    if bool(events) == bool(store_reports):
        raise InputError(
            "Choose where the reports come from.",
            received=f"--events {events!r}, --store-reports {store_reports}",
            expected="either --events TYPE (points in the warehouse) or --store-reports (residents' reports)",
            fix="give exactly one of the two",
        )
    wh = Warehouse.open(warehouse_path(home), read_only=True)
    try:
        fac = wh.query("SELECT facility_id, name, type, x, y FROM facilities")
        buurten = wh.areas(division=division, level="buurt").set_index("code")
        synthetic = False
        if events:
            ev = wh.query("SELECT x, y, status FROM events WHERE type = ?", [events])
            pts = ev[["x", "y"]].to_numpy(float)
            synthetic = bool((ev["status"] == "synthetic").any())
        if background == "area":
            weights = buurten.geometry.area
        else:
            obs = wh.query(
                "SELECT area_code, period, value, status FROM observations WHERE indicator = ? AND division = ? "
                "AND length(period) = 4",
                [background, division],
            )
            if obs.empty:
                raise InputError(
                    "The background indicator has no yearly values per buurt.",
                    received=f"{background} in division {division}",
                    expected="e.g. population, or 'area'",
                    fix="use --background population or --background area",
                )
            latest = obs[obs["period"] == obs["period"].max()]
            weights = latest.groupby("area_code")["value"].sum()
            synthetic |= bool((latest["status"] == "synthetic").any())
    finally:
        wh.close()
    if fac.empty:
        raise InputError("There are no facilities in the warehouse.", received="0", expected="facilities",
                         fix="weerbaar ingest facilities FILE")  # fmt: skip
    if store_reports:
        from . import store
        from .interventions import prepared
        from .store.models import Report

        with store.session(prepared(url), write=False) as s:
            pts = np.array([(r.x, r.y) for r in s.query(Report.x, Report.y)], dtype=float).reshape(-1, 2)
    return fac, pts, BackgroundGrid.from_areas(buurten[buurten.geometry.notna()], weights), synthetic
