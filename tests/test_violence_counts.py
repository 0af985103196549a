"""Public counts of violence events per area and month (issue 18): protected as counts about persons, so no
count from 1 to 4 is ever shown (page, API), and never a point."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from weerbaar import pipeline
from weerbaar.public import PublicData


@pytest.fixture(scope="module")
def counts_home(tmp_path_factory):
    from conftest import square_areas

    home = tmp_path_factory.mktemp("vcounts")
    areas = home / "areas.geojson"
    square_areas().to_file(areas, driver="GeoJSON")
    pipeline.ingest_areas(areas, division="T", home=home)
    # W1 (x < 121000) and W2; Jan: 9 and 2 shootings, Feb: 6 and 8, Mar: 0 and 3; one explosion in W1 in Jan
    rows = []
    for month, n1, n2 in (("2023-01", 9, 2), ("2023-02", 6, 8), ("2023-03", 0, 3)):
        for k in range(n1):
            rows.append(("violence.shooting", f"{month}-{k + 1:02d}", 120_300 + k, 485_300))
        for k in range(n2):
            rows.append(("violence.shooting", f"{month}-{k + 1:02d}", 121_300 + k, 485_300))
    rows.append(("violence.explosion", "2023-01-15", 120_500, 485_500))
    ev = home / "events.csv"
    pd.DataFrame(
        {
            "event_id": [f"e{k}" for k in range(len(rows))],
            "type": [r[0] for r in rows],
            "occurred_at": [r[1] for r in rows],
            "x": [r[2] for r in rows],
            "y": [r[3] for r in rows],
            "status": "synthetic",
        }
    ).to_csv(ev, index=False)
    pipeline.ingest_events(ev, home=home)
    return home


def test_counts_protected(counts_home):
    data = PublicData(counts_home, as_of=date(2024, 6, 1))
    level, frame = data.event_counts("T")
    assert level == "wijk"  # no stadsdelen in the test areas: the coarsest level below the city
    shown = frame["value"].dropna()
    assert len(shown) and not shown.between(1, 4).any()
    month = frame[(frame["kind"] == "month") & (frame["group"] == "shooting")].set_index(["area_code", "period"])
    assert month.loc[("W2", "2023-01"), "status"] != "published"  # 2 shootings: withheld
    assert month.loc[("W1", "2023-03"), "value"] == 0 or month.loc[("W1", "2023-03"), "status"] != "published"
    assert frame[frame["group"] == "explosion"]["value"].dropna().between(1, 4).sum() == 0


def test_counts_on_page_and_api(counts_home):
    from weerbaar.web.app import create_app

    with TestClient(create_app(counts_home)) as c:
        r = c.get("/api/v1/violence/counts?division=T")
        assert r.status_code == 200, r.text[:300]
        body = r.json()
        values = [row["value"] for row in body["data"] if row["value"] is not None]
        assert values and not any(1 <= v <= 4 for v in values)
        assert "x" not in body["data"][0] and "event_id" not in json.dumps(body)
        for lang, word in (("nl", "Incidenten per"), ("en", "Incidents per")):
            page = c.get(f"/violence?lang={lang}&division=T").text
            assert word in page


def test_alert_windows_refreshed_at_ingest(tmp_path):
    """Ingesting events stores the alert windows of the new set; a later ingest replaces them; the stored table
    is what the partner page and ``stored_alerts`` read, and it is stale once the events change."""
    from conftest import square_areas
    from weerbaar import violence
    from weerbaar.analysis.selfexciting import simulate_hawkes

    home = tmp_path
    areas = home / "areas.geojson"
    square_areas().to_file(areas, driver="GeoJSON")
    pipeline.ingest_areas(areas, division="T", home=home)
    sim = simulate_hawkes(mu_per_day=0.3, theta=0.4, omega=0.2, sigma=60, span_days=200, size_m=2000, seed=3)
    sim = sim[(sim["x"].between(1, 1999)) & (sim["y"].between(1, 1999))].reset_index(drop=True)
    when = (pd.Timestamp("2023-01-01") + pd.to_timedelta(sim["t"], unit="D")).dt.strftime("%Y-%m-%dT%H:%M:%S")
    frame = pd.DataFrame(
        {
            "event_id": [f"a{k}" for k in range(len(sim))],
            "type": "violence.shooting",
            "occurred_at": when,
            "x": sim["x"] + 120_000,
            "y": sim["y"] + 485_000,
            "status": "synthetic",
        }
    )
    half = len(frame) // 2
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    frame.iloc[:half].to_csv(first, index=False)
    frame.iloc[half:].to_csv(second, index=False)

    out = violence.ingest_events(first, home=home)
    assert out["alerts_run"]
    with pipeline.open_warehouse(home) as wh:
        windows, params = violence.stored_alerts(wh)
        live, _ = violence.current_alerts(violence.violence_events(wh))
    assert params["events"] == half and params["as_of"].startswith(frame["occurred_at"].iloc[half - 1][:10])
    assert list(windows["event_id"]) == list(live["event_id"])
    # the events change by another route: the stored table is stale, not read
    pipeline.ingest_events(second, home=home)
    with pipeline.open_warehouse(home) as wh:
        assert violence.stored_alerts(wh) is None
    # ingest through the refreshing route: current again, on every event
    violence.ingest_events(second, home=home)
    with pipeline.open_warehouse(home) as wh:
        windows, params = violence.stored_alerts(wh)
        assert violence.stored_alerts(wh, ratio=3.0) is None  # another ratio: computed on the page, not read
    assert params["events"] == len(frame)
    assert params["as_of"].startswith(frame["occurred_at"].iloc[-1][:10])
