"""Generic imports through the pipeline: areas, observations, events; atomicity; bad input."""

import json
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from weerbaar import pipeline
from weerbaar.areas import read_area_file
from weerbaar.errors import InputError, NotBuiltError


@pytest.fixture()
def loaded(home, areas_file):
    pipeline.ingest_areas(areas_file, division="T", home=home)
    return home


def snapshot(home):
    with pipeline.open_warehouse(home) as wh:
        return wh.snapshot_hash(), wh.counts()


def write(tmp_path, text, name="obs.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_areas_import_reprojects_and_checks_hierarchy(loaded):
    with pipeline.open_warehouse(loaded) as wh:
        areas = wh.areas(division="T")
    assert len(areas) == 7 and areas.crs.to_epsg() == 28992
    b1 = areas.set_index("code").loc["B1"]
    assert b1.parent == "W1" and abs(b1.geometry.area - 1e6) < 50  # 1 km2 survives the round trip


def test_area_file_errors(tmp_path, areas_file):
    with pytest.raises(InputError, match="No area division"):
        read_area_file(areas_file)
    data = json.loads(areas_file.read_text())
    data["features"][3]["properties"]["parent"] = "NOPE"
    bad = write(tmp_path, json.dumps(data), "bad.geojson")
    with pytest.raises(InputError, match="Parent area does not exist") as e:
        read_area_file(bad, division="T")
    assert e.value.row == 4
    data = json.loads(areas_file.read_text())
    for f in data["features"]:  # coordinates in metres, labelled as lon/lat by GeoJSON
        f["geometry"]["coordinates"] = [[[120000, 485000], [121000, 485000], [121000, 486000], [120000, 485000]]]
    rd = write(tmp_path, json.dumps(data), "rd.geojson")
    with pytest.raises(InputError, match="not longitude/latitude") as e:
        read_area_file(rd, division="T")
    assert "EPSG:28992" in e.value.fix
    assert len(read_area_file(rd, division="T", crs="EPSG:28992")) == 7
    with pytest.raises(InputError, match="Cannot read"):
        read_area_file(write(tmp_path, "this is not geojson", "x.geojson"), division="T")
    with pytest.raises(InputError, match="empty"):
        read_area_file(write(tmp_path, "", "e.geojson"), division="T")


def test_observations_roundtrip_and_replace(loaded, tmp_path):
    f = write(
        tmp_path, "area_code,period,indicator,value\nB1,2019,population,100\nB2,2019-07,registered.drug_trade,3\n"
    )
    r = pipeline.ingest_observations(f, home=loaded)
    assert r["rows"] == 2 and r["source"] == "import:obs.csv"
    f.write_text("area_code,period,indicator,value\nB1,2019,population,120\n")
    pipeline.ingest_observations(f, home=loaded)
    with pipeline.open_warehouse(loaded) as wh:
        rows = wh.query("SELECT area_code, value, source, status, division FROM observations")
    assert rows.to_dict("records") == [
        {"area_code": "B1", "value": 120.0, "source": "import:obs.csv", "status": "final", "division": "T"}
    ]


def test_semicolon_and_decimal_comma(loaded, tmp_path):
    f = write(
        tmp_path, "area_code;period;indicator;value\nB1;2019;ses.vulnerable_pct;12,5\nB2;2019;population;1.234,0\n"
    )
    pipeline.ingest_observations(f, home=loaded)
    with pipeline.open_warehouse(loaded) as wh:
        v = dict(wh.execute("SELECT area_code, value FROM observations"))
    assert v == {"B1": 12.5, "B2": 1234.0}


BAD_FILES = {
    "wrong columns": ("area,period,indicator,value\nB1,2019,population,1\n", "columns do not match", None),
    "unknown area": (
        "area_code,period,indicator,value\nB1,2019,population,1\nXX,2019,population,1\n",
        "Unknown area code",
        2,
    ),
    "malformed period": ("area_code,period,indicator,value\nB1,2019-13,population,1\n", "Malformed period", 1),
    "non-numeric": (
        "area_code,period,indicator,value\nB1,2019,population,1\nB2,2019,population,veel\n",
        "not a number",
        2,
    ),
    "duplicate": ("area_code,period,indicator,value\nB1,2019,population,1\nB1,2019,population,2\n", "Duplicate", 2),
    "empty": ("", "empty", None),
    "header only": ("area_code,period,indicator,value\n", "no rows", None),
    "json": ('{"type": "FeatureCollection"}', "not a CSV", None),
    "ragged": ("area_code,period,indicator,value\nB1,2019,population,1,9,9\n", "wrong number of fields", None),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_observation_files_store_nothing(loaded, tmp_path, case):
    text, message, row = BAD_FILES[case]
    before = snapshot(loaded)
    f = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as e:
        pipeline.ingest_observations(f, home=loaded)
    assert e.value.file == str(f) and e.value.expected and e.value.fix
    if row is not None:
        assert e.value.row == row
    assert snapshot(loaded) == before


def test_binary_file_rejected(loaded, tmp_path):
    f = tmp_path / "obs.xlsx"
    f.write_bytes(b"PK\x03\x04" + bytes(range(200)))
    with pytest.raises(InputError, match="not a CSV") as e:
        pipeline.ingest_observations(f, home=loaded)
    assert "Excel" in e.value.received


def test_failure_halfway_through_a_load_leaves_no_trace(loaded, tmp_path, monkeypatch):
    """A crash after the old rows were deleted and some new rows inserted rolls everything back."""
    from weerbaar.warehouse import Warehouse

    f = write(tmp_path, "area_code,period,indicator,value\nB1,2019,population,1\n")
    pipeline.ingest_observations(f, home=loaded)
    before = snapshot(loaded)
    f.write_text("area_code,period,indicator,value\nB1,2019,population,2\nB2,2019,population,3\n")
    original = Warehouse._insert

    def explode(self, table, frame, source):
        original(self, table, frame, source)
        raise OSError("disk full")

    monkeypatch.setattr(Warehouse, "_insert", explode)
    with pytest.raises(OSError):
        pipeline.ingest_observations(f, home=loaded)
    monkeypatch.undo()
    assert snapshot(loaded) == before


def test_observations_need_a_warehouse(home, tmp_path):
    with pytest.raises(NotBuiltError):
        pipeline.ingest_observations(write(tmp_path, "area_code,period,indicator,value\n"), home=home)


def test_events_import(home, tmp_path):
    f = write(
        tmp_path,
        "event_id,type,occurred_at,x,y\ne1,violence.shooting,2021-01-02T03:04:05,121000,487000\n"
        "e2,report.dealing,2021-01-03,121500.5,487100\n",
        "ev.csv",
    )
    assert pipeline.ingest_events(f, home=home)["rows"] == 2
    bad = write(tmp_path, "event_id,type,occurred_at,x,y\ne1,violence.shooting,yesterday,121000,487000\n", "b.csv")
    with pytest.raises(InputError, match="Malformed timestamp") as e:
        pipeline.ingest_events(bad, home=home)
    assert e.value.row == 1 and e.value.column == "occurred_at"


cell = st.text(alphabet=string.printable, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(
        st.sampled_from(["area_code", "period", "indicator", "value", "unit", "x", ""]), min_size=1, max_size=5
    ),
    rows=st.lists(st.lists(cell, min_size=1, max_size=6), max_size=4),
)
@example(header=["", ""], rows=[])  # a file of only a comma once crashed the reader
def test_malformed_csv_gives_only_clear_errors(loaded, tmp_path, header, rows):
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    f = write(tmp_path, text, "fuzz.csv")
    try:
        pipeline.ingest_observations(f, home=loaded)
    except InputError as e:
        assert e.file == str(f) and e.problem and e.expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=200),
        st.builds(json.dumps, st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
        st.just('{"type":"FeatureCollection","features":[]}'),
        st.just(
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"X"},'
            '"geometry":{"type":"Point","coordinates":[4.9,52.3]}}]}'
        ),
    )
)
def test_malformed_geojson_gives_only_clear_errors(tmp_path, text):
    f = write(tmp_path, text, "fuzz.geojson")
    with pytest.raises(InputError) as e:
        read_area_file(f, division="T")
    assert e.value.file == str(f) and e.value.expected


def test_geopackage_import_with_its_own_crs(home, tmp_path):
    from conftest import square_areas

    path = tmp_path / "areas.gpkg"
    square_areas("G").to_file(path, driver="GPKG")
    pipeline.ingest_areas(path, home=home)
    with pipeline.open_warehouse(home) as wh:
        assert len(wh.areas(division="G")) == 7


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(["event_id", "type", "occurred_at", "x", "y", "z", ""]), min_size=1, max_size=6),
    rows=st.lists(st.lists(cell, min_size=1, max_size=6), max_size=4),
)
def test_malformed_event_csv_gives_only_clear_errors(home, tmp_path, header, rows):
    f = write(tmp_path, ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows), "ev.csv")
    try:
        pipeline.ingest_events(f, home=home)
    except InputError as e:
        assert e.file == str(f) and e.problem and e.expected


def test_a_real_source_replaces_the_synthetic_stand_in(loaded):
    """Decision 0010: real and synthetic rows of one (division, indicator) are never summed."""
    import pandas as pd

    from weerbaar.sources.base import SourceData

    def obs(indicator, value, status):
        return pd.DataFrame(
            {
                "division": ["T"] * 2,
                "area_code": ["B1", "B2"],
                "period": ["2024-01"] * 2,
                "indicator": [indicator] * 2,
                "value": [value] * 2,
                "unit": ["count"] * 2,
                "status": [status] * 2,
            }
        )

    with pipeline.open_warehouse(loaded, read_only=False) as wh:
        fake = pd.concat(
            [obs("reports.drug_nuisance", 7.0, "synthetic"), obs("registered.drug_trade", 3.0, "synthetic")]
        )
        wh.load("fake", SourceData(observations=fake), kind="synthetic")
        report = wh.load("store", SourceData(observations=obs("reports.drug_nuisance", 2.0, "final")), kind="real")
        rows = wh.query("SELECT indicator, source, sum(value) AS v FROM observations GROUP BY ALL ORDER BY ALL")
        notes = wh.query("SELECT notes FROM sources WHERE name = 'store'")["notes"].iloc[0]
    assert rows.values.tolist() == [
        ["registered.drug_trade", "fake", 6.0],  # not covered by the real source: stays
        ["reports.drug_nuisance", "store", 4.0],  # the real counts alone, not 4 + 14
    ]
    assert report.replaced == {"synthetic observations": 2}
    assert "replaces 2 synthetic rows of reports.drug_nuisance (division T) from source fake" in notes
