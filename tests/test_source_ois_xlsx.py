"""The two OIS Excel adapters on the real workbooks, the VM-code parser, and damaged copies.

The real files come from the ``shared_data`` fixture (tests/conftest.py): the folder
``$WEERBAAR_SHARED_DATA`` or ``<repo>/../shared/data``; skipped when absent, a failure under CI.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from weerbaar.errors import SourceError
from weerbaar.sources.ois_crime import OisCriminaliteit, drugshandel_city_totals, offence_slug
from weerbaar.sources.veiligheidsindex import SUBINDICES, Veiligheidsindex, gebieden_2015
from weerbaar.sources.vm_codes import parse_vm_code, resolve_vm_code
from weerbaar.sources.workbook import read_workbook

VI_FILE = Veiligheidsindex.files[0]
CRIME_FILE = OisCriminaliteit.files[0]


@pytest.fixture(scope="module")
def vi(shared_data):
    return Veiligheidsindex().read(shared_data)


@pytest.fixture(scope="module")
def crime(shared_data):
    return OisCriminaliteit().read(shared_data)


def value(data, code, period, indicator, division):
    obs = data.observations
    hit = obs[
        (obs["area_code"] == code)
        & (obs["period"] == period)
        & (obs["indicator"] == indicator)
        & (obs["division"] == division)
    ]
    assert len(hit) <= 1
    return None if hit.empty else float(hit["value"].iloc[0])


# -- the VM-code grammar ----------------------------------------------------------------------

BUURTEN = [f"T94{c}" for c in "abcdefghijklmn"] + [
    "E13a",
    "E13b",
    "E12a",
    "B10a",
    "N69a",
    "N74a",
    "T92a",
    "T96d",
    "T96e",
    "T96f",
    "T96g",
    "E40a",
    "E40b",
    "E40c",
]


@pytest.mark.parametrize(
    "code, parts",
    [
        ("A00", [("A00", "")]),
        ("T94cfghn", [("T94", "cfghn")]),
        ("E13/E12(B10)", [("E13", ""), ("E12", ""), ("B10", "")]),
        ("E13/E12(B10/B11)", [("E13", ""), ("E12", ""), ("B10", ""), ("B11", "")]),
        ("T96defg(T92)", [("T96", "defg"), ("T92", "")]),
        ("F84abc/F80", [("F84", "abc"), ("F80", "")]),
        ("N69 (incl N74", [("N69", ""), ("N74", "")]),  # sic: unbalanced, as in the sheet
        ("E37(E36)", [("E37", ""), ("E36", "")]),
        (" K90/K59 ", [("K90", ""), ("K59", "")]),
    ],
)
def test_parse_vm_code(code, parts):
    assert parse_vm_code(code) == parts


@pytest.mark.parametrize("bad", ["", "  ", "A0", "a00", "A00/?", "Regio totaal", "T94CF"])
def test_parse_vm_code_rejects_malformed_codes(bad):
    with pytest.raises(SourceError):
        parse_vm_code(bad)


def test_resolve_vm_code_on_hand_written_buurten():
    assert resolve_vm_code("T94cfghn", BUURTEN) == {"T94c", "T94f", "T94g", "T94h", "T94n"}
    assert resolve_vm_code("E13/E12(B10)", BUURTEN) == {"E13a", "E13b", "E12a", "B10a"}
    assert resolve_vm_code("N69 (incl N74", BUURTEN) == {"N69a", "N74a"}
    assert resolve_vm_code("T96defg(T92)", BUURTEN) == {"T96d", "T96e", "T96f", "T96g", "T92a"}
    with pytest.raises(SourceError, match="E40d"):  # buurt letters unknown in the 2015 division
        resolve_vm_code("E40defg", BUURTEN)
    with pytest.raises(SourceError, match="B11"):
        resolve_vm_code("E13/E12(B10/B11)", BUURTEN)
    assert resolve_vm_code("E13/E12(B10/B11)", BUURTEN, strict=False) == {"E13a", "E13b", "E12a", "B10a"}
    with pytest.raises(SourceError, match="no 2015 wijk or buurt"):  # nothing resolves: always an error
        resolve_vm_code("Q99", BUURTEN, strict=False)


# -- Veiligheidsindex on the real workbook ----------------------------------------------------


def test_veiligheidsindex_real_values(vi):
    assert value(vi, "A00", "2014", "safety.index", "vm") == pytest.approx(164.82)
    assert value(vi, "A00", "2014", "safety.criminaliteit", "vm") == pytest.approx(129.19)
    assert value(vi, "A00", "2019", "safety.index", "vm") == pytest.approx(178.1)  # 2019_3, not 2019_1
    assert value(vi, "A00", "2019", "safety.vermijding", "vm") == pytest.approx(84.26)
    # M55 and M58 are separate areas from 2016; before that they were one area "M55/M58".
    assert value(vi, "M55", "2016", "safety.index", "vm") == pytest.approx(73.90)
    assert value(vi, "M58", "2016", "safety.index", "vm") == pytest.approx(109.73)
    assert value(vi, "M55", "2015", "safety.index", "vm") is None
    assert value(vi, "M55/M58", "2014", "safety.index", "vm") == pytest.approx(92.67)
    assert value(vi, "M55/M58", "2016", "safety.index", "vm") is None
    # One row, two definitions: Geuzenbuurt is E40abc in 2014-2015 and E40 from 2016.
    assert value(vi, "E40abc", "2014", "safety.index", "vm") == pytest.approx(89.99)
    assert value(vi, "E40", "2016", "safety.index", "vm") == pytest.approx(95.37)
    assert value(vi, "E40", "2015", "safety.index", "vm") is None
    assert value(vi, "N69 (incl N74", "2015", "safety.index", "vm") == pytest.approx(119.53)
    # the 22 gebieden, division 2015 (BBGA rounds DX01 2014 high volume to 137)
    assert value(vi, "DX01", "2014", "safety.index", "2015") == pytest.approx(139.4994, abs=1e-3)
    assert value(vi, "DX01", "2014", "safety.high_volume", "2015") == pytest.approx(137.405, abs=1e-3)
    assert value(vi, "DX01", "2014", "safety.high_impact", "2015") == pytest.approx(101.125, abs=1e-3)
    obs = vi.observations
    assert set(obs["period"]) == {"2014", "2015", "2016", "2017", "2018", "2019"}
    assert set(obs["indicator"]) == {v[0] for v in SUBINDICES.values()}
    assert set(obs["division"]) == {"vm", "2015"}
    assert set(obs.loc[obs["division"] == "2015", "area_code"]) == {f"DX{i:02d}" for i in range(1, 23)}
    assert (obs["status"] == "final").all() and (obs["source"] == "ois-veiligheidsindex").all()
    assert (obs["unit"] == "index (100 = regional mean)").all()
    assert len(obs) == 7370  # vm: (87 + 87 + 91 * 4) areas x 11; gebieden: 22 x 6 x 11
    assert "Regio totaal" not in set(obs["area_code"])


def test_veiligheidsindex_vm_areas_and_crosswalk(vi, shared_data):
    areas = vi.areas
    assert areas.crs.to_epsg() == 28992 and (areas["division"] == "vm").all()
    assert areas["level"].value_counts().to_dict() == {"wijk": 105, "stad": 1}
    a = areas.set_index("code")
    assert a.loc["STAD", "name"] == "Amsterdam" and a.loc["STAD", "parent"] is None
    assert a.loc["T94cfghn", "name"] == "Bijlmer-Oost K-buurt/-museum N/Z"
    assert a.loc["T94cfghn", "parent"] == "STAD"
    assert a["cbs_code"].isna().all()
    cw = vi.crosswalk
    assert set(cw["from_division"]) == {"vm"} and set(cw["to_division"]) == {"2015"}
    assert set(cw.loc[cw["from_code"] == "T94cfghn", "to_code"]) == {"T94c", "T94f", "T94g", "T94h", "T94n"}
    assert set(cw.loc[cw["from_code"] == "E13/E12(B10)", "to_code"]) == {
        "E13a",
        "E13b",
        "E13c",
        "E13d",
        "E13e",
        "E13f",
        "E13g",
        "E13h",
        "E12a",
        "E12b",
        "B10a",
        "B10b",
        "B10c",
        "B10d",
        "B10e",
        "B10f",
        "B10g",
        "B10h",
    }
    assert cw.groupby("from_code")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert cw["to_share"].to_numpy() == pytest.approx(1.0)  # VM areas are unions of whole 2015 buurten

    # A 104 code with pre-2015 parts takes the 2015 buurten of the 108 code on its row.
    def to(code):
        return set(cw.loc[cw["from_code"] == code, "to_code"])

    for old, new in (("E40defg", "E75"), ("F85defg", "F89"), ("F88/F84d", "F88"), ("K47/K50", "K47")):
        assert to(old) == to(new)
    # The city is the union of all 2015 buurten; geometry came from WGS84 and is now in metres.
    buurten = gpd.read_file(shared_data / "amsterdam-areas-2015/buurten.geojson").to_crs(28992)
    assert a.loc["STAD"].geometry.area == pytest.approx(buurten.area.sum(), rel=1e-6)


def test_veiligheidsindex_notes_and_catalogue(vi):
    text = " ".join(vi.notes)
    assert "2019_1" in text and "2019_2" in text and "2019_3" in text
    assert "Regio totaal" in text and "E40defg -> E75" in text
    cat = vi.indicators
    assert len(cat) == 11 and cat["canonical"].all() and (cat["source"] == "ois-veiligheidsindex").all()
    effort = cat.set_index("indicator")["effort_dependent"]
    assert effort[["safety.criminaliteit", "safety.high_volume", "safety.high_impact"]].all()
    assert not effort[["safety.onveiligheidsbeleving", "safety.vermijding", "safety.risicoperceptie"]].any()
    Veiligheidsindex().validate(vi)


def test_gebieden_2015(shared_data):
    g = gebieden_2015(shared_data / VI_FILE).set_index("code")
    assert list(g.index) == [f"DX{i:02d}" for i in range(1, 23)]
    assert g.loc["DX01", "name"] == "Centrum West" and g.loc["DX01", "stadsdeel"] == "A"
    assert g.loc["DX07", "name"] == "Osdorp" and g.loc["DX07", "stadsdeel"] == "F"
    assert g.loc["DX17", "name"] == "Noord-West" and g.loc["DX17", "stadsdeel"] == "N"  # sheet: "N-West"
    assert g.loc["DX20", "name"] == "Bijlmer Centrum" and g.loc["DX20", "stadsdeel"] == "T"
    assert g["stadsdeel"].value_counts().to_dict() == {"A": 2, "E": 3, "F": 4, "K": 3, "M": 4, "N": 3, "T": 3}


# -- OIS criminaliteit on the real workbook ---------------------------------------------------


def test_crime_real_values(crime):
    d = "2015"
    assert value(crime, "DX01", "2015", "ois.offences_with_suspect.age_12_17", d) == 354
    assert value(crime, "DX01", "2015", "ois.suspects.age_12_17", d) == 30
    assert value(crime, "DX01", "2015", "ois.population.age_12_17", d) == 1247
    assert value(crime, "DX01", "2015", "ois.suspects_pct.age_12_17", d) == pytest.approx(2.4)
    assert value(crime, "A00", "2019", "ois.suspects.age_18_24", d) == 5
    assert value(crime, "B10", "2019", "ois.offences_with_suspect.age_25plus", d) is not None
    assert value(crime, "STAD", "2015", "ois.suspects.age_12_17", d) == 1733
    assert value(crime, "STAD", "2019", "ois.population.age_25plus", d) == 628875
    assert value(crime, "STAD", "2015", "ois.offences_with_suspect.age_12_17", d) == 2450  # sheet 5, not 6
    assert value(crime, "T", "2015", "ois.suspects.age_12_17", d) == 337
    assert value(crime, "STAD", "2015", "ois.offences_with_suspect.drugshandel.age_12_24", d) == 649
    assert value(crime, "STAD", "2015", "ois.offences_with_suspect.drugshandel.age_25plus", d) == 1337
    assert value(crime, "STAD", "2019", "ois.offences_with_suspect.winkeldiefstal.age_12_17", d) == 515
    moord = "ois.offences_with_suspect.poging_moord_doodslag.age_25plus"
    assert value(crime, "STAD", "2017", moord, d) == 144
    assert value(crime, "F11", "2015", "ois.suspects_pct.age_12_17", d) == 400  # as published


def test_crime_areas_and_notes(crime, shared_data):
    obs = crime.observations
    codes = set(obs["area_code"])
    assert "E" not in codes  # "West (incl. Westpoort)" is not stadsdeel E
    assert {"A", "F", "K", "M", "N", "T", "STAD"} <= codes and not {"DXxx", "onbekend"} & codes
    assert {c for c in codes if c.startswith("DX")} == {f"DX{i:02d}" for i in range(1, 23)}
    wijken = set(gpd.read_file(shared_data / "amsterdam-areas-2015/buurten.geojson")["Buurtcombinatie_code"])
    assert {c for c in codes if len(c) == 3} <= wijken
    assert (obs["division"] == "2015").all() and (obs["status"] == "final").all()
    assert not obs.duplicated(["area_code", "period", "indicator"]).any()
    assert set(obs["period"]) == {"2015", "2016", "2017", "2018", "2019"}
    assert len(obs) == 10720
    text = " ".join(crime.notes)
    assert "Westpoort" in text and "onbekend" in text and "buiten beschouwing" in text
    cat = crime.indicators
    assert set(cat["indicator"]) == set(obs["indicator"]) and not cat["canonical"].any()
    c = cat.set_index("indicator")
    assert not c.loc["ois.population.age_12_17", "effort_dependent"]
    assert c.loc["ois.suspects.age_25plus", "effort_dependent"]
    assert "Drugshandel" in c.loc["ois.offences_with_suspect.drugshandel.age_12_24", "label_nl"]
    OisCriminaliteit().validate(crime)


def test_drugshandel_city_totals(crime):
    totals = drugshandel_city_totals(crime)
    assert totals == {2015: 1986.0, 2016: 1695.0, 2017: 1594.0, 2018: 1474.0, 2019: 1415.0}
    with pytest.raises(SourceError):
        drugshandel_city_totals(type(crime)(observations=crime.observations.iloc[:0]))


def test_offence_slug():
    assert offence_slug("(poging) moord, doodslag") == "poging_moord_doodslag"
    assert offence_slug("Diefstal van brom-, snor-, fietsen") == "diefstal_van_brom_snor_fietsen"
    assert offence_slug("Drugshandel") == "drugshandel"


# -- damaged copies ---------------------------------------------------------------------------


@cache
def _original(src: Path):
    return read_workbook(src)


def damaged_copy(
    src: Path, dst: Path, sheet: str, *, drop_row_with: str | None = None, set_cell: tuple[str, object] | None = None
) -> Path:
    """Write the workbook's values with openpyxl, minus the first row holding ``drop_row_with``."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sh in _original(src).items():
        ws = wb.create_sheet(name)
        rows = [list(r) for r in sh.rows]
        if name == sheet and drop_row_with is not None:
            hit = next(i for i, r in enumerate(rows) if drop_row_with in [str(v).strip() for v in r])
            del rows[hit]
        for r in rows:
            ws.append(r)
        if name == sheet and set_cell is not None:
            ws[set_cell[0]] = set_cell[1]
    wb.save(dst)
    return dst


def copy_folder(shared_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "amsterdam-areas-2015").mkdir(parents=True)
    geojson = "amsterdam-areas-2015/buurten.geojson"
    os.symlink(shared_data / geojson, folder / geojson)
    return folder


def test_damaged_veiligheidsindex_names_the_sheet(shared_data, tmp_path):
    folder = copy_folder(shared_data, tmp_path)
    damaged_copy(shared_data / VI_FILE, folder / VI_FILE, "index_wijken", drop_row_with="veiligheidsindex")
    with pytest.raises(SourceError) as err:
        Veiligheidsindex().read(folder)
    assert "index_wijken" in str(err.value) and "labels" in str(err.value)
    assert err.value.file.endswith("Veiligheidsindexen.xlsx")


def test_damaged_veiligheidsindex_year_row_and_codes(shared_data, tmp_path):
    folder = copy_folder(shared_data, tmp_path)
    damaged_copy(shared_data / VI_FILE, folder / VI_FILE, "index 22 gebieden", drop_row_with="2019_3")
    with pytest.raises(SourceError, match="index 22 gebieden"):
        Veiligheidsindex().read(folder)
    # a 2014 value on a row whose VMgebied104 code was erased (row "A00": B7)
    damaged_copy(shared_data / VI_FILE, folder / VI_FILE, "index_wijken", set_cell=("B7", None))
    with pytest.raises(SourceError) as err:
        Veiligheidsindex().read(folder)
    text = str(err.value)
    assert "index_wijken" in text and "cell D7" in text and "VMgebied104" in text
    # an area code that names no 2015 wijk is not rescued by the 108 code of its row
    damaged_copy(shared_data / VI_FILE, folder / VI_FILE, "index_wijken", set_cell=("B7", "Q99"))
    with pytest.raises(SourceError) as err:
        Veiligheidsindex().read(folder)
    assert "cell B7" in str(err.value) and "Q99" in str(err.value)
    # the code columns repeated before later blocks must agree with the first one
    damaged_copy(shared_data / VI_FILE, folder / VI_FILE, "index_wijken", set_cell=("A7", "A01"))
    with pytest.raises(SourceError, match="repeated code column"):
        Veiligheidsindex().read(folder)


def test_damaged_crime_workbook_names_the_sheet(shared_data, tmp_path):
    folder = tmp_path / "data"
    sheet = "1. verdachten 12-17 jaar"
    damaged_copy(shared_data / CRIME_FILE, folder / CRIME_FILE, sheet, drop_row_with="verdachten")
    with pytest.raises(SourceError) as err:
        OisCriminaliteit().read(folder)
    assert sheet in str(err.value) and "measure" in str(err.value)
    # the age-group header row of sheet 6 removed: no table left to find
    damaged_copy(shared_data / CRIME_FILE, folder / CRIME_FILE, "6. misdrijven naar soort", drop_row_with="12-17 jaar")
    with pytest.raises(SourceError, match="6. misdrijven naar soort"):
        OisCriminaliteit().read(folder)


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "ois-safety-2014-2019" / "Veiligheidsindexen.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(SourceError, match="readable Excel"):
        gebieden_2015(bad)


def test_observations_frame_shape(vi, crime):
    for data in (vi, crime):
        assert list(data.observations.columns) == [
            "area_code",
            "division",
            "period",
            "indicator",
            "value",
            "unit",
            "source",
            "status",
        ]
        assert isinstance(data.observations, pd.DataFrame) and data.observations["value"].notna().all()
