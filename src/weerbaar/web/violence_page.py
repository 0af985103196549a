"""Measure 8 on the web: the public page "Geweld"/"Violence" (the city's near-repeat table as a heat map, the
self-exciting fit in plain words, the limits) and the partner page of current alert windows (analyst role and
up, every view audited). Point events never reach the public page."""

from __future__ import annotations

import json
from typing import Annotated

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from . import pages
from .api import ERRORS
from .i18n import TEXTS, t

__all__ = ["router", "partner_router", "api_router"]

router = APIRouter(include_in_schema=False)
partner_router = APIRouter(prefix="/partner", include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["api"])
COUNT_MONTHS = 12  # months of the public counts table on the page

DEMO_SDS = [0, 1, 100, 200, 300, 400]
DEMO_TDS = [0, 7, 14, 21, 28]


def _demo() -> dict:
    """The synthetic scenario (labelled as such): a simulated self-exciting process, its Knox table and fit."""
    from ..analysis.nearrepeat import knox_test
    from ..analysis.selfexciting import fit_hawkes, simulate_hawkes

    sim = simulate_hawkes(mu_per_day=0.5, theta=0.4, omega=0.2, sigma=150, span_days=730, seed=0)
    sim["x"] += 115_000
    sim["y"] += 480_000
    knox = knox_test(sim["x"], sim["y"], sim["t"], DEMO_SDS, DEMO_TDS, permutations=199, seed=0, synthetic=True)
    fit = fit_hawkes(sim["x"], sim["y"], sim["t"], span_days=730)
    return {
        "knox": knox.to_frame(),
        "knox_params": {"events": len(sim), "permutations": 199, "distance": "manhattan", "synthetic": True},
        "statement": {lang: knox.summary(lang) for lang in ("nl", "en")},
        "fit": fit,
        "fit_text": {lang: fit.summary(lang) for lang in ("nl", "en")},
        "fit_warnings": {"nl": [], "en": []},
        "synthetic": True,
        "n_events": 0,
    }


def _state(data) -> dict:
    """What the warehouse holds for measure 8: the stored Knox table and fit, and the number of events."""
    from ..violence import latest_nearrepeat, latest_selfexciting

    def make() -> dict:
        with data._wh() as wh:
            n = int(wh.execute("SELECT count(*) FROM events WHERE type LIKE 'violence.%'")[0][0])
            nr = latest_nearrepeat(wh)
            se = latest_selfexciting(wh)
        return {"n_events": n, "nearrepeat": nr, "selfexciting": se}

    return data.cached(("violence", "state"), make)


def _heat(frame: pd.DataFrame, threshold: int) -> list[dict]:
    """Cells of the heat map, with counts 1..threshold-1 withheld (disclosure control)."""
    rows = []
    for r in frame.to_dict("records"):
        small = 0 < r["observed"] < threshold
        ratio = np.nan if small else r["knox_ratio"]
        rows.append(
            {
                "space_from": r["space_from"],
                "space_to": r["space_to"],
                "time_from": r["time_from"],
                "time_to": r["time_to"],
                "observed": None if small else int(r["observed"]),
                "expected": r["expected"],
                "ratio": ratio,
                "p": r["p"],
                "sig": (not small) and r["p"] <= 0.05 and r["knox_ratio"] > 1,
                "withheld": small,
                "shade": 0.0 if not np.isfinite(ratio) else float(min(1.0, max(0.0, np.log2(max(ratio, 1e-9)) / 3))),
            }
        )
    return rows


def _band(lo, hi, unit: str, lang: str) -> str:
    lo_s = f"{lo:g}"
    if hi is None or (isinstance(hi, float) and np.isnan(hi)):
        return (f"≥ {lo_s} {unit}") if lang == "en" else f"≥ {lo_s} {unit}"
    if lo == 0 and hi <= 1 and unit == "m":
        return t("violence.same_location", lang)
    return f"{lo_s}–{hi:g} {unit}"


@router.get("/violence", response_class=HTMLResponse)
def violence_page(
    request: Request, lang: pages.Lang = "nl", demo: int = 0, division: str | None = None
) -> HTMLResponse:
    data = pages._data(request)
    state = _state(data)
    counts = _counts_table(data, _division(data, division), lang)
    threshold = int(data.disclosure.threshold)
    real_table = state["nearrepeat"]
    use_demo = bool(demo) or (real_table is None and state["selfexciting"] is None)
    if use_demo:
        d = data.cached(("violence", "demo"), _demo)
        table, params, synthetic = d["knox"], d["knox_params"], True
        fit_text = d["fit_text"][lang]
        warnings: list[str] = []
        statement = d["statement"][lang]
        fit_table = d["fit"].to_frame()
    else:
        table, params = real_table if real_table is not None else (None, {})
        synthetic = bool(params.get("synthetic"))
        statement = None
        fit_text, warnings, fit_table = None, [], None
        if table is not None:
            from ..violence import stored_knox_result

            res = stored_knox_result(table, params)
            statement = res.summary(lang)
        if state["selfexciting"] is not None:
            fit_table, fparams = state["selfexciting"]
            fit_table = fit_table.reset_index().rename(columns={"area_code": "parameter"})
            synthetic = synthetic or bool(fparams.get("synthetic"))
            warnings = fparams.get(f"warnings_{lang}", [])
            fit_text = _fit_words(fit_table, lang)
    cells = _heat(table, threshold) if table is not None else []
    # keyed by the lower break (the open last band has NaN as its upper break, and NaN != NaN)
    space = sorted({c["space_from"]: (c["space_from"], c["space_to"]) for c in cells}.values(), key=lambda v: v[0])
    time_ = sorted({c["time_from"]: (c["time_from"], c["time_to"]) for c in cells}.values(), key=lambda v: v[0])
    grid = [[c for c in cells if c["space_from"] == s[0]] for s in space]
    return pages.render(
        request,
        "violence.html",
        title=t("violence.title", lang),
        demo=use_demo,
        real_events=state["n_events"],
        synthetic=synthetic,
        grid=grid,
        space_labels=[_band(a, b, "m", lang) for a, b in space],
        time_labels=[_band(a, b, t("violence.days", lang), lang) for a, b in time_],
        params=params,
        statement=statement,
        fit_text=fit_text,
        fit_table=fit_table,
        warnings=warnings,
        threshold=threshold,
        counts=counts,
    )


def _division(data, division: str | None) -> str:
    """The asked division, else the configured one, else the first loaded one (events have no division)."""
    meta = data.meta()
    if division is None and meta["default_division"] not in meta["divisions"] and meta["divisions"]:
        return next(iter(meta["divisions"]))
    return data.division(division)


def _counts_table(data, division: str, lang: str) -> dict | None:
    """The last months of the protected counts per area and type group, for the page (None: no events)."""
    level, frame = data.event_counts(division)
    frame = frame[frame["kind"] == "month"] if len(frame) else frame
    if level is None or frame.empty:
        return None
    months = sorted(frame["period"].unique())[-COUNT_MONTHS:]
    frame = frame[frame["period"].isin(months)]
    names = data.areas(division)["name"]
    rows = []
    for (group, code), part in frame.groupby(["group", "area_code"], sort=False):
        by = part.set_index("period")
        rows.append(
            {
                "group": t(f"violence.group.{group}", lang) if f"violence.group.{group}" in TEXTS else group,
                "area": str(names.get(code, code)),
                "city": by["level"].iloc[0] == "stad",
                "cells": [
                    None if p not in by.index or pd.isna(by.at[p, "value"]) else int(by.at[p, "value"]) for p in months
                ],
            }
        )
    rows.sort(key=lambda r: (r["group"], not r["city"], r["area"]))
    return {"level": level, "months": months, "rows": rows}


@api_router.get(
    "/violence/counts",
    summary="Violence events per area, month and type group, disclosure-controlled",
    responses=ERRORS,
)
def counts_api(
    request: Request,
    division: Annotated[str | None, Query(max_length=32, description="Area division (default: the configured)")] = None,
    kind: Annotated[str, Query(pattern="^(month|year)$", description="month or year")] = "month",
) -> dict:
    """Counts of violence events (measure 8) per stadsdeel (or the coarsest level below the city) and the city,
    per month or year and type group. Counts about persons: a count from 1 to threshold - 1 is withheld (value
    null, status withheld) and so is any cell it could be recovered from. Never points."""
    from . import views

    data = pages._data(request)
    division = _division(data, division)
    level, frame = data.event_counts(division)
    frame = frame[frame["kind"] == kind] if len(frame) else frame
    records = [
        {
            "group": r["group"],
            "area_code": r["area_code"],
            "level": r["level"],
            "period": r["period"],
            "value": None if pd.isna(r["value"]) else int(r["value"]),
            "status": views.status_public(r["status"]),
        }
        for r in frame.to_dict("records")
    ]
    meta = data.meta()["disclosure"]
    return {
        "division": division,
        "level": level,
        "kind": kind,
        "disclosure": meta,
        "synthetic": bool(_state(data)["n_events"]) and _events_synthetic(data),
        "data": records,
    }


def _events_synthetic(data) -> bool:
    def make() -> bool:
        with data._wh() as wh:
            return bool(wh.execute("SELECT count(*) FROM events WHERE status = 'synthetic'")[0][0])

    return data.cached(("violence", "synthetic"), make)


def _fit_words(table: pd.DataFrame, lang: str) -> str:
    v = table.set_index("parameter")
    br, dd = v.loc["branching_ratio"], v.loc["decay_days"]
    text = t(
        "violence.fit.words",
        lang,
        share=f"{100 * br['estimate']:.0f}",
        lo=f"{100 * br['low']:.0f}",
        hi=f"{100 * br['high']:.0f}",
        days=pages.number(dd["estimate"], lang, 1),
    )
    if "reach_m" in v.index:
        estimate = v["estimate"]
        text += " " + t("violence.fit.reach", lang, metres=f"{estimate['reach_m']:.0f}")
    return text


@partner_router.get("/violence", response_class=HTMLResponse)
def alerts_page(request: Request, lang: pages.Lang = "nl", ratio: float = 2.0) -> Response:
    """Current alert windows (analyst role and up): a map and a list. Every view is audited."""
    from .. import store
    from ..errors import WeerbaarError
    from ..store.models import User
    from ..store.reports import record_access
    from ..violence import current_alerts, stored_alerts, violence_events
    from . import partner
    from .report_form import store_url

    try:
        user = partner._require(request, "analyst")
    except partner._Refusal as refusal:
        return refusal.response
    ratio = float(min(max(ratio, 1.1), 20.0))
    data = pages._data(request)
    windows, summary, error, synthetic, as_of, stored = None, None, None, False, None, None
    try:
        with data._wh() as wh:
            # the windows stored at the last ingest (weerbaar ingest events), when current; else computed now
            stored = stored_alerts(wh, ratio=ratio)
            events = violence_events(wh) if stored is None else None
        if stored is not None:
            windows, sparams = stored
            summary, synthetic, as_of = sparams[f"summary_{lang}"], sparams["synthetic"], sparams["as_of"]
        else:
            assert events is not None  # read above whenever nothing was stored
            windows, fit = current_alerts(events, ratio=ratio)
            summary, synthetic, as_of = fit.summary(lang), events.synthetic, f"{events.end:%Y-%m-%dT%H:%M:%S}"
    except WeerbaarError as exc:
        error = exc.problem
    with store.session(store_url(request.app)) as s:
        record_access(s, "view_alerts", actor=s.get(User, user.id))
    spec = None
    if windows is not None and len(windows):
        spec = json.dumps(
            {
                "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                "width": 520,
                "height": 420,
                "data": {
                    "values": [
                        {"id": r.event_id, "x": r.x, "y": r.y, "r": r.radius_m, "until": f"{r.until:%Y-%m-%d}"}
                        for r in windows.itertuples()
                    ]
                },
                "mark": {"type": "circle", "opacity": 0.5, "color": "#b2182b"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": {"zero": False}, "title": "x (RD, m)"},
                    "y": {"field": "y", "type": "quantitative", "scale": {"zero": False}, "title": "y (RD, m)"},
                    "size": {"field": "r", "type": "quantitative", "title": t("violence.alerts.radius", lang)},
                    "tooltip": [{"field": "id"}, {"field": "until"}, {"field": "r", "format": ".0f"}],
                },
            }
        ).replace("</", "<\\/")
    return partner._render(
        request,
        "partner_violence.html",
        user,
        title=t("violence.alerts.title", lang),
        windows=windows,
        summary=summary,
        error=error,
        ratio=ratio,
        spec=spec,
        synthetic=synthetic,
        as_of=as_of,
        from_store=stored is not None,
    )
