"""EUDA/SCORE wastewater monitoring: metabolite loads per city and year, and the sampling sites.

Values are mg of the measured metabolite per 1000 inhabitants per day (not of the parent
drug: benzoylecgonine for cocaine, THC-COOH for cannabis). The table is kept long: one row per
year, metabolite, site and measure (each weekday, weekday mean, weekend mean, daily mean).
Cities are matched by name in analyses, because site IDs change between releases.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import SourceError
from .base import Source, SourceData

__all__ = ["EudaWastewater", "MEASURES", "METABOLITES"]

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MEASURES = {
    **{d: d.lower() for d in DAYS},
    "Weekday mean": "weekday_mean",
    "Weekend mean": "weekend_mean",
    "Daily mean": "daily_mean",
}
METABOLITES = {
    "MDMA": "mdma",
    "amphetamine": "amphetamine",
    "cannabis": "cannabis",
    "cocaine": "cocaine",
    "ketamine": "ketamine",
    "methamphetamine": "methamphetamine",
}
SITE_COLUMNS = ["SiteID", "Country", "City", "Location", "Latitude", "Longitude", "Population", "Institution"]


class EudaWastewater(Source):
    name = "euda-wastewater"
    title = "EUDA/SCORE wastewater analysis, European cities 2011-2024"
    provides = ("wastewater", "wastewater_sites")
    files = ("euda-wastewater-2025/ww2025-all-data.csv", "euda-wastewater-2025/ww2025-site-info-table.csv")
    licence = "Re-use with acknowledgement (EUDA)"
    attribution = "EUDA (formerly EMCDDA) and the SCORE group, wastewater analysis and drugs (2025 release)"
    period = "2011-2024"

    def read(self, folder: Path) -> SourceData:
        path = self.path(folder, self.files[0])
        raw = pd.read_csv(path, dtype={"Site ID": str})
        needed = ["Year", "Metabolite", "Site ID", "Country", "City", *MEASURES]
        missing = [c for c in needed if c not in raw.columns]
        if missing:
            raise SourceError(
                "The EUDA data file lacks columns.",
                received=", ".join(raw.columns),
                expected=", ".join(needed),
                fix="use ww2025-all-data.csv as published",
                file=str(path),
            )
        unknown = sorted(set(raw["Metabolite"]) - set(METABOLITES))
        if unknown:
            raise SourceError(
                "Unknown metabolite in the EUDA data.",
                received=", ".join(unknown),
                expected=", ".join(METABOLITES),
                fix="extend METABOLITES with its substance",
                file=str(path),
                column="Metabolite",
            )
        long = raw.melt(
            id_vars=["Year", "Metabolite", "Site ID", "Country", "City"],
            value_vars=list(MEASURES),
            var_name="measure",
            value_name="value",
        ).dropna(subset=["value"])
        ww = pd.DataFrame(
            {
                "year": long["Year"].astype("int32").to_numpy(),
                "substance": long["Metabolite"].map(METABOLITES).to_numpy(),
                "site_id": long["Site ID"].to_numpy(),
                "country": long["Country"].to_numpy(),
                "city": long["City"].to_numpy(),
                "measure": long["measure"].map(MEASURES).to_numpy(),
                "value": pd.to_numeric(long["value"], errors="raise").astype("float64").to_numpy(),
                "unit": "mg metabolite per 1000 inhabitants per day",
                "source": self.name,
                "status": "final",
            }
        ).sort_values(["city", "substance", "year", "measure"], ignore_index=True)
        if ww.duplicated(["year", "substance", "site_id", "measure"]).any():
            raise SourceError(
                "Duplicate rows in the EUDA data.",
                received="a year, metabolite and site twice",
                expected="one row per year, metabolite and site",
                fix="check the file",
                file=str(path),
            )
        sites_path = self.path(folder, self.files[1])
        sites = pd.read_csv(sites_path, dtype={"SiteID": str})
        missing = [c for c in SITE_COLUMNS if c not in sites.columns]
        if missing:
            raise SourceError(
                "The EUDA site table lacks columns.",
                received=", ".join(sites.columns),
                expected=", ".join(SITE_COLUMNS),
                fix="use ww2025-site-info-table.csv",
                file=str(sites_path),
            )
        sites = pd.DataFrame(
            {
                "site_id": sites["SiteID"],
                "country": sites["Country"],
                "city": sites["City"],
                "location": sites["Location"],
                "lat": pd.to_numeric(sites["Latitude"], errors="coerce"),
                "lon": pd.to_numeric(sites["Longitude"], errors="coerce"),
                "population": pd.to_numeric(sites["Population"], errors="coerce"),
                "institution": sites["Institution"],
                "source": self.name,
            }
        )
        notes = []
        orphan = sorted(set(ww["site_id"]) - set(sites["site_id"]))
        if orphan:
            notes.append(f"{len(orphan)} sites in the data lack site information: {', '.join(orphan[:8])}.")
        return SourceData(wastewater=ww, wastewater_sites=sites, notes=notes)
