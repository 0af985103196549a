"""The CBS StatLine connector for police-registered crime (47018NED, 47022NED), without network.

A fake CBS service answers through ``httpx.MockTransport`` in the real formats: OData v3 JSON
(``{"odata.metadata", "value", "odata.nextLink"}``) and the recorded Atom sample of 47022NED. Keys
are space-padded as CBS pads them.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from weerbaar import pipeline
from weerbaar.areas.cbs_codes import cbs_code_lookup, division_for_year
from weerbaar.contract import _INDICATOR_PATTERN
from weerbaar.errors import SourceError, SourceOfflineError
from weerbaar.sources.cbs_odata import ODataClient, parse_atom
from weerbaar.sources.cbs_police import (
    SOORT_MISDRIJF,
    cbs_period,
    fetch,
    indicator_catalogue,
    indicator_for,
    packaged_amsterdam_areas,
    period_status,
    rows_to_frame,
    source_name,
    to_observations,
)

FORMAT = "cbs-police-format"
M1, M2 = "2024-01-15T02:00:00", "2024-02-15T02:00:00"


def pad(key: str, width: int) -> str:
    return key.ljust(width)


# -- a fake CBS service ------------------------------------------------------------------------
class FakeCbs:
    """Answers ODataApi requests for one table from a list of TypedDataSet rows."""

    def __init__(self, rows, periods, *, modified=M1, table="47022NED", next_links=False, topic=None):
        self.rows = rows
        self.periods = dict(periods)  # key -> Status text
        self.modified = modified
        self.table = table
        self.next_links = next_links
        self.topic = topic or "GeregistreerdeMisdrijven_1"
        self.properties = None
        self.requests: list[httpx.Request] = []
        self.fail = None  # request -> Exception | httpx.Response | None

    def typed_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/TypedDataSet")]

    def periods_requested(self) -> list[str]:
        return [re.search(r"Perioden eq '(\w+)'", r.url.params["$filter"]).group(1) for r in self.typed_requests()]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail is not None:
            outcome = self.fail(request)
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                return outcome
        entity = request.url.path.rsplit("/", 1)[-1]
        base = f"https://dataderden.cbs.nl/ODataApi/odata/{self.table}"
        if entity == "TableInfos":
            value = [
                {"ID": 1, "Identifier": self.table, "Title": "Geregistreerde misdrijven", "Modified": self.modified}
            ]
        elif entity == "DataProperties":
            value = self.properties or [
                {"ID": 0, "Position": 0, "Type": "Dimension", "Key": "SoortMisdrijf", "Title": "Soort misdrijf"},
                {
                    "ID": 1,
                    "Position": 1,
                    "Type": "GeoDimension",
                    "Key": "WijkenEnBuurten",
                    "Title": "Wijken en buurten",
                },
                {"ID": 2, "Position": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
                {
                    "ID": 3,
                    "Position": 3,
                    "Type": "Topic",
                    "Key": self.topic,
                    "Title": "Geregistreerde misdrijven",
                    "Unit": "aantal",
                },
            ]
        elif entity == "Perioden":
            value = [{"Key": k, "Title": k, "Description": "", "Status": s} for k, s in self.periods.items()]
        elif entity == "SoortMisdrijf":
            value = [{"Key": pad(k, 6), "Title": t, "Description": ""} for k, t in SOORT_MISDRIJF.items()]
        elif entity == "TypedDataSet":
            flt = request.url.params.get("$filter", "")
            period = re.search(r"Perioden eq '(\w+)'", flt).group(1)
            prefixes = re.findall(r"startswith\(WijkenEnBuurten,'(\w+)'\)", flt)
            value = [
                r
                for r in self.rows
                if r["Perioden"] == period and any(r["WijkenEnBuurten"].startswith(p) for p in prefixes)
            ]
        else:
            return httpx.Response(404, text=f"no entity {entity}")
        params = request.url.params
        skip = int(params.get("$skiptoken", params.get("$skip", 0)))
        top = int(params.get("$top", 10_000))
        page = value[skip : skip + top]
        body = {"odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.{entity}", "value": page}
        if self.next_links and skip + top < len(value):
            # a server link with its own token, as the bulk feed gives
            body["odata.nextLink"] = str(
                request.url.copy_remove_param("$skip").copy_merge_params({"$skiptoken": skip + top})
            )
        return httpx.Response(200, json=body)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


REGIONS_2015 = {"GM0363": "GM0363", "WK036300": "A00", "BU03630000": "A00a", "BU03630001": "A00b"}
REGIONS_2022 = {"GM0363": "GM0363", "WK0363AC": "AC", "BU0363AC02": "AC02", "BU0363AC03": "AC03"}
CODES = ("0.0.0", "3.1.1", "2.1.1", "1.1.1")


def make_rows(periods, *, bump: dict[str, int] | None = None) -> list[dict]:
    """TypedDataSet rows, padded like CBS; one secret figure (null) per period; an other municipality too."""
    rows, i = [], 0
    for key in periods:
        regions = REGIONS_2015 if key < "2022" else REGIONS_2022
        for region in [*regions, "GM0758", "BU07580004"]:
            for code in CODES:
                i += 1
                value = (i * 7) % 23 + (bump or {}).get(key, 0)
                if region.startswith("BU") and code == "2.1.1" and region.endswith(("01", "03")):
                    value = None  # CBS secrecy
                rows.append(
                    {
                        "ID": i,
                        "SoortMisdrijf": pad(code, 6),
                        "WijkenEnBuurten": pad(region, 10),
                        "Perioden": key,
                        "GeregistreerdeMisdrijven_1": value,
                    }
                )
    return rows


PERIODS = {"2021MM12": "Definitief", "2022MM01": "Definitief", "2022MM02": "Definitief", "2022MM03": "Voorlopig"}


@pytest.fixture()
def cbs():
    return FakeCbs(make_rows(PERIODS), PERIODS)


def run(server: FakeCbs, tmp_path: Path, **kw):
    sleeps: list[float] = []
    kw.setdefault("page_size", 5)
    data = fetch(
        "GM0363", table=server.table, client=server.client(), state_dir=tmp_path / "cache", sleep=sleeps.append, **kw
    )
    return data, sleeps


def indexed(data) -> pd.DataFrame:
    return data.observations.set_index(["area_code", "division", "period", "indicator"]).sort_index()


# -- mappings ----------------------------------------------------------------------------------
def test_code_table_covers_all_59_codes(shared_data):
    with open(shared_data / FORMAT / "soortmisdrijf_codes.tsv", encoding="utf-8") as f:
        table = {r["key"]: r["title"] for r in csv.DictReader(f, delimiter="\t")}
    assert len(table) == 59
    assert table == SOORT_MISDRIJF
    indicators = {code: indicator_for(code + " ") for code in table}  # padded as CBS sends them
    assert len(set(indicators.values())) == 59
    assert all(re.fullmatch(_INDICATOR_PATTERN, ind) for ind in indicators.values())
    assert indicators["3.1.1"] == "registered.drug_trade"
    assert indicators["2.1.1"] == "registered.drug_nuisance"
    assert indicators["0.0.0"] == "registered.total"
    assert indicators["2.6.10"] == "registered.2.6.10"
    cat = indicator_catalogue()
    assert set(cat["indicator"]) == set(indicators.values())
    assert cat.set_index("indicator").loc["registered.drug_trade", "effort_dependent"]


def test_periods_and_statuses():
    assert cbs_period("2017MM12") == "2017-12"
    assert cbs_period("2017JJ00") == "2017"
    assert cbs_period("2017KW03") == "2017-Q3"
    assert cbs_period(" 2017MM01 ") == "2017-01"
    for bad in ("2017MM13", "2017JJ01", "2017XX01", "17MM01"):
        with pytest.raises(SourceError, match="period key"):
            cbs_period(bad)
    assert period_status("Definitief") == "final"
    assert period_status("Voorlopig") == "provisional"
    assert period_status("Nader voorlopig") == "provisional"
    with pytest.raises(SourceError, match="Unknown period status"):
        period_status("Herzien")


def test_cbs_code_lookup_covers_both_divisions():
    lookup = cbs_code_lookup(packaged_amsterdam_areas())
    by = {(r.cbs_code, r.division): r.code for r in lookup.itertuples()}
    assert by[("BU03630000", "2015")] == "A00a"
    assert by[("WK036300", "2015")] == "A00"  # derived from its buurten's codes
    assert by[("BU0363AC02", "2022")] == "AC02"
    assert by[("WK0363AC", "2022")] == "AC"
    assert by[("GM0363", "2015")] == by[("GM0363", "2022")] == "STAD"
    assert division_for_year(2021) == "2015" and division_for_year(2022) == "2022"
    # every 2015 wijk got a code, and no code means two areas of one division
    assert lookup[lookup["division"] == "2015"]["code"].str.fullmatch(r"[A-Z]\d\d").sum() == 99
    assert not lookup.duplicated(["cbs_code", "division"]).any()


def test_atom_sample_parses_into_rows(shared_data):
    page = parse_atom((shared_data / FORMAT / "sample_47022NED_TypedDataSet_atom_2entries.xml").read_bytes())
    assert page.next_url is None
    assert page.rows[0] == {
        "ID": 437512,
        "SoortMisdrijf": "0.0.0 ",
        "WijkenEnBuurten": "GM0758    ",
        "Perioden": "2012MM01",
        "GeregistreerdeMisdrijven_1": 1382,
    }
    assert page.rows[1]["ID"] is None  # the empty ID of the sample
    frame = rows_to_frame(page.rows, topic="GeregistreerdeMisdrijven_1")
    assert frame["code"].tolist() == ["0.0.0", "1.1.1"]
    assert frame["region"].tolist() == ["GM0758", "BU07580004"]
    obs, notes = to_observations(
        frame, statuses={"2012MM01": "final", "2017MM12": "provisional"}, areas=None, municipality="GM0758"
    )
    got = obs.set_index("area_code")
    assert got.loc["GM0758", "period"] == "2012-01" and got.loc["GM0758", "value"] == 1382
    assert got.loc["GM0758", "indicator"] == "registered.total" and got.loc["GM0758", "status"] == "final"
    assert got.loc["BU07580004", "indicator"] == "registered.1.1.1" and got.loc["BU07580004", "period"] == "2017-12"
    assert got.loc["BU07580004", "status"] == "provisional"
    assert set(obs["division"]) == {"cbs"} and any("division 'cbs'" in n for n in notes)


def test_atom_answers_served_by_the_service(shared_data, tmp_path):
    """The bulk feed answers in Atom: the recorded sample, served as the TypedDataSet of Breda (GM0758)."""
    atom = (shared_data / FORMAT / "sample_47022NED_TypedDataSet_atom_2entries.xml").read_text(encoding="utf-8")
    server = FakeCbs([], {"2012MM01": "Definitief", "2017MM12": "Definitief"})
    entries = re.findall(r"<entry>.*?</entry>", atom, flags=re.S)

    def atom_for(request):
        if request.url.path.endswith("/TypedDataSet"):
            period = re.search(r"Perioden eq '(\w+)'", request.url.params["$filter"]).group(1)
            head, _, _ = atom.partition("<entry>")
            body = head + "".join(e for e in entries if period in e) + "</feed>"
            return httpx.Response(200, text=body, headers={"content-type": "application/atom+xml;charset=utf-8"})
        return None

    server.fail = atom_for
    data = fetch("GM0758", client=server.client(), state_dir=tmp_path / "c", sleep=lambda s: None)
    obs = data.observations.set_index(["area_code", "period"])
    assert obs.loc[("GM0758", "2012-01"), "value"] == 1382
    assert obs.loc[("BU07580004", "2017-12"), "value"] == 1
    assert source_name("47022NED", "GM0758") == "cbs-police-month-gm0758"


# -- fetching ----------------------------------------------------------------------------------
def test_fetch_pages_strips_padding_links_areas_and_keeps_secrecy(cbs, tmp_path):
    messages: list[str] = []
    data, sleeps = run(cbs, tmp_path, progress=messages.append)
    obs = indexed(data)
    assert sleeps == []
    # 4 areas x 4 codes = 16 rows per period in pages of 5: 4 requests per period
    assert len(cbs.typed_requests()) == 4 * len(PERIODS)
    assert [r.url.params["$skip"] for r in cbs.typed_requests()[:4]] == ["0", "5", "10", "15"]
    assert set(obs.index.get_level_values("indicator")) == {
        "registered.total",
        "registered.drug_trade",
        "registered.drug_nuisance",
        "registered.1.1.1",
    }
    # numeric codes up to 2021 -> the 2015 division; the city's letter codes from 2022 -> 2022
    assert ("A00a", "2015", "2021-12", "registered.drug_trade") in obs.index
    assert ("A00", "2015", "2021-12", "registered.total") in obs.index
    assert ("AC02", "2022", "2022-01", "registered.drug_trade") in obs.index
    assert ("STAD", "2015", "2021-12", "registered.total") in obs.index
    assert ("STAD", "2022", "2022-01", "registered.total") in obs.index
    assert ("STAD", "2022", "2021-12", "registered.total") not in obs.index
    assert not obs.index.get_level_values("area_code").str.contains("0758").any()  # Breda's rows are not ours
    # secrecy: no value, status suppressed, never 0
    secret = obs.loc[("AC03", "2022", "2022-01", "registered.drug_nuisance")]
    assert np.isnan(secret["value"]) and secret["status"] == "suppressed"
    assert obs.loc[("AC02", "2022", "2022-01", "registered.drug_nuisance"), "status"] == "final"
    assert set(obs.xs("2022-03", level="period")["status"]) == {"provisional", "suppressed"}
    assert (obs["unit"] == "count").all() and (obs["source"] == "cbs-police-month").all()
    assert any("suppressed, not as 0" in n for n in data.notes)
    assert any("page 4" in m for m in messages) and any("4 to fetch" in m for m in messages)
    # raw values arrive as sent: compare one with the served row
    served = next(
        r["GeregistreerdeMisdrijven_1"]
        for r in cbs.rows
        if r["Perioden"] == "2022MM01"
        and r["WijkenEnBuurten"].strip() == "BU0363AC02"
        and r["SoortMisdrijf"] == "3.1.1 "
    )
    assert obs.loc[("AC02", "2022", "2022-01", "registered.drug_trade"), "value"] == served


def test_next_links_give_the_same_result(cbs, tmp_path):
    plain, _ = run(cbs, tmp_path / "a")
    linked_server = FakeCbs(make_rows(PERIODS), PERIODS, next_links=True)
    linked, _ = run(linked_server, tmp_path / "b")
    pd.testing.assert_frame_equal(indexed(plain), indexed(linked))
    followed = [r for r in linked_server.typed_requests() if r.url.params.get("$skiptoken") == "5"]
    assert followed, "the server's next links are followed"


def test_year_table(tmp_path):
    periods = {"2021JJ00": "Definitief", "2022JJ00": "Voorlopig"}
    server = FakeCbs(make_rows(periods), periods, table="47018NED")
    data, _ = run(server, tmp_path, page_size=100)
    obs = indexed(data)
    assert ("A00a", "2015", "2021", "registered.drug_trade") in obs.index
    assert obs.loc[("AC02", "2022", "2022", "registered.drug_trade"), "status"] == "provisional"
    assert set(data.observations["source"]) == {"cbs-police-year"}


def test_revision_refetches_only_the_revised_period(cbs, tmp_path):
    first, _ = run(cbs, tmp_path)
    assert first.observations.query("period == '2022-03' and status != 'suppressed'")["status"].eq("provisional").all()
    # the same release again: nothing is fetched
    again = FakeCbs(cbs.rows, PERIODS)
    same, _ = run(again, tmp_path)
    assert again.typed_requests() == []
    pd.testing.assert_frame_equal(indexed(first), indexed(same))
    # CBS makes March final (with revised figures) and adds April as provisional
    periods = {**PERIODS, "2022MM03": "Definitief", "2022MM04": "Voorlopig"}
    revised = FakeCbs(make_rows(periods, bump={"2022MM03": 100}), periods, modified=M2)
    second, _ = run(revised, tmp_path)
    assert sorted(set(revised.periods_requested())) == ["2022MM03", "2022MM04"]
    obs = indexed(second)
    march = obs.xs("2022-03", level="period")
    assert set(march["status"]) == {"final", "suppressed"}
    assert march.loc[("AC02", "2022", "registered.drug_trade"), "value"] >= 100
    assert ("AC02", "2022", "2022-04", "registered.drug_trade") in obs.index
    # a new release with the same statuses refetches the provisional period only
    third_server = FakeCbs(make_rows(periods), periods, modified="2024-03-15T02:00:00")
    run(third_server, tmp_path)
    assert sorted(set(third_server.periods_requested())) == ["2022MM04"]


def test_since_limits_fetching_and_result(cbs, tmp_path):
    data, _ = run(cbs, tmp_path, since="2022-02")
    assert sorted(set(cbs.periods_requested())) == ["2022MM02", "2022MM03"]
    assert sorted(set(data.observations["period"])) == ["2022-02", "2022-03"]


def test_dropped_connection_resumes_and_equals_an_uninterrupted_run(tmp_path):
    clean_server = FakeCbs(make_rows(PERIODS), PERIODS)
    clean, _ = run(clean_server, tmp_path / "clean")

    server = FakeCbs(make_rows(PERIODS), PERIODS)
    calls = {"n": 0}

    def drop(request):
        if request.url.path.endswith("/TypedDataSet"):
            calls["n"] += 1
            if calls["n"] > 6:  # period 1 complete (4 pages), period 2 has 2 pages; then the line goes down
                return httpx.ReadError("connection reset by peer", request=request)
        return None

    server.fail = drop
    with pytest.raises(SourceOfflineError) as err:
        run(server, tmp_path, retries=2)
    assert "dropped" in str(err.value) and "resumes" in str(err.value)
    state = json.loads((tmp_path / "cache" / "state.json").read_text())
    assert list(state["periods"]) == ["2021MM12"]
    assert state["partial"]["period"] == "2022MM01" and state["partial"]["pages"] == 2
    assert state["partial"]["cursor"] == {"skip": 10, "url": None}
    assert not (tmp_path / "cache" / "periods" / "2022MM01.parquet").exists()  # nothing half-stored

    server.fail = None
    before = len(server.typed_requests())
    resumed, _ = run(server, tmp_path)
    again = server.typed_requests()[before:]
    assert again[0].url.params["$skip"] == "10"  # continues after the last stored page
    assert len(again) == 2 + 4 + 4  # rest of 2022MM01, then 2022MM02 and 2022MM03
    pd.testing.assert_frame_equal(indexed(clean), indexed(resumed))
    state = json.loads((tmp_path / "cache" / "state.json").read_text())
    assert state["partial"] is None and not (tmp_path / "cache" / "partial" / "2022MM01").exists()


def test_retries_with_backoff_on_5xx_and_429(cbs, tmp_path):
    answers = iter(
        [
            httpx.Response(503, text="Service Unavailable"),
            httpx.Response(502, text="Bad Gateway"),
            httpx.Response(429, text="Too Many Requests", headers={"Retry-After": "7"}),
        ]
    )
    cbs.fail = lambda request: next(answers, None)
    data, sleeps = run(cbs, tmp_path, backoff=0.5)
    assert sleeps == [0.5, 1.0, 7.0]  # exponential, and the server's Retry-After when longer
    assert len(data.observations) > 0

    broken = FakeCbs([], PERIODS)
    broken.fail = lambda request: httpx.Response(500, text="Internal Server Error")
    with pytest.raises(SourceError, match="HTTP 500"):
        run(broken, tmp_path / "b", retries=3)
    assert len(broken.requests) == 4


def test_offline_says_so_and_stores_nothing(tmp_path):
    server = FakeCbs([], PERIODS)
    server.fail = lambda request: httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)
    with pytest.raises(SourceOfflineError) as err:
        run(server, tmp_path, retries=2)
    text = str(err.value)
    assert "No connection to CBS StatLine (dataderden.cbs.nl)" in text
    assert "warehouse is unchanged" in text
    assert "check the internet connection" in text and "weerbaar build" in text
    assert "ConnectError" in text and "TableInfos" in text
    assert len(server.requests) == 3
    assert not (tmp_path / "cache").exists()


def test_changed_schema_is_a_clear_error(cbs, tmp_path):
    cbs.properties = [
        {"Type": "Dimension", "Key": "SoortMisdrijf"},
        {"Type": "GeoDimension", "Key": "RegioS"},
        {"Type": "TimeDimension", "Key": "Perioden"},
        {"Type": "Topic", "Key": "GeregistreerdeMisdrijven_1"},
    ]
    with pytest.raises(SourceError, match="changed its layout") as err:
        run(cbs, tmp_path)
    assert "missing: WijkenEnBuurten" in str(err.value) and "RegioS" in str(err.value)

    # the rows themselves lose a column
    rows = make_rows(PERIODS)
    for r in rows:
        r["Misdrijven_1"] = r.pop("GeregistreerdeMisdrijven_1")
    server = FakeCbs(rows, PERIODS)
    with pytest.raises(SourceError, match="without the expected columns") as err:
        run(server, tmp_path / "rows")
    assert "missing: GeregistreerdeMisdrijven_1" in str(err.value)
    assert not list((tmp_path / "rows" / "cache").glob("periods/*.parquet"))


def test_client_pages_a_collection_with_top_and_skip():
    server = FakeCbs(make_rows(PERIODS), PERIODS)
    client = ODataClient("47022NED", client=server.client())
    rows = client.collection("Perioden")
    assert [r["Key"] for r in rows] == list(PERIODS)
    assert server.requests[0].url.params["$format"] == "json"
    assert server.requests[0].url.params["$top"] == "10000"


# -- into the warehouse ------------------------------------------------------------------------
@pytest.mark.integration
def test_loads_into_the_default_warehouse_on_real_areas(served_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with pipeline.open_warehouse(home) as wh:
        snapshot = wh.snapshot_hash()

    offline = FakeCbs([], PERIODS)
    offline.fail = lambda request: httpx.ConnectError("network is unreachable", request=request)
    with pytest.raises(SourceOfflineError):
        pipeline.ingest_cbs_police(
            tables=("47022NED",), home=home, client=offline.client(), sleep=lambda s: None, page_size=5
        )
    with pipeline.open_warehouse(home) as wh:
        assert wh.snapshot_hash() == snapshot  # untouched

    server = FakeCbs(make_rows(PERIODS), PERIODS)
    messages: list[str] = []
    result = pipeline.ingest_cbs_police(
        tables=("47022NED",), home=home, client=server.client(), page_size=5, progress=messages.append
    )
    assert result["sources"]["cbs-police-month"] > 0
    with pipeline.open_warehouse(home) as wh:
        trade = wh.query(
            "SELECT o.area_code, o.division, o.period, o.value, a.level FROM observations o "
            "LEFT JOIN areas a ON a.code = o.area_code AND a.division = o.division "
            "WHERE o.source = 'cbs-police-month' AND o.indicator = 'registered.drug_trade'"
        )
        src = wh.query("SELECT * FROM sources WHERE name = 'cbs-police-month'").iloc[0]
        cat = wh.query("SELECT * FROM indicators WHERE indicator = 'registered.drug_nuisance'")
    assert trade["level"].notna().all()  # every row lands on a real area
    buurten = trade[trade["level"] == "buurt"]
    assert set(zip(buurten["area_code"], buurten["division"], strict=True)) == {
        ("A00a", "2015"),
        ("A00b", "2015"),
        ("AC02", "2022"),
        ("AC03", "2022"),
    }
    assert src["kind"] == "real" and "47022NED" in src["title"] and src["period"] == "2021-12..2022-03"
    assert len(cat) == 1 and cat.iloc[0]["source"] == "cbs-police-month"

    # the 2015-division months continue on the 2022 division through the crosswalk (issue 8, part 5)
    assert result["sources"]["crosswalk:cbs-police-month"] > 0
    with pipeline.open_warehouse(home) as wh:
        moved = wh.query(
            "SELECT period, sum(value) AS v FROM observations WHERE source = 'crosswalk:cbs-police-month' "
            "AND indicator = 'registered.drug_trade' GROUP BY ALL"
        )
        origin = wh.query(
            "SELECT o.period, sum(o.value) AS v FROM observations o JOIN areas a "
            "ON a.code = o.area_code AND a.division = o.division WHERE o.source = 'cbs-police-month' "
            "AND o.indicator = 'registered.drug_trade' AND o.division = '2015' AND a.level = 'buurt' GROUP BY ALL"
        )
        synthetic = wh.query(
            "SELECT count(*) AS n FROM observations WHERE indicator = 'registered.drug_trade' "
            "AND division = '2022' AND status = 'synthetic'"
        )["n"].iloc[0]
    assert set(moved["period"]) == {"2021-12"}  # only the periods without 2022-division data
    assert moved["v"].sum() == pytest.approx(origin.set_index("period").loc["2021-12", "v"])  # counts preserved
    assert synthetic == 0  # decision 0010: the real series replaced the synthetic one


# --- the command line: `weerbaar ingest cbs-police --online` and `weerbaar refresh` -----------------


@pytest.fixture()
def cli_home(served_home, tmp_path, monkeypatch):
    home = tmp_path / "clihome"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("WEERBAAR_HOME", str(home))
    return home


def _serve(monkeypatch, server: FakeCbs) -> None:
    """The CLI's calls reach the recorded service instead of the internet (and never wait)."""
    original = pipeline.ingest_cbs_police

    def through_fake(**kw):
        return original(client=server.client(), sleep=lambda s: None, page_size=5, **kw)

    monkeypatch.setattr(pipeline, "ingest_cbs_police", through_fake)


def test_cli_needs_online_and_says_when_offline(cli_home, monkeypatch):
    from typer.testing import CliRunner

    from weerbaar.cli import app as cli_app

    runner = CliRunner()
    r = runner.invoke(cli_app, ["ingest", "cbs-police"])
    assert r.exit_code == 2 and "--online" in r.output
    with pipeline.open_warehouse(cli_home) as wh:
        before = wh.snapshot_hash()
    offline = FakeCbs([], PERIODS)
    offline.fail = lambda request: httpx.ConnectError("network is unreachable", request=request)
    _serve(monkeypatch, offline)
    for args in (["ingest", "cbs-police", "--online", "--table", "month"], ["refresh", "--source", "cbs-police"]):
        r = runner.invoke(cli_app, args)
        assert r.exit_code == 2, r.output
        assert "No connection to CBS StatLine" in r.output and "warehouse is unchanged" in r.output
        assert "Traceback" not in r.output
    with pipeline.open_warehouse(cli_home) as wh:
        assert wh.snapshot_hash() == before


def test_cli_ingest_and_refresh(cli_home, monkeypatch):
    from typer.testing import CliRunner

    from weerbaar.cli import app as cli_app

    runner = CliRunner()
    _serve(monkeypatch, FakeCbs(make_rows(PERIODS), PERIODS))
    r = runner.invoke(cli_app, ["ingest", "cbs-police", "--online", "--table", "month", "--municipality", "363"])
    assert r.exit_code == 0, r.output
    assert "cbs-police-month:" in r.output and "compute standard" in r.output
    r = runner.invoke(cli_app, ["ingest", "cbs-police", "--online", "--table", "week"])
    assert r.exit_code == 2 and "Unknown CBS police table" in r.output
    r = runner.invoke(cli_app, ["refresh", "--list"])
    assert r.exit_code == 0 and "* cbs-police" in r.output
    r = runner.invoke(cli_app, ["refresh", "--source", "nonsense"])
    assert r.exit_code == 2 and "Unknown online source" in r.output


def test_municipality_and_refresh_settings(monkeypatch):
    from weerbaar import settings
    from weerbaar.errors import ConfigError

    for raw, code in (("363", "GM0363"), ("gm0599", "GM0599"), (" GM0363 ", "GM0363")):
        monkeypatch.setenv("WEERBAAR_MUNICIPALITY", raw)
        assert settings.get("municipality") == code
    monkeypatch.setenv("WEERBAAR_MUNICIPALITY", "Amsterdam")
    with pytest.raises(ConfigError, match="municipality"):
        settings.get("municipality")
    monkeypatch.setenv("WEERBAAR_REFRESH_SOURCES", "cbs-police, cbs-police")
    assert settings.get("refresh_sources") == ("cbs-police",)
    monkeypatch.setenv("WEERBAAR_REFRESH_SOURCES", "cbs-police,twitter")
    with pytest.raises(ConfigError, match="Unknown online source"):
        settings.get("refresh_sources")
