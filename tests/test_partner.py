"""The partners' workflow on the web (issue 7): login, role checks on every endpoint, the queue, status
changes, contact details with an audit trail, the export and the audit log; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from weerbaar.cli import app as cli_app
from weerbaar.store import db, reports, sessions
from weerbaar.store.models import AuditEntry, LoginSession, Report, StatusChange

PASSWORD = "correct horse battery staple"
NIEUWMARKT = (121_456.7, 487_321.2)
SECRET_CONTACT = "jan.jansen@example.org"
SECRET_TEXT = "Every evening at the gate of the school"

pytestmark = pytest.mark.integration


@pytest.fixture()
def partner_app(web_app, url):
    """The shared web app, pointed at a fresh store (SQLite or PostgreSQL) for one test."""
    before = getattr(web_app.state, "store_url", None)
    web_app.state.store_url = url
    web_app.state.login_limiter = None
    with db.session(url) as s:
        for name, role in (("ana", "analyst"), ("mod", "moderator"), ("adm", "admin")):
            reports.create_user(s, name, PASSWORD, role)
        first = reports.submit_report(
            s, kind="dealing", x=NIEUWMARKT[0], y=NIEUWMARKT[1], contact=SECRET_CONTACT, description=SECRET_TEXT
        )
        reports.submit_report(s, kind="stashing", x=NIEUWMARKT[0] + 500, y=NIEUWMARKT[1], source="api")
    web_app.state.report_id = first.id
    yield web_app
    web_app.state.store_url = before
    web_app.state.login_limiter = None


def _client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def login(app, username: str, password: str = PASSWORD) -> TestClient:
    c = _client(app)
    page = c.get("/partner/login")
    assert page.status_code == 200
    r = c.post(
        "/partner/login",
        data={"csrf": _hidden(page.text, "csrf"), "username": username, "password": password, "next": "/partner"},
    )
    assert r.status_code == 303, r.text[:500]
    return c


def csrf_of(c: TestClient, path: str = "/partner") -> str:
    return _hidden(c.get(path).text, "csrf")


# --- anonymous and wrong-role access -----------------------------------------------------------

GETS = ["/partner", "/partner/reports/{id}", "/partner/export.csv", "/partner/audit", "/partner?status=all"]
POSTS = ["/partner/reports/{id}/status", "/partner/reports/{id}/contact", "/partner/logout"]


def test_anonymous_gets_nothing(partner_app):
    c = _client(partner_app)
    rid = partner_app.state.report_id
    for path in GETS:
        r = c.get(path.format(id=rid))
        assert r.status_code == 303 and r.headers["location"].startswith("/partner/login?next=%2Fpartner"), path
        assert SECRET_TEXT not in r.text and rid not in r.text
    for path in POSTS:
        r = c.post(path.format(id=rid), data={"to_status": "closed", "reason": "x", "csrf": "x"})
        assert r.status_code == 401, path
        assert SECRET_CONTACT not in r.text and SECRET_TEXT not in r.text
    with db.session(partner_app.state.store_url) as s:
        assert s.get(Report, rid).status == "new"
        assert s.scalars(select(AuditEntry)).all() == []


def test_a_forged_cookie_is_anonymous(partner_app):
    c = _client(partner_app)
    c.cookies.set("weerbaar_session", "not-a-session", path="/partner")
    assert c.get("/partner").status_code == 303


@pytest.mark.parametrize(
    ("user", "method", "path", "status"),
    [
        ("ana", "post", "/partner/reports/{id}/status", 403),
        ("ana", "post", "/partner/reports/{id}/contact", 403),
        ("ana", "get", "/partner/audit", 403),
        ("mod", "get", "/partner/audit", 403),
        ("ana", "get", "/partner", 200),
        ("ana", "get", "/partner/export.csv", 200),
        ("mod", "post", "/partner/reports/{id}/contact", 200),
        ("adm", "get", "/partner/audit", 200),
    ],
)
def test_roles(partner_app, user, method, path, status):
    c = login(partner_app, user)
    rid = partner_app.state.report_id
    if method == "get":
        r = c.get(path.format(id=rid))
    else:
        r = c.post(path.format(id=rid), data={"csrf": csrf_of(c), "to_status": "triaged", "reason": "checked"})
    assert r.status_code == status, r.text[:300]
    if status == 403:
        assert SECRET_CONTACT not in r.text
    with db.session(partner_app.state.store_url) as s:
        assert s.get(Report, rid).status == "new"  # no status change by anyone in this test


def test_analyst_sees_the_report_but_not_the_contact(partner_app):
    c = login(partner_app, "ana")
    r = c.get(f"/partner/reports/{partner_app.state.report_id}")
    assert r.status_code == 200 and "Dealen" in r.text
    assert SECRET_CONTACT not in r.text and "Toon contactgegevens" not in r.text
    assert SECRET_TEXT not in r.text  # the free text may hold something personal: moderators only
    assert "Alleen moderatoren" in r.text
    assert r.headers["cache-control"] == "no-store"


# --- login, sessions, CSRF ---------------------------------------------------------------------


def test_login_cookie_and_logout(partner_app):
    c = _client(partner_app)
    page = c.get("/partner/login?lang=en")
    r = c.post(
        "/partner/login?lang=en", data={"csrf": _hidden(page.text, "csrf"), "username": "mod", "password": PASSWORD}
    )
    assert r.status_code == 303 and r.headers["location"] == "/partner?lang=en"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("weerbaar_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/partner" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with db.session(partner_app.state.store_url) as s:  # only a hash is stored
        stored = s.scalars(select(LoginSession.token_hash)).all()
        assert token not in stored and len(stored) == 1
    queue = c.get("/partner?lang=en")
    assert queue.status_code == 200 and "Signed in as" in queue.text and "mod" in queue.text
    out = c.post("/partner/logout", data={"csrf": _hidden(queue.text, "csrf")})
    assert out.status_code == 303
    c.cookies.set("weerbaar_session", token, path="/partner")  # the old token no longer works
    assert c.get("/partner").status_code == 303


def test_wrong_password_and_rate_limit(partner_app):
    c = _client(partner_app)
    page = c.get("/partner/login")
    token = _hidden(page.text, "csrf")
    for _ in range(5):
        r = c.post("/partner/login", data={"csrf": token, "username": "mod", "password": "wrong password!!"})
        assert r.status_code == 401 and "klopt niet" in r.text
        assert "weerbaar_session" not in r.headers.get("set-cookie", "")
    r = c.post("/partner/login", data={"csrf": token, "username": "mod", "password": PASSWORD})
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_login_needs_its_csrf_token(partner_app):
    c = _client(partner_app)
    c.get("/partner/login")
    for token in ("forged.token", "é", "ü.ü"):
        r = c.post("/partner/login", data={"csrf": token, "username": "mod", "password": PASSWORD})
        assert r.status_code == 403


def test_failures_elsewhere_never_lock_the_account_and_a_good_login_is_forgiven(partner_app):
    # issue 16: five wrong passwords from any address locked the account for 900 s; now only that address waits
    from weerbaar.web.partner import _login_limiter

    limiter = _login_limiter(partner_app)
    for i in range(50):  # a stranger fails on "mod" from many addresses, many times
        limiter.failed(f"203.0.113.{i % 5}", "mod")
    assert limiter.wait("203.0.113.1", "MOD") > 0  # usernames are compared case-insensitively
    login(partner_app, "mod")  # the owner, from the test client's address, gets in at once
    for _ in range(10):  # good logins from one shared address never lock it out
        login(partner_app, "ana")


def test_a_rejected_form_echoes_nothing(partner_app):
    c = _client(partner_app)
    page = c.get("/partner/login")
    secret = "p" * 2500  # longer than any form field may be
    r = c.post("/partner/login", data={"csrf": _hidden(page.text, "csrf"), "username": "mod", "password": secret})
    assert r.status_code == 422 and "ppppp" not in r.text and r.headers["cache-control"] == "no-store"


def test_post_without_session_csrf_is_refused(partner_app):
    c = login(partner_app, "mod")
    rid = partner_app.state.report_id
    r = c.post(f"/partner/reports/{rid}/status", data={"to_status": "triaged", "reason": "checked"})
    assert r.status_code == 403
    r = c.post(f"/partner/reports/{rid}/status", data={"csrf": "0" * 64, "to_status": "triaged", "reason": "x"})
    assert r.status_code == 403
    with db.session(partner_app.state.store_url) as s:
        assert s.get(Report, rid).status == "new"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/elsewhere", "/partner\\@evil"])
def test_next_never_leaves_the_partner_pages(partner_app, target):
    c = _client(partner_app)
    page = c.get("/partner/login")
    r = c.post(
        "/partner/login",
        data={"csrf": _hidden(page.text, "csrf"), "username": "ana", "password": PASSWORD, "next": target},
    )
    assert r.status_code == 303 and r.headers["location"] == "/partner"


def test_deactivation_and_expiry_end_sessions(partner_app):
    c = login(partner_app, "ana")
    assert c.get("/partner").status_code == 200
    with db.session(partner_app.state.store_url) as s:
        sessions.set_active(s, "ana", False)
    assert c.get("/partner").status_code == 303
    with db.session(partner_app.state.store_url) as s:
        sessions.set_active(s, "ana", True)
        user = s.scalar(select(reports.User).where(reports.User.username == "ana"))
        token = sessions.start_session(s, user, hours=1, now=datetime.now(UTC) - timedelta(hours=2))
        assert sessions.user_for_token(s, token) is None  # expired
        assert sessions.user_for_token(s, None) is None and sessions.user_for_token(s, "x" * 500) is None


# --- the workflow ------------------------------------------------------------------------------


def test_queue_status_changes_contact_audit_and_export(partner_app):
    url = partner_app.state.store_url
    rid = partner_app.state.report_id
    mod = login(partner_app, "mod")
    queue = mod.get("/partner")
    assert queue.status_code == 200
    assert f"/partner/reports/{rid}" in queue.text and "Dealen" in queue.text
    token = _hidden(queue.text, "csrf")

    # an illegal transition is refused with the reason, nothing stored
    r = mod.post(f"/partner/reports/{rid}/status", data={"csrf": token, "to_status": "forwarded", "reason": "x"})
    assert r.status_code == 400 and "new -&gt; forwarded" in r.text
    # a reason is required
    r = mod.post(f"/partner/reports/{rid}/status", data={"csrf": token, "to_status": "triaged", "reason": "  "})
    assert r.status_code == 400
    # the legal path
    for step in (
        {"to_status": "triaged", "reason": "credible, near a school"},
        {"to_status": "forwarded", "forwarded_to": "police", "reason": "to the wijkagent"},
        {"to_status": "closed", "reason": "handled by the police"},
    ):
        r = mod.post(f"/partner/reports/{rid}/status", data={"csrf": token, **step})
        assert r.status_code == 303, r.text[:400]
    page = mod.get(f"/partner/reports/{rid}")
    assert "to the wijkagent" in page.text and "afgesloten" in page.text and "Status wijzigen" not in page.text

    # contact details: shown only on a POST, and audited
    assert SECRET_CONTACT not in page.text
    r = mod.post(f"/partner/reports/{rid}/contact", data={"csrf": token})
    assert r.status_code == 200 and SECRET_CONTACT in r.text and "logboek" in r.text
    with db.session(url) as s:
        steps = s.scalars(select(StatusChange).where(StatusChange.report_id == rid)).all()
        assert [c.to_status for c in steps] == ["triaged", "forwarded", "closed"]
        assert all(c.actor_id is not None for c in steps)
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = [a.action for a in entries]
        assert actions.count("view_contact") == 1 and "login" in actions
        # opening a report that has contact details is itself in the audit log
        assert any(a.action == "view_report" and a.report_id == rid for a in entries)

    # the export: no contact details, no free text, no staff names; itself audited
    ana = login(partner_app, "ana")
    r = ana.get("/partner/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert SECRET_CONTACT not in r.text and SECRET_TEXT not in r.text
    for name in ("mod", "ana", "adm"):
        assert not re.search(rf"\b{name}\b", r.text)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2
    closed = next(row for row in rows if row["id"] == rid)
    assert closed["status"] == "closed" and closed["forwarded_to"] == "police"
    assert closed["history"].endswith("closed") and "triaged" in closed["history"]
    assert {row["source"] for row in rows} == {"form", "api"}

    # the audit log: admins only, shows who viewed and exported
    adm = login(partner_app, "adm")
    audit = adm.get("/partner/audit?lang=en")
    assert audit.status_code == 200
    assert "viewed contact details" in audit.text and "exported" in audit.text and "mod" in audit.text


def test_unknown_report_is_404(partner_app):
    c = login(partner_app, "mod")
    assert c.get("/partner/reports/no-such-report").status_code == 404
    data = {"csrf": csrf_of(c), "to_status": "closed", "reason": "x"}
    r = c.post("/partner/reports/no-such-report/status", data=data)
    assert r.status_code == 404


def test_queue_filters_and_pages(partner_app):
    c = login(partner_app, "ana")
    assert "Geen meldingen" in c.get("/partner?status=closed").text
    assert c.get("/partner?status=bogus").status_code == 200  # falls back to "new"
    assert c.get("/partner?page=0").status_code == 200


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_users_retention_and_export(url, home, monkeypatch):
    runner = CliRunner()
    base = ["--home", str(home)]
    monkeypatch.setenv("WEERBAAR_NEW_PASSWORD", PASSWORD)
    r = runner.invoke(cli_app, [*base, "users", "add", "moderator1", "--role", "moderator", "--database-url", url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli_app, [*base, "users", "add", "someone", "--role", "boss", "--database-url", url])
    assert r.exit_code == 2 and "Unknown role" in r.output
    r = runner.invoke(cli_app, [*base, "users", "list", "--format", "csv", "--database-url", url])
    assert "moderator1,moderator,True" in r.output and "argon2" not in r.output
    r = runner.invoke(cli_app, [*base, "users", "deactivate", "moderator1", "--database-url", url])
    assert r.exit_code == 0
    r = runner.invoke(cli_app, [*base, "users", "deactivate", "nobody", "--database-url", url])
    assert r.exit_code == 2 and "No such user" in r.output

    with db.session(url) as s:
        report = reports.submit_report(s, kind="nuisance", x=NIEUWMARKT[0], y=NIEUWMARKT[1], contact=SECRET_CONTACT)
        reports.change_status(s, report.id, "closed", reason="done", actor=None)
        s.get(Report, report.id).closed_at = datetime.now(UTC) - timedelta(days=500)
    r = runner.invoke(cli_app, [*base, "reports", "erase-expired", "--database-url", url])
    assert r.exit_code == 0 and "1 report" in r.output and "ended login session" in r.output
    r = runner.invoke(cli_app, [*base, "reports", "erase-expired", "--database-url", url])
    assert "0 report" in r.output
    r = runner.invoke(cli_app, [*base, "reports", "export", "--database-url", url])
    assert r.exit_code == 0 and r.output.startswith("id,source,category,created_at")
    assert SECRET_CONTACT not in r.output and report.id in r.output
    with db.session(url) as s:
        actions = [a.action for a in s.scalars(select(AuditEntry))]
    assert {"user_created", "user_deactivated", "erase_contact", "export"} <= set(actions)


def test_forwarding_without_a_target_is_a_user_message_and_times_are_amsterdam(partner_app):
    rid = partner_app.state.report_id
    mod = login(partner_app, "mod")
    token = csrf_of(mod)
    r = mod.post(f"/partner/reports/{rid}/status", data={"csrf": token, "to_status": "triaged", "reason": "ok"})
    assert r.status_code == 303
    for lang, text in (("nl", "Kies naar wie de melding wordt doorgestuurd"), ("en", "Choose who the report is")):
        r = mod.post(
            f"/partner/reports/{rid}/status" + ("?lang=en" if lang == "en" else ""),
            data={"csrf": token, "to_status": "forwarded", "reason": "to the police"},
        )
        assert r.status_code == 400 and text in r.text
        assert "forwarded_to" not in r.text.split('id="error-summary"')[1].split("</div>")[0]  # no field names
    page = mod.get(f"/partner/reports/{rid}")
    assert "Amsterdamse tijd" in page.text and " UTC" not in page.text
    with db.session(partner_app.state.store_url) as s:
        created = s.get(Report, rid).created_at
    from zoneinfo import ZoneInfo

    local = created.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%d %H:%M")
    assert local in page.text and "Amsterdam time" in mod.get("/partner?lang=en").text
