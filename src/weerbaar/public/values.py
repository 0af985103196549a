"""The read model's values: tables, periods and map layers of every indicator, disclosure-controlled (counts
from the protected cube, derived and share-with-base figures withheld with their count or base)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.inputs import area_series, period_months
from ..contract import period_kind
from ..errors import InputError, NotFoundError
from ..indicators import MIN_BASE
from .base import ReadModelBase
from .catalogue import NOT_PUBLIC

KINDS = ("year", "half", "quarter", "month")

#: Non-count indicators computed from a count (a percentage of a population): withheld wherever that count
#: is not published exactly, or count = percentage x population would give it away. (pattern, count template)
DERIVED_FROM: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^ois\.suspects_pct\.(.+)$"), r"ois.suspects.\1"),
    (re.compile(r"^(bbga\..+)_P$"), r"\1"),
)


@dataclass(frozen=True)
class Layer:
    """Values of one indicator for every area of a level in one period, disclosure-controlled."""

    frame: pd.DataFrame  # index code: name, value (published), status, count (published count, rate only)
    indicator: str
    division: str
    level: str
    period: str
    measure: str  # "value" or "rate"
    unit: str
    flow: bool
    synthetic: bool
    sources: list[str]
    notes: list[str]


class ValuesPart(ReadModelBase):
    """Values of indicators: ``count_source``, ``table``, ``periods``, ``default_period``, ``layer``,
    ``yearly_values`` and the masks behind them."""

    def count_source(self, division: str, indicator: str) -> str | None:
        """The count a non-count indicator is computed from (``DERIVED_FROM``), when that count is here."""
        cat = self.catalogue()
        flows = set(cat.loc[(cat["division"] == division) & cat["flow"], "indicator"])
        for pattern, template in DERIVED_FROM:
            if pattern.match(indicator):
                source = pattern.sub(template, indicator)
                if source in flows:
                    return source
        return None

    def _mask_derived(self, division: str, indicator: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Withhold a derived value (area_code, period, value, status) where its count is not published exactly."""
        source = self.count_source(division, indicator)
        if source is None or frame.empty:
            return frame
        cube = self.cube(division, source)
        exact = cube.loc[cube["status"] == "published", ["area_code", "period"]].assign(_exact=True)
        out = frame.merge(exact, on=["area_code", "period"], how="left")
        hide = out["_exact"].isna() & out["value"].notna()
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out.drop(columns="_exact")

    def _mask_base(self, division: str, indicator: str, level: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Share-with-base: a percentage or mean is withheld where its base (respondents, inhabitants) of the
        same area and year is below the minimum or unknown; the base is kept beside the figure (``base``)."""
        info = self.indicator(indicator, division)
        if info.get("disclosure") != "share-with-base" or frame.empty:
            return frame
        base_ind, minimum = str(info["disclosure_base"]), int(info["min_base"])
        try:
            base = self.table(division, base_ind, level, "year")
        except (InputError, NotFoundError):
            base = pd.DataFrame(columns=["area_code", "period", "value"])
        lookup = base.assign(year=base["period"].astype(str).str[:4]).set_index(["area_code", "year"])["value"]
        lookup = lookup[~lookup.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([frame["area_code"], frame["period"].astype(str).str[:4]])
        out = frame.copy()
        out["base"] = lookup.reindex(keys).to_numpy(dtype=float)
        if base_ind == "survey.respondents" and out["base"].isna().all():
            # no respondents known for this division: the population is the (weaker) base
            return self._mask_base_on(out, division, level, "population", MIN_BASE["population"])
        hide = out["value"].notna() & ~(out["base"] >= minimum)
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out

    def _mask_base_on(self, out: pd.DataFrame, division: str, level: str, base_ind: str, minimum: int):
        try:
            base = self.table(division, base_ind, level, "year")
        except (InputError, NotFoundError):
            base = pd.DataFrame(columns=["area_code", "period", "value"])
        lookup = base.assign(year=base["period"].astype(str).str[:4]).set_index(["area_code", "year"])["value"]
        lookup = lookup[~lookup.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([out["area_code"], out["period"].astype(str).str[:4]])
        out["base"] = lookup.reindex(keys).to_numpy(dtype=float)
        hide = out["value"].notna() & ~(out["base"] >= minimum)
        out.loc[hide, "value"] = np.nan
        out.loc[hide, "status"] = "secondary"
        return out

    def table(self, division: str, indicator: str, level: str, kind: str = "year") -> pd.DataFrame:
        """Long table area_code, period, value (published), status for every area of a level and slice kind."""
        if kind not in KINDS:
            raise InputError(
                "Unknown period kind.",
                received=repr(kind),
                expected=", ".join(KINDS),
                fix="use year, half, quarter or month",
            )

        def make() -> pd.DataFrame:
            info = self.indicator(indicator, division)
            areas = self.areas(division)
            codes = areas.index[areas["level"] == level]
            if info["flow"]:
                cube = self.cube(division, indicator)
                t = cube[(cube["kind"] == kind) & cube["area_code"].isin(codes)]
                t = t[["area_code", "period", "published", "status"]].rename(columns={"published": "value"})
            else:
                with self._wh() as wh:
                    try:
                        s, _ = area_series(wh, indicator, level=level, division=division, slice_kind=kind)
                    except InputError:
                        s = pd.DataFrame(columns=["area_code", "period", "value"])
                t = s.assign(status=np.where(s["value"].notna(), "published", "missing"))
                t = self._mask_derived(division, indicator, t)
                t = self._mask_base(division, indicator, level, t)
            return t.sort_values(["area_code", "period"], ignore_index=True)

        return self.cached(("table", division, indicator, level, kind), make)

    def periods(self, division: str, indicator: str, level: str | None = None) -> dict[str, list[str]]:
        """Available periods per kind (newest first); kinds finer than the data are absent."""

        def make() -> dict[str, list[str]]:
            info = self.indicator(indicator, division)
            out: dict[str, list[str]] = {}
            if info["flow"]:
                cube = self.cube(division, indicator)
                for kind in KINDS:
                    ps = sorted(cube.loc[cube["kind"] == kind, "period"].unique(), reverse=True)
                    if ps:
                        out[kind] = ps
            else:
                finest = KINDS.index(info["finest"])
                lv = level or info["levels"][0]
                for kind in KINDS[: finest + 1]:
                    ps = sorted(self.table(division, indicator, lv, kind)["period"].unique(), reverse=True)
                    if ps:
                        out[kind] = ps
            return out

        return self.cached(("periods", division, indicator, level), make)

    def default_period(self, division: str, indicator: str, level: str | None = None) -> str:
        periods = self.periods(division, indicator, level)
        if "year" in periods:
            # the latest complete year: a flow year exists in the cube only when all its months are there
            return periods["year"][0]
        first = next(iter(periods.values()), [])
        if not first:
            raise NotFoundError(
                "No periods with data.",
                received=indicator,
                expected="an indicator with data",
                fix="choose another indicator",
            )
        return first[0]

    def layer(
        self,
        indicator: str,
        *,
        division: str | None = None,
        level: str = "buurt",
        period: str | None = None,
        measure: str = "value",
    ) -> Layer:
        division = self.division(division)
        level = self.level(division, level)
        info = self.indicator(indicator, division)
        if measure not in ("value", "rate"):
            raise InputError(
                "Unknown measure.",
                received=repr(measure),
                expected="value or rate",
                fix="use measure=value (as published) or measure=rate (per 1,000 inhabitants, counts only)",
            )
        if measure == "rate" and not info["flow"]:
            raise InputError(
                "A rate per 1,000 inhabitants exists only for counts of events.",
                received=f"{indicator} ({info['unit'] or 'no unit'})",
                expected="a count indicator such as registered.drug_trade",
                fix="use measure=value for this indicator",
            )
        period = period or self.default_period(division, indicator, level)
        try:
            kind = period_kind(period)
        except Exception:  # noqa: BLE001 - contract raises its own error types
            kind = None
        if kind not in KINDS:
            raise InputError(
                "Invalid period.",
                received=repr(period),
                expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
                fix="for example period=2023 or period=2023-Q2",
            )

        available = self.periods(division, indicator, level)
        if period not in available.get(kind, []):
            spans = ", ".join(f"{k} {ps[-1]} .. {ps[0]}" for k, ps in available.items() if ps) or "none"
            raise NotFoundError(
                "No data for this indicator in that period.",
                received=f"{indicator}, period {period}",
                expected=f"a period with data: {spans}",
                fix="choose a period from the list",
            )

        def make() -> Layer:
            areas = self.areas(division)
            codes = areas.index[areas["level"] == level]
            t = self.table(division, indicator, level, kind)
            t = t[t["period"] == period].set_index("area_code")
            frame = pd.DataFrame(index=pd.Index(codes, name="code"))
            frame["name"] = areas["name"].reindex(frame.index)
            frame["value"] = t["value"].reindex(frame.index).astype("float64")
            frame["status"] = t["status"].reindex(frame.index).fillna("missing")
            if "base" in t.columns:
                frame["base"] = t["base"].reindex(frame.index).astype("float64")
            notes: list[str] = []
            if t.empty:
                notes.append(f"no data for {period}")
            unit = str(info["unit"])
            if info["flow"]:
                withheld = int(frame["status"].isin(["primary", "secondary"]).sum())
                if withheld:
                    notes.append(f"withheld:{withheld}")
            if measure == "rate":
                pop, pop_year = self._population(division, level, period)
                if pop_year is not None and pop_year != period[:4]:
                    notes.append(f"population:{pop_year}")
                frame["count"] = frame["value"]
                frame["population"] = pop.reindex(frame.index)
                ok = frame["population"] > 0
                frame["value"] = np.where(ok, frame["count"] / frame["population"] * 1000.0, np.nan)
                frame.loc[~ok & (frame["status"] != "missing"), "status"] = "missing"
                unit = "per 1,000 inhabitants"
            return Layer(
                frame=frame,
                indicator=indicator,
                division=division,
                level=level,
                period=period,
                measure=measure,
                unit=unit,
                flow=bool(info["flow"]),
                synthetic=bool(info["synthetic"]),
                sources=list(info["sources"]),
                notes=notes,
            )

        return self.cached(("layer", division, indicator, level, period, measure), make)

    def yearly_values(self, division: str, codes: list[str]) -> pd.DataFrame:
        """Yearly values of every non-count indicator published for exactly these areas (no aggregation):
        area_code, indicator, period (year), value. One query, for area profiles with hundreds of indicators.
        Counts are not here: they only ever come from the protected cube."""
        codes = sorted(set(codes))

        def make() -> pd.DataFrame:
            cat = self.catalogue()
            flows = cat.loc[(cat["division"] == division) & cat["flow"], "indicator"].tolist()
            with self._wh() as wh:
                df = wh.query(
                    f"SELECT area_code, indicator, substr(period, 1, 4) AS period, avg(value) AS value "
                    f"FROM observations WHERE division = ? AND area_code IN ({', '.join('?' for _ in codes)}) "
                    f"AND value IS NOT NULL GROUP BY ALL",
                    [division, *codes],
                )
            df = df[~df["indicator"].isin(flows) & ~df["indicator"].str.match(NOT_PUBLIC)]
            parts = [
                self._mask_derived(division, ind, g.drop(columns="indicator").assign(status="published")).assign(
                    indicator=ind
                )
                for ind, g in df.groupby("indicator")
            ]
            df = pd.concat(parts, ignore_index=True) if parts else df.assign(status=[])
            # share-with-base: withheld below the minimum base of the same area and year (base kept beside it)
            here = cat[cat["division"] == division].set_index("indicator")
            bases = df.set_index(["indicator", "area_code", "period"])["value"]
            bases = bases[~bases.index.duplicated()]
            df["base"] = np.nan
            for ind in df["indicator"].unique():
                if ind not in here.index or here.at[ind, "disclosure"] != "share-with-base":
                    continue
                rows = df["indicator"] == ind
                b_ind, minimum = str(here.at[ind, "disclosure_base"]), int(here["min_base"][ind])
                keys = pd.MultiIndex.from_arrays(
                    [[b_ind] * int(rows.sum()), df.loc[rows, "area_code"], df.loc[rows, "period"]]
                )
                base = bases.reindex(keys).to_numpy(dtype=float)
                if b_ind == "survey.respondents" and np.isnan(base).all():
                    keys = pd.MultiIndex.from_arrays(
                        [["population"] * int(rows.sum()), df.loc[rows, "area_code"], df.loc[rows, "period"]]
                    )
                    base, minimum = bases.reindex(keys).to_numpy(dtype=float), MIN_BASE["population"]
                df.loc[rows, "base"] = base
                hide = rows & df["value"].notna() & ~(df["base"] >= minimum)
                df.loc[hide, "value"] = np.nan
                df.loc[hide, "status"] = "secondary"
            return df.sort_values(["indicator", "area_code", "period"], ignore_index=True)

        return self.cached(("yearly_values", division, tuple(codes)), make)

    def _population(self, division: str, level: str, period: str) -> tuple[pd.Series, str | None]:
        """Population per area in the period's year, or in the nearest year with data (and which year)."""
        year = str(period_months(period)[0] // 12)
        try:
            t = self.table(division, "population", level, "year")
        except InputError:
            return pd.Series(dtype="float64"), None
        if t.empty:
            return pd.Series(dtype="float64"), None
        years = sorted(t["period"].unique())
        nearest = min(years, key=lambda y: (abs(int(y) - int(year)), y))  # the year itself when it is there
        here = t[t["period"] == nearest]
        return here.set_index("area_code")["value"], nearest
