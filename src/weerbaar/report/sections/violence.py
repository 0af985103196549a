"""The report section: drug-related violence."""

from __future__ import annotations

import pandas as pd

from ..model import Notice, Para, Section
from ..texts import rt
from .base import GathererBase


class ViolenceSection(GathererBase):
    """Drug-related violence."""

    def violence(self) -> Section:
        """Measure 8 in words: the stored Knox table's plain statement and the self-exciting fit."""
        from ...violence import latest_nearrepeat, latest_selfexciting, stored_knox_result

        lang = self.lang
        blocks: list = [Para(rt("intro.violence", lang))]
        with self.data._wh() as wh:
            n = int(wh.execute("SELECT count(*) FROM events WHERE type LIKE 'violence.%'")[0][0])
            knox = latest_nearrepeat(wh) if n else None
            fit = latest_selfexciting(wh) if n else None
        if not n:
            blocks.append(Para(rt("violence.none", lang)))
            return Section("violence", rt("s.violence", lang), tuple(blocks))
        if knox is None and fit is None:
            blocks.append(Para(rt("violence.not_computed", lang, n=self.n(n))))
            return Section("violence", rt("s.violence", lang), tuple(blocks))
        if (knox is not None and knox[1].get("synthetic")) or (fit is not None and fit[1].get("synthetic")):
            blocks.append(Notice(rt("synthetic.section", lang)))
        if knox is not None:
            table, params = knox
            statement = stored_knox_result(table, params).summary(lang)
            period = f"{params.get('from', '?')} – {params.get('to', '?')}"
            n_knox = self.n(params["events"])
            blocks.append(Para(rt("violence.knox", lang, n=n_knox, period=period, statement=statement)))
        if fit is not None:
            table, params = fit
            v = table.reset_index().rename(columns={"area_code": "parameter"}).set_index("parameter")
            br = v.loc["branching_ratio"]
            text = rt(
                "violence.fit",
                lang,
                n=self.n(params["events"]),
                period=f"{params.get('from', '?')} – {params.get('to', '?')}",
                share=f"{100 * br['estimate']:.0f}",
                lo=f"{100 * br['low']:.0f}",
                hi=f"{100 * br['high']:.0f}",
                days=self.n(v.loc["decay_days", "estimate"], 1),
            )
            estimate = v["estimate"]
            if "reach_m" in estimate.index and pd.notna(estimate["reach_m"]):
                text += " " + rt("violence.reach", lang, metres=f"{estimate['reach_m']:.0f}")
            blocks.append(Para(text))
            warnings = params.get(f"warnings_{lang}") or []
            if warnings:
                blocks.append(Para(rt("violence.caution", lang, warnings="; ".join(warnings)), small=True))
        return Section("violence", rt("s.violence", lang), tuple(blocks))
