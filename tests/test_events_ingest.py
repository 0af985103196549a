"""Events in (issue 18): CRS, type mapping, refused input (duplicates, future, unparseable, outside the areas)
leaves the warehouse unchanged."""

from __future__ import annotations

import pytest

from weerbaar import pipeline
from weerbaar.errors import InputError

HEADER = "event_id,type,occurred_at,x,y\n"


def write(tmp_path, text, name):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture()
def city(home, areas_file):
    pipeline.ingest_areas(areas_file, division="T", home=home)
    return home


def n_events(home):
    with pipeline.open_warehouse(home) as wh:
        return int(wh.execute("SELECT count(*) FROM events")[0][0])


def test_type_map_and_wgs84(city, tmp_path):
    tm = write(tmp_path, "from,to\nSchietincident,violence.shooting\nExplosie,violence.explosion\n", "map.csv")
    # 4.8973, 52.3738 is in central Amsterdam, but outside the test squares: refused
    f = write(tmp_path, HEADER + "a1,Schietincident,2021-05-01T22:00:00+02:00,4.8973,52.3738\n", "wgs.csv")
    with pytest.raises(InputError, match="outside the city's areas"):
        pipeline.ingest_events(f, crs="EPSG:4326", type_map=tm, home=city)
    # a point inside the squares, given in lon/lat
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(28992, 4326, always_xy=True).transform(120500, 485500)
    f = write(
        tmp_path,
        HEADER + f"a1,Schietincident,2021-05-01T22:00:00+02:00,{lon},{lat}\na2,Explosie,2021-05-02,{lon},{lat}\n",
        "wgs2.csv",
    )
    assert pipeline.ingest_events(f, crs="EPSG:4326", type_map=tm, home=city)["rows"] == 2
    with pipeline.open_warehouse(city) as wh:
        ev = wh.query("SELECT type, x, y FROM events ORDER BY event_id")
    assert list(ev["type"]) == ["violence.shooting", "violence.explosion"]
    assert ev["x"].iloc[0] == pytest.approx(120500, abs=0.5)
    unknown = write(tmp_path, HEADER + "b1,Steekpartij,2021-05-01,120500,485500\n", "u.csv")
    with pytest.raises(InputError, match="not in the type mapping") as e:
        pipeline.ingest_events(unknown, type_map=tm, home=city)
    assert "Schietincident" in e.value.expected
    with pytest.raises(InputError, match="Malformed type mapping"):
        pipeline.ingest_events(unknown, type_map=write(tmp_path, "a,b\nx,y\n", "m2.csv"), home=city)


@pytest.mark.parametrize(
    "rows,problem",
    [
        ("e1,violence.shooting,2021-01-01,120500,485500\ne1,violence.shooting,2021-01-02,120600,485500\n", "Duplicate"),
        ("e1,violence.shooting,2999-01-01,120500,485500\n", "future"),
        ("e1,violence.shooting,1899-01-01,120500,485500\n", "before 1990"),
        ("e1,violence.shooting,31/12/2021 25:00,120500,485500\n", "Malformed timestamp"),
        ("e1,violence.shooting,2021-01-01,130500,485500\n", "outside the city's areas"),
    ],
)
def test_bad_events_change_nothing(city, tmp_path, rows, problem):
    good = write(tmp_path, HEADER + "g1,violence.shooting,2021-01-01,120100,485100\n", "good.csv")
    pipeline.ingest_events(good, home=city)
    before = n_events(city)
    with pipeline.open_warehouse(city) as wh:
        snap = wh.snapshot_hash()
    bad = write(tmp_path, HEADER + rows, "bad.csv")
    with pytest.raises(InputError, match=problem) as e:
        pipeline.ingest_events(bad, home=city)
    assert e.value.expected and e.value.fix and e.value.received
    assert n_events(city) == before
    with pipeline.open_warehouse(city) as wh:
        assert wh.snapshot_hash() == snap
