"""Residents' reports on the dashboard (measure 11): ``/reports``.

The indicator ``reports.drug_nuisance`` as a map (the overview's map view and macros, any level and
period through the URL), the city's trend per month or year, and a breakdown by the kind of place
nearby (``reports.near_facility.<type>``, present only after ``weerbaar ingest reports``). Everything
comes from the public read model, so counts are disclosure-controlled; no report is ever shown as a
point.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from .. import charts, settings
from ..contract import period_kind
from ..errors import InputError
from ..public import PublicData
from . import pages, views
from .i18n import TEXTS, t

__all__ = ["router", "INDICATOR", "NEAR_PREFIX", "near_facility_breakdown"]

router = APIRouter(include_in_schema=False)

INDICATOR = "reports.drug_nuisance"
NEAR_PREFIX = "reports.near_facility."
CHOSEN_PREFIX = "reports.chosen_place."  # the kind of place the resident chose on the form
TREND_KINDS = ("month", "year")


def _facility_label(kind: str, lang: str) -> str:
    key = f"report.near.{kind}"
    return t(key, lang) if key in TEXTS else kind.replace("_", " ")


def _city(data: PublicData, division: str) -> str | None:
    areas = data.areas(division)
    city = areas.index[areas["level"] == "stad"]
    return str(city[0]) if len(city) else None


def city_trend(data: PublicData, division: str, kind: str, lang: str) -> tuple[dict | None, pd.DataFrame]:
    """The city's series of reports per month or year (disclosure-controlled), as a chart and a table."""
    empty = pd.DataFrame(columns=["period", "value", "status"])
    if _city(data, division) is None:
        return None, empty
    try:
        table = data.table(division, INDICATOR, "stad", kind)
    except InputError:
        return None, empty
    if table.empty:
        return None, empty
    table = table.assign(status=table["status"].map(views.status_public))
    info = data.indicator(INDICATOR, division)
    label = str(info["label_en"] if lang == "en" else info["label_nl"])
    frame = pd.DataFrame(
        {
            "series": t("level.stad", lang),
            "period": table["period"].to_numpy(),
            "value": table["value"].to_numpy(),
            "status": table["status"].to_numpy(),
        }
    )
    meta = charts.ChartMeta(
        title=f"{label} — {t('kind.' + kind, lang).lower()}",
        source=views.source_titles(data, list(info["sources"]), lang),
        period=f"{frame['period'].min()} .. {frame['period'].max()}",
        unit=pages._unit(str(info["unit"]), lang),
        synthetic=bool(info["synthetic"]),
        lang=lang,
    )
    spec = charts.trend_chart(frame, meta, breaks=pages._breaks(data, division, INDICATOR), height=220)
    return spec, table[["period", "value", "status"]].reset_index(drop=True)


def _common_period(data: PublicData, division: str, indicators: list[str]) -> str | None:
    """The latest year with data for any of the indicators; else the latest quarter, else month."""
    for kind in ("year", "half", "quarter", "month"):
        found = [p for ind in indicators for p in data.periods(division, ind, "stad").get(kind, [])]
        if found:
            return max(found)
    return None


def near_facility_breakdown(data: PublicData, division: str, lang: str, prefix: str = NEAR_PREFIX) -> dict | None:
    """City counts of reports per kind of place nearby, for one period; None when none were ingested.

    Returns ``{"period", "rows" (kind, label, value, status), "spec", "synthetic", "radius"}``.
    """
    cat = data.catalogue()
    cat = cat[(cat["division"] == division) & cat["indicator"].str.startswith(prefix)]
    if cat.empty or _city(data, division) is None:
        return None
    indicators = cat["indicator"].tolist()
    period = _common_period(data, division, indicators)
    if period is None:
        return None
    kind = period_kind(period)
    rows: list[dict[str, Any]] = []
    for indicator in cat["indicator"]:
        table = data.table(division, indicator, "stad", kind)
        hit = table[table["period"] == period]
        if hit.empty:
            value, status = None, "missing"
        else:
            value, status = hit["value"].iloc[0], views.status_public(str(hit["status"].iloc[0]))
        ftype = indicator[len(prefix) :]
        rows.append(
            {
                "kind": ftype,
                "label": _facility_label(ftype, lang),
                "value": None if status == "withheld" or pd.isna(value) else float(value),
                "status": status,
            }
        )
    rows.sort(key=lambda row: (row["value"] is None, -(row["value"] or 0.0), row["label"]))
    synthetic = bool(cat["synthetic"].any())
    # the radius the counts were made with (in the indicators' description), else the current setting
    found = [re.search(r"within (\d+(?:\.\d+)?) m", str(d)) for d in cat["description"]]
    radius = int(next((float(m.group(1)) for m in found if m), float(settings.get("facility_radius_m"))))
    if all(row["status"] == "missing" for row in rows):  # counts exist, but none adds up to the city
        return {"period": period, "rows": [], "spec": None, "synthetic": synthetic, "radius": radius}
    sources = sorted({s for ss in cat["sources"] for s in ss})
    spec = charts.bar_compare(
        pd.DataFrame(
            {
                "area": [row["label"] for row in rows],
                "value": [row["value"] for row in rows],
                "status": [row["status"] for row in rows],
            }
        ),
        charts.ChartMeta(
            title=t("reports.near.chart" if prefix == NEAR_PREFIX else "near.chosen.title", lang),
            source=views.source_titles(data, sources, lang),
            period=period,
            unit=pages._unit("count", lang),
            synthetic=synthetic,
            lang=lang,
        ),
        value_format=",.0f",
    )
    return {"period": period, "rows": rows, "spec": spec, "synthetic": synthetic, "radius": radius}


@router.get("/reports", response_class=HTMLResponse)
@pages.cached_page
def reports_page(
    request: Request,
    level: Annotated[str | None, Query(pattern="^(stadsdeel|gebied|wijk|buurt)$")] = None,
    period: Annotated[str | None, Query(max_length=20)] = None,
    measure: Annotated[str, Query(pattern="^(value|rate)$")] = "value",
    classes: Annotated[str, Query(pattern="^(quantiles|natural_breaks|fixed)$")] = "quantiles",
    k: Annotated[int, Query(ge=2, le=9)] = 5,
    bins: pages.Text = None,
    trend: Annotated[str, Query(pattern="^(month|year)$")] = "month",
    division: pages.DivisionQ = None,
    lang: pages.Lang = "nl",
) -> HTMLResponse:
    data = pages._data(request)
    division = data.division(division)
    data.indicator(INDICATOR, division)  # a clear 404 page where the division has no reports
    levels = pages._map_levels(data, division)
    asked_level = level
    level = level or "wijk"  # wijken: counts big enough to show, areas small enough to see
    if level not in levels:
        level = levels[-1]
    mv = pages.map_view(
        data, INDICATOR, division=division, level=level, asked_level=asked_level, period=period, measure=measure,
        classes=classes, k=k, bins=bins, lang=lang,
    )  # fmt: skip
    trend_spec, trend_table = city_trend(data, division, trend, lang)
    disclosure = data.meta()["disclosure"]
    return pages.render(
        request,
        "reports.html",
        title=t("reports.title", lang),
        levels=levels,
        classes=classes,
        k=k,
        bins=bins or "",
        division=division,
        division_link=views.division_param(data, division),
        trend=trend,
        trend_kinds=TREND_KINDS,
        trend_spec=trend_spec,
        trend_table=trend_table,
        near=near_facility_breakdown(data, division, lang),
        chosen=near_facility_breakdown(data, division, lang, prefix=CHOSEN_PREFIX),
        privacy=(
            t("reports.privacy.round", lang, location=t("privacy.location", lang))
            if disclosure["mode"] == "round"
            else t("reports.privacy", lang, threshold=disclosure["threshold"], location=t("privacy.location", lang))
        ),
        **{key: value for key, value in mv.items() if key != "trend_spec"},
    )
