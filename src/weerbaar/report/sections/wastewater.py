"""The report section: drug use from wastewater."""

from __future__ import annotations

import pandas as pd

from ... import charts
from ...web import views
from ..model import Figure, Para, Section, Table
from ..texts import rt
from .base import WIDTH, GathererBase


class WastewaterSection(GathererBase):
    """Drug use from wastewater."""

    def wastewater(self) -> Section:
        from ...analysis.wastewater import SUBSTANCES

        lang = self.lang
        try:
            ww = self.data.wastewater()
            name = ww.city("Amsterdam")
        except Exception:  # noqa: BLE001 - no wastewater data loaded: say so
            return Section("wastewater", rt("s.wastewater", lang), (Para(rt("no_data", lang)),))
        years = [y for y in ww.years(name, "cocaine") if y <= int(self.year)] or ww.years(name, "cocaine")
        year = years[-1]
        blocks: list = [Para(rt("intro.wastewater", lang, year=year))]
        rows = []
        for key in SUBSTANCES:
            if year not in ww.years(name, key):
                continue
            s = ww.summary(name, year, key)
            c = s["consumption_mg_per_1000_per_day"]
            g = s["grams_per_day"] or {}
            rows.append(
                (
                    views.substance_label(key, lang),
                    str(year),
                    f"{self.n(c['value'], 0)} ({self.n(c['low'], 0)}–{self.n(c['high'], 0)})",
                    self.n(g.get("value"), 0) if g else "–",
                    f"{s['rank']} / {s['cities']}",
                    "–"
                    if s["change_pct"] is None
                    else ("+" if s["change_pct"] >= 0 else "−") + self.n(abs(s["change_pct"]), 0) + " %",
                )
            )
        src = views.t_source_euda(lang)
        unit = "mg per 1.000 inwoners per dag" if lang == "nl" else "mg per 1,000 inhabitants per day"
        sub = views.substance_label("cocaine", lang)
        comp = ww.comparison(year, "cocaine")
        comp = comp[comp["europe"]].reset_index(drop=True)  # the rank is among the European cities
        top = comp.head(20)
        if name not in set(top["city"]):
            top = pd.concat([top, comp[comp["city"] == name]])
        labels = [f"{r.rank}. {r.city} ({r.country})" for r in top.itertuples()]
        meta = charts.ChartMeta(
            title=f"{sub}: {'gebruik per Europese stad' if lang == 'nl' else 'use per European city'}",
            source=src,
            period=str(year),
            unit=unit,
            synthetic=False,
            lang=lang,
        )
        spec = charts.bar_compare(
            pd.DataFrame({"area": labels, "value": top["consumption"].to_numpy()}),
            meta,
            highlight=next((lb for lb, c in zip(labels, top["city"], strict=True) if c == name), None),
            value_format=",.0f",
            width=WIDTH - 300,
        )
        blocks.append(Figure("wastewater_cities", spec, meta.title + f", {year}"))
        series = ww.series(name, "cocaine")
        series = series[series["year"] <= year]
        tmeta = charts.ChartMeta(
            title=f"{sub} — {name}",
            source=src,
            period=f"{series['year'].min()} .. {series['year'].max()}",
            unit=unit,
            lang=lang,
        )
        tspec = charts.trend_chart(
            pd.DataFrame(
                {
                    "series": name,
                    "period": series["year"].astype(str),
                    "value": series["consumption"],
                    "status": "published",
                }
            ),
            tmeta,
            width=WIDTH - 40,
            height=200,
        )
        blocks.append(Figure("wastewater_trend", tspec, tmeta.title))
        blocks.append(
            Table(
                rt("tab.wastewater", lang, city=name),
                (
                    rt("col.substance", lang),
                    rt("col.year", lang),
                    rt("col.consumption", lang),
                    rt("col.grams", lang),
                    rt("col.rank_cities", lang),
                    rt("col.change", lang),
                ),
                tuple(rows),
                ("l", "r", "r", "r", "r", "r"),
                widths=(2, 0.8, 2.6, 1.1, 1.3, 1),
            )
        )
        return Section("wastewater", rt("s.wastewater", lang), tuple(blocks))
