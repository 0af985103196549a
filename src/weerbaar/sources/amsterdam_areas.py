"""Amsterdam's two area divisions from the city's open geodata.

* ``amsterdam-areas-2022``: the division in force since 24 March 2022 (with Weesp): 9
  stadsdelen, 25 gebieden, 110 wijken, 518 buurten. Wijk, gebied and stadsdeel geometries are
  dissolved from the buurten so the levels nest exactly.
* ``amsterdam-areas-2015``: the 2015-2021 division: 8 stadsdelen, 99 wijken
  (buurtcombinaties), 481 buurten, plus the 22 gebieden (DX01..DX22) of the BBGA, which have
  no boundary in the shipped data (see docs/decisions/0001-area-divisions.md).

Both divisions get a ``stad`` area with code ``STAD`` (the code the city's BBGA uses).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..areas import RD_NEW, dissolve_hierarchy, validate_areas
from ..errors import SourceError
from .base import Source, SourceData

__all__ = ["Areas2022", "Areas2015", "areas_2022", "cbs_code_2015"]

ATTRIBUTION = "Gemeente Amsterdam, open geodata"
LICENCE = "Open data (Gemeente Amsterdam), attribution required"


def _require(frame: pd.DataFrame, columns: list[str], file: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(
            "The area file lacks expected properties.",
            received=", ".join(frame.columns),
            expected=", ".join(columns),
            fix="use the city's original export",
            file=file,
        )


def areas_2022(buurten: gpd.GeoDataFrame, *, file: str | None = None) -> gpd.GeoDataFrame:
    """The 2022 division from its buurten, validated: wijk, gebied, stadsdeel and stad dissolved.

    ``buurten`` has ``code, name, cbs_code, geometry`` and the city's hierarchy columns
    ``Wijkcode, Wijk, Gebiedcode, Gebied, Stadsdeelcode, Stadsdeel`` (an empty gebied code, as for
    Westpoort, hangs the wijk under its stadsdeel). Shared by the file source and the API connector
    (:mod:`weerbaar.sources.amsterdam_api`).
    """
    areas = dissolve_hierarchy(
        buurten,
        [
            ("stadsdeel", "Stadsdeelcode", "Stadsdeel"),
            ("gebied", "Gebiedcode", "Gebied"),
            ("wijk", "Wijkcode", "Wijk"),
        ],
        division="2022",
    )
    wijk = areas["level"] == "wijk"
    areas.loc[wijk, "cbs_code"] = "WK0363" + areas.loc[wijk, "code"]
    areas.loc[areas["level"] == "stad", "cbs_code"] = "GM0363"
    return validate_areas(areas, file=file)


class Areas2022(Source):
    name = "amsterdam-areas-2022"
    title = "Gebiedsindeling Amsterdam 2022 (buurten, wijken, gebieden, stadsdelen)"
    provides = ("areas",)
    files = (
        "amsterdam-areas-2022/amsterdam_buurten_2022.geojson",
        "amsterdam-areas-2022/amsterdam_gebieden_2022.geojson",
    )
    licence = LICENCE
    attribution = ATTRIBUTION
    period = "2022-"

    def read(self, folder: Path) -> SourceData:
        file = self.path(folder, self.files[0])
        raw = gpd.read_file(file)
        _require(
            raw,
            [
                "CBS_Buurtcode",
                "Buurtcode",
                "Buurt",
                "Wijkcode",
                "Wijk",
                "Gebiedcode",
                "Gebied",
                "Stadsdeelcode",
                "Stadsdeel",
            ],
            str(file),
        )
        buurten = raw.to_crs(RD_NEW).rename(columns={"Buurtcode": "code", "Buurt": "name", "CBS_Buurtcode": "cbs_code"})
        areas = areas_2022(buurten, file=str(file))
        # The city's own gebied layer must agree with the dissolved buurten.
        gebieden = gpd.read_file(self.path(folder, self.files[1])).to_crs(RD_NEW)
        _require(gebieden, ["Gebiedcode", "Gebied"], self.files[1])
        ours = set(areas.loc[areas["level"] == "gebied", "code"])
        theirs = set(gebieden["Gebiedcode"])
        if ours != theirs:
            raise SourceError(
                "The gebieden layer and the buurten disagree on the gebied codes.",
                received=", ".join(sorted(ours ^ theirs)),
                expected="the same 25 gebieden",
                fix="use files from the same release",
                file=self.files[1],
            )
        return SourceData(areas=areas)


def cbs_code_2015(buurt_code: pd.Series) -> pd.Series:
    """CBS buurt code of a 2015 Amsterdam buurt: BU0363 + wijk number + buurt letter index.

    A00a -> BU03630000, T94l -> BU03639411 (checked against CBS KWB 2021 in the tests).
    """
    code = buurt_code.astype("string")
    letter = code.str[3].map(lambda c: f"{ord(c) - ord('a'):02d}" if isinstance(c, str) else pd.NA)
    return ("BU0363" + code.str[1:3] + letter).astype(object)


class Areas2015(Source):
    name = "amsterdam-areas-2015"
    title = "Gebiedsindeling Amsterdam 2015-2021 (buurten, buurtcombinaties, stadsdelen, 22 gebieden)"
    provides = ("areas",)
    files = (
        "amsterdam-areas-2015/buurten.geojson",
        "amsterdam-areas-2015/buurtcombinaties.geojson",
        "amsterdam-areas-2015/stadsdelen.geojson",
        "amsterdam-areas-2015/GEBIED_BUURTEN.csv",
        "ois-safety-2014-2019/Veiligheidsindexen.xlsx",
    )
    licence = LICENCE
    attribution = ATTRIBUTION + "; gebied names and codes from OIS Amsterdam"
    period = "2015-2021"

    def read(self, folder: Path) -> SourceData:
        file = self.path(folder, self.files[0])
        raw = gpd.read_file(file)
        _require(raw, ["Buurt_code", "Buurt", "Buurtcombinatie_code", "Stadsdeel_code"], str(file))
        wijken = gpd.read_file(self.path(folder, self.files[1]))
        _require(wijken, ["vollcode", "naam"], self.files[1])
        stadsdelen = gpd.read_file(self.path(folder, self.files[2]))
        _require(stadsdelen, ["Stadsdeel_code", "Stadsdeel"], self.files[2])
        buurten = raw.to_crs(RD_NEW).rename(columns={"Buurt_code": "code", "Buurt": "name"})
        buurten["cbs_code"] = cbs_code_2015(buurten["code"])
        buurten["wijk_name"] = buurten["Buurtcombinatie_code"].map(
            dict(zip(wijken["vollcode"], wijken["naam"], strict=True))
        )
        buurten["sd_name"] = buurten["Stadsdeel_code"].map(
            dict(zip(stadsdelen["Stadsdeel_code"], stadsdelen["Stadsdeel"], strict=True))
        )
        for col, what in (("wijk_name", "buurtcombinaties"), ("sd_name", "stadsdelen")):
            if buurten[col].isna().any():
                bad = buurten.loc[buurten[col].isna(), "code"].iloc[0]
                raise SourceError(
                    f"A buurt refers to a code missing from the {what} file.",
                    received=bad,
                    expected=f"every buurt's parent in {what}",
                    fix="use files of one release",
                    file=str(file),
                )
        self._check_csv(folder, set(buurten["code"]))
        areas = dissolve_hierarchy(
            buurten,
            [("stadsdeel", "Stadsdeel_code", "sd_name"), ("wijk", "Buurtcombinatie_code", "wijk_name")],
            division="2015",
        )
        areas.loc[areas["level"] == "stad", "cbs_code"] = "GM0363"
        gebieden = self._gebieden(folder)
        if gebieden is not None:
            areas = pd.concat([areas, gebieden], ignore_index=True)
        areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=RD_NEW)
        return SourceData(areas=validate_areas(areas, file=str(file)))

    def _check_csv(self, folder: Path, codes: set[str]) -> None:
        csv = self.path(folder, self.files[3])
        table = pd.read_csv(csv, sep=";", encoding="utf-8-sig", usecols=["Buurt_code"])
        if set(table["Buurt_code"]) != codes:
            raise SourceError(
                "GEBIED_BUURTEN.csv and buurten.geojson list different buurten.",
                received=", ".join(sorted(set(table["Buurt_code"]) ^ codes)[:10]),
                expected="the same 481 buurten",
                fix="use files of one release",
                file=str(csv),
            )

    def _gebieden(self, folder: Path) -> gpd.GeoDataFrame | None:
        from .veiligheidsindex import gebieden_2015

        table = gebieden_2015(self.path(folder, self.files[4]))
        return gpd.GeoDataFrame(
            {
                "code": table["code"],
                "name": table["name"],
                "level": "gebied",
                "parent": table["stadsdeel"],
                "division": "2015",
                "cbs_code": None,
            },
            geometry=gpd.GeoSeries([None] * len(table), crs=RD_NEW),  # type: ignore[arg-type]  # types-geopandas: None is a missing geometry
        )
