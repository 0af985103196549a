"""The city's social facilities (MAATSCHAPPELIJKE_VZN): schools, community and youth centres...

Each point keeps the city's own ``Categorie`` and ``Soort`` and gets one of our facility
types (``FACILITY_TYPES``) through ``CATEGORY_TYPES``: the one place where the city's
categories meet ours. Outdoor playgrounds are not in this layer.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..areas import RD_NEW
from ..errors import SourceError
from .base import Source, SourceData

__all__ = ["Facilities", "FACILITY_TYPES", "CATEGORY_TYPES"]

FACILITY_TYPES = ("school", "playground", "community_centre", "youth_centre", "care_centre", "other")
CATEGORY_TYPES = {
    "Primair onderwijs": "school",
    "Voortgezet onderwijs": "school",
    "Speciaal onderwijs": "school",
    "Speeltuingebouw": "playground",
    "Buurtkamer": "community_centre",
    "Huis van de wijk": "community_centre",
    "Jongerencentrum": "youth_centre",
    "Opvanglocatie": "care_centre",
    "Behandel-/woonlocatie": "care_centre",
    "Dagbestedingslocatie": "care_centre",
    "Buurtteamlocatie": "care_centre",
    "OKT": "care_centre",
}
FACILITY_COLUMNS = ["facility_id", "name", "type", "category", "kind", "address", "postcode", "x", "y", "source"]


class Facilities(Source):
    name = "amsterdam-facilities"
    title = "Maatschappelijke voorzieningen Amsterdam (schools, community, youth and care centres)"
    provides = ("facilities",)
    files = ("amsterdam-facilities/amsterdam_MAATSCHAPPELIJKE_VZN.geojson",)
    licence = "Open data (Gemeente Amsterdam), attribution required"
    attribution = "Gemeente Amsterdam, open geodata (MAATSCHAPPELIJKE_VZN)"
    period = "snapshot after 2022"

    def read(self, folder: Path) -> SourceData:
        return read_city_layer(self.path(folder, self.files[0]), source=self.name)


def read_city_layer(path: Path, *, source: str) -> SourceData:
    """The city's MAATSCHAPPELIJKE_VZN point layer (GeoJSON) as facility rows of our types."""
    raw = gpd.read_file(path)
    needed = ["MVZN_ID", "Naam", "Categorie", "Soort", "Adres", "Postcode", "Huisnummer"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise SourceError(
            "The facilities layer lacks properties.",
            received=", ".join(raw.columns),
            expected=", ".join(needed),
            fix="use the city's MAATSCHAPPELIJKE_VZN export",
            file=str(path),
        )
    if not (raw.geometry.geom_type == "Point").all():
        raise SourceError(
            "The facilities layer holds non-point geometry.",
            received=", ".join(sorted(set(raw.geometry.geom_type))),
            expected="Point",
            fix="use the point layer",
            file=str(path),
        )
    pts = raw.to_crs(RD_NEW)
    address = (raw["Adres"].fillna("").str.strip() + " " + raw["Huisnummer"].fillna("").astype(str)).str.strip()
    out = pd.DataFrame(
        {
            "facility_id": raw["MVZN_ID"].astype(str),
            "name": raw["Naam"].fillna("").str.strip(),
            "type": raw["Categorie"].map(CATEGORY_TYPES).fillna("other"),
            "category": raw["Categorie"],
            "kind": raw["Soort"].fillna("").str.strip(),
            "address": address,
            "postcode": raw["Postcode"],
            "x": pts.geometry.x.to_numpy(),
            "y": pts.geometry.y.to_numpy(),
            "source": source,
        },
        columns=FACILITY_COLUMNS,
    )
    if out["facility_id"].duplicated().any():
        raise SourceError(
            "Duplicate facility id.",
            received=out.loc[out["facility_id"].duplicated(), "facility_id"].iloc[0],
            expected="unique MVZN_ID",
            fix="check the export",
            file=str(path),
            column="MVZN_ID",
        )
    damaged = int(out["name"].str.contains("\ufffd").sum())
    notes = [f"{damaged} names contain damaged characters (kept as published)."] if damaged else []
    return SourceData(facilities=out, notes=notes)
