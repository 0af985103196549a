"""OIS Basisbestand Gebieden Amsterdam (BBGA), long format, with its variable metadata.

Areas: the city (``STAD``), the 2015 stadsdelen and the 22 gebieden of 2015 (DX01..DX22),
all on division ``2015``. The codes ``Z`` and ``ZX99`` ("not assignable to an area") are left
out with a note. Every variable becomes an indicator ``bbga.<VARIABLE>`` labelled from the
metadata; two are also mapped onto canonical indicators: ``BEVTOTAAL`` -> ``population`` and
``LDRUGSOVL_P`` -> ``survey.drug_nuisance_pct``. Years after 2018 are prognoses and stored as
``provisional``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import validate_observations
from ..errors import SourceError
from .base import INDICATOR_COLUMNS, Source, SourceData

__all__ = ["Bbga", "CANONICAL_MAP", "map_long"]

CANONICAL_MAP = {"BEVTOTAAL": "population", "LDRUGSOVL_P": "survey.drug_nuisance_pct"}
_UNITS = {"1": "percent", "2": "count", "3": "mean", "4": "index"}
LAST_OBSERVED_YEAR = 2018
NOT_AN_AREA = {"Z", "ZX99"}


class Bbga(Source):
    name = "ois-bbga"
    title = "OIS Basisbestand Gebieden Amsterdam (extract: stad, stadsdelen, 22 gebieden)"
    provides = ("observations:population", "observations:survey.drug_nuisance_pct", "indicators")
    files = (
        "ois-bbga-2019/bbga_latest_and_greatest-DX.csv",
        "ois-bbga-2019/bbga_latest_and_greatest-stadsdelen.csv",
        "ois-bbga-2019/metadata_latest_and_greatest.csv",
    )
    licence = "Open data (OIS Amsterdam), attribution required"
    attribution = "OIS Amsterdam, Basisbestand Gebieden Amsterdam"
    period = "2005-2018 (plus prognoses)"

    def read(self, folder: Path) -> SourceData:
        parts = []
        for f in self.files[:2]:
            path = self.path(folder, f)
            raw = pd.read_csv(path, dtype={"gebiedcode15": str, "variabele": str})
            expected = ["jaar", "gebiedcode15", "variabele", "waarde"]
            if list(raw.columns) != expected:
                raise SourceError(
                    "The BBGA file has unexpected columns.",
                    received=", ".join(raw.columns),
                    expected=", ".join(expected),
                    fix="use the long-format BBGA export",
                    file=str(path),
                )
            parts.append(raw)
        raw = pd.concat(parts, ignore_index=True).drop_duplicates(["jaar", "gebiedcode15", "variabele"])
        meta_path = self.path(folder, self.files[2])
        meta = pd.read_csv(meta_path, dtype=str)
        for col in ("Variabele", "Label", "Definitie", "Rekeneenheid", "Bron"):
            if col not in meta.columns:
                raise SourceError(
                    "The BBGA metadata lacks a column.",
                    received=", ".join(meta.columns),
                    expected=col,
                    fix="use metadata_latest_and_greatest.csv",
                    file=str(meta_path),
                )
        return map_long(raw, meta, source=self.name, file=str(self.path(folder, self.files[0])))


def map_long(
    raw: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    source: str,
    file: str | None = None,
    division: str = "2015",
    last_observed_year: int = LAST_OBSERVED_YEAR,
) -> SourceData:
    """BBGA figures in long format -> observations and indicator catalogue (the one BBGA mapping).

    ``raw`` has ``jaar, gebiedcode15, variabele, waarde`` (and optionally a per-row ``division``,
    else ``division`` applies); ``meta`` has ``Variabele, Label, Definitie, Rekeneenheid, Bron``.
    Years after ``last_observed_year`` are stored as ``provisional`` (prognoses). Used by the file
    adapter :class:`Bbga` and by the API connector :func:`weerbaar.sources.amsterdam_api.fetch_bbga`.
    """
    meta = meta.drop_duplicates("Variabele").set_index("Variabele")
    notes = []
    skipped = raw["gebiedcode15"].isin(NOT_AN_AREA)
    notes.append(f"{int(skipped.sum())} rows for codes {', '.join(sorted(NOT_AN_AREA))} (not an area) left out.")
    raw = raw[~skipped & raw["waarde"].notna()]
    unknown_vars = sorted(set(raw["variabele"]) - set(meta.index))
    if unknown_vars:
        notes.append(f"{len(unknown_vars)} variables without metadata kept with their code as label.")
    unit = raw["variabele"].map(meta["Rekeneenheid"]).map(_UNITS).fillna("see definition")
    status = np.where(raw["jaar"].to_numpy() > last_observed_year, "provisional", "final")
    obs = pd.DataFrame(
        {
            "area_code": raw["gebiedcode15"].to_numpy(),
            "division": raw["division"].to_numpy() if "division" in raw.columns else division,
            "period": raw["jaar"].astype(str).to_numpy(),
            "indicator": ("bbga." + raw["variabele"]).to_numpy(),
            "value": raw["waarde"].to_numpy(),
            "unit": unit.to_numpy(),
            "status": status,
        }
    )
    canon = raw["variabele"].isin(list(CANONICAL_MAP)).to_numpy()
    mapped = obs[canon].copy()
    mapped["indicator"] = raw.loc[canon, "variabele"].map(CANONICAL_MAP).to_numpy()
    obs = validate_observations(
        pd.concat([obs, mapped], ignore_index=True),
        file=file,
        default_source=source,
    )
    variables = sorted(set(raw["variabele"]))
    m = meta.reindex(variables)
    cat = pd.DataFrame(
        {
            "indicator": ["bbga." + v for v in variables],
            "label_nl": m["Label"].fillna(pd.Series(variables, index=m.index)).to_numpy(),
            "label_en": None,
            "unit": m["Rekeneenheid"].map(_UNITS).fillna("see definition").to_numpy(),
            "description": (m["Definitie"].fillna("") + " Bron: " + m["Bron"].fillna("onbekend"))
            .str.strip()
            .to_numpy(),
            "source": source,
            "effort_dependent": False,
            "canonical": False,
        },
        columns=INDICATOR_COLUMNS,
    )
    return SourceData(observations=obs, indicators=cat, notes=notes)
