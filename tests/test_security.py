"""Hostile residents, proxies and files (issue 16): each test replays an attack that worked before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
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
