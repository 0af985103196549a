"""The report section: the neighbourhood inventory (silent neighbourhoods, domains)."""

from __future__ import annotations

import pandas as pd

from ... import charts
from ...web import views
from ...web.i18n import t
from ..model import Figure, Notice, Para, Section, Table
from ..texts import rt
from .base import WIDTH, GathererBase


class InventorySection(GathererBase):
    """The neighbourhood inventory (silent neighbourhoods, domains)."""

    def inventory(self) -> Section:
        lang = self.lang
        blocks: list = [Para(rt("intro.inventory", lang))]
        run, view = self.run("vulnerability")
        if run is None:
            blocks.append(Para(rt("sum.missing", lang, what=t("result.vulnerability", lang))))
            return Section("inventory", rt("s.inventory", lang), tuple(blocks))
        if run["synthetic"]:
            blocks.append(Notice(rt("synthetic.section", lang)))
        _, frame = views.inventory(self.data, division=self.division, run_id=run["run_id"])
        ranked = frame[frame["rank"].notna()].head(25)
        cf = pd.DataFrame(
            {
                "name": ranked["name"],
                "code": ranked.index,
                "rank": ranked["rank"],
                "rank_low": ranked["rank_low"],
                "rank_high": ranked["rank_high"],
                "stadsdeel": ranked["stadsdeel_name"],
            }
        )
        title = t("inventory.title", lang)
        meta = charts.ChartMeta(
            title=title,
            source=f"weerbaar: vulnerability (run {run['run_id']})",
            period=str(run["period"]),
            unit=t("col.rank", lang),
            synthetic=bool(run["synthetic"]),
            lang=lang,
        )
        blocks.append(
            Figure(
                "inventory_ranks",
                charts.rank_interval_chart(cf, meta, width=WIDTH - 300, height=None),
                self.syn(f"{title}, {run['period']}", bool(run["synthetic"])),
            )
        )
        fig = self.result_map("result:vulnerability", "map_inventory", None)
        if fig is not None:
            # a numeric result map: coloured by class of the composite score
            lay = views.map_layer(self.data, "result:vulnerability", division=self.division, lang=lang)
            cmeta = charts.ChartMeta(
                title=lay.title,
                source=lay.source,
                period=lay.period,
                unit="score 0–1",
                synthetic=lay.synthetic,
                lang=lang,
            )
            spec = charts.choropleth(
                lay.geojson(self.data),
                cmeta,
                classification=charts.classify(lay.table["value"], "quantiles", 5, lang=lang),
                width=WIDTH - 220,
                height=380,
                href=False,
            )
            blocks.append(Figure("map_inventory", spec, fig.caption))
        top = frame[frame["rank"].notna()].head(15)
        rows = tuple(
            (
                self.n(r["rank"], 0),
                str(r["name"]),
                str(r["stadsdeel_name"] or ""),
                self.n(r["composite"], 2),
                f"{self.n(r['rank_low'], 0)}–{self.n(r['rank_high'], 0)}",
            )
            for _, r in top.iterrows()
        )
        blocks.append(
            Table(
                self.syn(rt("tab.inventory", lang, period=run["period"]), bool(run["synthetic"])),
                (
                    rt("col.rank", lang),
                    rt("col.area", lang),
                    rt("col.stadsdeel", lang),
                    rt("col.score", lang),
                    rt("col.interval", lang),
                ),
                rows,
                ("r", "l", "l", "r", "r"),
                widths=(0.7, 3, 2, 1, 1.3),
            )
        )
        return Section("inventory", rt("s.inventory", lang), tuple(blocks))
