"""The gatherer's state and the helpers the report's sections share."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from ... import charts
from ...analysis.inputs import period_months
from ...charts.common import LOCALES
from ...compute import DIVISION_BREAKS
from ...contract import period_kind
from ...errors import InputError, NotFoundError
from ...public import PublicData
from ...web import views
from ...web.i18n import number, t
from ..model import Figure, Table
from ..texts import rt

WIDTH = 640  # chart width in px for the report (scaled to the A4 text width: 12 px text is about 9 pt)
CHANGE_AREAS = 5
COUNTS = ("registered.drug_trade", "registered.drug_use", "registered.drug_production")
REPORTS = "reports.drug_nuisance"
NUISANCE = "survey.drug_nuisance_pct"


class GathererBase:
    """The report's period, language and division, and the helpers the sections share (values, charts, tables)."""

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
        out = [
            (str(r["name"]), float(r["now"]), float(r["before"]), self.clear(r["now"], r["before"]))
            for r in rises.to_dict("records")
        ]
        rows = tuple(
            (
                str(r["name"]),
                self.n(r["now"]),
                self.n(r["before"]),
                ("+" if r["diff"] > 0 else "−") + self.n(abs(r["diff"])),
                self.pct(r["now"], r["before"]),
                rt("sum.clear" if self.clear(r["now"], r["before"]) else "sum.within", self.lang),
            )
            for r in picked.to_dict("records")
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

    def names(self, codes) -> list[str]:
        areas = self.data.areas(self.division)
        return [str(areas["name"].get(c, c)) for c in codes]


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
