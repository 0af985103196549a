"""The report section: hot spots and emerging hot spots."""

from __future__ import annotations

import pandas as pd

from ... import charts
from ...web import views
from ...web.i18n import t
from ..model import Para, Section, Table
from ..silence import silence_blocks
from ..texts import rt
from .base import REPORTS, GathererBase


class HotspotsSection(GathererBase):
    """Hot spots and emerging hot spots."""

    def hotspots(self) -> Section:
        lang = self.lang
        blocks: list = [Para(rt("intro.hotspots", lang))]
        for ind, key in (("registered.drug_trade", "map_emerging_trade"), (REPORTS, "map_emerging_reports")):
            fig = self.result_map(f"result:emerging:{ind}", key, charts.EMERGING_CATEGORIES(lang))
            if fig:
                blocks.append(fig)
        fig = self.result_map("result:zwijgwijken", "map_zwijgwijken", charts.FLAG_CATEGORIES(lang))
        if fig:
            blocks.append(fig)
        run, view = self.run("zwijgwijken")
        if run is not None:
            f = view.frame
            zw = (
                f[f["flag"].fillna("") != ""]
                .sort_values(["flag", "q_under", "name"], ascending=[False, True, True], na_position="last")
                .head(20)
            )
            rows = tuple(
                (
                    str(r["name"]),
                    views.category_label(str(r["flag"]), lang).split(" (")[0],
                    self.n(r["ratio"], 2) if pd.notna(r["ratio"]) else t("status.withheld", lang),
                    f"{self.n(r['ratio_low'], 2)}–{self.n(r['ratio_high'], 2)}" if pd.notna(r["ratio_low"]) else "–",
                    self.n(r["q_under"], 3) if pd.notna(r["q_under"]) else "–",
                )
                for _, r in zw.iterrows()
            )
            blocks.append(
                Table(
                    self.syn(rt("tab.zwijg", lang, period=run["period"]), bool(run["synthetic"])),
                    (
                        rt("col.area", lang),
                        rt("col.flag", lang),
                        rt("col.ratio", lang),
                        rt("col.interval", lang),
                        rt("col.q", lang),
                    ),
                    rows,
                    ("l", "l", "r", "r", "r"),
                    widths=(2.4, 1.6, 1.4, 1.4, 0.8),
                    note=rt("zwijg_note", lang, threshold=self.threshold),
                )
            )
            blocks.extend(silence_blocks(run, zw, lang))  # the same result in words (report/silence.py)
        return Section("hotspots", rt("s.hotspots", lang), tuple(blocks))
