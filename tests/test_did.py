"""Staggered DiD (Callaway & Sant'Anna 2021) against the R `did` package on `mpdta`, and on planted effects."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from weerbaar.analysis.did import att_gt
from weerbaar.errors import InputError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def mpdta():
    return pd.read_csv(DATA / "mpdta.csv")


@pytest.mark.parametrize("control, scenario", [("never", "mpdta_nev_dr"), ("notyet", "mpdta_nyt_dr")])
def test_matches_r_did_on_mpdta(mpdta, control, scenario):
    r = att_gt(mpdta, unit="countyreal", time="year", outcome="lemp", group="first_treat", control=control)
    ref = pd.read_csv(DATA / "did_mpdta_attgt.csv")
    ref = ref[ref["scenario"] == scenario]
    m = r.cells.merge(ref, left_on=["group", "time"], right_on=["group", "t"], suffixes=("", "_r"))
    assert len(m) == 12
    np.testing.assert_allclose(m["att"], m["att_r"], atol=1e-10)
    np.testing.assert_allclose(m["se"], m["se_r"], atol=1e-10)
    agg = pd.read_csv(DATA / "did_mpdta_aggte.csv")
    agg = agg[agg["scenario"] == scenario]
    simple = agg[agg["type"] == "simple"].iloc[0]
    assert r.simple_att == pytest.approx(simple["overall_att"], abs=1e-10)
    assert r.simple_se == pytest.approx(simple["overall_se"], abs=1e-10)
    dyn = agg[agg["type"] == "dynamic"].assign(e=lambda d: d["egt"].astype(int))
    ev = r.event.merge(dyn, on="e")
    assert len(ev) == 7
    np.testing.assert_allclose(ev["att"], ev["att_egt"], atol=1e-10)
    np.testing.assert_allclose(ev["se"], ev["se_egt"], atol=1e-10)
    assert r.event_att == pytest.approx(dyn["overall_att"].iloc[0], abs=1e-10)
    assert r.event_se == pytest.approx(dyn["overall_se"].iloc[0], abs=1e-10)
    grp = agg[agg["type"] == "group"].assign(group=lambda d: d["egt"].astype(int))
    gm = r.groups.merge(grp, on="group")
    np.testing.assert_allclose(gm["att"], gm["att_egt"], atol=1e-10)
    np.testing.assert_allclose(gm["se"], gm["se_egt"], atol=1e-10)
    assert r.group_att == pytest.approx(grp["overall_att"].iloc[0], abs=1e-10)
    assert r.group_se == pytest.approx(grp["overall_se"].iloc[0], abs=1e-10)


def test_published_readme_values(mpdta):
    """The did README's table (never-treated): ATT(2004,2004) -0.0105 (SE 0.0233), ATT(2004,2006) -0.1373."""
    r = att_gt(mpdta, unit="countyreal", time="year", outcome="lemp", group="first_treat").to_frame()
    assert round(r.loc[(2004, 2004), "att"], 4) == -0.0105 and round(r.loc[(2004, 2004), "se"], 4) == 0.0233
    assert round(r.loc[(2004, 2006), "att"], 4) == -0.1373


def test_row_order_does_not_matter(mpdta):
    a = att_gt(mpdta, unit="countyreal", time="year", outcome="lemp", group="first_treat")
    b = att_gt(
        mpdta.sample(frac=1, random_state=3), unit="countyreal", time="year", outcome="lemp", group="first_treat"
    )
    pd.testing.assert_frame_equal(a.cells, b.cells)


def _world(seed, effect, n=120, T=36):
    rng = np.random.default_rng(seed)
    level = rng.normal(10, 3, n)[:, None] + 0.1 * np.arange(T)[None, :]
    g = np.zeros(n, dtype=int)
    treated = rng.choice(n, n // 2, replace=False)
    g[treated] = rng.integers(6, T - 3, len(treated))
    on = (g[:, None] > 0) & (np.arange(T)[None, :] >= g[:, None])
    y = level + effect * on + rng.normal(0, 1, (n, T))
    return pd.DataFrame(
        {"unit": np.repeat(np.arange(n), T), "time": np.tile(np.arange(T), n), "y": y.ravel(), "group": np.repeat(g, T)}
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_a_planted_effect_and_finds_none_where_none(seed):
    r = att_gt(_world(seed, -3.0))
    s = r.summary()
    assert s["simple_low"] <= -3.0 <= s["simple_high"]
    null = att_gt(_world(seed, 0.0), control="notyet").summary()
    assert null["simple_low"] <= 0 <= null["simple_high"]


def test_bad_panels():
    p = _world(1, 0.0)
    with pytest.raises(InputError, match="not balanced"):
        att_gt(p.iloc[1:])
    with pytest.raises(InputError, match="never-treated"):
        att_gt(p.assign(group=lambda d: np.where(d["group"] == 0, 5, d["group"])))
    with pytest.raises(InputError, match="control group"):
        att_gt(p, control="everyone")


# --- on the warehouse, with the intervention register ------------------------------------------


def test_compute_did_from_register_and_warehouse(home, areas_file, tmp_path):
    import json

    from typer.testing import CliRunner

    from weerbaar import pipeline
    from weerbaar.cli import app

    pipeline.ingest_areas(areas_file, division="T", home=home)
    rows = []
    for b in ("B1", "B2", "B3", "B4"):
        for year in (2019, 2020, 2021):
            for m in range(1, 13):
                treated = (b == "B1" and (year, m) >= (2020, 1)) or (b == "B2" and (year, m) >= (2020, 7))
                rows.append((b, f"{year}-{m:02d}", "registered.drug_trade", 10 + int(b[1]) + (-4 if treated else 0)))
    f = tmp_path / "obs.csv"
    pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=home, division="T")
    iv = tmp_path / "iv.csv"
    iv.write_text(
        "kind,title,start_date,areas,partner\nclosure_13b,a,2020-01-10,B1,Gemeente\narea_ban,b,2020-07-01,B2,Politie\n"
    )
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "interventions", str(iv), "--division", "T"]).exit_code == 0
    res = runner.invoke(
        app, ["compute", "did", "--indicator", "registered.drug_trade", "--division", "T", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["simple_att"] == pytest.approx(-4.0) and data["treated_in_window"] == 2
    assert data["run_id"] and data["event_study"][0]["e"] < 0
    res = runner.invoke(app, ["compute", "did", "--indicator", "registered.drug_trade", "--division", "X"])
    assert res.exit_code == 2 and "no interventions" in res.output
