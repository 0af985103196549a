"""Drug use from the sewer (annex 2 of the programme): EUDA/SCORE wastewater per city, compared and over time.

The warehouse holds the EUDA loads as published: mg of the measured *metabolite* per 1000
inhabitants per day, per city, year, substance and day. This module turns them into the
figures of the factsheet: consumption of the parent drug per 1000 inhabitants per day and in
total for the catchment (``weerbaar.analysis.wastewater``: SCORE correction factors, Monte Carlo
intervals), the city's rank among all cities of a year, the Dutch cities side by side, a city's
series (missing years stay missing), weekdays against the weekend and the change against the
previous year. Cities are matched by name, never by site ID: IDs change between releases.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .analysis.wastewater import SUBSTANCES, back_calculate, consumption_interval, substance
from .errors import InputError, NotFoundError
from .warehouse import Warehouse

__all__ = ["Wastewater", "load_wastewater", "DAYS", "city_key", "close_cities", "match_cities", "compare_releases"]

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_LABELS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
ATTRIBUTION = "EUDA (European Union Drugs Agency) and the SCORE group, wastewater analysis 2011-2024"
#: Countries of Europe (ISO 3166 alpha-2; GB and UK both, EL for Greece as the EU writes it; Türkiye as an EUDA
#: member). The EUDA file also holds cities of Chile, Brazil, the United States, Canada, Australia, New Zealand and
#: Korea: they are compared apart, never ranked with Amsterdam among "the cities".
EUROPE = frozenset(
    {
        "AD",
        "AL",
        "AT",
        "BA",
        "BE",
        "BG",
        "BY",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "EL",
        "ES",
        "FI",
        "FR",
        "GB",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "SE",
        "SI",
        "SK",
        "SM",
        "TR",
        "UA",
        "UK",
        "XK",
    }
)
#: Country codes in the EUDA file that are not ISO codes (Debrecen is listed under "H").
COUNTRY_FIXES = {"H": "HU"}


def in_europe(country: object) -> bool:
    """Whether an EUDA country code is a European country."""
    code = str(country or "").strip().upper()
    return COUNTRY_FIXES.get(code, code) in EUROPE


def city_key(name: str) -> str:
    """A city's name as compared: accents, case, spacing and the punctuation - . _ ' ignored
    ('São Paulo' = 'sao paulo', 'Cluj-Napoca' = 'Cluj Napoca'). Brackets stay: in the EUDA data
    'Oslo (2)' is the mean of two treatment plants, another catchment than 'Oslo'."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-._'\u2019]", " ", text).split()).casefold()


_norm = city_key


def close_cities(name: str, cities: Iterable[str], n: int = 4) -> list[str]:
    """The cities whose names come closest to ``name`` (difflib ratio 0.6 or more on the keys), best first."""
    names: dict[str, str] = {}
    for c in cities:
        names.setdefault(city_key(c), c)
    return [names[k] for k in difflib.get_close_matches(city_key(name), list(names), n=n, cutoff=0.6)]


def match_cities(old: Iterable[str], new: Iterable[str]) -> dict:
    """Cities of two EUDA releases matched by name (:func:`city_key`), never by site ID.

    Returns ``matched`` (new names found in the old release), ``respelled`` (matched, spelled
    otherwise: old -> new), ``new`` (not in the old release), ``missing`` (old cities not in the new
    release) and ``suggestions``: for each missing city the new cities with a close name, which may be
    the same place renamed (or another set of plants) and are not merged.
    """
    old_by = {city_key(c): c for c in sorted(set(old))}
    new_by = {city_key(c): c for c in sorted(set(new))}
    fresh = [new_by[k] for k in sorted(new_by) if k not in old_by]
    missing = [old_by[k] for k in sorted(old_by) if k not in new_by]
    suggestions = {m: close for m in missing if (close := close_cities(m, fresh))}
    return {
        "matched": [new_by[k] for k in sorted(new_by) if k in old_by],
        "respelled": {old_by[k]: new_by[k] for k in sorted(new_by) if k in old_by and old_by[k] != new_by[k]},
        "new": fresh,
        "missing": missing,
        "suggestions": suggestions,
    }


def compare_releases(old: pd.DataFrame, new: pd.DataFrame) -> dict:
    """What changes when release ``new`` replaces ``old`` (loads with year, substance, site_id, city).

    ``cities``: :func:`match_cities`; ``site_ids``: matched cities whose site IDs differ (city as in the
    new release -> (old IDs, new IDs)); ``new_years``: years not in the old release; ``dropped``: the
    number of (city, substance, year) combinations of matched cities that the new release lacks.
    """

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(key=frame["city"].map(city_key))

    old, new = keyed(old), keyed(new)
    old_ids = old.groupby("key")["site_id"].agg(lambda s: sorted(set(s)))
    new_ids = new.groupby("key")["site_id"].agg(lambda s: sorted(set(s)))
    name = new.drop_duplicates("key").set_index("key")["city"]
    site_ids = {
        name[k]: (old_ids[k], new_ids[k]) for k in new_ids.index.intersection(old_ids.index) if old_ids[k] != new_ids[k]
    }
    cols = ["key", "substance", "year"]
    lost = old[cols].drop_duplicates().merge(new[cols].drop_duplicates(), how="left", indicator=True)
    lost = lost[(lost["_merge"] == "left_only") & lost["key"].isin(new_ids.index)]
    return {
        "cities": match_cities(old["city"], new["city"]),
        "site_ids": site_ids,
        "new_years": sorted(int(y) for y in set(new["year"]) - set(old["year"])),
        "dropped": int(len(lost)),
    }


def load_wastewater(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wastewater loads (long) and the sites (population served), as loaded."""
    loads = wh.query("SELECT year, substance, site_id, country, city, measure, value FROM wastewater")
    sites = wh.query("SELECT site_id, country, city, location, population FROM wastewater_sites")
    return loads, sites


@dataclass
class Wastewater:
    """Questions about the EUDA data: one object over the loaded table."""

    loads: pd.DataFrame
    sites: pd.DataFrame

    def __post_init__(self) -> None:
        if self.loads.empty:
            raise InputError(
                "There is no wastewater data in the warehouse.",
                received="an empty wastewater table",
                expected="the EUDA/SCORE data (part of the embedded default)",
                fix="run `weerbaar build`",
            )
        self.loads = self.loads.assign(key=self.loads["city"].map(_norm))
        self._names = self.loads.drop_duplicates("key").set_index("key")["city"].to_dict()
        years = self.loads["year"]
        self.attribution = ATTRIBUTION.replace("2011-2024", f"{int(years.min())}-{int(years.max())}")

    # -- lookups -------------------------------------------------------------------------------
    def city(self, name: str) -> str:
        """The city as spelled in the data, matched by name (case and spacing ignored)."""
        key = _norm(name)
        if key in self._names:
            return self._names[key]
        close = close_cities(name, self._names.values())
        raise NotFoundError(
            "Unknown city in the wastewater data.",
            received=repr(name),
            expected="a city of the EUDA data" + (f", such as {', '.join(close)}" if close else ""),
            fix="check the spelling (`weerbaar wastewater --city Amsterdam`); cities are matched by name",
        )

    def substance(self, name: str) -> str:
        return substance(name).key

    def years(self, city: str, substance_key: str) -> list[int]:
        rows = self.loads[(self.loads["key"] == _norm(city)) & (self.loads["substance"] == substance_key)]
        return sorted(int(y) for y in rows.loc[rows["measure"] == "daily_mean", "year"].unique())

    def population(self, city: str) -> float | None:
        """Population served by the city's catchment (from the latest site table; matched by name)."""
        rows = self.sites[self.sites["city"].map(_norm) == _norm(city)]
        pop = pd.to_numeric(rows["population"], errors="coerce").dropna()
        return float(pop.sum()) if len(pop) else None

    def _year(self, city: str, substance_key: str, year: int | None) -> int:
        years = self.years(city, substance_key)
        if not years:
            raise NotFoundError(
                "No wastewater data for this city and substance.",
                received=f"{city}, {substance_key}",
                expected="a substance measured in that city: "
                + ", ".join(s for s in SUBSTANCES if self.years(city, s)),
                fix="choose another --substance",
            )
        if year is None:
            return years[-1]
        if int(year) not in years:
            missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
            raise NotFoundError(
                "No wastewater data for that year.",
                received=f"{city}, {substance_key}, {year}",
                expected=f"one of {years[0]}-{years[-1]}"
                + (f" except {', '.join(map(str, missing))}" if missing else ""),
                fix="choose a year with data",
            )
        return int(year)

    # -- the factsheet figures ------------------------------------------------------------------
    def comparison(self, year: int, substance_key: str, measure: str = "daily_mean") -> pd.DataFrame:
        """Every city with data in a year, with the back-calculated consumption: ``rank`` among the European
        cities (1 = highest; empty for a city outside Europe), ``rank_all`` among every city, ``europe``."""
        rows = self.loads[
            (self.loads["year"] == int(year))
            & (self.loads["substance"] == substance_key)
            & (self.loads["measure"] == measure)
        ].dropna(subset=["value"])
        rows = rows.groupby(["city", "country"])["value"].mean().reset_index()
        rows = rows.sort_values(["value", "city"], ascending=[False, True], ignore_index=True)
        rows["country"] = rows["country"].map(lambda c: COUNTRY_FIXES.get(str(c), c))
        rows["europe"] = rows["country"].map(in_europe).astype(bool)
        rows["rank_all"] = rows["value"].rank(ascending=False, method="min").astype(int)
        rows["rank"] = rows["value"].where(rows["europe"]).rank(ascending=False, method="min").astype("Int64")
        rows["consumption"] = back_calculate(rows["value"].to_numpy(), substance_key)
        return rows.rename(columns={"value": "load"})

    def series(self, city: str, substance_key: str, measure: str = "daily_mean") -> pd.DataFrame:
        """The city's yearly series from the first to the last year of the data; missing years stay NaN."""
        city = self.city(city)
        all_years = sorted(int(y) for y in self.loads["year"].unique())
        rows = self.loads[
            (self.loads["key"] == _norm(city))
            & (self.loads["substance"] == substance_key)
            & (self.loads["measure"] == measure)
        ]
        by_year = rows.groupby("year")["value"].mean()
        out = pd.DataFrame({"year": range(all_years[0], all_years[-1] + 1)})
        out["load"] = out["year"].map(by_year)
        out["consumption"] = np.array(
            [back_calculate(v, substance_key) if not pd.isna(v) else math.nan for v in out["load"]], dtype=float
        )
        out["change_pct"] = out["load"].pct_change(fill_method=None) * 100
        return out

    def weekdays(self, city: str, year: int, substance_key: str) -> tuple[pd.DataFrame, dict]:
        """Load per day of the week, with the weekday and weekend means."""
        city = self.city(city)
        rows = self.loads[
            (self.loads["key"] == _norm(city))
            & (self.loads["substance"] == substance_key)
            & (self.loads["year"] == int(year))
        ]
        by = rows.groupby("measure")["value"].mean()
        out = pd.DataFrame({"day": list(DAYS)})
        out["load"] = out["day"].map(by)
        out["consumption"] = np.array(
            [back_calculate(v, substance_key) if not pd.isna(v) else math.nan for v in out["load"]], dtype=float
        )
        return out, {
            m: (float(by[m]) if m in by and not pd.isna(by[m]) else None) for m in ("weekday_mean", "weekend_mean")
        }

    def summary(
        self,
        city: str,
        year: int | None,
        substance_key: str,
        *,
        draws: int = 10_000,
        seed: int = 20191203,
        population: float | None = None,
    ) -> dict:
        """The factsheet line for one city, year and substance: load, consumption with its interval, total grams
        a day for the catchment, rank among the cities of that year, change against the previous year.

        ``population``: the people the grams a day are computed for, instead of the population served in the
        EUDA site table (the programme's Bijlage 2 implies about 768,000 for Amsterdam 2018, the site table
        says 699,648). ``population_source`` says which was used."""
        city = self.city(city)
        sub = substance(substance_key)
        year = self._year(city, sub.key, year)
        comp = self.comparison(year, sub.key)
        row = comp[comp["city"].map(_norm) == _norm(city)]
        load = float(row["load"].iloc[0])
        if population is not None:
            if isinstance(population, bool) or not (1 <= float(population) <= 50_000_000):
                from .errors import InputError

                raise InputError(
                    "Implausible population for the wastewater figures.",
                    received=repr(population),
                    expected="the number of inhabitants served, between 1 and 50,000,000",
                    fix="give the population in persons, e.g. 768000",
                )
            population, source = float(population), "given"
        else:
            population, source = self.population(city), "euda-site-table"
        est = consumption_interval(load, sub.key, population, draws=draws, seed=seed)
        series = self.series(city, sub.key).set_index("year")
        prev = series["load"].get(year - 1)
        week, means = self.weekdays(city, year, sub.key)
        return {
            "city": city,
            "country": str(row["country"].iloc[0]),
            "year": year,
            "substance": sub.key,
            "metabolite": sub.metabolite,
            "load_mg_per_1000_per_day": load,
            "correction_factor": sub.correction_factor,
            "consumption_mg_per_1000_per_day": est["per_1000"].to_dict(),
            "population_served": population,
            "population_source": source,
            "grams_per_day": est["grams_per_day"].to_dict() if "grams_per_day" in est else None,
            # the rank among the European cities (the programme compares Amsterdam with European cities);
            # the cities elsewhere in the EUDA file are counted apart
            "rank": None if pd.isna(row["rank"].iloc[0]) else int(row["rank"].iloc[0]),
            "cities": int(comp["europe"].sum()),
            "rank_scope": "europe",
            "rank_all": int(row["rank_all"].iloc[0]),
            "cities_all": int(len(comp)),
            "cities_elsewhere": int((~comp["europe"]).sum()),
            "previous_year_load": None if prev is None or pd.isna(prev) else float(prev),
            "change_pct": None if prev is None or pd.isna(prev) or not prev else (load / float(prev) - 1) * 100,
            "weekday_mean": means["weekday_mean"],
            "weekend_mean": means["weekend_mean"],
            "caveat": sub.caveat,
            "source": self.attribution,
            "synthetic": False,
        }

    def dutch_cities(self, year: int, substance_key: str) -> pd.DataFrame:
        comp = self.comparison(year, substance_key)
        return comp[comp["country"] == "NL"].reset_index(drop=True)
