"""The area profile and the neighbourhood inventory."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ... import charts
from ...errors import InputError, NotFoundError
from ...public import PublicData
from .. import views
from ..i18n import t
from ..inventory_words import inventory_words
from .common import (
    DivisionQ,
    Lang,
    Text,
    _breaks,
    _data,
    _unit,
    cached_page,
    render,
    router,
)


def sparkline(series: list[dict], width: int = 96, height: int = 22) -> Markup:
    """A tiny inline SVG line of a yearly series (withheld and missing years leave gaps)."""
    vals = [s["value"] for s in series]
    nums = [v for v in vals if v is not None]
    if len(nums) < 2:
        return Markup("")
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    n = len(vals)
    pts: list[str] = []
    paths: list[list[str]] = []
    for i, v in enumerate(vals):
        if v is None:
            if len(pts) > 1:
                paths.append(pts)
            pts = []
            continue
        x = 2 + (width - 4) * (i / max(n - 1, 1))
        y = height - 2 - (height - 4) * ((v - lo) / span)
        pts.append(f"{x:.1f},{y:.1f}")
    if len(pts) > 1:
        paths.append(pts)
    lines = "".join(f'<polyline points="{" ".join(p)}"/>' for p in paths)
    # built from formatted numbers and the ints width and height only
    return Markup(  # nosec B704
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false">{lines}</svg>'
    )


@router.get("/area/{code}", response_class=HTMLResponse)
@cached_page
def area_page(
    request: Request,
    code: str,
    division: DivisionQ = None,
    indicator: Text = None,
    lang: Lang = "nl",
) -> HTMLResponse:
    data = _data(request)
    if len(code) > 32:
        raise NotFoundError("Unknown area code.", received=repr(code[:40]), expected="an area code", fix="pick an area")
    prof = views.profile(data, code, division=division, lang=lang)
    division = prof["division"]
    inds = prof["indicators"]
    canonical = [i for i in inds if i["canonical"]]
    others = [i for i in inds if not i["canonical"]]
    preferred = [indicator, "registered.drug_trade", "reports.drug_nuisance"]
    main = next((i for p in preferred for i in inds if i["indicator"] == p), None) or (canonical or inds or [None])[0]
    trend_spec = None
    if main is not None:
        trend_spec = _profile_trend(data, prof, main, lang)
    domain_spec = None
    inv = prof["results"].get("vulnerability")
    if inv and inv.get("domains"):
        frame = pd.DataFrame(
            [
                {
                    "domain": _domain_label(d["domain"], lang),
                    "area": d["area"],
                    "stadsdeel": d["stadsdeel"],
                    "stad": d["stad"],
                }
                for d in inv["domains"]
            ]
        )
        domain_spec = charts.domain_chart(
            frame,
            charts.ChartMeta(
                title=t("profile.domains", lang),
                source="weerbaar: vulnerability (run " + inv["run_id"] + ")",
                period=str(inv["period"]),
                unit="percentielscore 0–1" if lang == "nl" else "percentile score 0–1",
                synthetic=inv["synthetic"],
                lang=lang,
            ),
            height=160,
        )
    chain: list[dict[str, object]] = []
    areas = data.areas(division)
    c = prof["parent"]["code"] if prof["parent"] else None
    while c is not None and c in areas.index and len(chain) < 6:
        chain.append({"code": c, "name": areas.loc[c, "name"], "level": areas.loc[c, "level"]})
        p = areas.loc[c, "parent"]
        c = p if isinstance(p, str) else None
    return render(
        request,
        "area.html",
        title=prof["name"],
        prof=prof,
        chain=list(reversed(chain)),
        canonical=canonical,
        others=others,
        main=main,
        trend_spec=trend_spec,
        domain_spec=domain_spec,
        sparkline=sparkline,
        division=division,
        category_label=lambda c: views.category_label(c, lang),
        results=prof["results"],
    )


def _domain_label(domain: str, lang: str) -> str:
    nl = {
        "vulnerability": "Kwetsbaarheid",
        "registered": "Registraties",
        "nuisance": "Ervaren overlast",
        "signals": "Signalen",
        "problem": "Drugsprobleem (model)",
    }
    return nl.get(domain, domain) if lang == "nl" else domain.capitalize()


def _profile_trend(data: PublicData, prof: dict, main: dict, lang: str) -> dict:
    rows = [
        {"series": prof["name"], "period": s["period"], "value": s["value"], "status": s["status"]}
        for s in main["series"]
    ]
    division = prof["division"]
    for key in ("stadsdeel", "stad"):
        ref = prof.get(key) if key == "stadsdeel" else None
        if key == "stad":
            stad = data.areas(division)["stad"].get(prof["code"])
            ref = (
                {"code": stad, "name": t("level.stad", lang), "level": "stad"}
                if stad and stad != prof["code"]
                else None
            )
        if not ref or main["flow"]:
            # counts of a buurt and of the whole city do not share a scale: compare only averages and rates
            continue
        try:
            t_ = data.table(division, main["indicator"], ref["level"], "year")
        except InputError:
            continue
        t_ = t_[t_["area_code"] == ref["code"]]
        rows += [
            {"series": ref["name"], "period": p, "value": v, "status": views.status_public(s)}
            for p, v, s in zip(t_["period"], t_["value"], t_["status"], strict=True)
        ]
    frame = pd.DataFrame(rows)
    meta = charts.ChartMeta(
        title=f"{main['label']} — {prof['name']}",
        source=views.source_titles(data, main["sources"], lang),
        period=f"{frame['period'].min()} .. {frame['period'].max()}",
        unit=_unit(main["unit"], lang),
        synthetic=main["synthetic"],
        lang=lang,
    )
    return charts.trend_chart(frame, meta, breaks=_breaks(data, division, main["indicator"]), height=220)


@router.get("/inventory", response_class=HTMLResponse)
@cached_page
def inventory_page(
    request: Request,
    stadsdeel: Annotated[list[str] | None, Query(max_length=40)] = None,
    focus: Annotated[int, Query(ge=0, le=1)] = 0,
    show: Annotated[str, Query(pattern="^(top|all)$")] = "top",
    division: DivisionQ = None,
    lang: Lang = "nl",
) -> HTMLResponse:
    data = _data(request)
    division = data.division(division)
    wanted = list(stadsdeel or [])
    if focus:
        wanted += list(views.FOCUS_STADSDELEN)
    run, frame = views.inventory(data, division=division, stadsdelen=[w for w in wanted if w] or None)
    areas = data.areas(division)
    sds = areas[areas["level"] == "stadsdeel"].sort_values("name")
    ranked = frame[frame["rank"].notna()].head(40)
    spec = None
    if len(ranked):
        cf = pd.DataFrame(
            {
                "name": ranked["name"],
                "code": ranked.index,
                "rank": ranked["rank"],
                "rank_low": ranked["rank_low"],
                "rank_high": ranked["rank_high"],
                "stadsdeel": ranked["stadsdeel_name"],
                "href": [
                    views.link(f"/area/{c}", lang, division=views.division_param(data, division)) for c in ranked.index
                ],
            }
        )
        spec = charts.rank_interval_chart(
            cf,
            charts.ChartMeta(
                title=t("inventory.title", lang),
                source=f"weerbaar: vulnerability (run {run['run_id']})",
                period=str(run["period"]),
                unit=t("col.rank", lang),
                synthetic=run["synthetic"],
                lang=lang,
            ),
        )
    domains = [c for c in frame.columns if c.startswith("domain.")]
    total = len(frame)
    if show == "top":
        frame = frame.head(100)
    return render(
        request,
        "inventory.html",
        total=total,
        show=show,
        all_url=views.link(
            "/inventory",
            lang,
            stadsdeel=stadsdeel,
            focus=focus or None,
            show="all",
            division=views.division_param(data, division),
        ),
        title=t("inventory.title", lang),
        run=run,
        frame=frame,
        domains=domains,
        domain_label=lambda d: _domain_label(d.split(".", 1)[1], lang),
        stadsdelen=sds,
        selected=set(stadsdeel or []),
        focus=focus,
        spec=spec,
        division=division,
        n_ranked=int(data.result(run["run_id"]).frame["rank"].notna().sum()),
        ranking=views.ranking_counts(data, run["run_id"]),
        words=inventory_words(run, lang),
    )
