"""The intervention register (issue 19): validation, atomic import, history, public view, CLI; SQLite and PostgreSQL."""

import json

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from weerbaar import interventions as iv
from weerbaar import pipeline
from weerbaar.cli import app
from weerbaar.errors import InputError
from weerbaar.store import db
from weerbaar.store.intervention_models import INTERVENTION_KINDS, Intervention, InterventionChange
from weerbaar.store.models import AuditEntry

runner = CliRunner()
HEADER = "external_id,kind,title,start_date,end_date,x,y,radius_m,areas,partner,measure,note\n"


def _csv(tmp_path, body: str, name="iv.csv"):
    f = tmp_path / name
    f.write_text(HEADER + body, "utf-8")
    return f


def test_kinds_agree_with_the_model():
    assert iv.KINDS == INTERVENTION_KINDS


def test_import_csv_and_reimport_skips(url, tmp_path):
    f = _csv(
        tmp_path,
        "a1,closure_13b,Sluiting pand Voorbeeldstraat 1,2020-03-01,2020-09-01,121456,487321,50,B1,"
        "Gemeente Amsterdam,10,drugs in kelder\n"
        "a2,area_ban,Gebiedsverbod,2021-01-01,,,,,B1;B2,Politie Amsterdam,5,\n",
    )
    s1 = iv.import_file(f, url=url, division="T")
    assert (s1.added, s1.skipped) == (2, 0)
    s2 = iv.import_file(f, url=url, division="T")
    assert (s2.added, s2.skipped) == (0, 2)
    with db.session(url) as s:
        rows = iv.list_interventions(s)
        assert [r.kind for r in rows] == ["area_ban", "closure_13b"]
        closure = rows[1]
        assert closure.location_kind == "point" and closure.radius_m == 50 and closure.area_codes == "B1"
        assert rows[0].area_codes == "B1,B2" and rows[0].end_date is None
        assert len(iv.list_interventions(s, measure=10)) == 1


@pytest.mark.parametrize(
    "row, message",
    [
        ("b,closure,T,2020-01-01,,,,,B1,P,,", "Unknown intervention kind"),
        ("b,area_ban,T,2020-05-01,2020-01-01,,,,B1,P,,", "end date lies before"),
        ("b,area_ban,T,1850-01-01,,,,,B1,P,,", "sane range"),
        ("b,area_ban,T,01-05-2020,,,,,B1,P,,", "not a date"),
        ("b,area_ban,T,2020-01-01,,5,487000,,,P,,", "sane range"),
        ("b,area_ban,T,2020-01-01,,121000,,,,P,,", "Only one coordinate"),
        ("b,area_ban,T,2020-01-01,,,,,,P,,", "no location"),
        ("b,area_ban,T,2020-01-01,,,,,B1,,,", "partner"),
        ("b,area_ban,T,2020-01-01,,,,,B1,P,99,", "Unknown programme measure"),
        ("b,area_ban,T,2020-01-01,,121000,487000,,,P,,", "cannot be derived"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_stored(url, tmp_path, row, message):
    good = "g,area_ban,Goed,2020-01-01,,,,,B1,P,,\n"
    f = _csv(tmp_path, good + row + "\n")
    with pytest.raises(InputError, match=message) as exc:
        iv.import_file(f, url=url, division="T")
    assert exc.value.row == 2 and exc.value.file == "iv.csv"
    with db.session(url) as s:
        assert s.scalar(select(func.count()).select_from(Intervention)) == 0


def test_file_level_errors(url, tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_text("hi")
    with pytest.raises(InputError, match="Unknown file type"):
        iv.import_file(bad, url=url)
    f = tmp_path / "nohead.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="header row"):
        iv.import_file(f, url=url)
    dup = _csv(tmp_path, "d,area_ban,T,2020-01-01,,,,,B1,P,,\nd,area_ban,T,2020-01-01,,,,,B1,P,,\n")
    with pytest.raises(InputError, match="Duplicate external ids"):
        iv.import_file(dup, url=url)


def test_update_history_audit_and_append_only(url, tmp_path):
    iv.import_file(_csv(tmp_path, "a,camera_area,Camera,2020-01-01,,,,,B1,Gemeente,,\n"), url=url, division="T")
    with db.session(url) as s:
        row = iv.list_interventions(s)[0]
        rec = iv.validate_record(
            {"kind": "camera_area", "title": "Camera", "start_date": "2020-01-01", "end_date": "2021-06-30",
             "areas": "B1 B2", "partner": "Gemeente", "measure": "10"},
            known_areas=None, division="T",
        )  # fmt: skip
        changes = iv.update(s, row.id, rec)
        assert sorted(c.field for c in changes) == ["area_codes", "end_date", "measure_number"]
        assert iv.update(s, row.id, rec) == []
        hist = iv.intervention_history(s, row.id)
        assert {h["field"] for h in hist} == {"area_codes", "end_date", "measure_number"}
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1
    with pytest.raises(DBAPIError), db.session(url) as s:
        s.execute(update(InterventionChange).values(new_value="rewritten"))
    with pytest.raises(DBAPIError), db.session(url) as s:
        s.execute(text("DELETE FROM intervention_changes"))


def test_public_rows_hide_location_title_and_note(url, tmp_path):
    iv.import_file(
        _csv(tmp_path, "a,closure_13b,Sluiting Voorbeeldstraat 1,2020-03-15,,121456,487321,50,B1,Gemeente,10,geheim\n"),
        url=url,
        division="T",
    )
    rows = iv.public_rows(url)
    assert rows == [
        {
            "id": rows[0]["id"],
            "kind": "closure_13b",
            "start": "2020-03",
            "end": None,
            "areas": ["B1"],
            "division": "T",
            "partner": "Gemeente",
            "measure": 10,
            "synthetic": False,
        }
    ]
    dumped = json.dumps(rows)
    assert "Voorbeeldstraat" not in dumped and "121456" not in dumped and "geheim" not in dumped


def test_empty_register_shows_the_labelled_synthetic_set_never_mixed(url, tmp_path):
    view = iv.register_view(url)
    assert view["synthetic"] and view["rows"] and all(r["synthetic"] for r in view["rows"])
    assert all(a.startswith("S") for r in view["rows"] for a in r["areas"])  # made-up buurten only
    assert all(e["synthetic"] for e in view["displacement"]) and view["did"]["synthetic"]
    # the estimators recover the planted effect and displacement: most targets fall and most WDQs are negative
    # (displacement), and the DiD interval covers the planted change
    n = len(view["displacement"])
    assert sum(e["wdd_local"] < 0 for e in view["displacement"]) >= 0.75 * n
    assert sum(e["wdq"] is not None and e["wdq"] < 0 for e in view["displacement"]) >= 0.75 * n
    did = view["did"]
    assert did["summary"]["simple_low"] <= did["planted"]["mean_change"] <= did["summary"]["simple_high"]
    assert iv.register_view(url, measure=3)["rows"] == []  # the synthetic set belongs to measure 10
    iv.import_file(_csv(tmp_path, "a,camera_area,Camera,2020-01-01,,,,,B1,Gemeente,,\n"), url=url, division="T")
    real = iv.register_view(url)
    assert not real["synthetic"] and [r["areas"] for r in real["rows"]] == [["B1"]]
    assert real["displacement"] is None and real["did"] is None
    assert iv.register_view(url, measure=10) == {"synthetic": False, "rows": [], "displacement": None, "did": None}


def test_geojson_point_derives_buurten_from_the_warehouse(home, areas_file, tmp_path):
    pipeline.ingest_areas(areas_file, division="T", home=home)
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(28992, 4326, always_xy=True).transform(120500, 485500)  # inside B1
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"kind": "closure_13b", "title": "Pand", "start_date": "2020-01-01",
                               "partner": "Gemeente", "radius_m": 100},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[
                    list(Transformer.from_crs(28992, 4326, always_xy=True).transform(*p))
                    for p in [(120900, 485900), (121100, 485900), (121100, 486100), (120900, 486100), (120900, 485900)]
                ]]},
                "properties": {"kind": "camera_area", "title": "Camera", "start_date": "2021-01-01",
                               "partner": "Gemeente"},
            },
        ],
    }  # fmt: skip
    f = tmp_path / "iv.geojson"
    f.write_text(json.dumps(fc))
    url = db.database_url(tmp_path / "store")
    try:
        assert iv.import_file(f, url=url, home=home, division="T").added == 2
        with db.session(url) as s:
            rows = {r.kind: r for r in iv.list_interventions(s)}
        assert rows["closure_13b"].area_codes == "B1"
        assert rows["camera_area"].area_codes == "B1,B2,B3,B4"  # the polygon covers the corner of all four
        bad = tmp_path / "bad.geojson"
        fc["features"][0]["properties"]["areas"] = "ZZ9"
        bad.write_text(json.dumps(fc))
        with pytest.raises(InputError, match="Unknown buurt codes"):
            iv.import_file(bad, url=url, home=home, division="T")
    finally:
        db.dispose(url)


def test_cli_ingest_and_list(home, tmp_path):
    f = _csv(tmp_path, "a,enforcement_focus,Focus,2022-01-01,2022-06-30,,,,B1;B2,Politie,5,\n")
    res = runner.invoke(app, ["ingest", "interventions", str(f), "--division", "T"])
    assert res.exit_code == 0, res.output
    assert "1 intervention added" in res.stdout
    res = runner.invoke(app, ["interventions", "list", "--public", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data[0]["areas"] == ["B1", "B2"] and "title" not in data[0]
    out = tmp_path / "export.csv"
    res = runner.invoke(app, ["interventions", "list", "--out", str(out)])
    assert res.exit_code == 0 and "Focus" in out.read_text()
    res = runner.invoke(app, ["ingest", "interventions", str(tmp_path / "missing.csv")])
    assert res.exit_code == 2 and "does not exist" in res.output
