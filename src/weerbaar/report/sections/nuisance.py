"""The report section: drug nuisance (survey)."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable

from ...errors import InputError
from ..model import Notice, Para, Section, Table
from ..texts import rt
from .base import NUISANCE, GathererBase


class NuisanceSection(GathererBase):
    """Drug nuisance (survey)."""

    def nuisance(self) -> Section:
        lang = self.lang
        blocks: list = [Para(rt("intro.nuisance", lang, year=self.year))]
        if not self.has(NUISANCE):
            blocks.append(Para(rt("no_data", lang)))
            return Section("nuisance", rt("s.nuisance", lang), tuple(blocks))
        if self.synthetic(NUISANCE):
            blocks.append(Notice(rt("synthetic.section", lang)))
        fig = self.indicator_map(NUISANCE, "wijk", self.year, "map_nuisance")
        if fig:
            blocks.append(fig)
        areas = self.data.areas(self.division)
        sds = areas[areas["level"].isin(["stadsdeel", "stad"])]
        rows = []
        years = [str(int(self.year) - 2), str(int(self.year) - 1), self.year]
        values: dict[str, dict[Hashable, float]] = {y: {} for y in years}
        for y in years:
            for level in ("stadsdeel", "stad"):
                with contextlib.suppress(InputError):
                    values[y].update(self.value_at(NUISANCE, level, "year", y).to_dict())
        for code in list(sds[sds["level"] == "stadsdeel"].sort_values("name").index) + list(
            sds.index[sds["level"] == "stad"]
        ):
            rows.append((str(areas.loc[code, "name"]), *(self.n(values[y].get(code), 1) for y in years)))
        blocks.append(
            Table(
                self.syn(f"{self.label(NUISANCE)} (%)", self.synthetic(NUISANCE)),
                (rt("col.stadsdeel", lang), *years),
                tuple(rows),
                ("l", "r", "r", "r"),
            )
        )
        return Section("nuisance", rt("s.nuisance", lang), tuple(blocks))
