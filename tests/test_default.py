"""The embedded Amsterdam default end to end: build, provenance, synthetic labels, reproducibility."""

import pytest

from weerbaar import pipeline
from weerbaar.indicators import CANONICAL

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("default")
    result = pipeline.build(home=home, seed=7)
    return home, result


def test_build_loads_every_source(built):
    home, result = built
    with pipeline.open_warehouse(home) as wh:
        kinds = dict(wh.execute("SELECT name, kind FROM sources"))
        areas = wh.query("SELECT division, level, count(*) AS n FROM areas GROUP BY ALL")
    assert {k for k, v in kinds.items() if v == "real"} == {
        "amsterdam-areas-2022",
        "amsterdam-areas-2015",
        "cbs-kwb-2021",
        "ois-bbga",
        "ois-veiligheidsindex",
        "ois-criminaliteit",
        "euda-wastewater",
        "amsterdam-facilities",
    }
    assert kinds["synthetic-default"] == "synthetic"
    n = {(d, lvl): c for d, lvl, c in areas.itertuples(index=False)}
    assert n[("2022", "buurt")] == 518 and n[("2022", "wijk")] == 110 and n[("2022", "gebied")] == 25
    assert n[("2022", "stadsdeel")] == 9 and n[("2015", "buurt")] == 481 and n[("2015", "wijk")] == 99
    assert n[("2015", "stadsdeel")] == 8 and n[("2022", "stad")] == 1
    assert result["counts"]["crosswalk"] > 1000


def test_every_parent_exists_and_codes_are_unique(built):
    home, _ = built
    with pipeline.open_warehouse(home) as wh:
        orphans = wh.execute("""SELECT a.division, a.code FROM areas a LEFT JOIN areas p
                                ON a.division = p.division AND a.parent = p.code
                                WHERE a.parent IS NOT NULL AND p.code IS NULL""")
        dupes = wh.execute("SELECT division, code FROM areas GROUP BY ALL HAVING count(*) > 1")
    assert orphans == [] and dupes == []


def test_synthetic_rows_are_labelled_and_real_rows_are_not(built):
    home, _ = built
    with pipeline.open_warehouse(home) as wh:
        by_source = wh.query("SELECT source, status, count(*) AS n FROM observations GROUP BY ALL")
        events = wh.query("SELECT DISTINCT source, status FROM events")
    synth = by_source[by_source["source"] == "synthetic-default"]
    assert set(synth["status"]) == {"synthetic"}
    assert "synthetic" not in set(by_source.loc[by_source["source"] != "synthetic-default", "status"])
    assert events.to_dict("records") == [{"source": "synthetic-default", "status": "synthetic"}]


def test_canonical_indicators_present(built):
    home, _ = built
    with pipeline.open_warehouse(home) as wh:
        present = set(wh.query("SELECT DISTINCT indicator FROM observations")["indicator"])
        catalogue = set(wh.query("SELECT indicator FROM indicators WHERE canonical")["indicator"])
    assert set(CANONICAL) <= catalogue
    assert set(CANONICAL) <= present  # police.effort is synthetic, the rest real or synthetic
    assert "safety.overlast" in present


def test_calibration_to_real_drugshandel_totals(built):
    """The synthetic registered drug trade sums per year to about the real OIS Drugshandel totals."""
    home, _ = built
    with pipeline.open_warehouse(home) as wh:
        real = dict(
            wh.execute("""SELECT period, sum(value) FROM observations WHERE area_code = 'STAD'
            AND indicator LIKE 'ois.offences_with_suspect.drugshandel.%' AND indicator NOT LIKE '%12_17'
            AND indicator NOT LIKE '%18_24' GROUP BY period""")
        )
        synth = dict(
            wh.execute("""SELECT substr(period, 1, 4), sum(value) FROM observations
            WHERE indicator = 'registered.drug_trade' AND source = 'synthetic-default' GROUP BY 1""")
        )
    assert real["2015"] == 1986
    for year, total in real.items():
        assert synth[year] == pytest.approx(total, rel=0.08)


def test_same_seed_same_snapshot_and_real_only(built, tmp_path):
    home, result = built
    again = pipeline.build(home=tmp_path / "again", seed=7)
    assert again["snapshot"] == result["snapshot"]
    real = pipeline.build(home=tmp_path / "real", real_only=True)
    assert real["snapshot"] != result["snapshot"]
    with pipeline.open_warehouse(tmp_path / "real") as wh:
        assert wh.execute("SELECT count(*) FROM observations WHERE status = 'synthetic'")[0][0] == 0
        assert wh.execute("SELECT count(*) FROM sources WHERE kind = 'synthetic'")[0][0] == 0


def test_failing_build_keeps_the_previous_warehouse(tmp_path, monkeypatch):
    home = tmp_path / "h"
    first = pipeline.build(home=home, real_only=True)

    import weerbaar.synthetic.amsterdam as amsterdam

    def broken(*a, **k):
        raise RuntimeError("generator crashed")

    monkeypatch.setattr(amsterdam, "default_layers", broken)
    with pytest.raises(RuntimeError):
        pipeline.build(home=home)
    with pipeline.open_warehouse(home) as wh:
        assert wh.snapshot_hash() == first["snapshot"]
    assert [p.name for p in home.iterdir()] == ["warehouse.duckdb"]
