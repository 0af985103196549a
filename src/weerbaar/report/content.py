"""Gather the council report's content from the public read model (never the warehouse itself).

Everything here reads: published counts and layers, stored results, the wastewater data and the programme
register. The only arithmetic is presentation (a difference between two published counts, a share); no analysis
is computed. The output is a plain ``Report`` in a fixed order, with no clock time in it, so two builds from one
snapshot are identical.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import pandas as pd

from .. import charts
from ..analysis.inputs import period_months
from ..charts.common import LOCALES
from ..compute import DIVISION_BREAKS
from ..contract import period_kind
from ..errors import InputError, NotFoundError
from ..public import PublicData
from ..web import views
from ..web.i18n import number, t
from .model import Bullets, Figure, Heading, Notice, Para, Report, Section, Table
from .silence import silence_blocks
from .texts import TEXTS as RT_TEXTS
from .texts import rt

WIDTH = 640  # chart width in px for the report (scaled to the A4 text width: 12 px text is about 9 pt)
CHANGE_AREAS = 5
COUNTS = ("registered.drug_trade", "registered.drug_use", "registered.drug_production")
REPORTS = "reports.drug_nuisance"
NUISANCE = "survey.drug_nuisance_pct"


class Gatherer:
    def __init__(
        self,
        data: PublicData,
        period: str,
        lang: str,
        progress: Callable[[str], None],
        runs: dict[tuple[str, str | None], str] | None = None,
    ) -> None:
        self.data = data
        #: (kind, indicator) -> run id of the results computed for this report's period; None: the latest
        self.runs = runs
        self.period = period
        self.lang = lang
        self.progress = progress
        self.meta = data.meta()
        self.division = self.meta["default_division"]
        self.kind = period_kind(period)
        self.prev = str(int(period[:4]) - 1) + period[4:]
        self.year = period[:4]
        self.threshold = self.meta["disclosure"]["threshold"]

    # -- small helpers --------------------------------------------------------------------------
    def syn(self, text: str, synthetic: bool) -> str:
        return f"{text} ({rt('synthetic.mark', self.lang)})" if synthetic else text

    def n(self, v, decimals: int | None = None) -> str:
        return number(v, self.lang, decimals)

    def label(self, indicator: str) -> str:
        return views.indicator_label(self.data, indicator, self.division, self.lang)

    def synthetic(self, indicator: str) -> bool:
        try:
            return bool(self.data.indicator(indicator, self.division)["synthetic"])
        except (InputError, NotFoundError):
            return False

    def has(self, indicator: str) -> bool:
        try:
            self.data.indicator(indicator, self.division)
            return True
        except (InputError, NotFoundError):
            return False

    def value_at(self, indicator: str, level: str, kind: str, period: str) -> pd.Series:
        """Published values (NaN when withheld) of a level in one period, index area_code."""
        tab = self.data.table(self.division, indicator, level, kind)
        tab = tab[tab["period"] == period].set_index("area_code")
        return tab["value"].where(tab["status"].isin(["published", "rounded"]))

    def pct(self, now: float, before: float) -> str:
        if not before or math.isnan(before) or math.isnan(now):
            return "–"
        p = (now / before - 1) * 100
        return ("+" if p >= 0 else "−") + self.n(abs(p), 0) + " %"

    def clear(self, a: float, b: float) -> bool:
        return abs(a - b) > 2 * math.sqrt(max(a + b, 1.0))

    def check_period(self) -> None:
        if not self.has("registered.drug_trade"):
            return
        available = self.data.periods(self.division, "registered.drug_trade")
        if self.period not in available.get(self.kind, []):
            spans = ", ".join(f"{k} {ps[-1]} .. {ps[0]}" for k, ps in available.items() if ps)
            raise InputError(
                "No data for that report period.",
                received=repr(self.period),
                expected=f"a period with registered drug crime: {spans}",
                fix="choose a period from the list, e.g. --period 2019-H2",
            )

    def date_text(self) -> str:
        last = period_months(self.period)[1]
        y, m = divmod(last, 12)
        day = (pd.Timestamp(year=y, month=m + 1, day=1) + pd.offsets.MonthEnd(0)).day
        month = LOCALES[self.lang]["time"]["months"][m]  # the charts' locale: one list of month names
        return f"{day} {month} {y}"

    def run_id(self, kind: str, indicator: str | None = None) -> str | None:
        """The run of a result kind for this report's period (None: not computed for it, or the latest)."""
        if kind == "emerging" or kind == "hotspots.gi":
            indicator = indicator or "registered.drug_trade"
        return None if self.runs is None else self.runs.get((kind, indicator))

    def run(self, kind: str, indicator: str | None = None):
        if self.runs is not None:  # the report's own period: its results, or none (said in the text)
            run_id = self.run_id(kind, indicator)
            if run_id is None:
                return None, None
            view = self.data.result(run_id)
            return view.run, view
        try:
            run = self.data.latest_run(kind, division=self.division, indicator=indicator)
        except NotFoundError:
            return None, None
        return run, self.data.result(run["run_id"])

    # -- charts ---------------------------------------------------------------------------------
    def indicator_map(self, indicator: str, level: str, period: str, key: str) -> Figure | None:
        try:
            lay = views.map_layer(
                self.data, indicator, division=self.division, level=level, period=period, lang=self.lang
            )
        except (InputError, NotFoundError):
            return None
        note = self.withheld_note(lay)
        meta = charts.ChartMeta(
            title=lay.title,
            source=lay.source,
            period=lay.period,
            unit=_unit(lay.unit, self.lang),
            synthetic=lay.synthetic,
            lang=self.lang,
            note=note,
        )
        classification = count_classes(lay.table["value"], self.lang) if lay.unit.startswith("count") else None
        if classification is None:
            classification = charts.classify(lay.table["value"], "quantiles", k=5, lang=self.lang)
        spec = charts.choropleth(
            lay.geojson(self.data), meta, classification=classification, width=WIDTH - 220, height=380, href=False
        )
        return Figure(
            key, spec, self.syn(f"{lay.title}, {t('level.' + level, self.lang).lower()}, {period}", lay.synthetic)
        )

    def result_map(self, layer: str, key: str, categories) -> Figure | None:
        kind, indicator, result_kind = views.parse_layer(layer)
        run_id = self.run_id(result_kind, indicator) if result_kind else None
        if self.runs is not None and result_kind and run_id is None:
            return None  # not computed for this period
        try:
            lay = views.map_layer(
                self.data, layer, division=self.division, level="buurt", lang=self.lang, run_id=run_id
            )
        except (InputError, NotFoundError):
            return None
        meta = charts.ChartMeta(
            title=lay.title,
            source=lay.source,
            period=lay.period,
            unit=_unit(lay.unit, self.lang),
            synthetic=lay.synthetic,
            lang=self.lang,
        )
        spec = charts.choropleth(
            lay.geojson(self.data),
            meta,
            categories=categories,
            width=WIDTH - 60,
            height=380,
            href=False,
            legend_orient="bottom",
        )
        return Figure(key, spec, self.syn(f"{lay.title}, {lay.period}", lay.synthetic))

    def withheld_note(self, lay) -> str | None:
        for note in lay.notes:
            if note.startswith("withheld:"):
                k = note.split(":")[1]
                return (
                    f"{k} gebieden afgeschermd (aantallen onder {self.threshold} of terug te rekenen)"
                    if self.lang == "nl"
                    else f"{k} areas withheld (counts below {self.threshold}, or recoverable from totals)"
                )
        return None

    def city_trend(self, indicators: tuple[str, ...], kind: str, key: str, title: str) -> Figure | None:
        parts = []
        for ind in indicators:
            if not self.has(ind):
                continue
            tab = self.data.table(self.division, ind, "stad", kind)
            if tab.empty:
                continue
            tab = tab[tab["period"] <= self.period]
            parts.append(
                pd.DataFrame(
                    {
                        "series": self.label(ind),
                        "period": tab["period"],
                        "value": tab["value"],
                        "status": tab["status"].map(views.status_public),
                    }
                )
            )
        if not parts:
            return None
        frame = pd.concat(parts, ignore_index=True)
        synthetic = any(self.synthetic(i) for i in indicators if self.has(i))
        sources = sorted(
            {s for i in indicators if self.has(i) for s in self.data.indicator(i, self.division)["sources"]}
        )
        meta = charts.ChartMeta(
            title=title,
            source=views.source_titles(self.data, sources, self.lang),
            period=f"{frame['period'].min()} .. {frame['period'].max()}",
            unit=_unit("count", self.lang),
            synthetic=synthetic,
            lang=self.lang,
        )
        spec = charts.trend_chart(
            frame, meta, breaks=self.breaks(indicators[0]), width=WIDTH - 40, height=200, legend_columns=1
        )
        return Figure(key, spec, self.syn(title, synthetic))

    def breaks(self, indicator: str) -> list[str]:
        if not self.has(indicator):
            return []
        info = self.data.indicator(indicator, self.division)
        moved = any(str(s).startswith("crosswalk:") for s in info["sources"])
        return DIVISION_BREAKS.get(self.division, []) if moved else []

    # -- tables ---------------------------------------------------------------------------------
    def by_stadsdeel(self, indicators: tuple[str, ...]) -> Table | None:
        inds = [i for i in indicators if self.has(i)]
        if not inds:
            return None
        areas = self.data.areas(self.division)
        sds = areas[areas["level"] == "stadsdeel"].sort_values("name")
        cols = [rt("col.stadsdeel", self.lang)]
        for ind in inds:
            cols += [f"{self.label(ind)} {self.period}", self.prev]
        rows = []
        city = areas.index[areas["level"] == "stad"]
        codes = list(sds.index) + list(city)
        for code in codes:
            row = [str(areas.loc[code, "name"])]
            level = str(areas.loc[code, "level"])
            for ind in inds:
                row += [self.cell_at(ind, level, self.period, code), self.cell_at(ind, level, self.prev, code)]
            rows.append(tuple(row))
        synthetic = any(self.synthetic(i) for i in inds)
        caption = rt(
            "tab.by_stadsdeel",
            self.lang,
            what=", ".join(self.label(i) for i in inds),
            period=self.period,
            prev=self.prev,
        )
        return Table(
            self.syn(caption, synthetic),
            tuple(cols),
            tuple(rows),
            ("l",) + ("r",) * (len(cols) - 1),
            note=rt("withheld_note", self.lang, threshold=self.threshold),
        )

    def cell(self, v) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return t("status.withheld", self.lang)
        return self.n(v)

    def cell_at(self, indicator: str, level: str, period: str, code: str) -> str:
        """A table cell: the published count, 'afgeschermd' when withheld, 'geen gegevens' when there is no
        data for the period at all (e.g. before a real source starts, decision 0010)."""
        tab = self.data.table(self.division, indicator, level, self.kind)
        hit = tab[(tab["period"] == period) & (tab["area_code"] == code)]
        if hit.empty or pd.isna(hit["status"].iloc[0]) or str(hit["status"].iloc[0]) == "missing":
            return t("status.missing", self.lang)
        status = views.status_public(str(hit["status"].iloc[0]))
        value = hit["value"].iloc[0]
        if status == "withheld" or pd.isna(value):
            return t("status.withheld", self.lang)
        return self.n(value)

    def changes(self) -> tuple[list[tuple[str, float, float, bool]], Table | None]:
        ind = "registered.drug_trade"
        if not self.has(ind):
            return [], None
        areas = self.data.areas(self.division)
        now = self.value_at(ind, "gebied", self.kind, self.period)
        before = self.value_at(ind, "gebied", self.kind, self.prev)
        both = pd.DataFrame({"now": now, "before": before}).dropna()
        both["diff"] = both["now"] - both["before"]
        both["name"] = areas["name"].reindex(both.index)
        both = both.sort_values(["diff", "name"], ascending=[False, True])
        rises = both[both["diff"] > 0].head(CHANGE_AREAS)
        falls = both[both["diff"] < 0].sort_values(["diff", "name"]).head(CHANGE_AREAS)
        picked = pd.concat([rises, falls])
        out = [(str(r.name), float(r.now), float(r.before), self.clear(r.now, r.before)) for r in rises.itertuples()]
        rows = tuple(
            (
                str(r.name),
                self.n(r.now),
                self.n(r.before),
                ("+" if r.diff > 0 else "−") + self.n(abs(r.diff)),
                self.pct(r.now, r.before),
                rt("sum.clear" if self.clear(r.now, r.before) else "sum.within", self.lang),
            )
            for r in picked.itertuples()
        )
        cols = (
            rt("col.area", self.lang),
            self.period,
            self.prev,
            rt("col.change", self.lang),
            rt("col.change_pct", self.lang),
            rt("col.assessment", self.lang),
        )
        table = Table(
            self.syn(rt("tab.changes", self.lang, period=self.period, prev=self.prev), self.synthetic(ind)),
            cols,
            rows,
            ("l", "r", "r", "r", "r", "l"),
            widths=(2.2, 1, 1, 1, 1, 3),
        )
        return out, table

    # -- sections -------------------------------------------------------------------------------
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

    def names(self, codes) -> list[str]:
        areas = self.data.areas(self.division)
        return [str(areas["name"].get(c, c)) for c in codes]

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
        values = {y: {} for y in years}
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

    def wastewater(self) -> Section:
        from ..analysis.wastewater import SUBSTANCES

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

    def violence(self) -> Section:
        """Measure 8 in words: the stored Knox table's plain statement and the self-exciting fit."""
        from ..violence import latest_nearrepeat, latest_selfexciting, stored_knox_result

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
            if "reach_m" in v.index and pd.notna(v.loc["reach_m", "estimate"]):
                text += " " + rt("violence.reach", lang, metres=f"{v.loc['reach_m', 'estimate']:.0f}")
            blocks.append(Para(text))
            warnings = params.get(f"warnings_{lang}") or []
            if warnings:
                blocks.append(Para(rt("violence.caution", lang, warnings="; ".join(warnings)), small=True))
        return Section("violence", rt("s.violence", lang), tuple(blocks))

    def measures(self, register) -> Section:
        lang = self.lang
        if register is None:
            return Section("measures", rt("s.measures", lang), (Notice(rt("register.missing", lang)),))
        src = rt("register.store" if register.source == "store" else "register.seed", lang)
        blocks: list = [Para(rt("intro.measures", lang, source=src))]
        rows = []
        for m in sorted(register.measures, key=lambda m: m.number):
            done = sum(1 for ms in m.milestones if ms.done)
            rows.append(
                (
                    str(m.number),
                    m.title_en if lang == "en" else m.title_nl,
                    m.owner,
                    rt(f"status.{m.status}", lang),
                    f"{done} / {len(m.milestones)}",
                )
            )
        blocks.append(
            Table(
                rt("tab.measures", lang),
                (
                    rt("col.number", lang),
                    rt("col.measure", lang),
                    rt("col.owner", lang),
                    rt("col.status", lang),
                    rt("col.milestones", lang),
                ),
                tuple(rows),
                ("r", "l", "l", "l", "r"),
                widths=(0.4, 3.2, 2.4, 1.2, 1),
            )
        )
        notes = [
            f"{m.number}. {m.status_note}" for m in sorted(register.measures, key=lambda m: m.number) if m.status_note
        ]
        if notes:
            blocks.append(Bullets(tuple(notes)))
        blocks.append(
            Table(
                rt("tab.budget", lang),
                (rt("col.budget", lang), rt("col.amount", lang)),
                tuple(
                    (b.title_en if lang == "en" else b.title_nl, "EUR " + self.n(b.amount_eur, 0))
                    for b in register.budget
                ),
                ("l", "r"),
                widths=(4, 1),
            )
        )
        blocks.append(
            Table(
                rt("tab.risks", lang),
                (rt("col.number", lang), rt("col.risk", lang)),
                tuple(
                    (
                        str(r.number),
                        (r.title_en + ": " + r.description_en)
                        if lang == "en"
                        else (r.title_nl + ": " + r.description_nl),
                    )
                    for r in register.risks
                ),
                ("r", "l"),
                widths=(0.4, 6),
            )
        )
        return Section("measures", rt("s.measures", lang), tuple(blocks))

    def interventions(self, register: dict | None) -> Section:
        """The intervention register at area level (counts by stadsdeel and kind) and the stored displacement and
        DiD estimates in words, with their intervals and the effort caveat (issue 19)."""
        from ..web.interventions_page import did_run, displacement_runs

        lang = self.lang
        blocks: list = [Para(rt("iv.intro", lang))]
        rows = [] if register is None or register.get("synthetic") else list(register.get("rows") or [])
        if not rows:
            blocks.append(Para(rt("iv.none", lang)))
        else:
            kinds: dict[str, int] = {}
            for r in rows:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
            order = list(kinds)
            text = ", ".join(f"{n} × {t('iv.kind.' + k, lang).lower()}" for k, n in kinds.items())
            blocks.append(Para(rt("iv.count", lang, n=len(rows), kinds=text)))
            unknown = rt("iv.unknown_sd", lang)
            table: dict[str, dict[str, int]] = {}
            for r in rows:
                try:
                    areas = self.data.areas(r["division"])
                    sd = areas["stadsdeel"].to_dict() if "stadsdeel" in areas else {}
                    names = areas["name"].to_dict()
                except (InputError, NotFoundError, KeyError):
                    sd, names = {}, {}
                found = {str(names.get(sd.get(c), sd.get(c) or unknown)) for c in r["areas"]} or {unknown}
                for name in found:
                    cell = table.setdefault(name, {})
                    cell[r["kind"]] = cell.get(r["kind"], 0) + 1
            blocks.append(
                Table(
                    rt("iv.tab", lang),
                    (rt("col.stadsdeel", lang), *(t("iv.kind." + k, lang) for k in order)),
                    tuple(
                        (name, *(str(table[name].get(k, 0)) for k in order))
                        for name in sorted(table, key=lambda x: (x == unknown, x))
                    ),
                    ("l",) + ("r",) * len(order),
                    note=rt("iv.tab_note", lang),
                )
            )
        estimates = displacement_runs(self.data)[:5]
        did = did_run(self.data)
        if not estimates and not did:
            blocks.append(Para(rt("iv.no_estimates", lang)))
        items = []
        for e in estimates:
            if e["wdd"] is None:
                continue
            sig = e["p"] is not None and e["p"] < e["alpha"]
            reading = rt("iv.read.less" if sig and e["wdd"] < 0 else "iv.read.more" if sig else "iv.read.none", lang)
            items.append(
                self.syn(
                    rt(
                        "iv.wdd",
                        lang,
                        target=", ".join(self.names(e["target"])) or "–",
                        count=e["count"],
                        before=e["before"],
                        after=e["after"],
                        wdd=self.n(e["wdd"], 1),
                        lo=self.n(e["ci_low"], 1),
                        hi=self.n(e["ci_high"], 1),
                        p=self.n(e["p"], 3),
                        wdq=rt("iv.wdq", lang, wdq=self.n(e["wdq"], 2)) if e["wdq"] is not None else "",
                        reading=reading,
                    ),
                    e["synthetic"],
                )
            )
        if did and did["summary"].get("simple_att") is not None:
            s = did["summary"]
            items.append(
                self.syn(
                    rt(
                        "iv.did",
                        lang,
                        indicator=did["indicator"],
                        start=did["from"],
                        end=did["to"],
                        n=did["treated"],
                        att=self.n(s["simple_att"], 2),
                        lo=self.n(s["simple_low"], 2),
                        hi=self.n(s["simple_high"], 2),
                    ),
                    did["synthetic"],
                )
            )
        if items:
            blocks.append(Bullets(tuple(items)))
        blocks.append(Para(t("iv.caveat.effort", lang) + " " + t("iv.caveat.displacement", lang), small=True))
        return Section("interventions", rt("s.interventions", lang), tuple(blocks))

    def methods(self) -> Section:
        lang = self.lang
        d = self.meta["disclosure"]
        blocks: list = [
            Para(rt("m.intro", lang)),
            Para(rt("m.disclosure", lang, threshold=d["threshold"], mode=d["mode"])),
            Para(rt("m.changes", lang)),
            Para(rt("m.vulnerability", lang)),
            Para(rt("m.zwijg", lang)),
            Para(rt("m.hotspots", lang)),
            Para(rt("m.wastewater", lang)),
            Para(rt("m.docs", lang)),
        ]
        runs = self.data.runs(self.division)
        if self.runs is not None:  # the analyses this report rests on, not every stored run
            runs = runs[runs["run_id"].isin(set(self.runs.values()))]
        runs = runs.sort_values(["kind", "indicator", "run_id"], na_position="first")
        rows = tuple(
            (
                str(r.kind) + (f" ({r.indicator})" if isinstance(r.indicator, str) else ""),
                str(r.run_id),
                str(r.period),
                str(r.level),
                ", ".join(
                    f"{k}={v}"
                    for k, v in sorted(r.parameters.items())
                    if k != "indicator" and isinstance(v, (str, int, float, bool))
                )[:160],
            )
            for r in runs.itertuples()
        )
        blocks.append(
            Table(
                rt("tab.runs", lang),
                (rt("col.analysis", lang), "run", rt("period", lang), "level", rt("col.parameters", lang)),
                rows,
                ("l", "l", "l", "l", "l"),
                widths=(2.2, 1.2, 1.4, 0.8, 3.4),
            )
        )
        return Section("methods", rt("s.methods", lang), tuple(blocks), annex=True)

    def sources(self) -> Section:
        lang = self.lang
        src = self.data.sources()
        src = src[src["kind"] != "derived"]
        rows = tuple(
            (self.syn(str(r.title), bool(r.synthetic)), str(r.licence or "–"), str(r.attribution or "–"))
            for r in src.sort_values(["synthetic", "name"]).itertuples()
        )
        return Section(
            "sources",
            rt("s.sources", lang),
            (
                Table(
                    rt("tab.sources", lang),
                    (rt("col.source", lang), rt("col.licence", lang), rt("col.attribution", lang)),
                    rows,
                    ("l", "l", "l"),
                    widths=(3, 2, 3),
                ),
            ),
            annex=True,
        )

    def notes(self) -> Section:
        lang = self.lang
        items = []
        for ind in (*COUNTS, REPORTS):
            for when in self.breaks(ind):
                items.append(rt("n.break", lang, what=self.label(ind), when=when, division=self.division))
        if not items:
            items.append(rt("n.nobreak", lang))
        syn = self.meta["synthetic_sources"]
        items.append(rt("n.synthetic", lang, sources=", ".join(syn)) if syn else rt("n.real", lang))
        items.append(rt("n.withheld", lang))
        return Section("notes", rt("s.notes", lang), (Bullets(tuple(items)),), annex=True)


def count_classes(values: pd.Series, lang: str, k: int = 5):
    """Quantile classes of whole counts with whole-number bounds ("0 – 4", "5 – 9"), never "0,0 – 9,4";
    None when the values are not whole numbers (then the ordinary quantiles apply)."""
    import numpy as np

    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or not np.allclose(v, v.round()):
        return None
    qs = np.quantile(v.to_numpy(dtype=float), np.linspace(0, 1, k + 1)[1:])
    bins = sorted({int(math.ceil(q)) for q in qs})
    classification = charts.classify(values, "fixed", bins=[float(b) for b in bins], lang=lang)
    lowest = int(v.min())
    labels, lo = [], lowest
    for b in bins:  # whole-number ranges: a class holds lo..b, the next starts at b + 1
        labels.append(number(b, lang, 0) if lo == b else f"{number(lo, lang, 0)} – {number(b, lang, 0)}")
        lo = b + 1
    from dataclasses import replace

    return replace(classification, labels=labels)


def _unit(unit: str, lang: str) -> str:
    units_nl = {
        "count": "aantal",
        "percent": "%",
        "per 1,000 inhabitants": "per 1.000 inwoners",
        "category": "categorie",
    }
    if lang == "en":
        return unit or "–"
    return units_nl.get(unit, unit or "–")


def load_interventions(home) -> dict | None:
    """The intervention register at area level (``interventions.register_view``), or None without a store."""
    try:
        from ..interventions import register_view
        from ..store.db import database_url

        return register_view(database_url(home))
    except Exception:  # noqa: BLE001 - a store that cannot be opened: the section says none are registered
        return None


def load_programme(home) -> object | None:
    """The programme register, or None when the module is not there."""
    try:
        from ..programme import load_register
    except ImportError:
        return None
    try:
        from ..store.db import database_url

        return load_register(database_url(home))
    except Exception:  # noqa: BLE001 - a store that cannot be opened: the register as the programme text has it
        try:
            from ..programme import seed_register

            return seed_register()
        except Exception:  # noqa: BLE001
            return None


def gather(
    data: PublicData,
    *,
    period: str,
    lang: str,
    register,
    progress: Callable[[str], None],
    runs: dict[tuple[str, str | None], str] | None = None,
    interventions: dict | None = None,
) -> Report:
    g = Gatherer(data, period, lang, progress, runs)
    progress("report: reading the disclosure-controlled counts")
    data.prefetch_cubes(g.division, [i for i in (*COUNTS, REPORTS) if g.has(i)])
    g.check_period()
    rises, changes_table = g.changes()
    progress("report: gathering the summary")
    sections = [g.summary(rises)]
    for name, make in (
        ("drug crime", lambda: g.drug_crime(changes_table)),
        ("nuisance", g.nuisance),
        ("inventory", g.inventory),
        ("wastewater", g.wastewater),
        ("residents' reports", g.reports),
        ("hot spots", g.hotspots),
        ("violence", g.violence),
        ("measures", lambda: g.measures(register)),
        ("interventions", lambda: g.interventions(interventions)),
        ("methods", g.methods),
        ("sources", g.sources),
        ("notes", g.notes),
    ):
        progress(f"report: gathering {name}")
        sections.append(make())
    meta = g.meta
    syn = meta["synthetic_sources"]
    notice = rt("synthetic.cover", lang, sources=", ".join(syn)) if syn else None
    colophon = (
        (rt("c.snapshot", lang), str(meta["snapshot"])),
        (rt("c.version", lang), f"weerbaar {meta['version']}"),
        (rt("c.built", lang), str(meta["built_at"] or "–")),
        (rt("c.params", lang), f"--period {period} --lang {lang}"),
        (rt("c.division", lang), g.division),
        (
            rt("c.register", lang),
            "–"
            if register is None
            else (
                rt("register.store" if register.source == "store" else "register.seed", lang)
                + (f", {max((m.updated_at for m in register.measures), default='') or ''}".rstrip(", "))
            ),
        ),
    )
    notes = (rt("c.repro", lang), rt("c.made", lang)) + ((notice,) if notice else ())
    cover = ((rt("period", lang), period), (rt("date", lang), g.date_text()))
    return Report(
        lang=lang,
        period=period,
        title=rt("title", lang),
        subtitle=rt("subtitle", lang),
        date_text=g.date_text(),
        cover=cover,
        synthetic_notice=notice,
        sections=tuple(sections),
        colophon=colophon,
        colophon_notes=notes,
    )


__all__ = ["gather", "load_programme", "Heading"]
