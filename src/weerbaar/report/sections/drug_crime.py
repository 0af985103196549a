"""The report section: registered drug crime."""

from __future__ import annotations

from ...web.i18n import t
from ..model import Notice, Para, Section, Table
from ..texts import rt
from .base import COUNTS, GathererBase


class DrugCrimeSection(GathererBase):
    """Registered drug crime."""

    def drug_crime(self, changes_table: Table | None) -> Section:
        lang = self.lang
        blocks: list = [Para(rt("intro.drug_crime", lang))]
        if self.synthetic("registered.drug_trade"):
            blocks.append(Notice(rt("synthetic.section", lang)))
        fig = self.indicator_map("registered.drug_trade", "gebied", self.period, "map_drug_trade")
        if fig:
            blocks.append(fig)
        kind = "half" if self.kind in ("half", "year") else self.kind
        fig = self.city_trend(
            COUNTS, kind, "trend_registered", t("level.stad", lang) + ": " + rt("s.drug_crime", lang).lower()
        )
        if fig:
            blocks.append(fig)
        tab = self.by_stadsdeel(COUNTS)
        if tab:
            blocks.append(tab)
        if changes_table is not None and changes_table.rows:
            blocks.append(changes_table)
        return Section("drug_crime", rt("s.drug_crime", lang), tuple(blocks))
