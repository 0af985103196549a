"""CBS Kerncijfers wijken en buurten 2021 for Amsterdam's buurten (2015-2021 division).

CBS codes are the old numeric codes (BU03630000 = Kop Zeedijk = A00a); they are matched to
the 2015 buurt codes through :func:`cbs_code_2015`. Secrecy: CBS publishes suppressed or
unknown values as 0 or negative in this extract. Negative values are stored as ``suppressed``
(no value); so is a 0 in a percentage, average or rate column of a buurt with fewer than 50
inhabitants, and a mean WOZ value of 0. See docs/decisions/0003-cbs-secrecy.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from ..contract import validate_observations
from ..errors import SourceError
from .amsterdam_areas import cbs_code_2015
from .base import INDICATOR_COLUMNS, Source, SourceData

__all__ = ["CbsKwb2021", "KWB_COLUMNS", "SMALL_POPULATION", "kwb_catalogue", "kwb_frame"]

# column -> (indicator, label nl, label en, unit, count column?)
KWB_COLUMNS: dict[str, tuple[str, str, str, str, bool]] = {
    "aantal_inwoners": ("population", "Inwoners", "Inhabitants", "count", True),
    "bevolkingsdichtheid_inwoners_per_km2": (
        "cbs.density",
        "Bevolkingsdichtheid",
        "Population density",
        "inhabitants per km2",
        False,
    ),
    "mannen": ("cbs.men", "Mannen", "Men", "count", True),
    "vrouwen": ("cbs.women", "Vrouwen", "Women", "count", True),
    "percentage_personen_0_tot_15_jaar": ("cbs.age_0_15_pct", "0-15 jaar (%)", "Aged 0-15 (%)", "percent", False),
    "percentage_personen_15_tot_25_jaar": ("cbs.age_15_25_pct", "15-25 jaar (%)", "Aged 15-25 (%)", "percent", False),
    "percentage_personen_25_tot_45_jaar": ("cbs.age_25_45_pct", "25-45 jaar (%)", "Aged 25-45 (%)", "percent", False),
    "percentage_personen_45_tot_65_jaar": ("cbs.age_45_65_pct", "45-65 jaar (%)", "Aged 45-65 (%)", "percent", False),
    "percentage_personen_65_jaar_en_ouder": (
        "cbs.age_65plus_pct",
        "65 jaar en ouder (%)",
        "Aged 65+ (%)",
        "percent",
        False,
    ),
    "percentage_ongehuwd": ("cbs.unmarried_pct", "Ongehuwd (%)", "Unmarried (%)", "percent", False),
    "percentage_gehuwd": ("cbs.married_pct", "Gehuwd (%)", "Married (%)", "percent", False),
    "percentage_gescheid": ("cbs.divorced_pct", "Gescheiden (%)", "Divorced (%)", "percent", False),
    "percentage_verweduwd": ("cbs.widowed_pct", "Verweduwd (%)", "Widowed (%)", "percent", False),
    "geboortes_per_1000_inwoners": (
        "cbs.births_per_1000",
        "Geboorten per 1000 inwoners",
        "Births per 1000 inhabitants",
        "per 1000",
        False,
    ),
    "aantal_huishoudens": ("cbs.households", "Huishoudens", "Households", "count", True),
    "gemiddelde_huishoudsgrootte": (
        "cbs.household_size",
        "Gemiddelde huishoudensgrootte",
        "Mean household size",
        "persons",
        False,
    ),
    "woningvoorraad": ("cbs.dwellings", "Woningvoorraad", "Dwellings", "count", True),
    "gemiddelde_woningwaarde": (
        "cbs.woz_mean",
        "Gemiddelde WOZ-waarde",
        "Mean property value (WOZ)",
        "EUR 1000",
        False,
    ),
    "personenautos_per_huishouden": (
        "cbs.cars_per_household",
        "Personenauto's per huishouden",
        "Cars per household",
        "per household",
        False,
    ),
    "motortweewielers_totaal": ("cbs.motorcycles", "Motortweewielers", "Motorcycles", "count", True),
    "bouwjaarklasse_tot_2000": (
        "cbs.dwellings_before_2000",
        "Woningen gebouwd voor 2000",
        "Dwellings built before 2000",
        "count",
        True,
    ),
}
SMALL_POPULATION = 50


def kwb_frame(raw: pd.DataFrame, area_codes, *, division: str, period: str) -> pd.DataFrame:
    """KWB columns (file names, see ``KWB_COLUMNS``) -> long observations, with the secrecy rules of decision 0003.

    Shared by the 2021 file and the online tables (:mod:`weerbaar.sources.cbs_kwb_online`). A column
    ``raw`` lacks is left out; a missing number (NaN) or a negative one is ``suppressed``; in a
    non-count column a 0 where fewer than 50 people live is ``suppressed``; a mean WOZ value of 0 too.
    """
    pop = pd.to_numeric(raw["aantal_inwoners"], errors="coerce").to_numpy(dtype="float64")
    small = pop < SMALL_POPULATION
    frames = []
    for col, (indicator, _nl, _en, unit, is_count) in KWB_COLUMNS.items():
        if col not in raw.columns:
            continue
        v = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype="float64")
        suppressed = np.isnan(v) | (v < 0)
        if not is_count:
            suppressed |= small & (v == 0)
        if col == "gemiddelde_woningwaarde":
            suppressed |= v == 0
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.asarray(area_codes),
                    "division": division,
                    "period": period,
                    "indicator": indicator,
                    "value": np.where(suppressed, np.nan, v),
                    "unit": unit,
                    "status": np.where(suppressed, "suppressed", "final"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def kwb_catalogue(source: str, description: str, columns=None) -> pd.DataFrame:
    """Catalogue rows of the KWB indicators (``population`` is canonical and defined elsewhere).

    ``description`` may hold ``{column}``; ``columns`` limits the rows to those file columns.
    """
    return pd.DataFrame(
        [
            {
                "indicator": ind,
                "label_nl": nl,
                "label_en": en,
                "unit": unit,
                "description": description.format(column=col),
                "source": source,
                "effort_dependent": False,
                "canonical": ind == "population",
            }
            for col, (ind, nl, en, unit, _c) in KWB_COLUMNS.items()
            if ind != "population" and (columns is None or col in columns)
        ],
        columns=INDICATOR_COLUMNS,
    )


class CbsKwb2021(Source):
    name = "cbs-kwb-2021"
    title = "CBS Kerncijfers wijken en buurten 2021 (Amsterdam, buurten 2015-2021)"
    provides = ("observations:population", "indicators")
    files = ("cbs-kwb-2021/amsterdam_buurten.csv", "amsterdam-areas-2015/buurten.geojson")
    licence = "CC BY 4.0"
    attribution = "CBS, Kerncijfers wijken en buurten 2021, CC BY 4.0"
    period = "2021"

    def read(self, folder: Path) -> SourceData:
        file = self.path(folder, self.files[0])
        raw = pd.read_csv(file, dtype={"buurtcode": str})
        missing = [c for c in [*KWB_COLUMNS, "buurtcode", "buurtnaam"] if c not in raw.columns]
        if missing:
            raise SourceError(
                "The KWB file lacks expected columns.",
                received=", ".join(raw.columns),
                expected=", ".join(missing),
                fix="use the original KWB 2021 extract",
                file=str(file),
            )
        buurten = pyogrio.read_dataframe(self.path(folder, self.files[1]), read_geometry=False, columns=["Buurt_code"])[
            "Buurt_code"
        ]
        lookup = dict(zip(cbs_code_2015(buurten), buurten, strict=True))
        codes = raw["buurtcode"].map(lookup)
        if codes.isna().any():
            bad = raw.loc[codes.isna(), "buurtcode"].iloc[0]
            raise SourceError(
                "A CBS buurt code has no 2015 Amsterdam buurt.",
                received=bad,
                expected="codes BU0363WWBB of the 2015-2021 division",
                fix="use the KWB 2021 extract for Amsterdam",
                file=str(file),
                row=int(codes.isna().to_numpy().argmax()) + 1,
                column="buurtcode",
            )
        obs = validate_observations(
            kwb_frame(raw, codes.to_numpy(), division="2015", period="2021"), file=str(file), default_source=self.name
        )
        cat = kwb_catalogue(self.name, "CBS KWB 2021 column {column}")
        n_supp = int((obs["status"] == "suppressed").sum())
        return SourceData(
            observations=obs,
            indicators=cat,
            notes=[f"{n_supp} values stored as suppressed (CBS secrecy shown as 0 or negative)."],
        )
