"""Every built-in adapter on its real file (the originals in ../shared/data), plus the packaged copies."""

import json

import pandas as pd
import pytest

from weerbaar.sources import available
from weerbaar.sources.amsterdam_areas import Areas2015, Areas2022
from weerbaar.sources.bbga import Bbga
from weerbaar.sources.cbs_kwb import CbsKwb2021
from weerbaar.sources.euda import EudaWastewater
from weerbaar.sources.facilities import Facilities


def test_all_builtin_sources_register_through_entry_points():
    names = set(available())
    assert {
        "amsterdam-areas-2022",
        "amsterdam-areas-2015",
        "cbs-kwb-2021",
        "ois-bbga",
        "ois-veiligheidsindex",
        "ois-criminaliteit",
        "euda-wastewater",
        "amsterdam-facilities",
    } <= names
    for src in available().values():
        assert src.provides and src.files and src.attribution and src.licence


def test_areas_2022_counts_and_hierarchy(shared_data):
    areas = Areas2022().read(shared_data).areas
    assert areas["level"].value_counts().to_dict() == {
        "buurt": 518,
        "wijk": 110,
        "gebied": 25,
        "stadsdeel": 9,
        "stad": 1,
    }
    assert areas.crs.to_epsg() == 28992 and areas.geometry.is_valid.all()
    a = areas.set_index("code")
    assert a.loc["AC02", "parent"] == "AC" and a.loc["AC", "parent"] == "GA01" and a.loc["GA01", "parent"] == "A"
    assert a.loc["AC02", "cbs_code"] == "BU0363AC02" and a.loc["AC", "cbs_code"] == "WK0363AC"
    # Westpoort has no gebied: its wijken hang under the stadsdeel.
    assert a.loc["BA", "parent"] == "B"
    # Dissolved levels cover the same ground as the buurten (city area ~219 km2 incl. water).
    buurt_area = areas.loc[areas["level"] == "buurt"].area.sum()
    for level in ("wijk", "stadsdeel", "stad"):
        assert areas.loc[areas["level"] == level].area.sum() == pytest.approx(buurt_area, rel=1e-6)


def test_dissolved_gebieden_match_the_city_gebied_layer(shared_data):
    import geopandas as gpd

    areas = Areas2022().read(shared_data).areas
    ours = areas[areas["level"] == "gebied"].set_index("code").geometry
    theirs = gpd.read_file(shared_data / Areas2022.files[1]).to_crs(28992).set_index("Gebiedcode").geometry
    sym = ours.symmetric_difference(theirs.loc[ours.index], align=True).area / theirs.loc[ours.index].area
    assert sym.max() < 0.01


def test_areas_2015_counts_cbs_codes_and_gebieden(shared_data):
    areas = Areas2015().read(shared_data).areas
    counts = areas["level"].value_counts().to_dict()
    assert counts == {"buurt": 481, "wijk": 99, "gebied": 22, "stadsdeel": 8, "stad": 1}
    a = areas.set_index("code")
    assert a.loc["A00a", "cbs_code"] == "BU03630000" and a.loc["A00a", "parent"] == "A00"
    assert a.loc["DX20", "parent"] == "T" and a.loc["DX01", "parent"] == "A"
    assert areas.loc[areas["level"] == "gebied"].geometry.isna().all()  # no public boundary shipped


def test_cbs_kwb_population_real_values(shared_data):
    data = CbsKwb2021().read(shared_data)
    obs = data.observations
    pop = obs[obs["indicator"] == "population"].set_index("area_code")["value"]
    assert pop["A00a"] == 1115 and pop["A00b"] == 695  # Kop Zeedijk, Oude Kerk e.o.
    assert len(pop) == 479 and (obs["division"] == "2015").all()
    assert (obs.loc[obs["status"] == "suppressed", "value"].isna()).all()
    assert not ((obs["status"] == "final") & (obs["value"] < 0)).any()


def test_cbs_codes_match_names(shared_data):
    """The BU0363WWBB rule maps KWB rows to 2015 buurten with the same names (4 renamed since 2015)."""
    import difflib

    kwb = pd.read_csv(shared_data / CbsKwb2021.files[0], dtype=str)
    areas = Areas2015().read(shared_data).areas
    names = dict(zip(areas["cbs_code"], areas["name"], strict=False))
    ratio = [
        difflib.SequenceMatcher(None, n.lower(), names[c].lower()).ratio()
        for c, n in zip(kwb["buurtcode"], kwb["buurtnaam"], strict=True)
    ]
    assert sum(r < 0.6 for r in ratio) <= 4


def test_bbga_real_values_and_mapping(shared_data):
    data = Bbga().read(shared_data)
    obs = data.observations
    stad = obs[(obs["area_code"] == "STAD") & (obs["indicator"] == "bbga.BEV0_17")].set_index("period")["value"]
    assert stad["2005"] == 140615
    drugs = obs[obs["indicator"] == "survey.drug_nuisance_pct"]
    assert set(drugs["period"]) == {"2015", "2016", "2017"} and drugs["value"].between(0, 100).all()
    assert not obs["area_code"].isin(["Z", "ZX99"]).any()
    assert len(data.indicators) == 742
    label = data.indicators.set_index("indicator").loc["bbga.LDRUGSOVL_P", "label_nl"]
    assert label == "Overlast: drugs (%)"
    assert (obs.loc[obs["period"].astype(int) > 2018, "status"] == "provisional").all()


def test_euda_real_values(shared_data):
    data = EudaWastewater().read(shared_data)
    ww = data.wastewater
    ams = ww[(ww["city"] == "Amsterdam") & (ww["substance"] == "mdma") & (ww["year"] == 2024)]
    assert ams.set_index("measure").loc["daily_mean", "value"] == pytest.approx(282.51)
    assert 2016 not in set(ww.loc[ww["city"] == "Amsterdam", "year"])
    sites = data.wastewater_sites.set_index("site_id")
    assert sites.loc["NL001", "population"] == 699648


def test_facilities_real_points(shared_data):
    fac = Facilities().read(shared_data).facilities
    assert len(fac) == 1462 and fac["facility_id"].is_unique
    assert (fac["category"] == "Primair onderwijs").sum() == 223
    assert fac.loc[fac["category"] == "Primair onderwijs", "type"].eq("school").all()
    assert fac["x"].between(100000, 140000).all() and fac["y"].between(470000, 500000).all()


@pytest.mark.parametrize("name", sorted(n for n, s in available().items() if s.real))
def test_packaged_copy_equals_the_adapter_output(shared_data, name):
    """The compact copies in src/weerbaar/data are what the adapters make of the originals today."""
    src = available()[name]
    packaged = src.packaged()
    assert packaged is not None, f"run tools/prepare_data.py: {name} has no packaged copy"
    data, manifest = packaged
    fresh = src.read(shared_data)
    for f, checksum in manifest["files"].items():
        from weerbaar.sources import file_checksum

        assert file_checksum(shared_data / f) == checksum, f"{f} changed since it was prepared"
    for table, frame in fresh.tables().items():
        shipped = getattr(data, table)
        assert len(shipped) == len(frame)
        cols = [c for c in frame.columns if c != "geometry"]
        pd.testing.assert_frame_equal(_plain(shipped[cols]), _plain(frame[cols]), check_dtype=False)
        if table == "areas":
            has = frame.geometry.notna().to_numpy()
            assert (shipped.geometry.notna().to_numpy() == has).all()
            assert shipped.geometry[has].geom_equals_exact(frame.geometry[has], tolerance=1e-6, align=False).all()
    assert json.dumps(manifest["tables"]) == json.dumps({t: len(f) for t, f in fresh.tables().items()})


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None and plain object columns, so parquet's NaN/None choices do not matter."""
    frame = pd.DataFrame(frame).reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)
