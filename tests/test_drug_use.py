"""Drug use from the sewer on the real EUDA data of the default: comparison, series, CLI, API and page."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.analysis.wastewater import back_calculate, substance
from weerbaar.cli import app as cli_app
from weerbaar.drug_use import Wastewater, load_wastewater
from weerbaar.errors import InputError

pytestmark = pytest.mark.integration

AMSTERDAM_2018_BE = 932.36  # EUDA ww2025-all-data.csv, NL001 Amsterdam, cocaine (benzoylecgonine), daily mean
AMSTERDAM_POPULATION = 699_648  # ww2025-site-info-table.csv, RWZI Amsterdam-West


@pytest.fixture(scope="module")
def ww(served_home) -> Wastewater:
    with pipeline.open_warehouse(served_home) as wh:
        return Wastewater(*load_wastewater(wh))


def test_cities_are_matched_by_name(ww):
    assert ww.city("  amsterdam ") == "Amsterdam"
    with pytest.raises(InputError) as exc:
        ww.city("Amsterdm")
    assert "Amsterdam" in exc.value.expected


def test_amsterdam_2018_by_hand(ww):
    s = ww.summary("Amsterdam", 2018, "cocaine", draws=2000)
    assert s["load_mg_per_1000_per_day"] == pytest.approx(AMSTERDAM_2018_BE)
    per_1000 = AMSTERDAM_2018_BE * substance("cocaine").correction_factor
    assert s["consumption_mg_per_1000_per_day"]["value"] == pytest.approx(per_1000)
    assert s["population_served"] == AMSTERDAM_POPULATION
    assert s["grams_per_day"]["value"] == pytest.approx(per_1000 * AMSTERDAM_POPULATION / 1000 / 1000)
    low, high = s["consumption_mg_per_1000_per_day"]["low"], s["consumption_mg_per_1000_per_day"]["high"]
    assert low < per_1000 < high
    assert s["previous_year_load"] == pytest.approx(734.04)  # 2017
    assert s["change_pct"] == pytest.approx((AMSTERDAM_2018_BE / 734.04 - 1) * 100)


def test_rank_counts_the_cities_above(ww):
    comp = ww.comparison(2018, "cocaine")
    ams = comp[comp["city"] == "Amsterdam"].iloc[0]
    europe = comp[comp["europe"]]
    # the rank is among the European cities; every city is ranked in rank_all
    assert ams["rank"] == 1 + (europe["load"] > ams["load"]).sum()
    assert ams["rank_all"] == 1 + (comp["load"] > ams["load"]).sum()
    assert europe["rank"].min() == 1 and comp["load"].is_monotonic_decreasing
    assert comp.loc[~comp["europe"], "rank"].isna().all()
    assert comp["consumption"].to_numpy() == pytest.approx(back_calculate(comp["load"].to_numpy(), "cocaine"))
    dutch = ww.dutch_cities(2018, "cocaine")
    assert "Amsterdam" in set(dutch["city"]) and set(dutch["country"]) == {"NL"}


def test_the_rank_is_european_and_other_cities_are_apart(ww):
    """Lebu (Chile), Los Angeles and Kitchener are in the EUDA file but not among 'the cities'."""
    from weerbaar.drug_use import in_europe

    assert in_europe("NL") and in_europe("H") and not in_europe("CL") and not in_europe("US")
    years = [y for y in ww.years("Amsterdam", "cocaine") if (~ww.comparison(y, "cocaine")["europe"]).any()]
    assert years, "the EUDA data hold cities outside Europe"
    s = ww.summary("Amsterdam", years[-1], "cocaine", draws=200)
    comp = ww.comparison(years[-1], "cocaine")
    assert s["rank_scope"] == "europe" and s["cities"] == int(comp["europe"].sum())
    assert s["cities_elsewhere"] == len(comp) - s["cities"] > 0 and s["rank"] <= s["rank_all"]
    outside = set(comp.loc[~comp["europe"], "country"])
    assert outside <= {"AU", "BR", "CA", "CL", "KR", "NZ", "US"}


def test_the_missing_year_stays_missing(ww):
    series = ww.series("Amsterdam", "cocaine").set_index("year")
    assert list(series.index) == list(range(2011, 2025))
    assert math.isnan(series.loc[2016, "load"]) and math.isnan(series.loc[2017, "change_pct"])
    with pytest.raises(InputError) as exc:
        ww.summary("Amsterdam", 2016, "cocaine")
    assert "2016" in exc.value.received and "except 2016" in exc.value.expected


def test_weekdays(ww):
    week, means = ww.weekdays("Amsterdam", 2018, "cocaine")
    assert len(week) == 7 and week["load"].notna().all()
    assert means["weekend_mean"] > means["weekday_mean"]  # cocaine peaks at the weekend


def test_cli_wastewater_and_market(served_home):
    runner = CliRunner()
    res = runner.invoke(
        cli_app,
        [
            "--home",
            str(served_home),
            "wastewater",
            "--city",
            "Amsterdam",
            "--year",
            "2018",
            "--substance",
            "cocaine",
            "--format",
            "json",
            "--draws",
            "1000",
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["rank"] >= 1 and body["load_mg_per_1000_per_day"] == pytest.approx(AMSTERDAM_2018_BE)
    table = runner.invoke(cli_app, ["--home", str(served_home), "wastewater", "--year", "2018", "--draws", "1000"])
    assert table.exit_code == 0 and "cocaine" in table.stdout and "mdma" in table.stdout
    bad = runner.invoke(cli_app, ["--home", str(served_home), "wastewater", "--substance", "cocain"])
    assert bad.exit_code == 2 and "cocaine" in bad.output
    money = runner.invoke(
        cli_app, ["market", "--pure-grams-per-day", "2000", "--purity", "0.5", "--price", "50", "--format", "json"]
    )
    assert money.exit_code == 0, money.output
    rows = {r["figure"]: r for r in json.loads(money.stdout)}
    assert rows["eur_per_year"]["value"] == pytest.approx(2000 / 0.5 * 50 * 365)
    wrong = runner.invoke(cli_app, ["market", "--pure-grams-per-day", "2000", "--purity", "1.2", "--price", "50"])
    assert wrong.exit_code == 2 and "purity" in wrong.output.lower()


def test_api_and_page(client):
    body = client.get("/api/v1/wastewater", params={"year": 2018}).json()
    assert body["city"] == "Amsterdam" and body["synthetic"] is False
    assert len(body["weekdays"]) == 7 and any(r["city"] == "Amsterdam" for r in body["comparison"])
    err = client.get("/api/v1/wastewater", params={"city": "Atlantis"})
    # a city that is not in the data is not there: 404 (issue 16, the API document and the answers agree)
    assert err.status_code == 404 and err.json()["error"]["problem"].startswith("Unknown city")
    m = client.get("/api/v1/market", params={"pure_grams_per_day": "2000", "purity": "0.5", "price": "50"}).json()
    assert m["eur_per_year"]["value"] == pytest.approx(73_000_000)
    assert (
        client.get("/api/v1/market", params={"pure_grams_per_day": "2000", "purity": "0", "price": "50"}).status_code
        == 400
    )
    for lang in ("nl", "en"):
        page = client.get("/drug-use", params={"lang": lang, "year": 2018})
        assert page.status_code == 200
        assert ("miljoen per jaar" if lang == "nl" else "million a year") in page.text
        assert "EUDA" in page.text


def test_survey_prevalence_is_shown_beside_wastewater(served_home, tmp_path):
    import shutil

    from fastapi.testclient import TestClient

    from weerbaar.web.app import create_app

    home = tmp_path / "surveys"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    csv = tmp_path / "prevalence.csv"
    csv.write_text(
        "area_code,period,indicator,value,unit\n"
        "STAD,2018,survey.prevalence.cocaine.last_year_pct,6.1,percent\n"
        "STAD,2018,survey.prevalence.cocaine.last_month_pct,2.4,percent\n"
    )
    pipeline.ingest_observations(csv, division="2022", source="test-survey", home=home)
    with TestClient(create_app(home)) as c:
        html = c.get("/drug-use", params={"year": 2018}).text
    assert "survey.prevalence.cocaine.last_year_pct" in html or "6,1" in html


def test_cli_back_calculates_an_own_measurement(served_home):
    runner = CliRunner()
    args = ["--home", str(served_home), "wastewater", "--substance", "cocaine", "--format", "json", "--draws", "1000"]
    res = runner.invoke(cli_app, [*args, "--concentration", "500", "--flow", "250000000", "--population", "1000000"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    # 500 ng/L x 250 million L/day = 125 g/day over a million people = 125 mg per 1000 a day
    assert body["load_mg_per_1000_per_day"] == pytest.approx(125.0)
    assert body["per_1000"]["value"] == pytest.approx(125.0 * substance("cocaine").correction_factor)
    partial = runner.invoke(cli_app, [*args, "--concentration", "500"])
    assert partial.exit_code == 2 and "--flow" in partial.output
    negative = runner.invoke(cli_app, [*args, "--concentration", "-5", "--flow", "1e8", "--population", "1e5"])
    assert negative.exit_code == 2


def test_the_programmes_own_wastewater_figures_imply_768000_people(served_home):
    """Annex 2 of the programme (POD 2018): 2,574 g cocaine and 619.1 g MDMA a day for Amsterdam, 3.35 and
    0.81 g per 1,000 inhabitants: about 768,000 people, not the 699,648 of the EUDA site table."""
    from weerbaar.public import PublicData

    ww = PublicData(served_home).wastewater()
    coke = ww.summary("Amsterdam", 2018, "cocaine", draws=1000)
    mdma = ww.summary("Amsterdam", 2018, "mdma", draws=1000)
    assert coke["population_served"] == 699_648 and coke["population_source"] == "euda-site-table"
    assert coke["consumption_mg_per_1000_per_day"]["value"] / 1000 == pytest.approx(3.35, abs=0.005)
    assert mdma["consumption_mg_per_1000_per_day"]["value"] / 1000 == pytest.approx(0.81, abs=0.005)
    implied = [
        2574.0 / (coke["consumption_mg_per_1000_per_day"]["value"] / 1e6),
        619.1 / (mdma["consumption_mg_per_1000_per_day"]["value"] / 1e6),
    ]
    assert all(755_000 < p < 775_000 for p in implied), implied
    coke = ww.summary("Amsterdam", 2018, "cocaine", draws=1000, population=768_000)
    mdma = ww.summary("Amsterdam", 2018, "mdma", draws=1000, population=768_000)
    assert coke["population_source"] == "given"
    assert coke["grams_per_day"]["value"] == pytest.approx(2574.0, rel=0.01)
    assert mdma["grams_per_day"]["value"] == pytest.approx(619.1, rel=0.01)
    with pytest.raises(InputError, match="population"):
        ww.summary("Amsterdam", 2018, "cocaine", population=0)


def test_wastewater_population_over_the_api_and_page(client):
    body = client.get("/api/v1/wastewater", params={"year": 2018, "population": 768000}).json()
    assert body["population_source"] == "given" and body["grams_per_day"]["value"] == pytest.approx(2574, rel=0.01)
    page = client.get("/drug-use", params={"year": 2018, "population": 768000, "lang": "en"})
    assert page.status_code == 200 and "given number of inhabitants" in page.text
    assert "EUDA site table" in client.get("/drug-use", params={"lang": "en"}).text
