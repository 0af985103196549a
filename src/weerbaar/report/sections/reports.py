"""The report section: residents' reports of drug nuisance."""

from __future__ import annotations

from ...web.i18n import t
from ..model import Notice, Para, Section
from ..texts import rt
from .base import REPORTS, GathererBase


class ReportsSection(GathererBase):
    """Residents' reports of drug nuisance."""

    def reports(self) -> Section:
        lang = self.lang
        blocks: list = [Para(rt("intro.reports", lang))]
        if not self.has(REPORTS):
            blocks.append(Para(rt("no_data", lang)))
            return Section("reports", rt("s.reports", lang), tuple(blocks))
        if self.synthetic(REPORTS):
            blocks.append(Notice(rt("synthetic.section", lang)))
        fig = self.indicator_map(REPORTS, "gebied", self.period, "map_reports")
        if fig:
            blocks.append(fig)
        kind = "half" if self.kind in ("half", "year") else self.kind
        fig = self.city_trend((REPORTS,), kind, "trend_reports", t("level.stad", lang) + ": " + self.label(REPORTS))
        if fig:
            blocks.append(fig)
        tab = self.by_stadsdeel((REPORTS,))
        if tab:
            blocks.append(tab)
        return Section("reports", rt("s.reports", lang), tuple(blocks))
