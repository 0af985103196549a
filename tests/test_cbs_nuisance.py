"""The police's registered nuisance (CBS 47024NED) through the CBS client, without network.

A fake CBS service answers from the samples in tests/data/cbs-nuisance-format (the bulk feed's
Atom and a dimension's OData JSON, in the format of the recorded 47022NED sample; see its README).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from weerbaar import pipeline
from weerbaar.errors import SourceError, SourceOfflineError
from weerbaar.sources.base import SourceData, packaged_dir
from weerbaar.sources.cbs_odata import parse_atom
from weerbaar.sources.cbs_police import (
    fetch,
    nuisance_catalogue,
    nuisance_indicators,
    resolve_table,
    rows_to_frame,
    source_name,
)
from weerbaar.warehouse import Warehouse

SAMPLES = Path(__file__).parent / "data" / "cbs-nuisance-format"
ATOM = SAMPLES / "sample_47024NED_TypedDataSet_atom.xml"
OVERLAST = SAMPLES / "sample_47024NED_Overlast.json"
DRUGS, TOTAL = "registered.nuisance.alcohol_drugs", "registered.nuisance.total"


class FakeNuisance:
    """Answers ODataApi requests of 47024NED; TypedDataSet pages are the sample's Atom entries for the
    asked period and categories (the feed's format), everything else OData JSON."""

    def __init__(self, modified: str = "2024-03-15T02:00:00", statuses=None):
        text = ATOM.read_text(encoding="utf-8")
        self.head, rest = text.split("  <entry>", 1)
        self.entries = ["  <entry>" + e for e in rest.rsplit("</feed>", 1)[0].split("  <entry>")]
        self.modified = modified
        self.statuses = statuses or {"2024MM01": "Definitief", "2024MM02": "Voorlopig"}
        self.requests: list[httpx.Request] = []
        self.offline = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("network is unreachable", request=request)
        entity = request.url.path.rsplit("/", 1)[-1]
        if entity == "TypedDataSet":
            flt = request.url.params.get("$filter", "")
            period = re.search(r"Perioden eq '(\w+)'", flt).group(1)
            codes = re.findall(r"Overlast eq '([^']*)'", flt)
            keep = [
                e
                for e in self.entries
                if f"<d:Perioden>{period}</d:Perioden>" in e
                and any(f">{c}</d:Overlast>" in e for c in codes)
                and re.search(r"<d:WijkenEnBuurten[^>]*>(GM0363|WK0363|BU0363)", e)
            ]
            body = self.head + "".join(keep) + "</feed>"
            return httpx.Response(200, text=body, headers={"content-type": "application/atom+xml;charset=utf-8"})
        if entity == "TableInfos":
            value = [{"ID": 1, "Identifier": "47024NED", "Title": "Geregistreerde overlast", "Modified": self.modified}]
        elif entity == "DataProperties":
            value = [
                {"ID": 0, "Type": "Dimension", "Key": "Overlast", "Title": "Overlast"},
                {"ID": 1, "Type": "GeoDimension", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
                {"ID": 2, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
                {"ID": 3, "Type": "Topic", "Key": "GeregistreerdeOverlast_1", "Title": "Geregistreerde overlast"},
            ]
        elif entity == "Perioden":
            value = [{"Key": k, "Title": k, "Description": "", "Status": s} for k, s in self.statuses.items()]
        elif entity == "Overlast":
            value = json.loads(OVERLAST.read_text(encoding="utf-8"))["value"]
        else:
            return httpx.Response(404, text=f"no entity {entity}")
        return httpx.Response(200, json={"odata.metadata": "x", "value": value})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def test_the_sample_parses_and_the_categories_are_found_by_title():
    page = parse_atom(ATOM.read_bytes())
    frame = rows_to_frame(page.rows, topic="GeregistreerdeOverlast_1", table="47024NED")
    assert len(frame) == 20 and frame["value"].isna().sum() == 2  # secrecy stays missing, never 0
    assert set(frame["code"]) == {"OV00", "OV12"} and "BU0363AC02" in set(frame["region"])  # padding stripped
    titles = {r["Key"].strip(): r["Title"] for r in json.loads(OVERLAST.read_text())["value"]}
    assert nuisance_indicators(titles) == {"OV00": TOTAL, "OV12": DRUGS}
    cat = nuisance_catalogue(nuisance_indicators(titles), titles).set_index("indicator")
    assert cat.loc[DRUGS, "effort_dependent"] and not cat.loc[DRUGS, "canonical"]
    assert "alcohol/drugs" in cat.loc[DRUGS, "label_nl"]
    with pytest.raises(SourceError, match="alcohol and drugs"):
        nuisance_indicators({"OV00": "Totaal registraties overlast", "OV13": "Overlast jeugd"})
    assert resolve_table("nuisance").id == "47024NED" and source_name("47024NED") == "cbs-nuisance-month"


def test_fetch_keeps_the_two_categories_links_areas_and_is_incremental(tmp_path):
    server = FakeNuisance()
    data = fetch("GM0363", table="nuisance", client=server.client(), state_dir=tmp_path / "cache")
    asked = [r.url.params["$filter"] for r in server.requests if r.url.path.endswith("/TypedDataSet")]
    assert len(asked) == 2 and all("Overlast eq 'OV00    '" in f and "OV11" not in f for f in asked)
    obs = data.observations.set_index(["area_code", "period", "indicator"])
    assert set(obs.index.get_level_values("indicator")) == {DRUGS, TOTAL}
    assert obs.loc[("AC02", "2024-01", DRUGS), "value"] == 3
    assert obs.loc[("AC02", "2024-02", DRUGS), "status"] == "suppressed"  # CBS secrecy
    assert obs.loc[("AC", "2024-02", TOTAL), "status"] == "provisional"
    assert set(data.observations["division"]) == {"2022"}  # 2024 codes link to the 2022 division
    assert not any(r.startswith("BU0758") for r in data.observations["area_code"])
    # a second run with nothing new fetches no data pages
    server.requests.clear()
    again = fetch("GM0363", table="nuisance", client=server.client(), state_dir=tmp_path / "cache")
    assert not [r for r in server.requests if r.url.path.endswith("/TypedDataSet")]
    pd.testing.assert_frame_equal(again.observations, data.observations)


@pytest.fixture()
def small_home(home) -> Path:
    """A warehouse with the embedded 2022 areas only (they carry the CBS codes)."""
    areas = gpd.read_parquet(packaged_dir() / "amsterdam-areas-2022" / "areas.parquet")
    with Warehouse.create(pipeline.warehouse_path(home)) as wh:
        wh.load("amsterdam-areas-2022", SourceData(areas=areas), kind="real", title="areas")
    return home


def test_ingest_is_atomic_offline_and_loads_a_real_effort_dependent_channel(small_home, monkeypatch):
    with pipeline.open_warehouse(small_home) as wh:
        before = wh.snapshot_hash()
    offline = FakeNuisance()
    offline.offline = True
    with pytest.raises(SourceOfflineError):
        pipeline.ingest_cbs_police(tables=("47024NED",), home=small_home, client=offline.client(), sleep=lambda s: None)
    with pipeline.open_warehouse(small_home) as wh:
        assert wh.snapshot_hash() == before  # untouched

    server = FakeNuisance()
    original = pipeline.ingest_cbs_police
    monkeypatch.setattr(
        pipeline, "ingest_cbs_police", lambda **kw: original(client=server.client(), sleep=lambda s: None, **kw)
    )
    from weerbaar.cli import app

    r = CliRunner().invoke(app, ["ingest", "cbs-nuisance"], env={"WEERBAAR_HOME": str(small_home)})
    assert r.exit_code == 2 and "--online" in r.output
    r = CliRunner().invoke(app, ["ingest", "cbs-nuisance", "--online"], env={"WEERBAAR_HOME": str(small_home)})
    assert r.exit_code == 0, r.output
    assert "cbs-nuisance-month:" in r.output
    with pipeline.open_warehouse(small_home) as wh:
        src = wh.query("SELECT kind, title, period FROM sources WHERE name = 'cbs-nuisance-month'").iloc[0]
        cat = wh.query("SELECT * FROM indicators WHERE indicator = ?", [DRUGS]).iloc[0]
        city = wh.query(
            "SELECT o.period, o.value FROM observations o JOIN areas a ON a.code = o.area_code "
            "AND a.division = o.division WHERE o.indicator = ? AND a.level = 'stad' ORDER BY o.period",
            [DRUGS],
        )
    assert src["kind"] == "real" and "47024NED" in src["title"] and src["period"] == "2024-01..2024-02"
    assert cat["effort_dependent"] and cat["source"] == "cbs-nuisance-month"
    assert city["value"].tolist() == [412, 389]

    from weerbaar.refresh import DESCRIPTIONS, ONLINE_SOURCES

    assert "cbs-nuisance" in ONLINE_SOURCES and "47024NED" in DESCRIPTIONS["cbs-nuisance"]
