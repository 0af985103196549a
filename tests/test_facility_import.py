"""Facility import: the city's layer, an OpenStreetMap export and a CSV; bad files refused whole."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.cli import app as cli_app
from weerbaar.errors import InputError
from weerbaar.sources.facility_import import read_facilities

OSM = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "node/1",
            "properties": {
                "amenity": "school",
                "name": "De Springplank",
                "addr:street": "Kade",
                "addr:housenumber": "1",
            },
            "geometry": {"type": "Point", "coordinates": [4.9, 52.37]},
        },
        {
            "type": "Feature",
            "id": "way/2",
            "properties": {"tags": {"leisure": "playground", "name": "Speeltuin"}},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[4.91, 52.36], [4.912, 52.36], [4.912, 52.362], [4.91, 52.362], [4.91, 52.36]]],
            },
        },
        {
            "type": "Feature",
            "id": "node/3",
            "properties": {"shop": "bakery", "name": "Bakker"},
            "geometry": {"type": "Point", "coordinates": [4.89, 52.37]},
        },
    ],
}


def test_osm_export_maps_tags_and_takes_centroids(tmp_path):
    path = tmp_path / "osm.geojson"
    path.write_text(json.dumps(OSM))
    data = read_facilities(path, source="t")
    f = data.facilities.set_index("facility_id")
    assert list(f.index) == ["node/1", "way/2"]
    assert f.loc["node/1", "type"] == "school" and f.loc["way/2", "type"] == "playground"
    assert f.loc["node/1", "address"] == "Kade 1"
    assert 120_000 < f.loc["way/2", "x"] < 123_000 and 485_000 < f.loc["way/2", "y"] < 488_000  # RD New
    assert any("1 features without a facility tag" in n for n in data.notes)


def test_csv_in_rd_and_wgs84(tmp_path):
    rd = tmp_path / "rd.csv"
    rd.write_text(
        "facility_id,name,type,x,y\nA,School A,school,121000,487000\nB,Buurthuis,community_centre,122000,486000\n"
    )
    assert list(read_facilities(rd, source="t").facilities["type"]) == ["school", "community_centre"]
    ll = tmp_path / "ll.csv"
    ll.write_text("facility_id,name,type,x,y\nA,School A,school,4.9,52.37\n")
    f = read_facilities(ll, source="t", crs="EPSG:4326").facilities
    assert 120_000 < f["x"].iloc[0] < 123_000


@pytest.mark.parametrize(
    ("text", "problem", "where"),
    [
        ("facility_id,name,type,x,y\nA,S,disco,121000,487000\n", "Unknown facility type", "type"),
        ("facility_id,name,type,x,y\nA,S,school,abc,487000\n", "not a number", "x"),
        ("facility_id,name,type\nA,S,school\n", "lacks columns", None),
        ("facility_id,name,type,x,y\nA,S,school,4.9,52.37\n", "outside the Amsterdam region", None),
        ("facility_id,name,type,x,y\nA,S,school,121000,487000\nA,T,school,121001,487001\n", "unique", "facility_id"),
    ],
)
def test_bad_csv_is_refused_with_a_clear_error(tmp_path, text, problem, where):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        read_facilities(path, source="t")
    assert problem in exc.value.problem or problem in (exc.value.expected or "")
    if where:
        assert exc.value.column == where and exc.value.row is not None


def test_city_layer_through_the_importer(shared_data):
    path = shared_data / "amsterdam-facilities" / "amsterdam_MAATSCHAPPELIJKE_VZN.geojson"
    data = read_facilities(path, source="t")
    counts = data.facilities["type"].value_counts()
    assert len(data.facilities) == 1462 and counts["school"] == 223 + 74 + 29


def test_import_is_atomic_and_reachable_from_the_cli(home, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("facility_id,name,type,x,y\nA,School A,school,121000,487000\n")
    result = CliRunner().invoke(cli_app, ["ingest", "facilities", str(good), "--source", "schools"])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("facility_id,name,type,x,y\nA,School A,school,121000,487000\nB,X,disco,1,1\n")
    result = CliRunner().invoke(cli_app, ["ingest", "facilities", str(bad), "--source", "schools"])
    assert result.exit_code == 2 and "Unknown facility type" in result.output
    with pipeline.open_warehouse(home) as wh:
        rows = wh.query("SELECT facility_id, type FROM facilities WHERE source = 'schools'")
    assert list(rows["facility_id"]) == ["A"]  # the refused file left the earlier import untouched
