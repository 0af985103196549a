"""The open JSON API on the embedded default: every endpoint, the error shape, downloads, disclosure control."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

pytestmark = pytest.mark.integration

ERROR_KEYS = {"status", "type", "problem", "received", "expected", "fix"}


def assert_error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= ERROR_KEYS, body
    assert body["error"]["status"] == status
    assert body["error"]["problem"]
    return body["error"]


def test_meta_says_synthetic_and_disclosure(client):
    meta = client.get("/api/v1/meta").json()
    assert meta["synthetic"] is True
    assert "synthetic-default" in meta["synthetic_sources"]
    assert {k: meta["disclosure"][k] for k in ("mode", "threshold", "protection")} == {
        "mode": "suppress",
        "threshold": 5,
        "protection": 1,
    }
    assert meta["divisions"]["2022"] == ["stad", "stadsdeel", "gebied", "wijk", "buurt"]
    assert meta["area_counts"]["2022"]["buurt"] == 518


def test_areas_list_geojson_and_one_area(client):
    body = client.get("/api/v1/areas", params={"level": "stadsdeel"}).json()
    assert body["division"] == "2022"
    assert len(body["areas"]) == 9
    geo = client.get("/api/v1/areas", params={"level": "buurt", "format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    fc = geo.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 518
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 4.7 < lon < 5.1 and 52.2 < lat < 52.5  # WGS84
    code = body["areas"][0]["code"]
    one = client.get(f"/api/v1/areas/{code}").json()
    assert one["level"] == "stadsdeel" and one["children"] and one["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert one["neighbours"]


def test_areas_errors(client):
    # an unknown division or level is not there (404, issue 16: schema-valid values are not "bad requests")
    err = assert_error(client.get("/api/v1/areas", params={"division": "1999"}), 404)
    assert "1999" in err["received"] and "2022" in err["expected"]
    assert_error(client.get("/api/v1/areas/NOPE"), 404)
    assert_error(client.get("/api/v1/areas", params={"level": "planet"}), 422)
    assert_error(client.get("/api/v1/areas", params={"division": "vm", "level": "buurt"}), 404)
    every = client.get("/api/v1/areas", params={"format": "geojson"})  # every level (was a 400, issue 16)
    levels = {f["properties"]["level"] for f in every.json()["features"]}
    assert every.status_code == 200 and levels >= {"buurt", "wijk"}


def test_unknown_path_and_indicator_use_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404)
    err = assert_error(client.get("/api/v1/observations", params={"indicator": "no.such"}), 404)
    assert "no.such" in err["received"]
    assert_error(
        client.get("/api/v1/observations", params={"indicator": "registered.drug_trade", "period": "20x4"}), 422
    )  # the document's pattern for periods
    assert_error(client.get("/api/v1/results/zwijgwijken", params={"run_id": "ffffffffffff"}), 404)


def test_indicators(client):
    inds = client.get("/api/v1/indicators", params={"division": "2022"}).json()["indicators"]
    by = {i["indicator"]: i for i in inds}
    assert by["registered.drug_trade"]["flow"] is True and by["registered.drug_trade"]["synthetic"] is True
    assert by["ses.vulnerable_pct"]["flow"] is False
    assert by["registered.drug_trade"]["levels"] == ["buurt"]


def _published(rows):
    return [r for r in rows if r["status"] == "published"]


def test_observations_never_publish_small_counts(client):
    """Counts about persons (residents' reports): no count of 1-4 at any level or period kind, and the
    counts from open submissions rounded to 5; registered offences pass through as the source publishes."""
    for level in ("buurt", "wijk", "gebied", "stadsdeel", "stad"):
        for period in ("2024", "2024-H1", "2024-Q3", "2024-07"):
            body = client.get(
                "/api/v1/observations",
                params={"indicator": "reports.drug_nuisance", "level": level, "period": period},
            ).json()
            assert body["synthetic"] is True
            for r in body["observations"]:
                assert r["status"] in ("rounded", "withheld", "missing")
                if r["status"] == "withheld":
                    assert r["value"] is None
                else:
                    assert r["value"] is None or r["value"] == 0 or (r["value"] >= 5 and r["value"] % 5 == 0)
            police = client.get(
                "/api/v1/observations",
                params={"indicator": "registered.drug_trade", "level": level, "period": period},
            ).json()["observations"]
            assert {r["status"] for r in police} == {"published"}


def test_no_withheld_cell_is_recoverable_from_its_parent(client):
    """The attacker's first move over the API: parent minus its published children."""
    areas = pd.DataFrame(client.get("/api/v1/areas").json()["areas"]).set_index("code")
    cells = {}
    for level in ("stad", "stadsdeel", "gebied", "wijk", "buurt"):
        for kind in ("year", "quarter"):
            rows = client.get(
                "/api/v1/observations", params={"indicator": "reports.drug_nuisance", "level": level, "kind": kind}
            ).json()["observations"]
            for r in rows:
                cells[(r["area_code"], r["period"])] = r
    withheld = sum(1 for c in cells.values() if c["status"] == "withheld")
    assert withheld > 0
    periods = {p for _, p in cells}
    for parent, group in areas.groupby("parent"):
        for period in periods:
            if (parent, period) not in cells or cells[(parent, period)]["status"] != "published":
                continue
            kids = [cells.get((c, period)) for c in group.index]
            if any(k is None for k in kids):
                continue
            unknown = [k for k in kids if k["status"] == "withheld"]
            assert len(unknown) != 1, (parent, period, unknown)


def test_observations_downloads(client):
    params = {"indicator": "ses.vulnerable_pct", "level": "wijk", "period": "2023"}
    csv = client.get("/api/v1/observations", params={**params, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["x-weerbaar-synthetic"] == "true"
    frame = pd.read_csv(io.StringIO(csv.text))
    assert len(frame) == 110 and {"area_code", "period", "value", "status"} <= set(frame.columns)
    pq = client.get("/api/v1/observations", params={**params, "format": "parquet"})
    back = pd.read_parquet(io.BytesIO(pq.content))
    assert len(back) == 110
    geo = client.get("/api/v1/observations", params={**params, "format": "geojson"}).json()
    assert len(geo["features"]) == 110 and geo["properties"]["synthetic"] is True


def test_rate_is_withheld_with_its_count(client):
    body = client.get(
        "/api/v1/observations",
        params={"indicator": "reports.drug_nuisance", "level": "buurt", "period": "2024-Q1", "measure": "rate"},
    ).json()
    rows = body["observations"]
    assert body["unit"] == "per 1,000 inhabitants"
    assert any(r["status"] == "withheld" for r in rows)
    for r in rows:
        if r["status"] == "withheld":
            assert r["value"] is None and r["count"] is None
        elif r["value"] is not None and r["population"]:
            assert r["value"] == pytest.approx(r["count"] / r["population"] * 1000)


def test_map_layer_payload_and_links(client):
    resp = client.get("/api/v1/map", params={"layer": "registered.drug_trade", "level": "buurt"})
    assert resp.status_code == 200
    assert len(resp.content) < 300_000, len(resp.content)
    fc = resp.json()
    assert len(fc["features"]) == 518
    props = fc["features"][0]["properties"]
    assert props["href"].startswith("/area/") and {"code", "name", "value", "label", "status"} <= set(props)
    assert fc["properties"]["synthetic"] is True and fc["properties"]["period"] == "2024"
    cat = client.get("/api/v1/map", params={"layer": "result:hotspots.gi:registered.drug_trade"}).json()
    assert {f["properties"]["category"] for f in cat["features"]} >= {"not significant"}
    assert_error(client.get("/api/v1/map", params={"layer": "result:nope"}), 404)


def test_profile(client):
    body = client.get("/api/v1/profile/AA01", params={"lang": "en"}).json()
    assert body["level"] == "buurt" and body["synthetic"] is True and body["parent"]["level"] == "wijk"
    inds = {i["indicator"]: i for i in body["indicators"]}
    assert "registered.drug_trade" in inds and inds["ses.vulnerable_pct"]["stadsdeel"]["value"] is not None
    assert "vulnerability" in body["results"] and "zwijgwijken" in body["results"]
    assert body["results"]["zwijgwijken"]["reason"]


def test_results(client):
    runs = client.get("/api/v1/results").json()["results"]
    kinds = {r["kind"] for r in runs}
    assert {"vulnerability", "zwijgwijken", "hotspots.gi", "emerging"} <= kinds
    inv = client.get("/api/v1/results/inventory").json()
    assert inv["synthetic"] is True and len(inv["rows"]) == 518
    assert {"rank", "rank_low", "rank_high", "composite"} <= set(inv["rows"][0])
    hs = client.get("/api/v1/results/hotspots", params={"indicator": "reports.drug_nuisance"}).json()
    assert not {"z", "statistic", "value", "expected"} & set(hs["rows"][0])
    csv = client.get("/api/v1/results/emerging", params={"format": "csv"})
    assert "category" in csv.text.splitlines()[0]


def test_zwijgwijk_counts_follow_the_yearly_disclosure(client):
    zw = client.get("/api/v1/results/zwijgwijken").json()
    rows = {r["area_code"]: r for r in zw["rows"]}
    years = client.get(
        "/api/v1/observations", params={"indicator": "reports.drug_nuisance", "level": "buurt", "kind": "year"}
    ).json()["observations"]
    withheld = {r["area_code"] for r in years if r["status"] == "withheld"}
    assert withheld
    for code in withheld:
        assert rows[code]["observed"] is None and rows[code]["ratio"] is None
    # model output: the reports are published rounded, so a ratio observed/expected would give the exact
    # count back; the flags stay public
    assert all(r["observed"] is None for r in rows.values())
    assert all("flag" in r for r in rows.values())


def test_sources(client):
    src = {s["name"]: s for s in client.get("/api/v1/sources").json()["sources"]}
    assert src["synthetic-default"]["synthetic"] is True
    assert src["cbs-kwb-2021"]["licence"] == "CC BY 4.0"


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    for p in ("/api/v1/areas", "/api/v1/observations", "/api/v1/map", "/api/v1/results/{kind}", "/api/v1/sources"):
        assert p in paths
    json.dumps(spec)


def test_round_mode_publishes_multiples_of_five(served_home, tmp_path):
    from fastapi.testclient import TestClient

    from weerbaar.disclosure import DisclosureConfig
    from weerbaar.ledger import ReleaseLedger
    from weerbaar.public import PublicData
    from weerbaar.web.app import create_app

    # its own release ledger: the session's suppress-mode releases of the same home must not see this one
    data = PublicData(served_home, disclosure=DisclosureConfig(mode="round"))
    data.ledger = ReleaseLedger(tmp_path / "round-ledger.sqlite")
    app = create_app(served_home, data=data)
    with TestClient(app) as c:
        assert c.get("/api/v1/meta").json()["disclosure"]["mode"] == "round"
        rows = c.get(
            "/api/v1/observations", params={"indicator": "reports.drug_nuisance", "level": "buurt", "period": "2024"}
        ).json()["observations"]
        assert {r["status"] for r in rows} <= {"rounded", "withheld"}
        odd = [r for r in rows if r["value"] is not None and r["value"] % 5 != 0]
        assert odd == [], odd[:5]
        rate = c.get(
            "/api/v1/observations",
            params={"indicator": "reports.drug_nuisance", "level": "wijk", "period": "2024", "measure": "rate"},
        ).json()["observations"]
        for r in rate:
            if r["status"] == "withheld":  # withheld by an earlier release: stays withheld when rounding
                assert r["count"] is None and r["value"] is None
            elif r["population"]:
                assert r["count"] % 5 == 0 and r["value"] == pytest.approx(r["count"] / r["population"] * 1000)
        # exact multi-year sums and ratios would give the exact counts away: not published when rounding
        zw = c.get("/api/v1/results/zwijgwijken").json()["rows"]
        assert all(r["observed"] is None and r["ratio"] is None for r in zw)
        inv = c.get("/api/v1/results/inventory").json()["rows"]
        # registered offences pass through as the source publishes them (decision 0013)
        assert any(r["value.registered.drug_trade"] is not None for r in inv)


def test_caches_follow_the_warehouse(served_home, tmp_path):
    """A new stored result (the warehouse file changes) reaches pages and the API without a restart."""
    import shutil
    import time

    from fastapi.testclient import TestClient

    from weerbaar.compute import compute_hotspots
    from weerbaar.web.app import create_app

    home = tmp_path / "copy"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    app = create_app(home)
    url = "/api/v1/map?layer=result:hotspots.gi:registered.drug_trade"
    with TestClient(app) as c:
        before = c.get(url).json()["properties"]["run_id"]
        assert c.get(url).json()["properties"]["run_id"] == before  # served from the response cache
        page = c.get("/?layer=result:hotspots.gi:registered.drug_trade").text
        assert before in page
        outcome = compute_hotspots(indicator="registered.drug_trade", period="2023", permutations=99, home=home)
        time.sleep(1.1)  # the warehouse file is looked at at most once a second
        after = c.get(url).json()["properties"]
        assert after["run_id"] == outcome.run_id and after["period"] == "2023"
        assert outcome.run_id in c.get("/?layer=result:hotspots.gi:registered.drug_trade").text


def test_percentages_of_withheld_counts_are_withheld(client):
    """count = percentage x population: a percentage of a withheld count must not be public."""
    params = {"division": "2015", "level": "wijk", "kind": "year"}
    counts = client.get("/api/v1/observations", params={**params, "indicator": "ois.suspects.age_12_17"}).json()
    pct = client.get("/api/v1/observations", params={**params, "indicator": "ois.suspects_pct.age_12_17"}).json()
    pct_by = {(r["area_code"], r["period"]): r for r in pct["observations"]}
    withheld = [(r["area_code"], r["period"]) for r in counts["observations"] if r["status"] == "withheld"]
    assert withheld
    for key in withheld:
        if key in pct_by:
            assert pct_by[key]["value"] is None and pct_by[key]["status"] == "withheld"
    prof = client.get("/api/v1/profile/A00", params={"division": "2015"}).json()
    inds = {i["indicator"]: i for i in prof["indicators"]}
    for ind in ("ois.suspects.age_12_17", "ois.suspects_pct.age_12_17"):
        series = {s["period"]: s for s in inds[ind]["series"]}
        for code, period in withheld:
            if code == "A00" and period in series:
                assert series[period]["value"] is None


def test_sums_of_published_groups_are_not_public(client):
    err = assert_error(
        client.get("/api/v1/observations", params={"indicator": "ois.suspects.age_12_24", "division": "2015"}), 404
    )
    assert "not public" in err["problem"]
    inds = client.get("/api/v1/indicators", params={"division": "2015"}).json()["indicators"]
    assert not [i for i in inds if i["indicator"].endswith("age_12_24")]


def test_default_period_does_not_depend_on_what_was_asked_before(web_app):
    from fastapi.testclient import TestClient

    url = "/api/v1/map?layer=ois.suspects.age_12_17&division=2015&level=wijk"
    with TestClient(web_app) as c:
        c.get("/api/v1/profile/A00", params={"division": "2015"})  # prefetches every count of the division
        assert c.get(url).json()["properties"]["period"] == "2019"


def test_zwijgwijk_flags_distinguish_not_tested(client):
    cats = {
        f["properties"]["category"]
        for f in client.get("/api/v1/map", params={"layer": "result:zwijgwijken", "level": "buurt"}).json()["features"]
    }
    assert {"zwijgwijk", "none", "not tested"} <= cats
    rows = client.get("/api/v1/results/zwijgwijken").json()["rows"]
    assert all(isinstance(r["tested"], bool) for r in rows)


def test_rates_say_which_population_year(client):
    body = client.get(
        "/api/v1/map",
        params={
            "layer": "ois.offences_with_suspect.age_25plus",
            "division": "2015",
            "level": "wijk",
            "period": "2017",
            "measure": "rate",
        },
    ).json()
    assert "population:2021" in body["properties"]["notes"]  # CBS population of 2021 is the nearest year


def test_a_locked_warehouse_gives_503_without_paths(served_home, tmp_path):
    import shutil
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from weerbaar.web.app import create_app

    home = tmp_path / "locked"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(home / 'warehouse.duckdb')!r}); "
            "print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with TestClient(create_app(home)) as c:
            resp = c.get("/api/v1/meta")
            err = assert_error(resp, 503)
            assert resp.headers["retry-after"] == "30"
            assert str(home) not in resp.text
            assert "try again" in err["fix"]
    finally:
        holder.kill()
        holder.wait()


def test_no_published_percentage_rests_on_a_base_below_its_minimum(client):
    """Share-with-base (issue 15): survey and resident percentages are withheld below their minimum base
    (50 respondents or inhabitants), and the base is shown next to the figure."""
    cat = client.get("/api/v1/indicators").json()
    rows = cat["indicators"] if isinstance(cat, dict) else cat
    shares = {r["indicator"] for r in rows if str(r.get("unit", "")).startswith("percent")}
    assert {"ses.vulnerable_pct", "survey.drug_nuisance_pct"} <= shares
    checked = 0
    for ind in ("ses.vulnerable_pct", "survey.drug_nuisance_pct"):
        for level in ("buurt", "wijk"):
            body = client.get("/api/v1/observations", params={"indicator": ind, "level": level, "kind": "year"}).json()
            assert body["policy"]["kind"] == "share-with-base" and body["policy"]["min_base"] == 50
            for r in body["observations"]:
                if r["value"] is not None:
                    assert r["base"] is not None and r["base"] >= 50, r
                    checked += 1
    assert checked > 1000
