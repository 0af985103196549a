"""The report section: the summary: the main changes and findings of the period."""

from __future__ import annotations

import math

import pandas as pd

from ...web.i18n import t
from ..model import Bullets, Para, Section
from ..texts import TEXTS as RT_TEXTS
from ..texts import rt
from .base import COUNTS, REPORTS, GathererBase


class SummarySection(GathererBase):
    """The summary: the main changes and findings of the period."""

    def summary(self, rises) -> Section:
        lang = self.lang
        items: list[str] = []
        if self.has("registered.drug_trade"):
            for ind in COUNTS:
                if not self.has(ind):
                    continue
                now = self.value_at(ind, "stad", self.kind, self.period)
                before = self.value_at(ind, "stad", self.kind, self.prev)
                if now.empty or now.isna().all():
                    continue
                v, b = float(now.iloc[0]), float(before.iloc[0]) if len(before) else float("nan")
                # "registreerde de politie 744 gevallen van drugshandel", not "... 744 geregistreerde drugshandel"
                what = rt(f"what.{ind}", lang) if f"what.{ind}" in RT_TEXTS else self.label(ind).lower()
                text = (
                    rt(
                        "sum.city",
                        lang,
                        period=self.period,
                        value=self.n(v),
                        what=what,
                        change=self.pct(v, b),
                        prev=self.prev,
                        prev_value=self.n(b),
                    )
                    if not math.isnan(b)
                    else rt("sum.city_noprev", lang, period=self.period, value=self.n(v), what=what)
                )
                items.append(self.syn(text, self.synthetic(ind)))
        if self.has(REPORTS):
            now = self.value_at(REPORTS, "stad", self.kind, self.period)
            before = self.value_at(REPORTS, "stad", self.kind, self.prev)
            if len(now) and not now.isna().all():
                v, b = float(now.iloc[0]), float(before.iloc[0]) if len(before) else float("nan")
                items.append(
                    self.syn(
                        rt(
                            "sum.reports",
                            lang,
                            period=self.period,
                            value=self.n(v),
                            change=self.pct(v, b),
                            prev=self.prev,
                        ),
                        self.synthetic(REPORTS),
                    )
                )
        if rises:
            parts = [
                f"{name} ({self.n(b)} → {self.n(a)}, {rt('sum.clear' if c else 'sum.within', lang)})"
                for name, a, b, c in rises[:3]
            ]
            items.append(
                self.syn(rt("sum.largest", lang, items="; ".join(parts)), self.synthetic("registered.drug_trade"))
            )
        elif self.has("registered.drug_trade"):
            items.append(rt("sum.largest_none", lang))
        items.append(rt("sum.haal", lang))
        other_periods = False
        for ind in ("registered.drug_trade", REPORTS):
            run, view = self.run("emerging", ind)
            if run is None:
                items.append(rt("sum.missing", lang, what=f"{t('result.emerging', lang)} ({self.label(ind)})"))
                continue
            cats = view.frame["category"].fillna("")
            new = view.frame[cats == "new hot spot"]
            inten = view.frame[cats == "intensifying hot spot"]
            names = sorted(set(self.names(pd.concat([new, inten]).index)))[:6]
            items.append(
                self.syn(
                    rt(
                        "sum.emerging",
                        lang,
                        what=self.label(ind).lower(),
                        period=run["period"],
                        new=len(new),
                        intens=len(inten),
                        names=rt("such_as", lang, names=", ".join(names)) if names else "",
                    ),
                    bool(run["synthetic"]),
                )
            )
            other_periods |= str(run["period"]) != self.period
            grun, gview = self.run("hotspots.gi", ind)
            if grun is not None:
                hot = int(gview.frame["category"].fillna("").str.startswith("hot spot").sum())
                items.append(
                    self.syn(
                        rt("sum.gi", lang, what=self.label(ind).lower(), period=grun["period"], hot=hot),
                        bool(grun["synthetic"]),
                    )
                )
        run, view = self.run("zwijgwijken")
        if run is None:
            items.append(rt("sum.missing", lang, what=t("result.zwijgwijken", lang)))
        else:
            flags = view.frame["flag"].fillna("")
            zw = view.frame[flags == "zwijgwijk"].sort_values(["q_under", "name"], na_position="last")
            names = [str(x) for x in zw["name"].head(5)]
            items.append(
                self.syn(
                    rt(
                        "sum.zwijg",
                        lang,
                        period=run["period"],
                        n=len(zw),
                        names=rt("such_as", lang, names=", ".join(names)) if names else "",
                    ),
                    bool(run["synthetic"]),
                )
            )
            eff = int((flags == "effort").sum())
            if eff:
                items.append(self.syn(rt("sum.effort", lang, n=eff), bool(run["synthetic"])))
            other_periods |= str(run["period"]) != self.period
        blocks: list = [Bullets(tuple(items))]
        if other_periods:
            blocks.append(Para(rt("sum.results_period", lang, period=self.period), small=True))
        return Section("summary", rt("s.summary", lang), tuple(blocks))
