"""Facility proximity (measure 11): colocation quotient by hand, cross-type K against a background null."""

import numpy as np
import pandas as pd
import pytest

from conftest import square_areas
from weerbaar.analysis.proximity import BackgroundGrid, colocation_quotient, cross_k, facility_counts
from weerbaar.errors import InputError


def test_clq_by_hand():
    # a1's nearest neighbour is b (share 1); a2 and a3 are each other's (share 0): mean 1/3.
    # N = 4 points, one b: its share of the others is 1/3, so CLQ(a -> b) = (1/3) / (1/3) = 1.
    x = np.array([0.0, 1.0, 10.0, 10.5])
    labels = np.array(["a", "b", "a", "a"])
    assert colocation_quotient(x, np.zeros(4), labels, "a", "b") == pytest.approx(1.0)
    # b's nearest is a1: CLQ(b -> a) = 1 / (3/3) = 1; CLQ(a -> a) = (2/3) / (2/3) = 1
    assert colocation_quotient(x, np.zeros(4), labels, "b", "a") == pytest.approx(1.0)
    assert colocation_quotient(x, np.zeros(4), labels, "a", "a") == pytest.approx(1.0)
    # a tie: a at 0 has b and c at distance 1: half a b
    x2 = np.array([0.0, 1.0, -1.0, 5.0, 6.0])
    l2 = np.array(["a", "b", "c", "c", "c"])
    # share 0.5; b's share of the other 4 points is 1/4: CLQ = 2
    assert colocation_quotient(x2, np.zeros(5), l2, "a", "b") == pytest.approx(2.0)


@pytest.fixture(scope="module")
def grid():
    areas = square_areas().set_index("code")
    buurten = areas[areas["level"] == "buurt"]
    return BackgroundGrid.from_areas(buurten, pd.Series(1.0, index=buurten.index), cell=25.0)


def _facilities(rng):
    x0, y0 = 120000, 485000
    return pd.DataFrame(
        {
            "x": x0 + rng.uniform(100, 1900, 30),
            "y": y0 + rng.uniform(100, 1900, 30),
            "type": ["school"] * 15 + ["playground"] * 15,
        }
    )


def test_planted_clustering_is_found_and_background_is_not(grid):
    rng = np.random.default_rng(3)
    fac = _facilities(rng)
    schools = fac[fac["type"] == "school"][["x", "y"]].to_numpy()
    planted = np.vstack([grid.sample(300, rng), schools[rng.integers(0, 15, 150)] + rng.normal(0, 30, (150, 2))])
    r = cross_k(fac, planted, grid, radii=(50, 100, 200), simulations=99, seed=1)
    t = r.table.set_index(["facility_type", "r"])
    assert (t.loc["school", "pairs"] > t.loc["school", "high"]).all()
    assert (t.loc["school", "p"] <= 0.01).all()
    assert r.clq["school"] > r.clq["playground"]
    null = cross_k(fac, grid.sample(400, rng), grid, radii=(50, 100, 200), simulations=99, seed=2).table
    inside = ((null["pairs"] >= null["low"]) & (null["pairs"] <= null["high"])).mean()
    assert inside >= 0.8
    assert (null["L"] > 0).all() and (null["L_low"] <= null["L_high"]).all()


def test_background_follows_the_weights():
    areas = square_areas().set_index("code")
    buurten = areas[areas["level"] == "buurt"]
    g = BackgroundGrid.from_areas(buurten, pd.Series({"B1": 3.0, "B2": 1.0, "B3": 0.0, "B4": 0.0}), cell=50.0)
    pts = g.sample(4000, np.random.default_rng(0))
    in_b1 = ((pts[:, 0] < 121000) & (pts[:, 1] < 486000)).mean()
    assert in_b1 == pytest.approx(0.75, abs=0.03)
    assert (pts[:, 0] < 121000).all()  # nothing in B3, B4
    with pytest.raises(InputError, match="zero everywhere"):
        BackgroundGrid.from_areas(buurten, pd.Series(0.0, index=buurten.index))


def test_facility_counts_are_disclosure_controlled():
    fac = pd.DataFrame({"name": ["School A", "School B", "School C"], "type": "school", "x": [0.0, 1000, 5000],
                        "y": [0.0, 0, 0]})  # fmt: skip
    reports = np.array([[10.0, 0]] * 7 + [[1000.0, 20]] * 2)
    out = facility_counts(fac, reports, 100, threshold=5).set_index("name")
    assert out.loc["School A", "shown"] == "7" and out.loc["School B", "shown"] == "<5"
    assert np.isnan(out.loc["School B", "reports"]) and out.loc["School C", "shown"] == "0"


def test_bad_input(grid):
    fac = _facilities(np.random.default_rng(1))
    with pytest.raises(InputError, match="Too few simulations"):
        cross_k(fac, np.zeros((3, 2)), grid, simulations=5)
    with pytest.raises(InputError, match="No reports"):
        cross_k(fac, np.zeros((0, 2)), grid, simulations=19)
    with pytest.raises(InputError, match="Distances"):
        cross_k(fac, np.ones((3, 2)), grid, radii=(0, 100), simulations=19)


def test_cli_facility_proximity(home, areas_file, tmp_path):
    import json

    from typer.testing import CliRunner

    from weerbaar import pipeline
    from weerbaar.cli import app

    pipeline.ingest_areas(areas_file, division="T", home=home)
    rng = np.random.default_rng(8)
    fac = _facilities(rng).assign(facility_id=lambda d: [f"f{i}" for i in range(len(d))], name="Voorziening")
    ff = tmp_path / "fac.csv"
    fac.to_csv(ff, index=False)
    pipeline.ingest_facilities(ff, home=home, source="test-facilities")
    schools = fac[fac["type"] == "school"][["x", "y"]].to_numpy()
    pts = np.vstack(
        [
            schools[rng.integers(0, 15, 80)] + rng.normal(0, 20, (80, 2)),
            120000 + rng.uniform(0, 2000, (100, 2)) * [1, 1] + [0, 485000 - 120000],
        ]
    )
    ev = pd.DataFrame({"event_id": [f"e{i}" for i in range(len(pts))], "type": "report.dealing",
                       "occurred_at": "2021-05-01T12:00:00", "x": pts[:, 0], "y": pts[:, 1]})  # fmt: skip
    fe = tmp_path / "ev.csv"
    ev.to_csv(fe, index=False)
    pipeline.ingest_events(fe, home=home)
    res = CliRunner().invoke(
        app,
        ["compute", "facility-proximity", "--events", "report.dealing", "--background", "area", "--radius", "50,100",
         "--simulations", "39", "--division", "T", "--facility-counts", "100", "--format", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    school = [r for r in data["table"] if r["facility_type"] == "school"]
    assert all(r["pairs"] > r["high"] for r in school)
    assert data["facility_counts"] and all(c["shown"] == "0" or not c["shown"].isdigit() or int(c["shown"]) >= 5
                                           for c in data["facility_counts"])  # fmt: skip
    res = CliRunner().invoke(
        app,
        ["compute", "facility-proximity", "--events", "report.dealing", "--background", "area", "--radius", "50,100",
         "--simulations", "39", "--division", "T", "--facility-counts", "100"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "above" in res.stdout and "PARTNERS ONLY" in res.stdout  # the text table reads its rows by name
    res = CliRunner().invoke(app, ["compute", "facility-proximity", "--division", "T"])
    assert res.exit_code == 2 and "Choose where the reports come from" in res.output
