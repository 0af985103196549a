"""The trends and compare pages."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from ... import charts
from .. import views
from ..i18n import t
from .common import (
    DivisionQ,
    Lang,
    Text,
    _breaks,
    _chosen_first,
    _data,
    _map_levels,
    _unit,
    cached_page,
    render,
    router,
)
from .layers import _default_layer, layer_options


@router.get("/trends", response_class=HTMLResponse)
@cached_page
def trends_page(
    request: Request,
    indicator: Text = None,
    area: Annotated[list[str] | None, Query(max_length=32)] = None,
    level: Annotated[str, Query(pattern="^(stad|stadsdeel|gebied|wijk|buurt)$")] = "stadsdeel",
    kind: Annotated[str, Query(pattern="^(year|half|quarter|month)$")] = "year",
    division: DivisionQ = None,
    lang: Lang = "nl",
) -> HTMLResponse:
    data = _data(request)
    division = data.division(division)
    indicator = indicator or _default_layer(data, division)
    info = data.indicator(indicator, division)
    levels = _map_levels(data, division)
    if level not in levels:
        level = levels[0]
    areas = data.areas(division)
    choices = _chosen_first(areas[areas["level"] == level].sort_values("name"), area or [])
    chosen = [a for a in (area or []) if a in choices.index]
    if not chosen:
        focus = choices[choices["name"].isin(views.FOCUS_STADSDELEN)].index.tolist()
        chosen = focus or choices.index[:3].tolist()
    choices = _chosen_first(choices, chosen)
    kinds = [k_ for k_ in ("year", "half", "quarter", "month") if k_ in data.periods(division, indicator, level)]
    if kind not in kinds:
        kind = kinds[0] if kinds else "year"
    t_ = data.table(division, indicator, level, kind)
    t_ = t_[t_["area_code"].isin(chosen)]
    frame = pd.DataFrame(
        {
            "series": areas["name"].reindex(t_["area_code"]).to_numpy(),
            "period": t_["period"].to_numpy(),
            "value": t_["value"].to_numpy(),
            "status": t_["status"].map(views.status_public).to_numpy(),
        }
    )
    label = info["label_en"] if lang == "en" else info["label_nl"]
    spec = None
    if len(frame):
        spec = charts.trend_chart(
            frame,
            charts.ChartMeta(
                title=str(label),
                source=views.source_titles(data, list(info["sources"]), lang),
                period=f"{frame['period'].min()} .. {frame['period'].max()}",
                unit=_unit(str(info["unit"]), lang),
                synthetic=bool(info["synthetic"]),
                lang=lang,
            ),
            breaks=_breaks(data, division, indicator),
            height=320,
        )
    wide = frame.pivot_table(index="period", columns="series", values="value", aggfunc="first", dropna=False)
    return render(
        request,
        "trends.html",
        title=t("trends.title", lang),
        indicator=indicator,
        indicator_groups=[g for g in layer_options(data, division, lang) if g["label"] != t("group.results", lang)],
        level=level,
        levels=levels,
        kind=kind,
        kinds=kinds,
        choices=choices,
        chosen=chosen,
        spec=spec,
        wide=wide,
        division=division,
        breaks=_breaks(data, division, indicator),
    )


@router.get("/compare", response_class=HTMLResponse)
@cached_page
def compare_page(
    request: Request,
    area: Annotated[list[str] | None, Query(max_length=32)] = None,
    level: Annotated[str, Query(pattern="^(stadsdeel|gebied|wijk|buurt)$")] = "wijk",
    indicator: Text = None,
    division: DivisionQ = None,
    lang: Lang = "nl",
) -> HTMLResponse:
    data = _data(request)
    division = data.division(division)
    levels = _map_levels(data, division)
    areas = data.areas(division)
    chosen = [a for a in (area or []) if a in areas.index][:8]
    if chosen:
        level = str(areas.loc[chosen[0], "level"])
    if level not in levels:
        level = levels[-1]
    choices = _chosen_first(areas[areas["level"] == level].sort_values("name"), area or [])
    profiles = [views.profile(data, c, division=division, lang=lang) for c in chosen]
    indicators: list[dict] = []
    seen: dict[str, dict] = {}
    for p in profiles:
        for i in p["indicators"]:
            row = seen.setdefault(
                i["indicator"],
                {
                    "indicator": i["indicator"],
                    "label": i["label"],
                    "unit": i["unit"],
                    "period": i["period"],
                    "values": {},
                    "flow": i["flow"],
                    "synthetic": i["synthetic"],
                    "sources": i["sources"],
                },
            )
            row["values"][p["code"]] = (i["value"], i["status"])
    indicators = list(seen.values())
    spec = None
    preferred = [indicator, "registered.drug_trade", "reports.drug_nuisance"]
    main = next((i for p in preferred for i in indicators if i["indicator"] == p), None) or (
        indicators[0] if indicators else None
    )
    if main is not None and len(chosen) >= 2:
        frame = pd.DataFrame(
            [
                {
                    "area": areas.loc[c, "name"],
                    "value": main["values"].get(c, (None, "missing"))[0],
                    "status": main["values"].get(c, (None, "missing"))[1],  # "afgeschermd" as in the table
                }
                for c in chosen
            ]
        )
        spec = charts.bar_compare(
            frame,
            charts.ChartMeta(
                title=main["label"],
                source=views.source_titles(data, main["sources"], lang),
                period=str(main["period"]),
                unit=_unit(main["unit"], lang),
                synthetic=main["synthetic"],
                lang=lang,
            ),
        )
    return render(
        request,
        "compare.html",
        title=t("compare.title", lang),
        chosen=chosen,
        profiles=profiles,
        indicators=indicators,
        main=main,
        spec=spec,
        choices=choices,
        level=level,
        levels=levels,
        division=division,
    )
