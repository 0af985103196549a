"""The drug-use page (wastewater)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from ... import charts
from .. import views
from ..i18n import t
from .common import (
    Lang,
    _data,
    cached_page,
    render,
    router,
)


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
    from ...analysis.market import Uncertain, market
    from ...analysis.wastewater import SUBSTANCES

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
    from ...drug_use import DAY_LABELS

    return list(DAY_LABELS["en" if lang == "en" else "nl"])
