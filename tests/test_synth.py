"""Synthetic control (Abadie, Diamond & Hainmueller 2010): Proposition 99 and worlds with a planted effect."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from weerbaar.analysis.synth import simplex_weights, synthetic_control
from weerbaar.errors import InputError

DATA = Path(__file__).parent / "data"
# The paper's predictors (Table 1): averages over 1980-88 (beer 1984-88) and cigarette sales in 1975, 1980, 1988.
PROP99 = (
    ("lnincome", tuple(range(1980, 1989))),
    ("retprice", tuple(range(1980, 1989))),
    ("age15to24", tuple(range(1980, 1989))),
    ("beer", tuple(range(1984, 1989))),
    ("cigsale", (1975,)),
    ("cigsale", (1980,)),
    ("cigsale", (1988,)),
)
# Abadie, Diamond & Hainmueller (2010), Table 2: the state weights of synthetic California.
PAPER_WEIGHTS = {"Colorado": 0.164, "Connecticut": 0.069, "Montana": 0.199, "Nevada": 0.234, "Utah": 0.334}


@pytest.fixture(scope="module")
def prop99():
    d = pd.read_csv(DATA / "smoking.csv")
    return synthetic_control(
        d, treated="California", start=1989, unit="state", time="year", outcome="cigsale", special=PROP99,
        starts=8, maxiter=3000, placebo=False,
    )  # fmt: skip


def test_proposition_99_weights_and_effect(prop99):
    w = prop99.weights
    assert set(w[w > 0.01].index) == set(PAPER_WEIGHTS)  # the same five donor states
    for state, paper in PAPER_WEIGHTS.items():
        assert w[state] == pytest.approx(paper, abs=0.04), state
    # "by 2000 annual per-capita cigarette sales in California were about 26 packs lower" than synthetic California
    assert prop99.path.loc[2000, "gap"] == pytest.approx(-26, abs=1.5)
    assert prop99.pre_rmspe < 2.0
    # Table 1: cigarette sales 1988, real 90.1 and synthetic 91.6
    assert prop99.predictors.loc["cigsale(1988)", "synthetic"] == pytest.approx(91.6, abs=1.5)


def test_simplex_weights_recover_a_convex_combination():
    rng = np.random.default_rng(4)
    donors = rng.normal(size=(12, 6))
    true = np.array([0.5, 0.3, 0.2, 0, 0, 0])
    w = simplex_weights(donors @ true, donors, np.ones(12) / 12)
    np.testing.assert_allclose(w, true, atol=1e-6)
    assert w.sum() == pytest.approx(1)


def _world(seed, effect, n=16, T=30, start=20):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(T, 2)).cumsum(axis=0)
    loads = rng.uniform(0, 1, (n, 2))
    y = factors @ loads.T + 10 + rng.normal(0, 0.1, (T, n))
    y[:, 0] = y[:, 1:4] @ np.array([0.5, 0.3, 0.2])  # the treated unit is a mix of three donors
    y[start:, 0] += effect
    return pd.DataFrame({"unit": np.tile([f"u{i}" for i in range(n)], T), "time": np.repeat(np.arange(T), n),
                         "y": y.ravel()})  # fmt: skip


def test_recovers_a_planted_effect_with_placebo_inference():
    r = synthetic_control(_world(1, -5.0), treated="u0", start=20)
    assert r.path.loc[20:, "gap"].mean() == pytest.approx(-5.0, abs=0.5)
    assert r.p_value == pytest.approx(1 / 16)  # the largest post/pre ratio of all 16 units
    null = synthetic_control(_world(2, 0.0), treated="u0", start=20, placebo=False)
    assert abs(null.path.loc[20:, "gap"].mean()) < 0.5


def test_bad_input():
    p = _world(1, 0.0)
    with pytest.raises(InputError, match="not in the panel"):
        synthetic_control(p, treated="zz", start=20)
    with pytest.raises(InputError, match="too few periods"):
        synthetic_control(p, treated="u0", start=0)
    with pytest.raises(InputError, match="missing"):
        synthetic_control(p.iloc[1:], treated="u0", start=20)


def test_cli_synthetic_control_on_the_warehouse(home, areas_file, tmp_path):
    import json

    from typer.testing import CliRunner

    from weerbaar import pipeline
    from weerbaar.cli import app

    pipeline.ingest_areas(areas_file, division="T", home=home)
    rng = np.random.default_rng(5)
    months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)]
    base = {
        b: 20 + 5 * np.sin(np.arange(36) / (3 + i)) + rng.normal(0, 0.5, 36) for i, b in enumerate(["B2", "B3", "B4"])
    }
    base["B1"] = 0.5 * base["B2"] + 0.5 * base["B3"] - np.where(np.arange(36) >= 24, 6, 0)
    rows = [(b, months[i], "registered.drug_trade", float(v[i])) for b, v in base.items() for i in range(36)]
    f = tmp_path / "obs.csv"
    pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=home, division="T")
    res = CliRunner().invoke(
        app,
        ["compute", "synthetic-control", "--indicator", "registered.drug_trade", "--treated", "B1",
         "--start", "2020-01", "--division", "T", "--format", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["mean_gap_after"] == pytest.approx(-18, abs=2)  # -6 a month, summed per quarter
    assert data["donors"] == 3 and data["run_id"]
