"""Hostile residents, proxies and files (issue 16): each test replays an attack that worked before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import select, update

from weerbaar.errors import InputError
from weerbaar.store import db, reports
from weerbaar.store.models import AuditEntry, Report, StatusChange

NIEUWMARKT = (121_456.7, 487_321.2)
PASSWORD = "correct horse battery staple"
HOSTILE_DATES = [
    "0001-01-01T00:30:00+00:00",  # accepted before, then every ingest failed building a 24,000-month grid
    "0001-01-01T00:00",  # OverflowError (500) before
    "9999-12-31T23:59:59-12:00",  # OverflowError (500) before
    "1900-01-01T12:00",  # grew the ingest from 112k to 5.5M rows
    "0001-01-01",
]


def submit(url, **kw):
    args = {"kind": "dealing", "x": NIEUWMARKT[0], "y": NIEUWMARKT[1]} | kw
    with db.session(url) as s:
        return reports.submit_report(s, **args)


# --- item 2: dates in a sane window -----------------------------------------------------------


@pytest.mark.parametrize("seen_at", HOSTILE_DATES)
def test_report_dates_outside_the_window_are_refused(url, seen_at):
    with pytest.raises(InputError) as err:
        submit(url, seen_at=seen_at)
    assert "when you saw it" in err.value.problem and err.value.expected
    with db.session(url) as s:
        assert s.scalar(select(Report.id)) is None


def test_report_window_edges(url):
    now = datetime.now(UTC)
    assert submit(url, seen_at=(now - timedelta(days=360)).isoformat()).seen_at is not None
    with pytest.raises(InputError):
        submit(url, seen_at=(now - timedelta(days=400)).isoformat())
    with pytest.raises(InputError):
        submit(url, seen_at=(now + timedelta(days=1)).isoformat())
    for created in (datetime(1999, 12, 31, tzinfo=UTC), datetime(1, 1, 1), datetime(9999, 12, 31)):
        with pytest.raises(InputError):
            submit(url, created_at=created, source="signalen", external_id=f"signalen:{created.year}")


def test_stored_outliers_do_not_break_the_counts(url):
    """Rows written before the window existed (or by hand) are counted in their report's month or not at all."""
    from weerbaar.sources.operational_reports import read_reports

    ok = submit(url)
    old = submit(url)
    ancient = submit(url)
    with db.session(url) as s:
        s.execute(update(Report).where(Report.id == old.id).values(seen_at=datetime(1, 1, 1, 0, 30)))
        s.execute(update(Report).where(Report.id == ancient.id).values(created_at=datetime(1900, 1, 1)))
    frame = read_reports(url)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert sorted(frame["id"]) == sorted([ok.id, old.id]) and set(frame["period"]) == {month}
    assert frame.attrs["dropped"] == 1


# --- item 2: a moderator rejects a report ------------------------------------------------------


def test_rejected_report_leaves_the_figures_with_history_and_audit(url):
    from weerbaar.sources.operational_reports import read_reports

    with db.session(url) as s:
        mod = reports.create_user(s, "mod", PASSWORD, "moderator")
        ana = reports.create_user(s, "ana", PASSWORD, "analyst")
    keep, bad = submit(url), submit(url)
    with db.session(url) as s, pytest.raises(reports.NotAllowedError):
        reports.reject_report(s, bad.id, reason="test", actor=s.get(type(ana), ana.id))
    with db.session(url) as s, pytest.raises(InputError):
        reports.reject_report(s, bad.id, reason="  ", actor=s.get(type(mod), mod.id))
    with db.session(url) as s:
        reports.reject_report(s, bad.id, reason="a test submission", actor=s.get(type(mod), mod.id))
    assert list(read_reports(url)["id"]) == [keep.id]
    with db.session(url) as s:
        r = s.get(Report, bad.id)
        assert r.status == "closed" and r.excluded_at is not None
        steps = list(s.scalars(select(StatusChange).where(StatusChange.report_id == bad.id)))
        assert [c.to_status for c in steps] == ["closed"] and "a test submission" in steps[0].reason
        assert steps[0].actor_id == mod.id
        audit = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "reject_report")))
        assert [(a.actor_id, a.report_id) for a in audit] == [(mod.id, bad.id)]
    with db.session(url) as s, pytest.raises(InputError):  # twice: refused
        reports.reject_report(s, bad.id, reason="again", actor=None)


# --- item 6: submission keys bound to their body ------------------------------------------------


def test_submission_key_reused_with_another_body_is_a_conflict(url):
    first = submit(url, idempotency_key="1", description="first")
    assert submit(url, idempotency_key="1", description="first").id == first.id  # a retry
    with pytest.raises(reports.ConflictError):
        submit(url, idempotency_key="1", description="someone else's report")
    with pytest.raises(InputError):  # whitespace is not silently trimmed into another client's key
        submit(url, idempotency_key=" 1", description="whitespace")
    with db.session(url) as s:
        assert len(s.scalars(select(Report)).all()) == 1


# --- item 2 and 8: events and Signalen dates -------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "9999-12-31T00:00:00", "1900-06-01"])
def test_events_outside_the_window_are_refused(when):
    from weerbaar.contract import validate_events

    frame = pd.DataFrame(
        {"event_id": ["a", "b"], "type": ["violence.shooting"] * 2, "occurred_at": ["2021-03-04", when],
         "x": [121_000.0] * 2, "y": [487_000.0] * 2}
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        validate_events(frame)
    assert "window" in err.value.problem and err.value.row == 2


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59:59-12:00", "1999-12-31T10:00"])
def test_signalen_dates_outside_the_window_are_skipped(when):
    from weerbaar.store.signalen import _created_at, _seen

    assert _created_at(when) is None
    assert _seen(when, datetime.now(UTC)) is None


# --- the web: API, form and partner side (integration: the served default) ---------------------


@pytest.fixture(scope="module")
def sec_app(served_home, tmp_path_factory):
    """An app over a copy of the served warehouse in a fresh home, the store as SQLite in that home."""
    import shutil

    from weerbaar import settings, store
    from weerbaar.web.app import create_app

    home = tmp_path_factory.mktemp("security-home")
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEERBAAR_HOME", str(home))
        mp.delenv("WEERBAAR_DATABASE_URL", raising=False)
        mp.delenv("WEERBAAR_CONTACT_KEY", raising=False)
        for name in ("home", "database_url", "contact_key"):
            settings.override(name, None)
        app = create_app(home)
        app.state.report_rate = (10_000, 600.0)
        yield app
    store.dispose()


@pytest.fixture()
def sc(sec_app):
    from fastapi.testclient import TestClient

    sec_app.state.report_limiter = None
    with TestClient(sec_app, follow_redirects=False) as c:
        yield c


def _stored(app) -> list[Report]:
    from weerbaar import store
    from weerbaar.web.report_form import store_url

    with store.session(store_url(app)) as s:
        return list(s.scalars(select(Report)))


@pytest.mark.integration
@pytest.mark.parametrize("seen_at", HOSTILE_DATES)
def test_api_refuses_hostile_dates_with_400(sc, sec_app, seen_at):
    before = len(_stored(sec_app))
    r = sc.post("/api/v1/reports", json={"kind": "dealing", "lon": 4.9, "lat": 52.37, "seen_at": seen_at})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["fix"] and len(_stored(sec_app)) == before


@pytest.mark.integration
@pytest.mark.parametrize("seen_date", ["0001-01-01", "9999-12-31", "1900-01-01"])
def test_form_refuses_hostile_dates_with_400(sc, sec_app, seen_date):
    import re

    page = sc.get("/report").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    buurt = re.search(r'id="buurt".*?<option value="([^"]+)"', page, re.S).group(1)
    before = len(_stored(sec_app))
    r = sc.post(
        "/report",
        data={"csrf": fields["csrf"], "idempotency_key": fields["idempotency_key"], "kind": "dealing",
              "buurt": buurt, "seen_date": seen_date},
    )  # fmt: skip
    assert r.status_code == 400 and len(_stored(sec_app)) == before


@pytest.mark.integration
def test_api_key_reused_with_another_body_is_409(sc, sec_app):
    body = {"kind": "dealing", "lon": 4.9, "lat": 52.37, "idempotency_key": "k-409", "description": "first"}
    assert sc.post("/api/v1/reports", json=body).status_code == 201
    assert sc.post("/api/v1/reports", json=body).status_code == 201  # a retry
    other = sc.post("/api/v1/reports", json={**body, "description": "another resident's report"})
    assert other.status_code == 409 and other.json()["error"]["type"] == "ConflictError"
    spaced = sc.post("/api/v1/reports", json={**body, "idempotency_key": "k-409 "})
    assert spaced.status_code == 400
    assert sum(r.idempotency_key == "k-409" for r in _stored(sec_app)) == 1


@pytest.mark.integration
def test_moderator_rejects_on_the_partner_side_and_on_the_cli(sc, sec_app):
    import re

    from typer.testing import CliRunner

    from weerbaar import store
    from weerbaar.cli import app as cli_app
    from weerbaar.web.report_form import store_url

    url = store_url(sec_app)
    with store.session(url) as s:
        reports.create_user(s, "sec-mod", PASSWORD, "moderator")
        reports.create_user(s, "sec-ana", PASSWORD, "analyst")
        a = reports.submit_report(s, kind="dealing", x=NIEUWMARKT[0], y=NIEUWMARKT[1])
        b = reports.submit_report(s, kind="dealing", x=NIEUWMARKT[0], y=NIEUWMARKT[1])
    sec_app.state.login_limiter = None

    def login(name):
        from fastapi.testclient import TestClient

        c = TestClient(sec_app, follow_redirects=False)
        page = c.get("/partner/login").text
        csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        r = c.post("/partner/login", data={"csrf": csrf, "username": name, "password": PASSWORD, "next": "/partner"})
        assert r.status_code == 303
        return c

    def csrf_of(c, path):
        return re.search(r'name="csrf" value="([^"]*)"', c.get(path).text).group(1)

    path = f"/partner/reports/{a.id}"
    ana = login("sec-ana")
    assert "/reject" not in ana.get(path).text
    assert ana.post(path + "/reject", data={"csrf": csrf_of(ana, path), "reason": "x"}).status_code == 403
    mod = login("sec-mod")
    assert mod.post(path + "/reject", data={"csrf": "forged", "reason": "x"}).status_code == 403
    r = mod.post(path + "/reject", data={"csrf": csrf_of(mod, path), "reason": "a test submission"})
    assert r.status_code == 303
    page = mod.get(path).text
    assert "a test submission" in page and "Afgewezen" in page
    result = CliRunner().invoke(cli_app, ["reports", "reject", b.id, "--reason", "abuse", "--database-url", url])
    assert result.exit_code == 0, result.output
    with store.session(url) as s:
        assert {r.id for r in s.scalars(select(Report).where(Report.excluded_at.is_not(None)))} >= {a.id, b.id}


# --- item 5: body limit while streaming --------------------------------------------------------


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/api/v1/reports", "/report", "/partner/login", "/partner/reports/x/status"])
def test_bodies_over_the_limit_are_refused_while_streaming(sc, path):
    # declared too large: refused before a byte is read
    r = sc.post(path, content=b"x" * 10, headers={"content-length": str(200 * 2**20), "content-type": "text/plain"})
    assert r.status_code == 413
    # chunked (no Content-Length), 5 MB: refused once the limit is passed, never parsed
    ctype = "application/json" if path.startswith("/api") else "application/x-www-form-urlencoded"
    r = sc.post(path, content=_chunks(5 * 2**20), headers={"content-type": ctype})
    assert r.status_code == 413


@pytest.mark.integration
def test_a_normal_body_still_passes(sc):
    r = sc.post("/api/v1/reports", json={"kind": "dealing", "lon": 4.9, "lat": 52.37, "description": "y" * 1500})
    assert r.status_code == 201


# --- item 9: headers, Allow, cache ------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/", "/report", "/api/v1/meta", "/static/app.js", "/partner/login", "/nope"])
def test_security_headers_everywhere(sc, path):
    for _ in range(2):  # the second answer may come from the response cache
        r = sc.get(path)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


@pytest.mark.integration
@pytest.mark.parametrize("method,path", [("DELETE", "/api/v1/reports"), ("PUT", "/report"), ("POST", "/api/v1/meta")])
def test_405_says_what_is_allowed(sc, method, path):
    r = sc.request(method, path)
    assert r.status_code == 405 and r.headers.get("allow")


@pytest.mark.integration
def test_junk_parameters_neither_miss_nor_fill_the_cache(sc, sec_app):
    cache = sec_app.state.responses
    clean = sc.get("/api/v1/map", params={"layer": "registered.drug_trade", "level": "wijk"})
    assert clean.status_code == 200
    size = len(cache._items)
    for i in range(30):
        r = sc.get("/api/v1/map", params={"layer": "registered.drug_trade", "level": "wijk", f"junk{i}": "x"})
        assert r.status_code == 200 and r.content == clean.content
    r = sc.get("/api/v1/map?layer=registered.drug_trade&level=wijk&level=wijk&level=wijk")
    assert r.status_code == 200
    assert len(cache._items) == size


# --- item 3: forwarded headers -----------------------------------------------------------------------


@pytest.mark.integration
def test_rotating_forwarded_for_does_not_bypass_the_rate_limit(sc, sec_app):
    sec_app.state.report_rate = (3, 600.0)
    sec_app.state.report_limiter = None
    try:
        codes = [
            sc.post("/api/v1/reports", json={"kind": "dealing", "lon": 4.9, "lat": 52.37},
                    headers={"x-forwarded-for": f"198.51.100.{i}"}).status_code
            for i in range(6)
        ]  # fmt: skip
    finally:
        sec_app.state.report_rate = (10_000, 600.0)
        sec_app.state.report_limiter = None
    assert codes == [201, 201, 201, 429, 429, 429]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(monkeypatch):
    from fastapi.testclient import TestClient

    from weerbaar import settings
    from weerbaar.errors import ConfigError
    from weerbaar.web.security import trusted_proxies

    def make():
        app = FastAPI()

        @app.get("/who")
        def who(request: Request) -> dict:
            return {"client": request.client.host, "scheme": request.url.scheme}

        trusted_proxies(app)
        return app

    headers = {"x-forwarded-for": "198.51.100.7, 10.0.0.9", "x-forwarded-proto": "https"}
    monkeypatch.delenv("WEERBAAR_TRUSTED_PROXIES", raising=False)
    r = TestClient(make(), client=("127.0.0.1", 1)).get("/who", headers=headers)
    assert r.json() == {"client": "127.0.0.1", "scheme": "http"}  # default: nothing forwarded is believed
    monkeypatch.setenv("WEERBAAR_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/24")
    assert TestClient(make(), client=("127.0.0.1", 1)).get("/who", headers=headers).json() == {
        "client": "198.51.100.7", "scheme": "https"}  # fmt: skip
    r = TestClient(make(), client=("192.0.2.1", 1)).get("/who", headers=headers)
    assert r.json()["client"] == "192.0.2.1"  # not a trusted peer: its headers are ignored
    monkeypatch.setenv("WEERBAAR_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ConfigError):
        settings.get("trusted_proxies")


# --- item 4: login back-off, not an account lock -------------------------------------------------------


def test_login_throttle_backs_off_per_address_and_account():
    from weerbaar.web.security import LoginThrottle

    th = LoginThrottle(free=5, free_address=30, cap=900)
    t = 1000.0
    for _ in range(4):
        th.failed("198.51.100.1", "mod", now=t)
    assert th.wait("198.51.100.1", "mod", now=t) == 0
    waits = []
    for _ in range(12):
        th.failed("198.51.100.1", "mod", now=t)
        waits.append(th.wait("198.51.100.1", "mod", now=t))
    assert waits[:4] == [4, 8, 16, 32] and waits[-1] == 900  # doubling, capped
    assert th.wait("198.51.100.2", "mod", now=t) == 0  # the owner elsewhere: never locked out
    assert th.wait("198.51.100.1", "ana", now=t) == 0  # the same address on another account: not yet
    # a password spray over many accounts from one address backs off too
    for i in range(30):
        th.failed("203.0.113.9", f"user{i}", now=t)
    assert th.wait("203.0.113.9", "someone-else", now=t) > 0
    # an admin sees and lifts blocks
    rows = th.blocks(now=t)
    assert rows[0]["blocked_for"] == 900 and {"address", "account", "failures"} <= set(rows[0])
    assert th.lift("198.51.100.1", "MOD") >= 1 and th.wait("198.51.100.1", "mod", now=t) == 0
    th.succeeded("203.0.113.9", "user1")
    # forgotten a day after the last failure
    assert th.wait("203.0.113.9", "x", now=t + 86_401) == 0 and th.blocks(now=t + 86_401) == []


@pytest.mark.integration
def test_admin_sees_and_lifts_login_blocks(sc, sec_app):
    import re

    from fastapi.testclient import TestClient

    from weerbaar import store
    from weerbaar.web.partner import _login_limiter
    from weerbaar.web.report_form import store_url

    with store.session(store_url(sec_app)) as s:
        reports.create_user(s, "sec-adm", PASSWORD, "admin")
    sec_app.state.login_limiter = None
    limiter = _login_limiter(sec_app)
    for _ in range(8):
        limiter.failed("192.0.2.50", "victim")
    c = TestClient(sec_app, follow_redirects=False)
    page = c.get("/partner/login").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    assert c.post("/partner/login", data={"csrf": csrf, "username": "sec-adm", "password": PASSWORD}).status_code == 303
    blocks = c.get("/partner/blocks")
    assert blocks.status_code == 200 and "192.0.2.50" in blocks.text and "victim" in blocks.text
    csrf = re.search(r'name="csrf" value="([^"]*)"', blocks.text).group(1)
    r = c.post("/partner/blocks/lift", data={"csrf": csrf, "address": "192.0.2.50", "account": "victim"})
    assert r.status_code == 303 and limiter.wait("192.0.2.50", "victim") == 0
    assert c.post("/partner/blocks/lift", data={"csrf": "forged", "address": "192.0.2.50"}).status_code == 403
    sec_app.state.login_limiter = None


# --- item 9: rate-limit bookkeeping is O(1) per check ----------------------------------------------------


def test_rate_limiter_forgets_idle_clients_from_the_oldest(monkeypatch):
    from weerbaar.web import report_form

    clock = [0.0]
    monkeypatch.setattr(report_form.time, "monotonic", lambda: clock[0])
    limiter = report_form.RateLimiter(2, 60.0)
    for i in range(20_000):
        limiter.hit(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(limiter) == 20_000
    clock[0] = 61.0
    assert limiter.hit("192.0.2.1") == 0 and len(limiter) == 1  # the idle ones went, oldest first
    limiter.hit("192.0.2.1")
    assert limiter.hit("192.0.2.1") > 0


# --- item 8: files that crashed now fail clearly, the warehouse untouched -------------------------------


def _snapshot(home):
    from weerbaar import pipeline

    with pipeline.open_warehouse(home) as wh:
        return wh.snapshot_hash()


def test_areas_clashing_with_another_source_say_so(home, areas_file, tmp_path):
    import shutil

    from weerbaar import pipeline

    pipeline.ingest_areas(areas_file, division="T", home=home)
    before = _snapshot(home)
    other = tmp_path / "other.geojson"
    shutil.copy(areas_file, other)
    with pytest.raises(InputError) as err:  # was a DuckDB TransactionException from unregister
        pipeline.ingest_areas(other, division="T", home=home)
    assert "clash" in err.value.problem
    assert _snapshot(home) == before


def test_areas_from_a_csv_or_without_geometry_say_so(home, tmp_path):
    import json

    from weerbaar import pipeline

    csv = tmp_path / "x.csv"
    csv.write_text("code,name,level,parent\nB1,Buurt,buurt,W1\n")
    with pytest.raises(InputError) as err:  # was AttributeError on .crs
        pipeline.ingest_areas(csv, division="T", home=home)
    assert "geometry" in err.value.problem
    nogeo = tmp_path / "nogeo.geojson"
    nogeo.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "S", "name": "Stad", "level": "stad", "parent": None},
         "geometry": None}]}))  # fmt: skip
    with pytest.raises(InputError) as err:
        pipeline.ingest_areas(nogeo, division="T", home=home, crs="EPSG:28992")
    assert "no geometry" in err.value.problem


DEEP = "[" * 50_000 + "]" * 50_000


def test_deeply_nested_json_is_refused_clearly(tmp_path):
    from weerbaar.sources.facility_import import read_facilities
    from weerbaar.store.signalen import _read

    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + DEEP + "}")
    with pytest.raises(InputError):  # was RecursionError
        read_facilities(path, source="import:deep")
    with pytest.raises(InputError):
        _read(path)


def test_a_zip_bomb_is_read_as_a_capped_stream(tmp_path, monkeypatch):
    import zipfile

    from weerbaar.store import signalen

    monkeypatch.setattr(signalen, "MEMBER_MAX", 2 * 2**20)  # 2 MB here; 100 MB in use
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("signals.csv", "id,created_at\n" + "1,2024-01-01\n" * 400_000)  # ~5 MB unpacked
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError) as err:  # was MemoryError at 200 MB
        signalen._read(path)
    assert "too large" in err.value.problem


def test_negative_counts_and_placeholder_periods_are_refused(home, areas_file, tmp_path):
    from weerbaar import pipeline

    pipeline.ingest_areas(areas_file, division="T", home=home)
    before = _snapshot(home)
    for row in ("B1,2024,registered.drug_trade,-5", "B1,0001,registered.drug_trade,5", "B1,9999,population,5"):
        obs = tmp_path / "o.csv"
        obs.write_text("area_code,period,indicator,value\n" + row + "\n")
        with pytest.raises(InputError):
            pipeline.ingest_observations(obs, home=home)
    assert _snapshot(home) == before


def test_stale_build_files_are_cleaned_and_imports_kept(home, areas_file, tmp_path, monkeypatch):
    from weerbaar import pipeline

    pipeline.ingest_areas(areas_file, division="T", home=home)
    obs = tmp_path / "o.csv"
    obs.write_text("area_code,period,indicator,value\nB1,2024,registered.drug_trade,5\n")
    pipeline.ingest_observations(obs, home=home)
    dead = 2**22 + 12345  # no such process
    for name in (f".warehouse.duckdb.building-{dead}", f".warehouse.duckdb.building-{dead}.wal"):
        (home / name).write_bytes(b"left by kill -9")
    monkeypatch.setattr(pipeline, "available", lambda: {})  # a build without the packaged sources: fast
    lines: list[str] = []
    result = pipeline.build(home=home, real_only=True, progress=lines.append)
    assert not list(home.glob(".warehouse.duckdb.building-*"))
    assert sorted(result["kept"]) == ["import:areas.geojson", "import:o.csv"] and result["dropped"] == {}
    assert any("kept 2 imported source(s)" in line for line in lines)
    with pipeline.open_warehouse(home) as wh:
        assert wh.query("SELECT count(*) AS n FROM areas WHERE division = 'T'")["n"].iloc[0] == 7
        assert wh.query("SELECT value FROM observations WHERE area_code = 'B1'")["value"].tolist() == [5.0]
    result = pipeline.build(home=home, real_only=True, keep_imported=False, progress=lines.append)
    assert result["kept"] == [] and set(result["dropped"]) == {"import:areas.geojson", "import:o.csv"}
