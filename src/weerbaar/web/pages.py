"""Server-rendered pages (Jinja2). The state of every view is in its URL; Dutch by default, ``lang=en``.

Charts are Vega-Lite specs from ``weerbaar.charts`` embedded with vega-embed; every chart has a
table with the same figures next to it, for keyboard and screen-reader users.
"""

from __future__ import annotations

import functools
import math
import re
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .. import charts
from ..compute import DIVISION_BREAKS
from ..contract import LEVELS
from ..errors import InputError, NotFoundError
from ..public import PublicData
from . import views
from .bodies import Body, ResponseCache, cache_key, send
from .i18n import number, t
from .inventory_words import inventory_words
from .source_texts import source_text

TEMPLATES = Jinja2Templates(directory=str(files("weerbaar.web") / "templates"))
router = APIRouter(include_in_schema=False)

Lang = Annotated[str, Query(pattern="^(nl|en)$")]
Text = Annotated[str | None, Query(max_length=200)]
DivisionQ = Annotated[str | None, Query(max_length=32)]
CLASS_SCHEMES = ("quantiles", "natural_breaks", "fixed")


def _data(request: Request) -> PublicData:
    return request.app.state.data


def cached_page(handler):
    """Serve a page from the page cache when the same URL was rendered for the same warehouse version."""

    @functools.wraps(handler)
    def wrapper(request: Request, *args, **kwargs):
        cache: ResponseCache = request.app.state.responses
        body = cache.get(request.url.path, cache_key(request))
        if body is None:
            version = cache.version()
            response = handler(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = Body.of(bytes(response.body), "text/html; charset=utf-8")
            cache.remember(request, body, version)
        return send(request, body)

    return wrapper


def _map_levels(data: PublicData, division: str) -> list[str]:
    """The levels of a division that can be mapped and compared (the city is one area: the reference)."""
    return [lv for lv in data.meta()["divisions"][division] if lv != "stad"]


def _chosen_first(choices: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """Options of a multiple select with the chosen ones on top, so the selection is visible."""
    first = [c for c in chosen if c in choices.index]
    return pd.concat([choices.loc[first], choices.drop(index=first)])


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "nl")
    return lang if lang in ("nl", "en") else "nl"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    data = _data(request)
    try:
        meta = data.meta()
    except Exception:  # noqa: BLE001 - the error page must render even without a warehouse
        meta = {"synthetic": False, "snapshot": "–", "version": "", "disclosure": {"mode": "suppress", "threshold": 5}}
    other = "en" if lang == "nl" else "nl"
    switch = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if other == "en":
        switch.append(("lang", "en"))
    ctx = {
        "request": request,
        "lang": lang,
        "t": lambda key, **kw: t(key, lang, **kw),
        "num": lambda v, d=None: number(v, lang, d),
        "unit": lambda u: _unit(str(u or ""), lang),
        "link": lambda path, **kw: views.link(
            path,
            lang,
            **{k: (None if k == "division" and v == meta.get("default_division") else v) for k, v in kw.items()},
        ),
        "lang_url": request.url.path + ("?" + urlencode(switch) if switch else ""),
        "meta": meta,
        "path": request.url.path,
        "vega_tag": request.app.state.vega.tag,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)


def _short(params: dict, meta: dict) -> dict:
    """Link parameters without the default division (shorter, stable URLs)."""
    return {k: (None if k == "division" and v == meta.get("default_division") else v) for k, v in params.items()}


def error_page(request: Request, status: int, problem: str, received, expected, fix) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status=status,
        title=t("error.notfound" if status == 404 else "error.title", _lang(request)),
        status_code=status,
        problem=problem,
        received=received,
        expected=expected,
        fix=fix,
    )


def chart_meta(lay: views.MapLayer, lang: str, note: str | None = None) -> charts.ChartMeta:
    return charts.ChartMeta(
        title=lay.title,
        source=lay.source,
        period=lay.period,
        unit=_unit(lay.unit, lang),
        synthetic=lay.synthetic,
        lang=lang,
        note=note,
    )


_UNITS_NL = {
    "count": "aantal",
    "percent": "%",
    "per 1,000 inhabitants": "per 1.000 inwoners",
    "category": "categorie",
    "index (city mean = 100)": "index (stadsgemiddelde = 100)",
}


def _unit(unit: str, lang: str) -> str:
    if lang == "en":
        return unit or "–"
    return _UNITS_NL.get(unit, unit or "–")


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


#: Non-canonical indicators shown among the drug channels in the layer picker (real police registrations).
CHANNELS = ("registered.drug_nuisance", "registered.nuisance.alcohol_drugs")


def layer_options(data: PublicData, division: str, lang: str) -> list[dict]:
    """The map layer picker: canonical indicators, analyses, then the other sources' indicators (made once
    per warehouse version: the 2015 division has hundreds)."""
    return data.cached(("layer-options", division, lang), lambda: _layer_options(data, division, lang))


def _layer_options(data: PublicData, division: str, lang: str) -> list[dict]:
    cat = data.catalogue()
    cat = cat[cat["division"] == division]
    label = "label_en" if lang == "en" else "label_nl"
    # the drug channels side by side: the canonical ones (some synthetic stand-ins) and the real police
    # nuisance registrations; each says whether it is synthetic and whether it depends on police effort
    channel = cat["canonical"] | cat["indicator"].isin(CHANNELS)

    def channel_label(r) -> str:
        text = getattr(r, label)
        if bool(r.synthetic):
            return f"{text} ({t('channel.synthetic', lang)})"
        effort = getattr(r, "effort_dependent", None)
        if effort is not None and pd.notna(effort) and bool(effort):
            return f"{text} ({t('channel.effort', lang)})"
        return text

    groups = [
        {
            "label": t("group.indicators", lang),
            "options": [(r.indicator, channel_label(r)) for r in cat[channel].itertuples()],
        }
    ]
    results = []
    runs = data.runs(division)
    for layer_kind in views.RESULT_LAYERS:
        for r in runs[runs["kind"] == layer_kind].drop_duplicates(subset=["indicator"]).itertuples():
            value = f"result:{layer_kind}" + (f":{r.indicator}" if r.indicator else "")
            text = t(f"result.{layer_kind}", lang)
            if r.indicator:
                text += f" — {views.indicator_label(data, r.indicator, division, lang)}"
            results.append((value, text))
    if results:
        groups.append({"label": t("group.results", lang), "options": results})
    other = cat[~channel]
    if len(other):
        groups.append(
            {
                "label": t("group.other", lang),
                "options": [(r.indicator, f"{getattr(r, label)} ({r.indicator})") for r in other.itertuples()],
            }
        )
    return groups


def _default_layer(data: PublicData, division: str) -> str:
    cat = data.catalogue()
    cat = cat[cat["division"] == division]
    for pref in ("registered.drug_trade", "reports.drug_nuisance", "safety.index"):
        if (cat["indicator"] == pref).any():
            return pref
    if cat.empty:
        raise NotFoundError(
            "This division has no data to map.",
            received=division,
            expected="a division with observations",
            fix="choose another division",
        )
    return str(cat["indicator"].iloc[0])


def _bins(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(x.replace(",", ".")) for x in re.split(r"[;\s]+|,\s", text.strip()) if x]
    except ValueError:
        raise InputError(
            "The class breaks are not numbers.",
            received=repr(text),
            expected="numbers separated by spaces or semicolons, e.g. 1; 5; 10; 20",
            fix="type the upper bounds of the classes, smallest first",
        ) from None


def _layer_levels(data: PublicData, division: str, layer: str, levels: list[str]) -> list[str]:
    """The map levels at which an indicator layer has data (an analysis exists at its own level)."""
    kind, indicator, _ = views.parse_layer(layer)
    if kind != "indicator":
        return levels
    info = data.indicator(indicator, division)
    published = [lv for lv in info["levels"] if lv in LEVELS]
    if info["canonical"] or info["flow"]:
        # canonical indicators and counts are aggregated up from the finest level they are published at
        finest = max((LEVELS.index(lv) for lv in published), default=len(LEVELS) - 1)
        return [lv for lv in levels if LEVELS.index(lv) <= finest] or levels
    return [lv for lv in levels if lv in published] or levels


def _fit_period(periods: dict[str, list[str]], period: str | None) -> str | None:
    """The asked period when the layer has it; else the latest of the same kind; else the default (None)."""
    if not period:
        return None
    if any(period in ps for ps in periods.values()):
        return period
    kind = {4: "year", 7: "month"}.get(len(period)) or ("half" if "-H" in period else "quarter")
    same = periods.get(kind) or []
    return same[0] if same else None


def map_form(
    data: PublicData,
    *,
    division: str | None,
    layer: str | None,
    level: str | None,
    period: str | None,
    classes: str = "quantiles",
    bins: str | None = None,
    lang: str = "nl",
) -> dict:
    """The map form's choices made consistent: a layer the division holds, a level and a period the layer has
    data for, valid fixed class bounds. What had to change is listed in ``adjusted`` (texts for the page)."""
    division = data.division(division)
    adjusted: list[str] = []
    groups = layer_options(data, division, lang)
    offered = {value for g in groups for value, _ in g["options"]}
    if layer and layer not in offered:
        adjusted.append(t("map.adjusted.layer", lang, division=t(f"division.{division}", lang)))
        layer = None
    layer = layer or _default_layer(data, division)
    levels = _layer_levels(data, division, layer, _map_levels(data, division))
    asked_level = level
    wanted = level or "wijk"  # wijken: counts big enough to show, areas small enough to see
    level = wanted if wanted in levels else ("wijk" if "wijk" in levels else levels[-1])
    if asked_level and level != asked_level:
        adjusted.append(t("map.adjusted.level", lang, level=t(f"level.{level}", lang).lower()))
    kind, indicator, _ = views.parse_layer(layer)
    if kind == "indicator" and period:
        fitted = _fit_period(data.periods(division, indicator, level), period)
        if fitted != period:
            adjusted.append(t("map.adjusted.period", lang, period=period))
            period = fitted
    bins_error = None
    parsed_bins = None
    if classes == "fixed":
        try:
            parsed_bins = _bins(bins)
            if parsed_bins is not None:
                charts.classify([], "fixed", bins=parsed_bins, lang=lang)  # validates the bounds
        except InputError:
            bins_error = t("map.bins.invalid", lang, received=bins or "")
            parsed_bins = None
    return {
        "division": division,
        "layer": layer,
        "level": level,
        "asked_level": asked_level,
        "levels": levels,
        "period": period,
        "groups": groups,
        "adjusted": adjusted,
        "bins_error": bins_error,
        "bins": parsed_bins,
    }


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
    info = data.indicator(indicator, division) if kind == "indicator" else None
    if info is not None and measure == "rate" and not info["flow"]:
        measure = "value"
    real = None
    if info is not None:
        from .coverage import coverage, default_period

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


def _breaks(data: PublicData, division: str, indicator: str | None) -> list[str]:
    if not indicator:
        return []
    try:
        info = data.indicator(indicator, division)
    except InputError:
        return []
    moved = any(str(s).startswith("crosswalk:") for s in info["sources"])
    return DIVISION_BREAKS.get(division, []) if moved else []


def sparkline(series: list[dict], width: int = 96, height: int = 22) -> Markup:
    """A tiny inline SVG line of a yearly series (withheld and missing years leave gaps)."""
    vals = [s["value"] for s in series]
    nums = [v for v in vals if v is not None]
    if len(nums) < 2:
        return Markup("")
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    n = len(vals)
    pts, paths = [], []
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
    chain = []
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


@router.get("/sources", response_class=HTMLResponse)
@cached_page
def sources_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    data = _data(request)
    return render(request, "sources.html", title=t("sources.title", lang), sources=data.sources())


def docs_dir() -> Path:
    """The methods documentation: shipped in the package, or the repository's docs/ in a checkout."""
    packaged = Path(str(files("weerbaar") / "docs"))
    if (packaged / "methods").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "docs"


def _md(text: str) -> Markup:
    """Markdown as HTML: markdown-it with html disabled escapes any raw HTML in the text (bandit B704)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    return Markup(md.render(text))  # nosec B704


def _title_of(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    """The programme register (issue 9): measures, status, milestones, linked indicators, budget, risks."""
    from ..indicators import catalogue_rows
    from ..programme import load_register
    from .state import store_url

    register = load_register(store_url(request.app))
    cat = catalogue_rows().set_index("indicator")[f"label_{lang}"].to_dict()
    labels = {
        ind: cat.get(ind) or f"{t('nav.reports', lang)}: {t('report.near.' + ind.rsplit('.', 1)[1], lang)}"
        for m in register.measures
        for ind in m.indicators
    }
    from collections import Counter

    from ..interventions import public_rows  # issue 19: measures link to their interventions

    iv_counts = Counter(r["measure"] for r in public_rows(store_url(request.app)) if r["measure"])
    return render(
        request,
        "programme.html",
        title=t("programme.title", lang),
        register=register,
        labels=labels,
        iv_counts=iv_counts,
    )


def _summary(root: Path, folder: str, name: str, lang: str) -> Path | None:
    """The plain-language Dutch summary of a method (docs/methods/nl/<name>.md), for the Dutch site."""
    if lang != "nl" or folder != "methods":
        return None
    path = root / "methods" / "nl" / f"{name}.md"
    return path if path.is_file() else None


@router.get("/methods", response_class=HTMLResponse)
@cached_page
def methods_page(request: Request, lang: Lang = "nl") -> HTMLResponse:
    root = docs_dir()
    items = []
    for folder in ("methods", "decisions"):
        for p in sorted((root / folder).glob("*.md")):
            summary = _summary(root, folder, p.stem, lang)
            source = summary or p
            items.append(
                {
                    "folder": folder,
                    "name": p.stem,
                    "title": _title_of(source.read_text(encoding="utf-8"), p.stem),
                    "lang": "nl" if summary else "en",
                }
            )
    return render(request, "methods.html", title=t("methods.title", lang), items=items, doc=None)


@router.get("/methods/{folder}/{name}", response_class=HTMLResponse)
@cached_page
def method_page(request: Request, folder: str, name: str, lang: Lang = "nl") -> HTMLResponse:
    """A method: on the Dutch site its plain-language summary, with the technical page (English) behind it."""
    root = docs_dir()
    if folder not in ("methods", "decisions") or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", name):
        raise NotFoundError(
            "No such document.", received=f"{folder}/{name}", expected="a listed method", fix="see /methods"
        )
    path = root / folder / f"{name}.md"
    if not path.is_file():
        raise NotFoundError(
            "No such document.", received=f"{folder}/{name}", expected="a listed method", fix="see /methods"
        )
    text = path.read_text(encoding="utf-8")
    summary = _summary(root, folder, name, lang)
    if summary is not None:
        short = summary.read_text(encoding="utf-8")
        # one h1 a page; the text is _md's own output (raw HTML disabled, so escaped)
        technical = Markup(str(_md(text)).replace("<h1>", "<h2>").replace("</h1>", "</h2>"))  # nosec B704
        return render(
            request, "methods.html", title=_title_of(short, name), items=None, doc=technical, summary=_md(short)
        )
    return render(request, "methods.html", title=_title_of(text, name), items=None, doc=_md(text), summary=None)


def is_number(v: object) -> bool:
    try:
        return not math.isnan(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def amsterdam_time(value, seconds: bool = False) -> str:
    """A stored time (naive UTC, an aware datetime or ISO text) as Amsterdam wall-clock time, 2025-03-01 21:30."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


TEMPLATES.env.filters["amsterdam"] = amsterdam_time
TEMPLATES.env.globals["is_number"] = is_number
TEMPLATES.env.globals["LEVELS"] = LEVELS
TEMPLATES.env.globals["source_text"] = source_text


@router.get("/drug-use", response_class=HTMLResponse)
@cached_page
def drug_use_page(
    request: Request,
    city: Annotated[str, Query(max_length=80)] = "Amsterdam",
    substance: Annotated[str, Query(max_length=40)] = "cocaine",
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    purity: Annotated[float, Query(gt=0, le=1)] = 0.6,
    price: Annotated[float, Query(gt=0, le=1000)] = 50.0,
    lang: Lang = "nl",
    population: Annotated[int | None, Query(ge=1, le=50_000_000)] = None,
) -> HTMLResponse:
    """Annex 2: drug use from the sewer, Amsterdam among the European cities, and the money behind it."""
    from ..analysis.market import Uncertain, market
    from ..analysis.wastewater import SUBSTANCES

    data = _data(request)
    ww = data.wastewater()
    name = ww.city(city)
    key = ww.substance(substance)
    summary = ww.summary(name, year, key, population=population)
    year = summary["year"]
    comp = ww.comparison(year, key)
    elsewhere = comp[~comp["europe"]].reset_index(drop=True)  # shown apart, never ranked with Amsterdam
    comp = comp[comp["europe"]].reset_index(drop=True)
    top = comp.head(25)
    if name not in set(top["city"]):
        top = pd.concat([top, comp[comp["city"] == name]])
    src = views.t_source_euda(lang)
    unit = "mg per 1.000 inwoners per dag" if lang == "nl" else "mg per 1,000 inhabitants per day"
    sub_label = views.substance_label(key, lang)

    def meta(title: str, period: str) -> charts.ChartMeta:
        return charts.ChartMeta(title=title, source=src, period=period, unit=unit, synthetic=False, lang=lang)

    comp_spec = charts.bar_compare(
        pd.DataFrame(
            {
                "area": [f"{r.rank}. {r.city} ({r.country})" for r in top.itertuples()],
                "value": top["consumption"].to_numpy(),
            }
        ),
        meta(f"{sub_label}: {'gebruik per Europese stad' if lang == 'nl' else 'use per European city'}", str(year)),
        highlight=next(f"{r.rank}. {r.city} ({r.country})" for r in top.itertuples() if r.city == name),
        value_format=",.0f",
    )
    series = ww.series(name, key)
    trend_spec = charts.trend_chart(
        pd.DataFrame(
            {
                "series": name,
                "period": series["year"].astype(str),
                "value": series["consumption"],
                "status": "published",
            }
        ),
        meta(f"{sub_label} — {name}", f"{series['year'].min()} .. {series['year'].max()}"),
        height=220,
    )
    week, _means = ww.weekdays(name, year, key)
    day_names = i18n_days(lang)
    week_spec = charts.bar_compare(
        pd.DataFrame({"area": day_names, "value": week["consumption"].to_numpy()}),
        meta(f"{sub_label} — {name}, {'per dag van de week' if lang == 'nl' else 'per day of the week'}", str(year)),
        highlight=None,
        value_format=",.0f",
    )
    grams = (summary["grams_per_day"] or {}).get("value")
    money = None
    if key == "cocaine" and grams:
        g = summary["grams_per_day"]
        money = market(Uncertain(g["value"], g["low"], g["high"]), Uncertain(purity), Uncertain(price), draws=5000)
    return render(
        request,
        "drug_use.html",
        title=t("druguse.title", lang),
        s=summary,
        name=name,
        key=key,
        sub_label=sub_label,
        substances=[(k, views.substance_label(k, lang)) for k in SUBSTANCES if ww.years(name, k)],
        years=ww.years(name, key),
        cities=sorted({c for c in ww.loads["city"].unique()}),
        comp_spec=comp_spec,
        trend_spec=trend_spec,
        week_spec=week_spec,
        dutch=ww.dutch_cities(year, key),
        elsewhere=elsewhere,
        series=series,
        week=week.assign(label=day_names),
        money=money,
        purity=purity,
        price=price,
        surveys=data.surveys(data.division(None)),
    )


def i18n_days(lang: str) -> list[str]:
    from ..drug_use import DAY_LABELS

    return list(DAY_LABELS["en" if lang == "en" else "nl"])
