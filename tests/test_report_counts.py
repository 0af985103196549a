"""Residents' reports from the operational store into the warehouse: counts per buurt, month, facility type."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.cli import app as cli_app
from weerbaar.sources.operational_reports import aggregate_reports


def _buurten() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["B1", "B2"]},
        geometry=[box(120000, 487000, 121000, 488000), box(121000, 487000, 122000, 488000)],
        crs="EPSG:28992",
    )


def test_counts_by_hand():
    reports = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "period": ["2024-01", "2024-01", "2024-02", "2024-01", "2024-01"],
            "x": [120050, 120150, 120050, 121550, 150050],  # e lies outside both buurten
            "y": [487050, 487050, 487050, 487550, 487050],
        }
    )
    facilities = pd.DataFrame({"x": [120060.0, 121900.0], "y": [487060.0, 487900.0], "type": ["school", "playground"]})
    data = aggregate_reports(reports, _buurten(), facilities, division="T", radius_m=150, until="2024-03")
    obs = data.observations.set_index(["area_code", "period", "indicator"])["value"]
    # complete: 2 buurten x 3 months (to `until`) x 3 indicators, zero where nobody reported
    assert len(obs) == 2 * 3 * 3 and obs.index.is_unique
    assert obs[("B2", "2024-02", "reports.drug_nuisance")] == 0 and obs[("B1", "2024-03", "reports.drug_nuisance")] == 0
    assert obs[("B1", "2024-01", "reports.drug_nuisance")] == 2
    assert obs[("B1", "2024-02", "reports.drug_nuisance")] == 1
    assert obs[("B2", "2024-01", "reports.drug_nuisance")] == 1
    # a (14 m) and c (14 m) lie near the school, b is 100 m away: within 150 m too; d is 492 m from the playground
    assert obs[("B1", "2024-01", "reports.near_facility.school")] == 2
    assert obs[("B1", "2024-02", "reports.near_facility.school")] == 1
    assert obs[("B2", "2024-01", "reports.near_facility.playground")] == 0
    assert obs.sum() == 4 + 3  # 4 reports inside the buurten, 3 of them near the school
    assert any("1 reports lie outside" in n for n in data.notes)
    assert set(data.observations["status"]) == {"final"} and set(data.observations["unit"]) == {"count"}


def test_the_place_type_the_resident_chose_is_counted_too():
    """'Speeltuin' on the form counts as reports.chosen_place.playground, also without a playground nearby."""
    reports = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "period": ["2024-01", "2024-01", "2024-01"],
            "x": [120050, 120150, 121550],
            "y": [487050, 487050, 487550],
            "chosen": ["playground", None, "playground"],
        }
    )
    facilities = pd.DataFrame({"x": [120060.0], "y": [487060.0], "type": ["school"]})
    data = aggregate_reports(reports, _buurten(), facilities, division="T", radius_m=150, until="2024-01")
    obs = data.observations.set_index(["area_code", "period", "indicator"])["value"]
    assert obs[("B1", "2024-01", "reports.chosen_place.playground")] == 1
    assert obs[("B2", "2024-01", "reports.chosen_place.playground")] == 1
    assert obs[("B1", "2024-01", "reports.chosen_place.school")] == 0  # complete grid of every form choice
    assert obs[("B1", "2024-01", "reports.near_facility.school")] == 2  # the nearest facility, as before
    labels = data.indicators.set_index("indicator")
    assert labels.loc["reports.chosen_place.playground", "label_nl"].endswith("speeltuin")


def test_no_reports_gives_no_rows():
    data = aggregate_reports(
        pd.DataFrame(columns=["id", "period", "x", "y"]), _buurten(), pd.DataFrame(), division="T", radius_m=100
    )
    assert data.observations.empty


# seen two months ago: inside the 12-month window of a report (issue 16)
SEEN = (datetime.now(UTC) - timedelta(days=60)).strftime("%Y-%m-%dT21:00:00")


@pytest.mark.integration
def test_store_to_warehouse(served_home, tmp_path, monkeypatch):
    from weerbaar.store import session, upgrade
    from weerbaar.store.reports import submit_report

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("WEERBAAR_HOME", str(home))
    monkeypatch.delenv("WEERBAAR_DATABASE_URL", raising=False)
    url = f"sqlite:///{home / 'operational.sqlite'}"
    upgrade(url)
    with pipeline.open_warehouse(home) as wh:
        school = wh.query("SELECT x, y FROM facilities WHERE type = 'school' LIMIT 1").iloc[0]
    with session(url) as s:
        for i in range(3):
            submit_report(
                s,
                kind="dealing",
                x=float(school["x"]) + 20,
                y=float(school["y"]) + 20,
                seen_at=SEEN,
                idempotency_key=f"k{i}",
            )
        submit_report(
            s,
            kind="dealing",
            x=float(school["x"]) + 20,
            y=float(school["y"]) + 20,
            seen_at=SEEN,
            idempotency_key="k0",
        )  # a retry: not counted twice
    result = CliRunner().invoke(cli_app, ["--home", str(home), "ingest", "reports", "--radius", "200"])
    assert result.exit_code == 0, result.output
    # the user is told what decision 0010 did and which periods are now real
    assert "decision 0010: replaces" in result.output and f"real data now covers {SEEN[:7]} to" in result.output
    assert "compute standard" in result.output
    with pipeline.open_warehouse(home) as wh:
        obs = wh.query(
            "SELECT indicator, period, sum(value) AS n FROM observations "
            "WHERE source = 'operational-reports' GROUP BY ALL"
        )
        synthetic = wh.query(
            "SELECT count(*) AS n FROM observations WHERE indicator = 'reports.drug_nuisance' "
            "AND division = '2022' AND status = 'synthetic'"
        )["n"].iloc[0]
        notes = wh.query("SELECT notes FROM sources WHERE name = 'operational-reports'")["notes"].iloc[0]
    assert synthetic == 0  # decision 0010: the real counts replace the synthetic stand-in, never add to it
    assert "replaces" in notes and "synthetic rows of reports.drug_nuisance (division 2022)" in notes
    by = obs.groupby("indicator")["n"].sum()
    assert by["reports.drug_nuisance"] == 3 and by["reports.near_facility.school"] == 3
    assert set(obs.loc[obs["n"] > 0, "period"]) == {SEEN[:7]}
    assert obs["period"].min() == SEEN[:7] and len(set(obs["period"])) > 1  # zeros up to this month
