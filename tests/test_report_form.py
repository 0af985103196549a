"""Residents' reports (measure 11): the no-JavaScript form at /report and POST /api/v1/reports."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from weerbaar import settings, store
from weerbaar.store import Report, ReportContact, StatusChange

pytestmark = pytest.mark.integration

ERROR_KEYS = {"status", "type", "problem", "received", "expected", "fix"}


@pytest.fixture(scope="module")
def app(served_home, tmp_path_factory):
    """An app over a copy of the served warehouse in a fresh home, with the store as SQLite in that home."""
    from weerbaar.web.app import create_app

    home = tmp_path_factory.mktemp("report-home")
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEERBAAR_HOME", str(home))
        mp.delenv("WEERBAAR_DATABASE_URL", raising=False)
        mp.delenv("WEERBAAR_CONTACT_KEY", raising=False)
        for name in ("home", "database_url", "contact_key"):
            settings.override(name, None)
        yield create_app(home)
    store.dispose()


@pytest.fixture()
def rc(app):
    """A fresh client (no cookies), an empty store and a fresh rate limit."""
    url = getattr(app.state, "store_url", None)
    if url is not None:
        with store.session(url) as s:
            for model in (ReportContact, StatusChange, Report):
                s.execute(delete(model))
    app.state.report_limiter = None
    app.state.report_rate = (10, 600.0)
    with TestClient(app) as c:
        yield c


def _reports(app) -> list[Report]:
    url = getattr(app.state, "store_url", None)
    if url is None:
        return []
    with store.session(url) as s:
        return list(s.scalars(select(Report)))


def _form(rc, lang: str = "nl") -> dict:
    resp = rc.get("/report", params={"lang": lang} if lang == "en" else None)
    assert resp.status_code == 200
    html = resp.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    buurten = re.findall(
        r'<option value="([^"]+)"[^>]*>([^<]+)</option>', html.split('id="buurt"')[1].split("</select>")[0]
    )
    return {"html": html, "csrf": fields["csrf"], "key": fields["idempotency_key"], "buurten": buurten}


def _post(rc, form: dict, **fields):
    data = {"csrf": form["csrf"], "idempotency_key": form["key"], "kind": "dealing", "buurt": form["buurten"][0][0]}
    data.update(fields)
    return rc.post("/report", data={k: v for k, v in data.items() if v is not None}, follow_redirects=False)


def test_form_renders_in_dutch_and_english(rc):
    nl = _form(rc)
    html = nl["html"]
    assert "Drugshandel melden" in html and "Uw privacy" in html and "Verstoppen (bunker)" in html
    assert "<fieldset" in html and "<legend>" in html and 'aria-describedby="description-hint' in html
    assert 'for="description"' in html and 'for="contact"' in html and "12 maanden" in html
    assert 'href="/report"' in html  # the nav link
    assert len(nl["csrf"]) > 20 and len(nl["key"]) > 10
    names = [n for _, n in nl["buurten"]]
    assert len(names) > 50 and names == sorted(names, key=str.casefold)
    cookie = rc.cookies.get("weerbaar_csrf")
    assert cookie == nl["csrf"]
    set_cookie = rc.get("/report").headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    en = _form(rc, "en")["html"]
    assert "Report drug dealing" in en and "Your privacy" in en and "Stashing" in en and 'lang="en"' in en
    assert en.count('name="idempotency_key"') == 1 and _form(rc)["key"] != nl["key"]


def test_valid_submission_stores_one_coarsened_encrypted_report(rc, app):
    form = _form(rc)
    contact = "resident@example.org"
    fields = dict(
        near="school",
        seen_date=(date.today() - timedelta(days=30)).isoformat(),
        seen_time="21:30",
        description="Two men on a scooter, every evening",
        contact=contact,
    )
    resp = _post(rc, form, **fields)
    assert resp.status_code == 303, resp.text[:500]
    assert resp.headers["location"] == "/report/done"
    done = rc.get("/report/done")
    assert done.status_code == 200 and "Bedankt" in done.text
    assert "Thank you" in rc.get("/report/done?lang=en").text
    reports = _reports(app)
    assert len(reports) == 1
    r = reports[0]
    assert r.kind == "dealing" and r.near_facility_type == "school" and r.buurt_code == form["buurten"][0][0]
    assert r.x % 100 == 50 and r.y % 100 == 50
    assert r.seen_at is not None
    with store.session(app.state.store_url) as s:
        blobs = list(s.scalars(select(ReportContact.blob)))
    assert len(blobs) == 1 and contact.encode() not in blobs[0]
    # the same idempotency key with the same report again stores nothing new
    assert _post(rc, form, **fields).status_code == 303
    assert len(_reports(app)) == 1


def test_missing_or_wrong_csrf_is_refused(rc, app):
    form = _form(rc)
    resp = _post(rc, form, csrf=None)
    assert resp.status_code == 403 and "verlopen" in resp.text
    resp = _post(rc, form, csrf=form["csrf"] + "x")
    assert resp.status_code == 403
    rc.cookies.clear()
    assert _post(rc, form).status_code == 403
    assert _reports(app) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "bribery"}, "Kies wat u zag"),
        ({"kind": None}, "Kies wat u zag"),
        ({"description": "x" * 5000}, "te lang"),
        ({"contact": "y" * 600}, "te lang"),
        ({"buurt": "NOPE"}, "Kies de buurt"),
        ({"buurt": None}, "Kies de buurt"),
        ({"near": "casino"}, "soort plek"),
        ({"seen_date": "yesterday"}, "wanneer u het zag"),
        ({"seen_date": "2999-01-01"}, "wanneer u het zag"),
        ({"lon": "0", "lat": "0"}, "Kies de buurt"),
        ({"lon": "abc", "lat": "52"}, "Kies de buurt"),
    ],
)
def test_invalid_input_rerenders_the_form(rc, app, fields, message):
    form = _form(rc)
    keep = "description" not in fields
    resp = _post(rc, form, description=fields.pop("description", "<b>kept</b>"), **fields)
    assert resp.status_code == 400, resp.text[:300]
    assert 'id="error-summary"' in resp.text and message in resp.text
    if keep:
        assert "&lt;b&gt;kept&lt;/b&gt;" in resp.text  # the resident's values are kept (escaped)
    assert _reports(app) == []


def test_script_is_stored_verbatim_and_escaped(rc, app):
    form = _form(rc)
    script = "<script>alert('x')</script>"
    resp = _post(rc, form, description=script, kind="bribery")
    assert resp.status_code == 400 and script not in resp.text and "&lt;script&gt;" in resp.text
    resp = _post(rc, form, description=script)
    assert resp.status_code == 303 and script not in rc.get("/report/done").text
    (r,) = _reports(app)
    assert r.description == script


def test_english_errors(rc, app):
    form = _form(rc, "en")
    resp = rc.post(
        "/report?lang=en",
        data={"csrf": form["csrf"], "idempotency_key": form["key"], "kind": "x", "buurt": form["buurten"][0][0]},
    )
    assert resp.status_code == 400 and "Please choose what you saw" in resp.text
    ok = rc.post(
        "/report?lang=en",
        data={"csrf": form["csrf"], "idempotency_key": form["key"], "kind": "nuisance", "buurt": form["buurten"][1][0]},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/report/done?lang=en"


def test_rate_limit(rc, app):
    app.state.report_rate = (3, 600.0)
    form = _form(rc)
    codes = [_post(rc, form, idempotency_key=f"k{i}").status_code for i in range(3)]
    assert codes == [303, 303, 303]
    resp = _post(rc, form, idempotency_key="k4")
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) > 0
    api = rc.post("/api/v1/reports", json={"kind": "dealing", "lon": 4.9, "lat": 52.37})
    assert api.status_code == 429 and set(api.json()["error"]) >= ERROR_KEYS
    assert len(_reports(app)) == 3


def test_json_api(rc, app):
    resp = rc.post(
        "/api/v1/reports",
        json={"kind": "stashing", "lon": 4.8952, "lat": 52.3702, "contact": "06-12345678", "idempotency_key": "a1"},
    )
    assert resp.status_code == 201 and resp.json() == {"status": "received"}
    assert rc.post("/api/v1/reports", json={"kind": "stashing", "lon": 4.9, "lat": 52.37, "idempotency_key": "a1"})
    buurt = _form(rc)["buurten"][2][0]
    resp = rc.post("/api/v1/reports", json={"kind": "nuisance", "buurt": buurt, "near_facility_type": "playground"})
    assert resp.status_code == 201
    reports = _reports(app)
    assert len(reports) == 2 and all(r.x % 100 == 50 and r.y % 100 == 50 for r in reports)
    codes = {r.kind: r.buurt_code for r in reports}
    assert codes["nuisance"] == buurt
    assert codes["stashing"] is not None and codes["stashing"].startswith("A")  # the Dam lies in Centrum

    bad = [
        ({"kind": "dealing", "lon": 5.5, "lat": 51.0}, 400, "outside Amsterdam"),  # far away
        ({"kind": "bribery", "lon": 4.9, "lat": 52.37}, 400, "choose what you saw"),
        ({"kind": "dealing", "lon": 4.9, "lat": 52.37, "description": "x" * 5000}, 400, "too long"),
        ({"kind": "dealing"}, 400, "Say where"),
        ({"kind": "dealing", "buurt": "NOPE"}, 400, "neighbourhood"),
        ({"kind": "dealing", "lon": "abc", "lat": 52.37}, 422, ""),
        ({"kind": 5, "lon": 4.9, "lat": 52.37}, 422, ""),
        ({"lon": 4.9, "lat": 52.37}, 422, ""),
    ]
    for body, status, text in bad:
        resp = rc.post("/api/v1/reports", json=body)
        assert resp.status_code == status, (body, resp.text)
        err = resp.json()["error"]
        assert set(err) >= ERROR_KEYS and err["status"] == status and text in err["problem"], (body, err)
    resp = rc.post("/api/v1/reports", content=b"kind=dealing", headers={"content-type": "text/plain"})
    assert 400 <= resp.status_code < 500 and set(resp.json()["error"]) >= ERROR_KEYS
    assert len(_reports(app)) == 2
    with store.session(app.state.store_url) as s:
        assert s.scalar(select(func.count()).select_from(ReportContact)) == 1


def test_api_is_documented(app):
    spec = app.openapi()
    op = spec["paths"]["/api/v1/reports"]["post"]
    assert "201" in op["responses"] and "429" in op["responses"]
    assert "/report" not in spec["paths"]


# --- a point given as lon/lat is linked to the buurt that contains it --------------------------


def _inside(app, code: str) -> tuple[float, float]:
    """A WGS84 point well inside a buurt (its representative point)."""
    geo = app.state.data.geometry("2022", "buurt")
    p = geo.loc[code, "geometry"].representative_point()
    return float(p.x), float(p.y)


def _outside_every_buurt() -> tuple[float, float]:
    """A point in the store's Amsterdam box (so it is accepted) but outside the municipality."""
    from pyproj import Transformer

    from weerbaar.store.reports import BBOX

    lon, lat = Transformer.from_crs(28992, 4326, always_xy=True).transform(BBOX[0] + 1000, BBOX[1] + 1000)
    return lon, lat


def test_buurt_at_finds_the_buurt_of_a_point(app):
    from types import SimpleNamespace

    from weerbaar.web.report_form import buurt_at

    request = SimpleNamespace(app=app)
    geo = app.state.data.geometry("2022", "buurt")
    for code in list(geo.index[:: max(1, len(geo) // 25)]):
        assert buurt_at(request, *_inside(app, code)) == code
    assert buurt_at(request, *_outside_every_buurt()) is None
    assert buurt_at(request, 5.5, 51.0) is None  # far away
    assert buurt_at(request, float("nan"), 52.37) is None
    assert buurt_at(request, float("inf"), float("inf")) is None


def test_form_links_a_map_point_to_its_buurt(rc, app):
    form = _form(rc)
    (first, _), (second, _) = form["buurten"][0], form["buurten"][1]
    lon, lat = _inside(app, second)
    # the point wins over the buurt in the list (the picker keeps them in step; this is the server's rule)
    resp = _post(rc, form, buurt=first, lon=f"{lon:.6f}", lat=f"{lat:.6f}")
    assert resp.status_code == 303, resp.text[:500]
    (r,) = _reports(app)
    assert r.buurt_code == second
    assert r.x % 100 == 50 and r.y % 100 == 50  # still only a 100 m cell


def test_a_point_outside_every_buurt_is_refused(rc, app):
    # issue 16: such reports were stored with no buurt (outside the municipality, yet in its bounding box)
    lon, lat = _outside_every_buurt()
    form = _form(rc)
    assert _post(rc, form, lon=str(lon), lat=str(lat)).status_code == 400
    resp = rc.post("/api/v1/reports", json={"kind": "dealing", "lon": lon, "lat": lat, "idempotency_key": "out"})
    assert resp.status_code == 400 and "outside Amsterdam" in resp.json()["error"]["problem"]
    assert _reports(app) == []


def test_json_api_links_a_point_to_its_buurt(rc, app):
    code = _form(rc)["buurten"][5][0]
    lon, lat = _inside(app, code)
    resp = rc.post("/api/v1/reports", json={"kind": "dealing", "lon": lon, "lat": lat})
    assert resp.status_code == 201
    (r,) = _reports(app)
    assert r.buurt_code == code


def test_form_has_the_map_picker_and_links_to_the_reports_page(rc):
    html = _form(rc)["html"]
    assert 'id="map-picker" hidden' in html  # shown by JavaScript only; the list is the route without it
    assert "/api/v1/areas?division=2022&amp;level=buurt&amp;format=geojson" in html
    assert '<script src="/static/report_map.js" defer></script>' in html
    assert 'href="/reports"' in html and "100 meter" in html
    assert 'href="/reports?lang=en"' in _form(rc, "en")["html"]


def test_every_problem_is_shown_at_once_with_one_privacy_statement(rc, app):
    form = _form(rc)
    html = form["html"]
    # one description of how the place is kept, and the synthetic note on the form itself
    assert html.count("vak van 100 bij 100 meter") == 1 and "midden in de buurt" not in html
    assert 'id="form-synthetic"' in html and "Uw melding is echt" in html
    resp = _post(rc, form, kind=None, buurt=None, near="casino", seen_date="2999-01-01", contact="y" * 600)
    assert resp.status_code == 400
    summary = resp.text.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.count("<li>") == 5
    for message in ("Kies wat u zag", "Kies de buurt", "soort plek", "wanneer u het zag", "te lang"):
        assert message in summary
    assert _reports(app) == []
    en = rc.post(
        "/report?lang=en",
        data={"csrf": form["csrf"], "idempotency_key": form["key"], "kind": "x", "near": "casino"},
    )
    assert en.status_code == 400 and en.text.split('id="error-summary"')[1].split("</div>")[0].count("<li>") == 3
