"""The measurement model's inputs from the warehouse: real channels first, and what could not be estimated."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.analysis.channels import model_inputs, survey_areas
from weerbaar.cli import app

X0, Y0 = 120000, 485000
NX, NY = 6, 5  # 30 buurten of 500 m; 6 wijken (columns) of 5 buurten


def _grid(tmp_path):
    """Division T: a city, 6 wijken (one per column), 30 buurten. Division S: 3 survey areas of 2 columns each."""
    rows = [("STAD", "Teststad", "stad", None, box(X0, Y0, X0 + 500 * NX, Y0 + 500 * NY))]
    for i in range(NX):
        rows.append((f"W{i}", f"Wijk {i}", "wijk", "STAD", box(X0 + 500 * i, Y0, X0 + 500 * (i + 1), Y0 + 500 * NY)))
        for j in range(NY):
            x, y = X0 + 500 * i, Y0 + 500 * j
            rows.append((f"B{i}{j}", f"Buurt {i}{j}", "buurt", f"W{i}", box(x, y, x + 500, y + 500)))
    t = gpd.GeoDataFrame(rows, columns=["code", "name", "level", "parent", "geometry"], crs="EPSG:28992")
    s_rows = [("STAD", "Teststad", "stad", None, box(X0, Y0, X0 + 500 * NX, Y0 + 500 * NY))]
    for k in range(3):
        s_rows.append(
            (f"S{k}", f"Enquêtegebied {k}", "wijk", "STAD", box(X0 + 1000 * k, Y0, X0 + 1000 * (k + 1), Y0 + 2500))
        )
    s = gpd.GeoDataFrame(s_rows, columns=["code", "name", "level", "parent", "geometry"], crs="EPSG:28992")
    paths = []
    for name, gdf in (("t", t), ("s", s)):
        p = tmp_path / f"{name}.geojson"
        gdf.to_crs("EPSG:4326").to_file(p, driver="GeoJSON")
        paths.append(p)
    return paths


def _csv(tmp_path, name, rows):
    f = tmp_path / f"{name}.csv"
    pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value", "status"]).to_csv(f, index=False)
    return f


@pytest.fixture()
def city(home, tmp_path):
    """Real reports and drug-trade registrations per buurt, a synthetic drug-use stand-in and effort index,
    real population, and a real survey share on the 3 survey areas of division S."""
    t_file, s_file = _grid(tmp_path)
    pipeline.ingest_areas(t_file, division="T", home=home)
    pipeline.ingest_areas(s_file, division="S", home=home)
    rng = np.random.default_rng(1)
    real, synth = [], []
    for i in range(NX):
        for j in range(NY):
            b = f"B{i}{j}"
            real.append((b, "2020", "population", 1000 + 100 * j, "final"))
            real.append((b, "2020", "reports.drug_nuisance", int(rng.poisson(20)), "final"))
            real.append((b, "2020", "registered.drug_trade", int(rng.poisson(10)), "final"))
            synth.append((b, "2020", "registered.drug_use", int(rng.poisson(5)), "synthetic"))
            synth.append((b, "2020", "police.effort", 100.0, "synthetic"))
    pipeline.ingest_observations(_csv(tmp_path, "real", real), home=home, division="T")
    pipeline.ingest_observations(_csv(tmp_path, "synth", synth), home=home, division="T")
    survey = [(f"S{k}", "2020", "survey.drug_nuisance_pct", 5.0 + 3 * k, "final") for k in range(3)]
    survey += [(f"S{k}", "2020", "survey.respondents", 400, "final") for k in range(3)]
    pipeline.ingest_observations(_csv(tmp_path, "survey", survey), home=home, division="S")
    return home


def test_survey_areas_across_divisions_and_within_one(city):
    """A buurt belongs to the survey area holding it: by geometry across divisions, by hierarchy within one."""
    with pipeline.open_warehouse(city) as wh:
        codes = [f"B{i}{j}" for i in range(NX) for j in range(NY)]
        across = survey_areas(wh, codes, "T", "S", "wijk")
        within = survey_areas(wh, codes, "T", "T", "wijk")
    # rows 0-4 (y < 2500) lie in S0..S2 by column pair; B05 etc. do not exist (NY = 5), so all are covered
    assert across["B00"] == "S0" and across["B14"] == "S0" and across["B23"] == "S1" and across["B52"] == "S2"
    assert across.notna().all()
    assert within["B31"] == "W3" and within.notna().all()


def test_real_channels_are_used_and_synthetic_stand_ins_left_out(city):
    with pipeline.open_warehouse(city) as wh:
        mi = model_inputs(wh, period="2020", division="T")
    assert mi.mode == "real" and not mi.synthetic
    # no sum of real and synthetic registrations; the synthetic effort index is not used in a real fit
    assert "registered.drug_use" not in mi.frame.columns and "police.effort" not in mi.frame.columns
    assert mi.channels["registrations"] == {
        "status": "real",
        "indicators": ["registered.drug_trade"],
        "sources": mi.channels["registrations"]["sources"],
        "how": "as loaded",
    }
    assert mi.channels["effort"]["status"] == "absent"
    # the survey at its own areas: 3 survey areas of 10 buurten each
    assert mi.channels["survey"]["status"] == "real"
    assert list(mi.survey.index) == ["S0", "S1", "S2"]
    assert mi.survey.loc["S1", "survey.drug_nuisance_pct"] == 8.0 and mi.survey.loc["S1", "survey.respondents"] == 400
    assert mi.survey_area.value_counts().to_dict() == {"S0": 10, "S1": 10, "S2": 10}
    what = {x["what"] for x in mi.not_estimated}
    assert "effort flag" in what and "effect of vulnerability on reporting" in what
    effort = next(x for x in mi.not_estimated if x["what"] == "effort flag")
    assert "police effort index" in effort["why"] and "inzet" in effort["what_nl"]


def test_compute_says_what_it_could_not_estimate(city, tmp_path):
    """CLI output, stored run parameters: the channels used and the effort flag not estimated, and why."""
    out = tmp_path / "z.csv"
    r = CliRunner().invoke(
        app,
        [
            "--home",
            str(city),
            "compute",
            "zwijgwijken",
            "--division",
            "T",
            "--period",
            "2020",
            "--years",
            "1",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "not estimated: effort flag: no police effort index" in r.stderr
    assert "input survey: real" in r.stderr
    assert list(pd.read_csv(out).columns) == [
        "area_code",
        "observed",
        "expected",
        "ratio",
        "ratio_low",
        "ratio_high",
        "p_under",
        "flag",
    ]
    with pipeline.open_warehouse(city) as wh:
        ((params, synthetic),) = wh.execute("SELECT parameters, synthetic FROM runs WHERE kind = 'zwijgwijken'")
    params = json.loads(params)
    assert not synthetic and params["mode"] == "real"
    assert params["channels"]["survey"]["status"] == "real"
    assert params["model"]["model"]["survey_areas"] == 3
    assert [x["what"] for x in params["not_estimated"]][0] == "effort flag"
    assert params["model"]["effort_flag_available"] is False


def test_synthetic_reports_make_a_labelled_demonstration(home, tmp_path):
    """With only synthetic reports the fit is a demonstration: real channels still used, the result synthetic."""
    t_file, s_file = _grid(tmp_path)
    pipeline.ingest_areas(t_file, division="T", home=home)
    rows = [(f"B{i}{j}", "2020", "reports.drug_nuisance", 10, "synthetic") for i in range(NX) for j in range(NY)]
    pipeline.ingest_observations(_csv(tmp_path, "syn", rows), home=home, division="T")
    real = [(f"B{i}{j}", "2020", "registered.drug_trade", 3, "final") for i in range(NX) for j in range(NY)]
    real += [(f"B{i}{j}", "2020", "population", 900, "final") for i in range(NX) for j in range(NY)]
    pipeline.ingest_observations(_csv(tmp_path, "real", real), home=home, division="T")
    with pipeline.open_warehouse(home) as wh:
        mi = model_inputs(wh, period="2020", division="T")
    assert mi.mode == "demonstration" and mi.synthetic
    assert mi.channels["reports"]["status"] == "synthetic" and mi.channels["registrations"]["status"] == "real"
    assert mi.synthetic_indicators == ["reports.drug_nuisance"]


@pytest.mark.integration
def test_default_inputs_say_what_is_real(default_home):
    """On the embedded default: population is real (CBS KWB 2021 via the crosswalk), the counts synthetic, and
    the BBGA's real survey share on the 2015 gebieden cannot be placed on buurten (no boundaries)."""
    with pipeline.open_warehouse(default_home) as wh:
        mi = model_inputs(wh, years=10)
    assert mi.division == "2022" and mi.mode == "demonstration" and mi.synthetic
    assert mi.channels["population"]["status"] == "real"
    assert mi.channels["population"]["sources"] == ["cbs-kwb-2021"]
    assert mi.frame["population"].notna().sum() == 518 - 22  # Weesp is not in the 2015 division
    assert "22 buurten it does not reach" in mi.channels["population"]["how"]
    assert mi.channels["reports"]["status"] == "synthetic"
    assert any("2015" in n and "ois-bbga" in n and "could not be used" in n for n in mi.notes)


@pytest.fixture(scope="module")
def default_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("default")
    pipeline.build(home=home, seed=3)
    return home
