"""Importing Signalen/MORA exports into the operational store (hand-made samples of the real formats).

The datawarehouse export is a ZIP of CSV files written by Signalen's
``signals/apps/reporting/csv/datawarehouse`` (``120000UTC_signals.csv`` etc.; in ``locations.csv``
``lat`` is the point's x = longitude and ``lng`` its y = latitude); the TDO export is the view
``signals_ext_tdo`` copied by PostgreSQL (geometry as hex EWKB).
"""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import func, select
from typer.testing import CliRunner

from weerbaar.cli import app as cli_app
from weerbaar.errors import InputError
from weerbaar.store import Report, ReportContact, StatusChange, session
from weerbaar.store.reports import coarsen
from weerbaar.store.signalen import RELEVANT_SLUGS, categories, import_signalen

DAM = (4.8924, 52.3731)  # lon, lat
OOST = (4.9400, 52.3600)
UTRECHT = (5.1214, 52.0907)
SECRET = "Mijn buurman Jan de Vries, 06-12345678, jan@example.org, dealt om de hoek"

SIGNAL_COLUMNS = [
    "id", "signal_uuid", "source", "text", "text_extra", "incident_date_start", "incident_date_end", "created_at",
    "updated_at", "operational_date", "expire_date", "image", "upload", "extra_properties",
    "category_assignment_id", "location_id", "reporter_id", "status_id", "priority", "priority_created_at",
    "parent", "type", "type_created_at", "directing_departments_assignment_id",
]  # fmt: skip
CATEGORY_COLUMNS = [
    "id", "main", "sub", "main_slug", "sub_slug", "departments", "created_at", "updated_at", "extra_properties",
    "_signal_id", "deadline", "deadline_factor_3",
]  # fmt: skip
LOCATION_COLUMNS = [
    "id", "lat", "lng", "stadsdeel", "buurt_code", "address", "address_text", "created_at", "updated_at",
    "extra_properties", "_signal_id",
]  # fmt: skip
STATUS_COLUMNS = [
    "id", "text", "user", "target_api", "state_display", "extern", "created_at", "updated_at", "extra_properties",
    "_signal_id", "state",
]  # fmt: skip

# (id, sub_slug, main_slug, (lon, lat) or None, state, created_at)
SIGNALS = [
    (101, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", DAM, "m", "2024-03-01 21:15:00+01"),
    (102, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", OOST, "o", "2024-04-02 10:00:00+02"),
    (103, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", OOST, "a", "2024-04-03 10:00:00+02"),
    (104, "grofvuil", "afval", DAM, "m", "2024-03-01 08:00:00+01"),
    (105, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", UTRECHT, "m", "2024-03-05 12:00+01"),
    (106, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", None, "m", "2024-03-06 12:00+01"),
    (107, "drank-en-drugsoverlast", "overlast-van-en-door-personen-of-groepen", DAM, "b", "gisteren"),
    (108, "geheime-categorie", "overig", DAM, "m", "2024-03-07 12:00:00+01"),
]
IMPORTABLE = {"signalen:101", "signalen:102", "signalen:103"}


def _csv(columns: list[str], rows: list[dict]) -> str:
    from io import StringIO

    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def dwh_zip(tmp_path, signals=SIGNALS, name="20240501_120000UTC.zip"):
    """A datawarehouse export as Signalen zips it, free text and reporter contact included."""
    sig, cat, loc, stat, rep = [], [], [], [], []
    for n, (sid, sub, main, where, state, created) in enumerate(signals, start=1):
        sig.append(
            {
                "id": sid,
                "signal_uuid": f"00000000-0000-0000-0000-{sid:012d}",
                "source": "online",
                "text": SECRET,
                "text_extra": "bel me: 06-12345678",
                "incident_date_start": created,
                "created_at": created,
                "updated_at": created,
                "extra_properties": "null",
                "category_assignment_id": 1000 + n,
                "location_id": 2000 + n if where else "",
                "reporter_id": 3000 + n,
                "status_id": 4000 + n,
                "priority": "normal",
            }
        )
        cat.append({"id": 1000 + n, "main": main, "sub": sub, "main_slug": main, "sub_slug": sub, "_signal_id": sid})
        if where:  # Signalen writes st_x (longitude) as "lat" and st_y (latitude) as "lng"
            loc.append(
                {
                    "id": 2000 + n,
                    "lat": where[0],
                    "lng": where[1],
                    "address_text": "Dam 1, Amsterdam",
                    "_signal_id": sid,
                }
            )
        stat.append({"id": 4000 + n, "text": "Melder gebeld", "user": "medewerker@amsterdam.nl", "state": state})
        rep.append({"id": 3000 + n, "email": "jan@example.org", "phone": "0612345678", "_signal_id": sid})
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("120000UTC_signals.csv", _csv(SIGNAL_COLUMNS, sig))
        z.writestr("120000UTC_categories.csv", _csv(CATEGORY_COLUMNS, cat))
        z.writestr("120000UTC_locations.csv", _csv(LOCATION_COLUMNS, loc))
        z.writestr("120000UTC_statuses.csv", _csv(STATUS_COLUMNS, stat))
        z.writestr("120000UTC_reporters.csv", _csv(["id", "email", "phone", "_signal_id"], rep))
        z.writestr("120000UTC_notes.csv", _csv(["id", "_signal_id", "text"], [{"id": 1, "text": SECRET}]))
    return path


def tdo_csv(tmp_path, signals=SIGNALS):
    """The flat TDO export (view signals_ext_tdo, PostgreSQL COPY: geometry as hex EWKB)."""
    rows = []
    for sid, sub, main, where, state, created in signals:
        geometry = shapely.to_wkb(shapely.set_srid(Point(*where), 4326), hex=True, include_srid=True) if where else ""
        rows.append(
            {"id": sid, "created_at": created, "updated_at": created, "geometry": geometry, "status": state}
            | {"main_slug": main, "sub_slug": sub}
        )
    path = tmp_path / "signals.csv"
    columns = ["id", "created_at", "updated_at", "geometry", "status", "main_slug", "sub_slug"]
    path.write_text(_csv(columns, rows), encoding="utf-8")
    return path


def _reports(url) -> list[Report]:
    with session(url) as s:
        return list(s.scalars(select(Report).order_by(Report.external_id)))


def _count(url, model) -> int:
    with session(url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_packaged_taxonomy():
    cats = categories()
    assert len(cats) == 85  # 86 categories; "overig" is both a main and a sub category
    assert cats["overig"]["parent_slug"] == "overig"
    assert cats["drank-en-drugsoverlast"]["parent_slug"] == "overlast-van-en-door-personen-of-groepen"
    assert set(cats) >= RELEVANT_SLUGS


def test_taxonomy_copy_equals_original(shared_data):
    from importlib import resources

    def rows(path):
        with path.open(encoding="utf-8") as fh:
            return [(r["slug"], r["name"], r["parent_slug"], r["is_active"]) for r in csv.DictReader(fh)]

    packaged = resources.files("weerbaar") / "data" / "signalen-categories" / "categories.csv"
    assert rows(packaged) == rows(shared_data / "signalen-categories" / "signals_categories_flat.csv")


def test_datawarehouse_zip(url, tmp_path):
    summary = import_signalen(dwh_zip(tmp_path), url=url)
    assert summary["format"] == "datawarehouse"
    assert summary["read"] == len(SIGNALS)
    assert summary["imported"] == 3 and summary["closed"] == 2 and summary["already_present"] == 0
    assert summary["skipped"] == {
        "other_category": 1,
        "unknown_category": 1,
        "no_id": 0,
        "bad_date": 1,
        "no_location": 1,
        "outside_amsterdam": 1,
    }
    assert summary["unknown_slugs"] == {"geheime-categorie": 1}
    assert summary["other_slugs"] == {"grofvuil": 1}

    reports = _reports(url)
    assert {r.external_id for r in reports} == IMPORTABLE
    from pyproj import Transformer

    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    for r in reports:
        assert r.source == "signalen" and r.kind == "nuisance" and r.category == "drank-en-drugsoverlast"
        assert r.description == ""
        assert (r.x - 50) % 100 == 0 and (r.y - 50) % 100 == 0
    dam = next(r for r in reports if r.external_id == "signalen:101")
    assert (dam.x, dam.y) == coarsen(*to_rd.transform(*DAM))
    assert dam.created_at.astimezone(UTC) == datetime(2024, 3, 1, 20, 15, tzinfo=UTC)
    assert dam.status == "new"
    with session(url) as s:
        closed = {r.external_id: r for r in s.scalars(select(Report).where(Report.status == "closed"))}
        assert set(closed) == {"signalen:102", "signalen:103"}
        steps = s.scalars(select(StatusChange).where(StatusChange.report_id == closed["signalen:102"].id)).all()
    assert [(c.from_status, c.to_status) for c in steps] == [("new", "closed")]
    assert steps[0].reason == "imported from Signalen: state o" and steps[0].actor_id is None
    assert _count(url, ReportContact) == 0


def test_reimport_stores_nothing_new(url, tmp_path):
    path = dwh_zip(tmp_path)
    import_signalen(path, url=url)
    before = (_count(url, Report), _count(url, StatusChange))
    again = import_signalen(path, url=url)
    assert again["imported"] == 0 and again["closed"] == 0 and again["already_present"] == 3
    assert (_count(url, Report), _count(url, StatusChange)) == before


def test_tdo_csv_and_folder(url, tmp_path):
    summary = import_signalen(tdo_csv(tmp_path), url=url)
    assert summary["format"] == "tdo" and summary["imported"] == 3 and summary["closed"] == 2
    assert summary["skipped"]["outside_amsterdam"] == 1 and summary["skipped"]["no_location"] == 1
    # the datawarehouse files unpacked in a folder: the same signals, so nothing new
    folder = tmp_path / "dwh"
    folder.mkdir()
    with zipfile.ZipFile(dwh_zip(tmp_path)) as z:
        z.extractall(folder)
    again = import_signalen(folder, url=url)
    assert again["format"] == "datawarehouse" and again["imported"] == 0 and again["already_present"] == 3


def test_flat_csv_and_geojson(url, tmp_path):
    flat = tmp_path / "flat.csv"
    flat.write_text(
        "id;created_at;category_slug;lat;lon;state\n"
        "201;2024-02-01T10:00:00;drank-en-drugsoverlast;52,3731;4,8924;o\n"
        "202;2024-02-02T10:00:00;Drank- en drugsoverlast;52.36;4.94;m\n"  # a category name is matched too
        "203;2024-02-03T10:00:00;grofvuil;52.36;4.94;m\n",
        encoding="utf-8",
    )
    summary = import_signalen(flat, url=url)
    assert summary["format"] == "flat-csv" and summary["imported"] == 2 and summary["closed"] == 1
    gj = tmp_path / "signals.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(OOST)},
        "properties": {"id": 301, "created_at": "2024-02-04T10:00:00+01:00", "sub_slug": "drank-en-drugsoverlast"},
    }
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    summary = import_signalen(gj, url=url)
    assert summary["format"] == "geojson" and summary["imported"] == 1
    assert {r.external_id for r in _reports(url)} == {"signalen:201", "signalen:202", "signalen:301"}


def test_missing_column_raises_and_stores_nothing(url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,created_at,geometry,status\n1,2024-01-01,,m\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_signalen(bad, url=url)
    assert "sub_slug" in info.value.problem and info.value.expected and info.value.fix
    # a datawarehouse ZIP without its locations file
    path = tmp_path / "partial.zip"
    with zipfile.ZipFile(dwh_zip(tmp_path)) as z, zipfile.ZipFile(path, "w") as out:
        for name in z.namelist():
            if "locations" not in name:
                out.writestr(name, z.read(name))
    with pytest.raises(InputError, match="lacks files"):
        import_signalen(path, url=url)
    # the signals.csv of a datawarehouse export alone
    with zipfile.ZipFile(dwh_zip(tmp_path)) as z:
        (tmp_path / "dwh_signals.csv").write_bytes(z.read("120000UTC_signals.csv"))
    with pytest.raises(InputError, match="datawarehouse"):
        import_signalen(tmp_path / "dwh_signals.csv", url=url)
    with pytest.raises(InputError, match="does not exist"):
        import_signalen(tmp_path / "nothing.zip", url=url)
    assert _count(url, Report) == 0


def test_no_free_text_or_contact_imported(url, tmp_path):
    import_signalen(dwh_zip(tmp_path), url=url)
    from sqlalchemy import text

    from weerbaar.store import engine

    with engine(url).connect() as conn:
        tables = ["reports", "report_contacts", "status_changes", "audit_entries"]
        dumped = " ".join(
            str(row) for t in tables if _has_table(conn, t) for row in conn.execute(text(f"SELECT * FROM {t}"))
        )
    for secret in ("Jan de Vries", "06-12345678", "0612345678", "jan@example.org", "medewerker@", "Dam 1"):
        assert secret not in dumped


def _has_table(conn, name: str) -> bool:
    from sqlalchemy import inspect

    return inspect(conn).has_table(name)


def test_cli_command(url, tmp_path):
    home = tmp_path / "clihome"
    home.mkdir()
    args = ["--home", str(home), "ingest", "signalen", str(dwh_zip(tmp_path)), "--database-url", url]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert "3 imported (2 closed)" in result.output
    assert "outside amsterdam: 1" in result.output and "geheime-categorie" in result.output
    assert "weerbaar ingest reports" in result.output
    assert {r.external_id for r in _reports(url)} == IMPORTABLE
    bad = tmp_path / "bad.csv"
    bad.write_text("id,created_at\n1,2024-01-01\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["--home", str(home), "ingest", "signalen", str(bad), "--database-url", url])
    assert result.exit_code != 0 and "sub_slug" in result.output


def test_imported_reports_are_counted(url, tmp_path):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from weerbaar.sources.operational_reports import aggregate_reports, read_reports

    import_signalen(dwh_zip(tmp_path), url=url)
    reports = read_reports(url)
    assert len(reports) == 3
    assert sorted(reports["period"]) == ["2024-03", "2024-04", "2024-04"]
    buurten = gpd.GeoDataFrame({"code": ["STAD"]}, geometry=[box(100_000, 470_000, 140_000, 500_000)], crs=28992)
    data = aggregate_reports(reports, buurten, pd.DataFrame(columns=["x", "y", "type"]), division="T", radius_m=100)
    obs = data.observations.set_index(["area_code", "period", "indicator"])["value"]
    assert obs[("STAD", "2024-03", "reports.drug_nuisance")] == 1
    assert obs[("STAD", "2024-04", "reports.drug_nuisance")] == 2
