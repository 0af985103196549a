"""Stored results follow their inputs: a changed source marks them stale, `compute standard` recomputes them."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from weerbaar import compute, pipeline, standard
from weerbaar.cli import app


@pytest.fixture()
def tiny(home, areas_file, tmp_path):
    """The square test city: population and a synthetic stand-in of registered drug trade, two years."""
    pipeline.ingest_areas(areas_file, division="T", home=home)
    pop = [
        (b, str(y), "population", p)
        for b, p in zip(["B1", "B2", "B3", "B4"], [1000, 3000, 500, 2000], strict=True)
        for y in (2019, 2020)
    ]
    f = tmp_path / "pop.csv"
    pd.DataFrame(pop, columns=["area_code", "period", "indicator", "value"]).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=home, division="T")
    synth = [
        (b, f"{y}-{m:02d}", "registered.drug_trade", int(b[1]), "synthetic")
        for b in ["B1", "B2", "B3", "B4"]
        for y in (2019, 2020)
        for m in range(1, 13)
    ]
    f = tmp_path / "synth.csv"
    pd.DataFrame(synth, columns=["area_code", "period", "indicator", "value", "status"]).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=home, division="T", source="synthetic:test")
    return home


def _real(tmp_path, home, values=(5, 1, 1, 1), months=(1, 2, 3)):
    rows = [
        (b, f"2020-{m:02d}", "registered.drug_trade", v)
        for b, v in zip(["B1", "B2", "B3", "B4"], values, strict=True)
        for m in months
    ]
    f = tmp_path / "real.csv"
    pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"]).to_csv(f, index=False)
    return pipeline.ingest_observations(f, home=home, division="T", source="real:test")


def test_a_result_records_what_it_rests_on_and_goes_stale_when_a_source_changes(tiny, tmp_path):
    out = compute.compute_trends(indicator="registered.drug_trade", home=tiny, division="T", slice_kind="year")
    assert out.synthetic
    with pipeline.open_warehouse(tiny) as wh:
        params = wh.query("SELECT parameters FROM runs WHERE run_id = ?", [out.run_id])["parameters"][0]
        assert '"rests_on"' in params and "synthetic:test" in params and "areas:T" in params
        assert wh.stale_runs() == {}
    # an unrelated indicator changes nothing
    f = tmp_path / "other.csv"
    pd.DataFrame(
        [("B1", "2020", "tips.anonymous_drugs", 3)], columns=["area_code", "period", "indicator", "value"]
    ).to_csv(f, index=False)
    pipeline.ingest_observations(f, home=tiny, division="T")
    with pipeline.open_warehouse(tiny) as wh:
        assert wh.stale_runs() == {}
    # a real source replaces the synthetic stand-in (decision 0010): the result is stale, and says why
    _real(tmp_path, tiny)
    with pipeline.open_warehouse(tiny) as wh:
        why = wh.stale_runs()[out.run_id]
    assert "source synthetic:test removed" in why and "new source real:test" in why
    # a new result on the real data is current; a changed real source makes it stale again
    again = compute.compute_trends(indicator="registered.drug_trade", home=tiny, division="T", slice_kind="month")
    assert not again.synthetic
    with pipeline.open_warehouse(tiny) as wh:
        assert again.run_id not in wh.stale_runs()
    _real(tmp_path, tiny, values=(6, 1, 1, 1))
    with pipeline.open_warehouse(tiny) as wh:
        assert wh.stale_runs()[again.run_id] == "source real:test changed"


def test_compute_standard_recomputes_stale_and_missing_results_and_reports_failures(tiny, tmp_path, monkeypatch):
    specs = (
        standard.StandardResult(
            "trends",
            "trends of drug trade",
            compute.compute_trends,
            {"indicator": "registered.drug_trade", "division": "T", "slice_kind": "month"},
        ),
        standard.StandardResult(
            "hotspots.gi",
            "hot spots of tips",
            compute.compute_hotspots,
            {"indicator": "tips.anonymous_drugs", "division": "T", "permutations": 9},
        ),
    )
    monkeypatch.setattr(standard, "STANDARD", specs)
    lines: list[str] = []
    first = standard.ensure_ready(tiny, progress=lines.append, build=False)
    assert len(first["computed"]) == 1 and first["stale"] == 0
    assert [f["label"] for f in first["failed"]] == ["hot spots of tips"]
    assert any("trends of drug trade (missing): run" in line for line in lines)
    assert standard.ensure_ready(tiny, build=False)["computed"] == []  # nothing changed: nothing to do
    _real(tmp_path, tiny)
    [row] = [s for s in standard.status(tiny) if s["spec"].kind == "trends"]
    assert "removed" in row["stale"]
    r = CliRunner().invoke(app, ["compute", "standard"], env={"WEERBAAR_HOME": str(tiny)})
    assert r.exit_code == 0, r.output
    assert "1 standard result computed" in r.output and "1 of them were stale" in r.output
    assert "not computed: hot spots of tips" in r.output
    assert all(not s["stale"] for s in standard.status(tiny) if s["run_id"])


def test_ingest_tells_what_decision_0010_replaced(tiny, tmp_path):
    from weerbaar.pipeline import superseded_summary
    from weerbaar.sources.base import SourceData
    from weerbaar.warehouse import Warehouse

    with Warehouse.open(pipeline.warehouse_path(tiny)) as wh:
        obs = pd.DataFrame(
            {
                "division": "T",
                "area_code": ["B1"],
                "period": ["2021-05"],
                "indicator": ["registered.drug_trade"],
                "value": [1.0],
                "unit": "count",
                "status": "final",
            }
        )
        report = wh.load("real:one", SourceData(observations=obs), kind="real")
    lines = superseded_summary(report, ["2021-05"])
    assert "replaces 96 synthetic rows of registered.drug_trade (division T) from source synthetic:test" in lines[0]
    assert "real data now covers 2021-05 (1 period)" in lines[1] and "compute standard" in lines[-1]


def test_pages_say_which_periods_a_young_real_series_covers(tiny, tmp_path):
    """After a real source replaced the synthetic stand-in, the notice names the real span and the
    replacement, and the default period lies inside the real data and holds counts."""
    from weerbaar.public import PublicData
    from weerbaar.web.coverage import coverage, default_period

    data = PublicData(tiny)
    assert coverage(data, "T", "registered.drug_trade", "nl") is None  # synthetic: labelled as such elsewhere
    _real(tmp_path, tiny, values=(9, 8, 7, 6), months=(1, 2, 3))
    data = PublicData(tiny)
    nl = coverage(data, "T", "registered.drug_trade", "nl")
    assert nl["first"] == "2020-01" and nl["last"] == "2020-03" and nl["replaced"]
    assert "Echte gegevens voor 2020-01 – 2020-03." in nl["text"] and "besluit 0010" in nl["text"]
    assert "decision 0010" in coverage(data, "T", "registered.drug_trade", "en")["text"]
    assert default_period(data, "T", "registered.drug_trade") in ("2020-Q1", "2020-03")
