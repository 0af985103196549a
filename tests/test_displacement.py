"""Displacement: WDQ (Bowers & Johnson 2003) and WDD (Wheeler & Ratcliffe 2018), hand entry and warehouse mode."""

import json
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.analysis.displacement import Counts, displacement, parse_counts, rings
from weerbaar.cli import app
from weerbaar.compute_displacement import compute_displacement, parse_window
from weerbaar.errors import InputError

runner = CliRunner()


def test_published_wdd_example():
    """Wheeler & Ratcliffe (2018), worked example: treated 207 -> 110, control 308 -> 318, displacement area
    178 -> 157 with its own control 150 -> 140: WDD -118, variance 1568 (SE 39.6), z -2.98, 95% CI -196 to -40.
    (The figures as reproduced in the test suite of Wheeler's R package ptools, ``wdd``.)"""
    r = displacement(Counts(207, 110), Counts(178, 157), Counts(308, 318), Counts(150, 140))
    assert r.wdd_local == -107 and r.wdd_displacement == -11 and r.wdd == -118
    assert r.wdd_se**2 == pytest.approx(1568)
    assert round(r.z, 2) == -2.98
    assert round(r.ci_low) == -196 and round(r.ci_high) == -40
    assert r.p == pytest.approx(0.00288, abs=1e-5)


def test_wdq_by_hand():
    # target 100 -> 50, buffer 80 -> 60, control 200 -> 200 (one control for both)
    r = displacement(Counts(100, 50), Counts(80, 60), Counts(200, 200))
    success = 50 / 200 - 100 / 200  # -0.25
    buf = 60 / 200 - 80 / 200  # -0.10
    assert r.success == pytest.approx(success)
    assert r.buffer_measure == pytest.approx(buf)
    assert r.wdq == pytest.approx(0.4)  # diffusion of benefits, smaller than the direct effect
    assert r.tne == pytest.approx((100 - 50) + (80 - 60))
    # WDD with one control used twice: coefficient -2 on its change, variance 4x
    assert r.wdd == pytest.approx((50 - 100) + (60 - 80) - 2 * 0)
    assert r.wdd_se == pytest.approx(math.sqrt(100 + 50 + 80 + 60 + 4 * 400))
    assert "diffusion" in r.interpretation()


def test_displacement_sign():
    r = displacement(Counts(100, 50), Counts(80, 120), Counts(200, 200))
    assert r.wdq < 0 and r.wdq >= -1
    assert "displacement" in r.interpretation()
    worse = displacement(Counts(100, 90), Counts(80, 200), Counts(200, 200))
    assert worse.wdq < -1 and "net harm" in worse.interpretation()


def test_ptools_simple_cases():
    # ptools' own unit tests: local -10; displacement -10; total -20 (control 20 -> 20)
    assert displacement(Counts(20, 10), None, Counts(20, 20)).wdd == -10
    r = displacement(Counts(20, 20), Counts(20, 10), Counts(20, 20), Counts(20, 20))
    assert r.wdd_displacement == -10
    assert displacement(Counts(20, 10), Counts(20, 10), Counts(20, 20), Counts(20, 20)).wdd == -20


def test_time_weights_put_windows_on_one_scale():
    # a 24-month before window and a 12-month after window, constant rate: no change
    r = displacement(Counts(240, 120), Counts(100, 50), Counts(480, 240), time_weights=(0.5, 1.0))
    assert r.wdd == pytest.approx(0)
    assert r.success == pytest.approx(0)
    assert r.wdd_se == pytest.approx(math.sqrt(0.25 * 240 + 120 + 0.25 * 100 + 50 + 4 * (0.25 * 480 + 240)))


def test_undefined_wdq_is_nan_with_a_note():
    r = displacement(Counts(5, 3), Counts(1, 1), Counts(0, 4))
    assert math.isnan(r.wdq)
    assert any("control count is 0" in n for n in r.notes)
    assert r.summary()["wdq"] is None


@given(
    st.lists(st.integers(0, 5000), min_size=8, max_size=8),
)
def test_wdd_variance_is_the_sum_of_counts(c):
    r = displacement(Counts(c[0], c[1]), Counts(c[2], c[3]), Counts(c[4], c[5]), Counts(c[6], c[7]))
    assert r.wdd_se**2 == pytest.approx(sum(c))
    assert r.ci_low <= r.wdd <= r.ci_high
    assert 0 <= r.p <= 1


def test_bad_counts():
    with pytest.raises(InputError, match="not two numbers"):
        parse_counts("12")
    with pytest.raises(InputError, match="sane range"):
        Counts(-1, 3)
    with pytest.raises(InputError, match="not numbers"):
        parse_counts("a,b")


def test_rings_on_a_line():
    nb = {str(i): {str(j) for j in (i - 1, i + 1) if 0 <= j < 7} for i in range(7)}
    buffer, control = rings(nb, {"3"}, buffer_rings=1, control_rings=2)
    assert buffer == ["2", "4"] and control == ["0", "1", "5", "6"]
    with pytest.raises(InputError, match="not in the area division"):
        rings(nb, {"X"})


def test_cli_hand_entry_json():
    res = runner.invoke(
        app,
        [
            "compute", "displacement", "--target", "207,110", "--buffer", "178,157", "--control", "308,318",
            "--buffer-control", "150,140", "--format", "json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["wdd"] == -118 and round(data["z"], 2) == -2.98
    assert {"wdq", "wdd", "wdd_se", "z", "p"} <= set(data)


def test_cli_hand_entry_errors():
    res = runner.invoke(app, ["compute", "displacement", "--target", "1,2", "--control", "3,4"])
    assert res.exit_code == 2 and "needs target, buffer and control" in res.output
    res = runner.invoke(app, ["compute", "displacement", "--target", "1;2", "--buffer", "1,2", "--control", "3,4"])
    assert res.exit_code == 2 and "not two numbers" in res.output


def test_parse_window():
    assert parse_window("2019-01..2019-12", "before") == ("2019-01", "2019-12")
    assert parse_window("2019", "before") == ("2019", "2019")
    for bad in ("2019-12..2019-01", "2019..2019-05", "1850..1851", "2019-13"):
        with pytest.raises(InputError):
            parse_window(bad, "before")


@pytest.fixture()
def tiny(home, areas_file, tmp_path):
    """The square test city: B1 halves in 2020, B2 grows, B3 and B4 stay flat."""
    pipeline.ingest_areas(areas_file, division="T", home=home)
    rows = []
    for b, (before, after) in {"B1": (10, 5), "B2": (4, 6), "B3": (8, 8), "B4": (2, 2)}.items():
        for year, v in ((2019, before), (2020, after)):
            for m in range(1, 13):
                rows.append((b, f"{year}-{m:02d}", "registered.drug_trade", v))
    f = tmp_path / "obs.csv"
    pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=home, division="T")
    return home


def test_warehouse_mode(tiny):
    run_id, r, described = compute_displacement(
        target="B1",
        buffer="B2",
        control="B3,B4",
        indicator="registered.drug_trade",
        before="2019-01..2019-12",
        after="2020-01..2020-12",
        division="T",
        home=tiny,
    )
    assert run_id
    assert (r.target.before, r.target.after) == (120, 60)
    assert (r.buffer.before, r.buffer.after) == (48, 72)
    assert (r.control.before, r.control.after) == (120, 120)
    assert r.wdd == pytest.approx(-60 + 24)
    assert r.wdq < 0  # displacement to B2
    assert described["derived"] == []
    with pipeline.open_warehouse(tiny) as wh:
        stored = wh.result(run_id)
    assert stored.loc["target", "after"] == 60


def test_warehouse_mode_derives_the_buffer_and_checks_windows(tiny):
    _, r, described = compute_displacement(
        target="B1", indicator="registered.drug_trade", before="2019", after="2020", division="T", home=tiny,
        control="B4", store=False,
    )  # fmt: skip
    # B1 touches B2, B3 and B4 (queen): the buffer is those not given as control
    assert described["derived"] == ["buffer"]
    assert described["areas"]["buffer"] == ["B2", "B3"]
    assert r.control.before == 24
    with pytest.raises(InputError, match="No observations"):
        compute_displacement(
            target="B1", buffer="B2", control="B3", indicator="registered.drug_trade",
            before="2015-01..2015-12", after="2020-01..2020-12", division="T", home=tiny,
        )  # fmt: skip
    with pytest.raises(InputError, match="Unknown area"):
        compute_displacement(
            target="ZZ", indicator="registered.drug_trade", before="2019", after="2020", division="T", home=tiny
        )
    with pytest.raises(InputError, match="must end before"):
        compute_displacement(
            target="B1", indicator="registered.drug_trade", before="2020", after="2019", division="T", home=tiny
        )


def test_cli_warehouse_mode(tiny):
    res = runner.invoke(
        app,
        [
            "compute", "displacement", "--target-areas", "B1", "--buffer-areas", "B2", "--control-areas", "B3,B4",
            "--indicator", "registered.drug_trade", "--before", "2019-01..2019-12", "--after", "2020-01..2020-12",
            "--division", "T", "--format", "json",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["wdd"] == pytest.approx(-36) and data["run_id"]


def test_displacement_sign_is_recovered_in_a_synthetic_world():
    """The planted world (weerbaar.synthetic.interventions): 40% less in the target, 20% more in its ring."""
    from weerbaar.synthetic.interventions import intervention_world

    w = intervention_world(side=16, months=48, n_interventions=4, seed=5)
    assert (w.counts["status"] == "synthetic").all() and (w.interventions["status"] == "synthetic").all()
    wide = w.counts.pivot(index="unit", columns="time", values="y")
    negative = 0
    for iv in w.interventions.itertuples():
        buf, ctl = rings(w.neighbours, {iv.unit}, buffer_rings=1, control_rings=2)
        before, after = list(range(iv.start - 12, iv.start)), list(range(iv.start, iv.start + 12))

        def c(units, cols):
            return float(wide.loc[units, cols].to_numpy().sum())

        r = displacement(
            Counts(c([iv.unit], before), c([iv.unit], after)),
            Counts(c(buf, before), c(buf, after)),
            Counts(c(ctl, before), c(ctl, after)),
        )
        negative += r.wdq < 0 and r.wdd_local < 0
    assert negative >= len(w.interventions) - 1
