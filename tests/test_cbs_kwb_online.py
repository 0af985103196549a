"""CBS Kerncijfers wijken en buurten online (one StatLine table per year), without network.

A fake CBS service answers through ``httpx.MockTransport`` in the real OData v3 JSON shape; keys are
space-padded and topic keys carry the position suffixes CBS gives them (``AantalInwoners_5``).
"""

from __future__ import annotations

import shutil

import httpx
import numpy as np
import pandas as pd
import pytest

from weerbaar import pipeline
from weerbaar.errors import ConfigError, SourceError, SourceOfflineError
from weerbaar.sources.cbs_kwb import KWB_COLUMNS, kwb_frame
from weerbaar.sources.cbs_kwb_online import KWB_TABLES, fetch_kwb, kwb_table, latest_years, stable_name

BASE = "https://opendata.cbs.nl/ODataApi/odata"
TOPICS = {  # stable name -> key as in the 2021 table
    "AantalInwoners": "AantalInwoners_5",
    "Mannen": "Mannen_6",
    "Vrouwen": "Vrouwen_7",
    "k_0Tot15Jaar": "k_0Tot15Jaar_8",
    "k_15Tot25Jaar": "k_15Tot25Jaar_9",
    "k_25Tot45Jaar": "k_25Tot45Jaar_10",
    "k_45Tot65Jaar": "k_45Tot65Jaar_11",
    "k_65JaarOfOuder": "k_65JaarOfOuder_12",
    "Ongehuwd": "Ongehuwd_13",
    "Gehuwd": "Gehuwd_14",
    "Gescheiden": "Gescheiden_15",
    "Verweduwd": "Verweduwd_16",
    "GeboorteRelatief": "GeboorteRelatief_25",
    "HuishoudensTotaal": "HuishoudensTotaal_28",
    "GemiddeldeHuishoudensgrootte": "GemiddeldeHuishoudensgrootte_32",
    "Bevolkingsdichtheid": "Bevolkingsdichtheid_33",
    "Woningvoorraad": "Woningvoorraad_34",
    "GemiddeldeWoningwaarde": "GemiddeldeWoningwaarde_35",
    "PersonenautoSPerHuishouden": "PersonenautoSPerHuishouden_91",
    "Motortweewielers": "Motortweewielers_93",
}
# region -> (SoortRegio, inhabitants, WOZ); BU03630001 is small with a secret WOZ (null)
REGIONS_2021 = {
    "GM0363": ("Gemeente", 872_000, 400),
    "WK036300": ("Wijk", 4_000, 390),
    "BU03630000": ("Buurt", 3_000, 380),
    "BU03630001": ("Buurt", 40, None),
    "GM0758": ("Gemeente", 183_000, 300),
    "BU07580004": ("Buurt", 1_000, 250),
}
REGIONS_2022 = {
    "GM0363": ("Gemeente", 882_000, 420),
    "WK0363AC": ("Wijk", 9_000, 410),
    "BU0363AC02": ("Buurt", 4_000, 400),
    "BU0363AC03": ("Buurt", 30, None),
}


def kwb_rows(regions: dict) -> list[dict]:
    rows = []
    for i, (region, (kind, pop, woz)) in enumerate(regions.items()):
        young = round(pop * 0.2)
        row = {
            "ID": i,
            "WijkenEnBuurten": region.ljust(10),
            "Gemeentenaam_1": "Amsterdam".ljust(40),
            "SoortRegio_2": kind.ljust(10),
            "Codering_3": region.ljust(10),
            TOPICS["AantalInwoners"]: pop,
            TOPICS["Mannen"]: pop // 2,
            TOPICS["Vrouwen"]: pop - pop // 2,
            TOPICS["k_0Tot15Jaar"]: young,
            TOPICS["k_15Tot25Jaar"]: round(pop * 0.1),
            TOPICS["k_25Tot45Jaar"]: round(pop * 0.4),
            TOPICS["k_45Tot65Jaar"]: round(pop * 0.2),
            TOPICS["k_65JaarOfOuder"]: pop - young - round(pop * 0.1) - 2 * round(pop * 0.2) - round(pop * 0.4) + young,
            TOPICS["Ongehuwd"]: round(pop * 0.6),
            TOPICS["Gehuwd"]: round(pop * 0.25),
            TOPICS["Gescheiden"]: 0 if pop < 50 else round(pop * 0.1),
            TOPICS["Verweduwd"]: None if pop < 50 else round(pop * 0.05),  # secret in the small buurt
            TOPICS["GeboorteRelatief"]: 9.0,
            TOPICS["HuishoudensTotaal"]: pop // 2,
            TOPICS["GemiddeldeHuishoudensgrootte"]: 1.8,
            TOPICS["Bevolkingsdichtheid"]: 5000 + i,
            TOPICS["Woningvoorraad"]: pop // 2,
            TOPICS["GemiddeldeWoningwaarde"]: woz,
            TOPICS["PersonenautoSPerHuishouden"]: 0.5,
            TOPICS["Motortweewielers"]: 10 + i,
        }
        rows.append(row)
    return rows


class FakeKwb:
    """Answers ODataApi requests for one KWB table; ``$filter`` startswith and ``$select`` honoured."""

    def __init__(self, table: str, rows: list[dict], *, modified="2023-01-10T02:00:00", next_links=False):
        self.table, self.rows, self.modified, self.next_links = table, rows, modified, next_links
        self.properties = [
            {"ID": 0, "Position": 0, "Type": "GeoDimension", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
            {"ID": 1, "Position": 1, "Type": "GeoDetail", "Key": "Gemeentenaam_1", "Title": "Gemeentenaam"},
            {"ID": 2, "Position": 2, "Type": "GeoDetail", "Key": "SoortRegio_2", "Title": "Soort regio"},
            {"ID": 3, "Position": 3, "Type": "GeoDetail", "Key": "Codering_3", "Title": "Codering"},
            *[
                {"ID": 4 + i, "Position": 4 + i, "Type": "Topic", "Key": key, "Title": name}
                for i, (name, key) in enumerate(TOPICS.items())
            ],
        ]
        self.requests: list[httpx.Request] = []
        self.fail = None

    def typed_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/TypedDataSet")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        import re

        self.requests.append(request)
        if self.fail is not None:
            outcome = self.fail(request)
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                return outcome
        table, entity = request.url.path.rsplit("/", 2)[-2:]
        if table != self.table:
            return httpx.Response(404, text=f"no table {table}")
        if entity == "TableInfos":
            value = [{"ID": 1, "Identifier": self.table, "Title": "Kerncijfers", "Modified": self.modified}]
        elif entity == "DataProperties":
            value = self.properties
        elif entity == "TypedDataSet":
            prefixes = re.findall(r"startswith\(WijkenEnBuurten,'(\w+)'\)", request.url.params.get("$filter", ""))
            select = request.url.params.get("$select", "").split(",")
            value = [
                {k: v for k, v in r.items() if k in select}
                for r in self.rows
                if any(r["WijkenEnBuurten"].startswith(p) for p in prefixes)
            ]
        else:
            return httpx.Response(404, text=f"no entity {entity}")
        params = request.url.params
        skip = int(params.get("$skiptoken", params.get("$skip", 0)))
        top = int(params.get("$top", 10_000))
        body = {"odata.metadata": f"{BASE}/{self.table}/$metadata#{entity}", "value": value[skip : skip + top]}
        if self.next_links and skip + top < len(value):
            body["odata.nextLink"] = str(
                request.url.copy_remove_param("$skip").copy_merge_params({"$skiptoken": skip + top})
            )
        return httpx.Response(200, json=body)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def get(server: FakeKwb, tmp_path, year=2021, **kw):
    kw.setdefault("page_size", 2)
    return fetch_kwb(year, "GM0363", client=server.client(), cache=tmp_path / "kwb.json", sleep=lambda s: None, **kw)


@pytest.fixture()
def kwb2021():
    return FakeKwb("85039NED", kwb_rows(REGIONS_2021))


# -- registry and names ------------------------------------------------------------------------
def test_registry_and_unknown_year():
    assert KWB_TABLES[2021] == "85039NED" and KWB_TABLES[2024] == "85984NED"
    assert latest_years() == sorted(KWB_TABLES)[-3:]
    assert stable_name("AantalInwoners_5") == "AantalInwoners"
    assert stable_name("k_0Tot15Jaar_8") == "k_0Tot15Jaar"
    with pytest.raises(ConfigError, match="Kerncijfers") as info:
        kwb_table(1999)
    assert "2021" in info.value.expected


# -- mapping -----------------------------------------------------------------------------------
def test_same_values_map_as_the_file_adapter_does(kwb2021, tmp_path):
    data = get(kwb2021, tmp_path)
    obs = data.observations
    buurten = obs[obs["area_code"].isin(["A00a", "A00b"])]
    # the same figures in the 2021 file's shape, through the file adapter's function
    file = pd.DataFrame(
        {
            "aantal_inwoners": [3000, 40],
            "bevolkingsdichtheid_inwoners_per_km2": [5002, 5003],
            "mannen": [1500, 20],
            "vrouwen": [1500, 20],
            "percentage_personen_0_tot_15_jaar": [20, 20],
            "percentage_personen_15_tot_25_jaar": [10, 10],
            "percentage_personen_25_tot_45_jaar": [40, 40],
            "percentage_personen_45_tot_65_jaar": [20, 20],
            "percentage_personen_65_jaar_en_ouder": [10, 10],
            "percentage_ongehuwd": [60, 60],
            "percentage_gehuwd": [25, 25],
            "percentage_gescheid": [10, 0],
            "percentage_verweduwd": [5, -99999999],
            "geboortes_per_1000_inwoners": [9.0, 9.0],
            "aantal_huishoudens": [1500, 20],
            "gemiddelde_huishoudsgrootte": [1.8, 1.8],
            "woningvoorraad": [1500, 20],
            "gemiddelde_woningwaarde": [380, -99999999],
            "personenautos_per_huishouden": [0.5, 0.5],
            "motortweewielers_totaal": [12, 13],
        }
    )
    expected = kwb_frame(file, ["A00a", "A00b"], division="2015", period="2021")
    key = ["area_code", "indicator"]
    got = buurten.set_index(key).sort_index()
    want = expected.set_index(key).sort_index()
    assert list(got.index) == list(want.index)
    np.testing.assert_array_equal(got["value"].to_numpy(), want["value"].to_numpy())
    assert (got["status"] == want["status"]).all()
    assert (got["division"] == "2015").all() and (got["unit"] == want["unit"]).all()
    # the only file column without an online topic
    assert set(KWB_COLUMNS) - set(file.columns) == {"bouwjaarklasse_tot_2000"}
    assert any("dwellings_before_2000" in n for n in data.notes)


def test_padding_levels_secrecy_and_other_municipalities(kwb2021, tmp_path):
    obs = get(kwb2021, tmp_path).observations.set_index(["area_code", "indicator"])
    assert obs.loc[("STAD", "population"), "value"] == 872_000  # padded "GM0363    " -> the stad area
    assert obs.loc[("A00", "population"), "value"] == 4_000  # WK036300 -> the 2015 wijk
    assert obs.loc[("A00a", "population"), "value"] == 3_000
    secret = obs.loc[("A00b", "cbs.woz_mean")]
    assert secret["status"] == "suppressed" and np.isnan(secret["value"])  # null is secrecy, never 0
    assert obs.loc[("A00b", "cbs.divorced_pct"), "status"] == "suppressed"  # 0 % in a buurt of < 50
    assert obs.loc[("A00a", "cbs.divorced_pct"), "value"] == 10
    assert obs.loc[("A00b", "cbs.women"), "value"] == 20
    assert not obs.reset_index()["area_code"].str.contains("0758").any()
    assert (obs["period"] == "2021").all()


def test_2022_uses_the_2022_division(tmp_path):
    server = FakeKwb("85318NED", kwb_rows(REGIONS_2022))
    obs = get(server, tmp_path, year=2022).observations
    assert set(obs["division"]) == {"2022"}
    assert {"STAD", "AC", "AC02", "AC03"} <= set(obs["area_code"])


def test_paging_and_next_links_give_the_same_result(tmp_path):
    plain = FakeKwb("85039NED", kwb_rows(REGIONS_2021))
    linked = FakeKwb("85039NED", kwb_rows(REGIONS_2021), next_links=True)
    a = get(plain, tmp_path / "a")
    b = get(linked, tmp_path / "b")
    assert len(plain.typed_requests()) == 3  # GM, WK and 2 BU rows: pages of 2, 2 and 0
    assert any("$skiptoken" in r.url.params for r in linked.typed_requests())
    pd.testing.assert_frame_equal(a.observations, b.observations)


def test_unchanged_table_is_not_fetched_again(kwb2021, tmp_path):
    first = get(kwb2021, tmp_path)
    n = len(kwb2021.typed_requests())
    again = get(kwb2021, tmp_path)
    assert len(kwb2021.typed_requests()) == n
    pd.testing.assert_frame_equal(first.observations, again.observations)
    kwb2021.modified = "2024-03-01T02:00:00"
    get(kwb2021, tmp_path)
    assert len(kwb2021.typed_requests()) > n


def test_dropped_connection_is_retried(kwb2021, tmp_path):
    dropped = []

    def drop(request):
        if request.url.path.endswith("TypedDataSet") and not dropped:
            dropped.append(request)
            return httpx.ReadError("connection reset by peer", request=request)
        return None

    kwb2021.fail = drop
    sleeps: list[float] = []
    data = fetch_kwb(2021, client=kwb2021.client(), cache=tmp_path / "k.json", sleep=sleeps.append, page_size=2)
    assert dropped and sleeps == [1.0]
    assert (data.observations["area_code"] == "A00a").any()


def test_changed_schema_is_a_clear_error(kwb2021, tmp_path):
    kwb2021.properties = [p for p in kwb2021.properties if not p["Key"].startswith("AantalInwoners")]
    with pytest.raises(SourceError, match="changed its layout") as info:
        get(kwb2021, tmp_path)
    assert "AantalInwoners" in info.value.expected
    assert not (tmp_path / "kwb.json").exists()


def test_rows_without_the_announced_topic_are_an_error(kwb2021, tmp_path):
    for row in kwb2021.rows:
        del row[TOPICS["Woningvoorraad"]]
    with pytest.raises(SourceError, match="without the expected columns"):
        get(kwb2021, tmp_path)


# -- into the warehouse and through the CLI ----------------------------------------------------
@pytest.fixture()
def kwb_home(served_home, tmp_path, monkeypatch):
    home = tmp_path / "kwbhome"
    home.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("WEERBAAR_HOME", str(home))
    return home


_INGEST = pipeline.ingest_cbs_kwb


def _serve(monkeypatch, servers: dict[str, FakeKwb]) -> None:
    """The CLI's calls reach the recorded tables instead of the internet (and never wait)."""
    original = _INGEST

    def route(request: httpx.Request) -> httpx.Response:
        table = request.url.path.rsplit("/", 2)[-2]
        if table not in servers:
            return httpx.Response(404, text=f"no table {table}")
        return servers[table](request)

    def through_fake(**kw):
        return original(client=httpx.Client(transport=httpx.MockTransport(route)), sleep=lambda s: None, **kw)

    monkeypatch.setattr(pipeline, "ingest_cbs_kwb", through_fake)


def test_online_2021_replaces_the_file_source_and_does_not_double(kwb_home, kwb2021):
    with pipeline.open_warehouse(kwb_home) as wh:
        before = wh.query("SELECT count(*) AS n FROM observations WHERE source = 'cbs-kwb-2021'")["n"][0]
    assert before > 0
    r = pipeline.ingest_cbs_kwb(years=[2021], home=kwb_home, client=kwb2021.client(), sleep=lambda s: None)
    assert "cbs-kwb-2021" in r["sources"]
    with pipeline.open_warehouse(kwb_home) as wh:
        dup = wh.query(
            "SELECT division, area_code, period, indicator, count(*) AS n FROM observations "
            "WHERE indicator = 'population' AND status <> 'synthetic' GROUP BY ALL HAVING count(*) > 1"
        )
        a00a = wh.query(
            "SELECT value FROM observations WHERE source = 'cbs-kwb-2021' AND area_code = 'A00a' "
            "AND indicator = 'population'"
        )
        src = wh.query("SELECT title, files FROM sources WHERE name = 'cbs-kwb-2021'")
    assert dup.empty, dup
    assert list(a00a["value"]) == [3000]
    assert "85039NED" in src["files"][0]


def test_offline_leaves_the_warehouse_untouched(kwb_home):
    offline = FakeKwb("85039NED", [])
    offline.fail = lambda request: httpx.ConnectError("network is unreachable", request=request)
    with pipeline.open_warehouse(kwb_home) as wh:
        before = wh.snapshot_hash()
    with pytest.raises(SourceOfflineError, match="No connection to CBS StatLine") as info:
        pipeline.ingest_cbs_kwb(years=[2021], home=kwb_home, client=offline.client(), sleep=lambda s: None)
    assert "warehouse is unchanged" in str(info.value)
    with pipeline.open_warehouse(kwb_home) as wh:
        assert wh.snapshot_hash() == before


def test_cli(kwb_home, monkeypatch):
    from typer.testing import CliRunner

    from weerbaar.cli import app as cli_app

    runner = CliRunner()
    r = runner.invoke(cli_app, ["ingest", "cbs-kwb"])
    assert r.exit_code == 2 and "--online" in r.output
    r = runner.invoke(cli_app, ["ingest", "cbs-kwb", "--online", "--year", "1999"])
    assert r.exit_code == 2 and "2024" in r.output and "Traceback" not in r.output
    with pipeline.open_warehouse(kwb_home) as wh:
        before = wh.snapshot_hash()
    offline = FakeKwb("85318NED", [])
    offline.fail = lambda request: httpx.ConnectError("network is unreachable", request=request)
    _serve(monkeypatch, {"85318NED": offline})
    r = runner.invoke(cli_app, ["ingest", "cbs-kwb", "--online", "--year", "2022"])
    assert r.exit_code == 2 and "No connection to CBS StatLine" in r.output, r.output
    with pipeline.open_warehouse(kwb_home) as wh:
        assert wh.snapshot_hash() == before
    _serve(
        monkeypatch,
        {
            "85318NED": FakeKwb("85318NED", kwb_rows(REGIONS_2022)),
            "85039NED": FakeKwb("85039NED", kwb_rows(REGIONS_2021)),
        },
    )
    r = runner.invoke(cli_app, ["ingest", "cbs-kwb", "--online", "--year", "2022", "--year", "2021"])
    assert r.exit_code == 0, r.output
    assert "cbs-kwb-2021:" in r.output and "cbs-kwb-2022:" in r.output
    r = runner.invoke(cli_app, ["refresh", "--list"])
    assert r.exit_code == 0 and "cbs-kwb" in r.output
