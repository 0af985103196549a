"""The overview page: the map of a layer with its classes, ranking and city trend."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from ... import charts
from ...errors import InputError
from ...public import PublicData
from .. import views
from ..i18n import number, t
from .common import (
    CLASS_SCHEMES,
    DivisionQ,
    Lang,
    Text,
    _breaks,
    _data,
    _unit,
    cached_page,
    chart_meta,
    render,
    router,
)
from .layers import _bins, map_form


def _disclosure_note(lay: views.MapLayer, lang: str, threshold: int) -> str | None:
    for n in lay.notes:
        if n.startswith("withheld:"):
            k = n.split(":")[1]
            return (
                f"{k} gebieden afgeschermd (aantallen onder {threshold} of terug te rekenen)"
                if lang == "nl"
                else f"{k} areas withheld (counts below {threshold}, or recoverable from totals)"
            )
    return None


def _categories(layer: str, lang: str):
    kind = views.parse_layer(layer)[2]
    if kind == "zwijgwijken":
        return charts.FLAG_CATEGORIES(lang)
    if kind == "emerging":
        return charts.EMERGING_CATEGORIES(lang)
    return charts.HOTSPOT_CATEGORIES(lang)


@router.get("/", response_class=HTMLResponse)
@cached_page
def overview(
    request: Request,
    layer: Text = None,
    level: Annotated[str | None, Query(pattern="^(stadsdeel|gebied|wijk|buurt)$")] = None,
    period: Annotated[str | None, Query(max_length=20)] = None,
    measure: Annotated[str, Query(pattern="^(value|rate)$")] = "value",
    classes: Annotated[str, Query(pattern="^(quantiles|natural_breaks|fixed)$")] = "quantiles",
    k: Annotated[int, Query(ge=2, le=9)] = 5,
    bins: Text = None,
    division: DivisionQ = None,
    lang: Lang = "nl",
) -> HTMLResponse:
    """The map. Every combination of the form's controls leads to a map: a layer the division does not hold,
    a level or period the layer has no data for, or fixed classes without bounds are replaced by the nearest
    sensible choice, and the page says what it changed."""
    data = _data(request)
    form = map_form(data, division=division, layer=layer, level=level, period=period, classes=classes, bins=bins,
                    lang=lang)  # fmt: skip
    division, layer, level, period = form["division"], form["layer"], form["level"], form["period"]
    groups, levels, adjusted, bins_error, parsed_bins = (
        form["groups"], form["levels"], form["adjusted"], form["bins_error"], form["bins"]
    )  # fmt: skip
    asked_level = form["asked_level"]
    mv = map_view(
        data, layer, division=division, level=level, asked_level=asked_level, period=period, measure=measure,
        classes=classes, k=k, bins=bins if parsed_bins else None, lang=lang,
    )  # fmt: skip
    classification = mv["classification"]
    if classes == "fixed" and not parsed_bins and classification is not None and classification.bins:
        # no (valid) bounds typed yet: start from the quantile bounds, shown in the field to edit
        bins = "; ".join(number(b, "en", None).replace(",", "") for b in classification.bins)
        if bins_error is None:
            adjusted.append(t("map.bins.suggested", lang))
    return render(
        request,
        "overview.html",
        title=t("overview.title", lang),
        layer=layer,
        layer_groups=groups,
        levels=levels,
        classes=classes,
        schemes=CLASS_SCHEMES,
        k=k,
        bins=bins or "",
        bins_error=bins_error,
        adjusted=adjusted,
        division=division,
        divisions=list(data.meta()["divisions"]),
        **mv,
    )


def map_view(
    data: PublicData,
    layer: str,
    *,
    division: str,
    level: str,
    asked_level: str | None = None,
    period: str | None = None,
    measure: str = "value",
    classes: str = "quantiles",
    k: int = 5,
    bins: str | None = None,
    lang: str = "nl",
) -> dict:
    """A map layer drawn for a page: the map, its legend counts, highest and lowest areas, the city trend and
    the table of every area (the context of the ``map_panel`` and ``area_table`` macros). Shared by the
    overview and the residents' reports page."""
    kind, indicator, _ = views.parse_layer(layer)
    info = None
    real = None
    if kind == "indicator":
        assert indicator is not None  # parse_layer: an indicator layer is named by its indicator
        info = data.indicator(indicator, division)
        if measure == "rate" and not info["flow"]:
            measure = "value"
        from ..coverage import coverage, default_period

        real = coverage(data, division, indicator, lang)
        if real is not None and period is None:  # a young real series: a period inside it, with counts
            period = default_period(data, division, indicator)
    lay = views.map_layer(data, layer, division=division, level=level, period=period, measure=measure, lang=lang)
    threshold = data.meta()["disclosure"]["threshold"]
    note = _disclosure_note(lay, lang, threshold)
    cmeta = chart_meta(lay, lang, note)
    geo = lay.geojson(data)
    classification = None
    if lay.categorical:
        cats = _categories(layer, lang)
        spec = charts.choropleth(geo, cmeta, categories=cats)
        labels = {value: text for value, text, _ in cats}
        counts = lay.table["category"].value_counts()
        distribution = [(labels.get(c) or views.category_label(c, lang), int(n)) for c, n in counts.items()]
    else:
        scheme = classes if (classes != "fixed" or bins) else "quantiles"
        classification = charts.classify(
            lay.table["value"], scheme, k=k, bins=_bins(bins), lang=lang, integer=_is_count(lay)
        )
        spec = charts.choropleth(geo, cmeta, classification=classification)
        distribution = list(zip(classification.labels, classification.counts, strict=True))
    ranked = views.ranked_table(lay)
    trend_spec = None
    periods: dict[str, list[str]] = {}
    if kind == "indicator":
        assert indicator is not None  # parse_layer: an indicator layer is named by its indicator
        periods = data.periods(division, indicator, level)
        trend_spec = _city_trend(data, lay, lang)
    # an analysis exists at one level: say so only when another level was asked for
    level_note = next((n.split(":")[1] for n in lay.notes if n.startswith("level:") and asked_level), None)
    return {
        "lay": lay,
        "level": lay.level,
        "level_note": level_note,
        "period": lay.period,
        "periods": periods,
        "measure": measure,
        "flow": bool(info["flow"]) if info is not None else False,
        "spec": spec,
        "trend_spec": trend_spec,
        "highest": ranked.head(10),
        "lowest": ranked.tail(10).iloc[::-1],
        "distribution": distribution,
        "classification": classification,
        "table": lay.table.sort_values("name"),
        "note": note,
        "coverage": real,
        "api_url": views.link(
            "/api/v1/map", "nl", layer=layer, level=lay.level, period=period, measure=measure, division=division
        ),
    }


def _is_count(lay: views.MapLayer) -> bool:
    """Whole numbers on the map (counts as published, not rates): class bounds are whole numbers too."""
    return lay.kind == "indicator" and lay.measure == "value" and lay.unit == "count"


def _city_trend(data: PublicData, lay: views.MapLayer, lang: str) -> dict | None:
    levels = data.meta()["divisions"][lay.division]
    if "stad" not in levels:
        return None
    assert lay.indicator is not None  # map_view asks for the city trend of indicator layers only
    try:
        t_ = data.table(lay.division, lay.indicator, "stad", "year")
    except InputError:
        return None
    if t_.empty:
        return None
    frame = pd.DataFrame(
        {"series": t("level.stad", lang), "period": t_["period"], "value": t_["value"], "status": t_["status"]}
    )
    meta = charts.ChartMeta(
        title=f"{lay.title} — {t('overview.citytrend', lang).lower()}",
        source=lay.source,
        period=f"{frame['period'].min()} .. {frame['period'].max()}",
        unit=_unit("count" if lay.measure == "rate" else lay.unit, lang),
        synthetic=lay.synthetic,
        lang=lang,
    )
    return charts.trend_chart(frame, meta, breaks=_breaks(data, lay.division, lay.indicator), height=200)
