"""Measure 8 on the web (issue 18): the public page shows the stored Knox table and fit (never points), the
synthetic scenario when nothing is loaded; the partner alert page needs a role and is audited."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.analysis.selfexciting import simulate_hawkes
from weerbaar.cli import app as cli
from weerbaar.store import db, reports

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def violence_home(tmp_path_factory):
    from conftest import square_areas

    home = tmp_path_factory.mktemp("violence")
    areas = home / "areas.geojson"
    square_areas().to_file(areas, driver="GeoJSON")
    pipeline.ingest_areas(areas, division="T", home=home)
    sim = simulate_hawkes(mu_per_day=0.5, theta=0.4, omega=0.2, sigma=60, span_days=500, size_m=2000, seed=4)
    sim = sim[(sim["x"].between(1, 1999)) & (sim["y"].between(1, 1999))]
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(sim["t"], unit="D")
    ev = home / "events.csv"
    pd.DataFrame(
        {
            "event_id": [f"ev{k}" for k in range(len(sim))],
            "type": "violence.shooting",
            "occurred_at": when.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "x": sim["x"] + 120_000,
            "y": sim["y"] + 485_000,
            "status": "synthetic",
        }
    ).to_csv(ev, index=False)
    return home, ev


def _app(home):
    from weerbaar.web.app import create_app

    return create_app(home)


def test_public_page_without_analyses_offers_the_synthetic_scenario(violence_home):
    home, _ = violence_home
    with TestClient(_app(home)) as c:
        r = c.get("/violence")
        assert r.status_code == 200
        assert "gesimuleerd scenario" in r.text and "Knox" in r.text
        # one row per space band and one column per time band (the open bands once each)
        assert r.text.count("≥ 400 m") == 1 and r.text.count("≥ 28 dagen") == 1
        en = c.get("/violence?lang=en").text
        assert "simulated scenario" in en and "Violence that spreads" in en


def test_stored_results_shown_and_partner_alerts(violence_home, tmp_path):
    home, ev = violence_home
    runner = CliRunner()
    r = runner.invoke(cli, ["--home", str(home), "ingest", "events", str(ev)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "k.csv"
    r = runner.invoke(
        cli,
        [
            "--home",
            str(home),
            "compute",
            "nearrepeat",
            "--type",
            "violence.shooting",
            "--sds",
            "0,1,50,100,200",
            "--tds",
            "0,7,14,28",
            "--permutations",
            "49",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["--home", str(home), "compute", "selfexciting", "--type", "violence.shooting"])
    assert r.exit_code == 0, r.output
    app = _app(home)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    app.state.store_url = url
    app.state.login_limiter = None
    db.upgrade(url) if hasattr(db, "upgrade") else None
    with TestClient(app, follow_redirects=False) as c:
        page = c.get("/violence").text
        assert "gesimuleerd scenario" not in page and "SYNTHETISCH" in page.upper()
        assert "zelfde plek" in page and "volgt op een eerder incident" in page
        assert "ev1" not in page and "120" not in re.sub(r"\s+", " ", page).split("Knox")[0][-50:]
        # anonymous: sent to the login page; nothing of the alerts is shown
        r = c.get("/partner/violence")
        assert r.status_code == 303 and "/partner/login" in r.headers["location"]
    with db.session(url) as s:
        reports.create_user(s, "ana", PASSWORD, "analyst")
    c = TestClient(app, follow_redirects=False)
    login = c.get("/partner/login")
    csrf = re.search(r'name="csrf" value="([^"]*)"', login.text).group(1)
    r = c.post("/partner/login", data={"csrf": csrf, "username": "ana", "password": PASSWORD, "next": "/partner"})
    assert r.status_code == 303
    r = c.get("/partner/violence")
    assert r.status_code == 200, r.text[:300]
    assert "Alarmvensters" in r.text and "spec-alert-map" in r.text
    assert "bij het laden van de incidenten" in r.text  # the windows stored by `weerbaar ingest events`
    with db.session(url, write=False) as s:
        actions = [e.action for e, _ in reports.audit_log(s)]
    assert "view_alerts" in actions
