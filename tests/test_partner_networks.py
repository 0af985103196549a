"""Partner pages for covert networks (issue 20): login and role checks, upload stored pseudonymised,
the network page and its audited exports; nothing of a network on public routes. SQLite and PostgreSQL.

Uses a light app on an empty data folder (the partner side needs no warehouse), so it is not an
integration test.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from weerbaar.store import db, reports
from weerbaar.store.models import AuditEntry
from weerbaar.store.network_models import Network

PASSWORD = "correct horse battery staple"
EDGES = b"source,target,weight\nMario Rossi,Bob,3\nBob,Carla,1\nCarla,Dirk,2\nDirk,Mario Rossi,1\nDirk,Eva,1\n" \
        b"Eva,Frank,1\nFrank,Gina,1\nGina,Eva,2\nHans,Gina,1\nHans,Ivo,1\nIvo,Jan,1\nJan,Hans,1\n"
ATTRS = b"node,role,group,phone\nMario Rossi,importer,a,0612345678\nBob,courier,a,\nEva,broker,b,\nHans,dealer,c,\n"


@pytest.fixture()
def net_app(tmp_path, url, home):
    from weerbaar.web.app import create_app

    app = create_app(home)
    app.state.store_url = url
    with db.session(url) as s:
        reports.create_user(s, "ana", PASSWORD, "analyst")
    return app


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', html).group(1)


def _login(app) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    page = c.get("/partner/login")
    r = c.post("/partner/login", data={"csrf": _csrf(page.text), "username": "ana", "password": PASSWORD,
                                       "next": "/partner/networks"})
    assert r.status_code == 303
    return c


def test_anonymous_is_sent_to_login_and_public_routes_have_no_networks(net_app):
    c = TestClient(net_app, follow_redirects=False)
    for path in ("/partner/networks", "/partner/networks/x", "/partner/networks/x/export.csv"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/partner/login")
    assert c.post("/partner/networks/upload", data={"name": "x"}).status_code in (401, 403)
    assert not any("network" in path for path in net_app.openapi()["paths"])  # nothing in the public API


def test_upload_view_export_all_audited(net_app, url):
    c = _login(net_app)
    page = c.get("/partner/networks")
    assert page.status_code == 200 and "Criminele netwerken" in page.text
    r = c.post("/partner/networks/upload", data={"csrf": _csrf(page.text), "name": "demo"},
               files={"file": ("e.csv", EDGES), "attributes": ("n.csv", ATTRS)})
    assert r.status_code == 303 and "stored=demo" in r.headers["location"]
    view = c.get("/partner/networks/demo?lang=en")
    assert view.status_code == 200
    assert "Mario" not in view.text and "0612345678" not in view.text
    assert re.search(r"A00\d\d", view.text) and "Disruption" in view.text and "net-data" in view.text
    assert "importer" in view.text  # the role category is kept
    ties = c.get("/partner/networks/demo/export.csv?table=ties")
    assert ties.status_code == 200 and ties.text.startswith("source,target,weight") and "Mario" not in ties.text
    actors = c.get("/partner/networks/demo/export.csv?table=actors")
    assert "hard_to_replace" in actors.text.splitlines()[0]
    assert c.get("/partner/networks/none").status_code == 404
    with db.session(url) as s:
        actions = [a.split(":")[0] for a in s.scalars(select(AuditEntry.action))]
        assert s.scalar(select(Network.n_actors)) == 10
    assert actions.count("network_view") == 1 and actions.count("network_export") == 2
    assert "network_ingest" in actions


def test_bad_upload_is_refused_whole_with_a_reason(net_app, url):
    c = _login(net_app)
    token = _csrf(c.get("/partner/networks").text)
    r = c.post("/partner/networks/upload", data={"csrf": token, "name": "bad"},
               files={"file": ("e.csv", b"source,target,weight\na,b,-2\n")})
    assert r.status_code == 422 and "weight" in r.text
    r = c.post("/partner/networks/upload", data={"csrf": "forged", "name": "x"}, files={"file": ("e.csv", EDGES)})
    assert r.status_code == 403
    with db.session(url) as s:
        assert s.scalar(select(Network.id)) is None


def test_key_only_for_admins_and_audited(net_app, url):
    with db.session(url) as s:
        reports.create_user(s, "adm", PASSWORD, "admin")
    c = _login(net_app)
    token = _csrf(c.get("/partner/networks").text)
    c.post("/partner/networks/upload", data={"csrf": token, "name": "keyed", "keep_mapping": "1"},
           files={"file": ("e.csv", EDGES)})
    assert c.post("/partner/networks/keyed/key.csv", data={"csrf": token}).status_code == 403
    a = TestClient(net_app, follow_redirects=False)
    page = a.get("/partner/login")
    a.post("/partner/login", data={"csrf": _csrf(page.text), "username": "adm", "password": PASSWORD,
                                   "next": "/partner/networks"})
    admin_token = _csrf(a.get("/partner/networks").text)
    r = a.post("/partner/networks/keyed/key.csv", data={"csrf": admin_token})
    assert r.status_code == 200 and '"Mario Rossi"' in r.text
    with db.session(url) as s:
        assert any(x.startswith("network_key:") for x in s.scalars(select(AuditEntry.action)))
