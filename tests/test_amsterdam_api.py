"""The Amsterdam data API connector (gebieden, BBGA), without network.

A fake DSO API answers through ``httpx.MockTransport`` in the real HAL JSON shape of
``https://api.data.amsterdam.nl/v1/``: ``_links.self/next`` (no ``next`` on the last page),
``_embedded.<table>``, ``page``; temporal records with ``identificatie``, ``volgnummer``,
``beginGeldigheid``/``eindGeldigheid``; relations as ``<relation>Id``, ``<relation>Identificatie``,
``<relation>Volgnummer`` and ``_links.<relation>`` (as in the dso-api documentation's examples).
"""

from __future__ import annotations

import copy

import httpx
import pandas as pd
import pytest
from shapely.geometry import box, mapping

from weerbaar import pipeline
from weerbaar.errors import InputError, SourceError, SourceOfflineError
from weerbaar.sources.amsterdam_api import BBGA_SOURCE, currently_valid, fetch_areas, fetch_bbga
from weerbaar.sources.bbga import Bbga

API = "https://api.data.amsterdam.nl/v1"
X0, Y0 = 121000, 487000


def _ref(table: str, ident: str, volgnummer: int = 1) -> dict:
    return {
        "href": f"{API}/gebieden/{table}/{ident}/?volgnummer={volgnummer}",
        "title": f"{ident}.{volgnummer}",
        "volgnummer": volgnummer,
        "identificatie": ident,
    }


def record(table, ident, code, naam, *, volgnummer=1, begin="2022-03-24", end=None, geometry=None, **relations):
    """One record as the API sends it in ``_embedded.<table>``."""
    links = {
        "schema": f"https://schemas.data.amsterdam.nl/datasets/gebieden/dataset#{table}",
        "self": _ref(table, ident, volgnummer),
    }
    rec = {
        "code": code,
        "naam": naam,
        "cbsCode": None,
        "geometrie": mapping(geometry) if geometry is not None else None,
        "documentdatum": None,
        "documentnummer": None,
        "eindGeldigheid": end,
        "beginGeldigheid": begin,
        "registratiedatum": "2022-03-24T00:00:00",
        "identificatie": ident,
        "volgnummer": volgnummer,
        "id": f"{ident}.{volgnummer}",
    }
    for rel, (target_table, target) in relations.items():
        links[rel] = _ref(target_table, target) if target else None
        rec[f"{rel}Id"] = target
        rec[f"{rel}Identificatie"] = target
        rec[f"{rel}Volgnummer"] = 1 if target else None
    rec["_links"] = links
    return rec


def square(i: int, j: int = 0):
    return box(X0 + 500 * i, Y0 + 500 * j, X0 + 500 * (i + 1), Y0 + 500 * (j + 1))


def city() -> dict[str, list[dict]]:
    """Two stadsdelen, one gebied, two wijken (one without gebied, as Westpoort), four current buurten."""
    sd = [
        record("stadsdelen", "03630000000018", "A", "Centrum", geometry=square(0)),
        record("stadsdelen", "03630000000019", "B", "Westpoort", geometry=square(3)),
    ]
    gg = [
        record(
            "ggwgebieden", "03630950000001", "GA01", "Centrum-West", ligtInStadsdeel=("stadsdelen", "03630000000018")
        )
    ]
    wk = [
        record(
            "wijken",
            "03630012052035",
            "AC",
            "Grachtengordel-West",
            ligtInStadsdeel=("stadsdelen", "03630000000018"),
            ligtInGgwgebied=("ggwgebieden", "03630950000001"),
        ),
        record(
            "wijken",
            "03630012052099",
            "BC",
            "Sloterdijk",
            ligtInStadsdeel=("stadsdelen", "03630000000019"),
            ligtInGgwgebied=("ggwgebieden", None),
        ),
    ]
    wijk_ac = {"ligtInWijk": ("wijken", "03630012052035")}
    bu = [
        record("buurten", "03630000000077", "AC01", "Nieuwendijk-Noord", geometry=square(0), **wijk_ac),
        # an earlier state of the next buurt (2015 code), closed when the 2022 division took effect
        record(
            "buurten",
            "03630000000078",
            "A01x",
            "Oude naam",
            volgnummer=1,
            begin="2006-06-12",
            end="2022-03-24",
            geometry=square(1),
            **wijk_ac,
        ),
        record("buurten", "03630000000078", "AC02", "Leliegracht e.o.", volgnummer=2, geometry=square(1), **wijk_ac),
        record("buurten", "03630000000079", "AC03", "Felix Meritisbuurt", geometry=square(2), **wijk_ac),
        # a buurt that no longer exists
        record("buurten", "03630000000070", "AC09", "Opgeheven", end="2023-01-01", geometry=square(2, 1), **wijk_ac),
        record(
            "buurten",
            "03630000000090",
            "BC01",
            "Sloterdijk I",
            geometry=square(3),
            ligtInWijk=("wijken", "03630012052099"),
        ),
    ]
    for b in bu:
        b["cbsCode"] = f"BU0363{b['code']}"
    return {"stadsdelen": sd, "ggwgebieden": gg, "wijken": wk, "buurten": bu}


class FakeDso:
    """Answers ``/v1/<dataset>/<table>/`` with HAL JSON pages (``?page=n``, ``_pageSize``)."""

    def __init__(self, tables: dict[str, list[dict]]):
        self.tables = tables
        self.requests: list[httpx.Request] = []
        self.fail = None  # request -> Exception | httpx.Response | None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail is not None:
            outcome = self.fail(request)
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                return outcome
        parts = request.url.path.strip("/").split("/")
        table = parts[-1]
        if table not in self.tables:
            return httpx.Response(404, json={"detail": "Niet gevonden."})
        rows = self.tables[table]
        params = request.url.params
        for key, value in params.items():
            if key.endswith("[in]"):
                field, allowed = key[:-4], value.split(",")
                rows = [r for r in rows if str(r.get(field)) in allowed]
        size = int(params.get("_pageSize", 20))
        number = int(params.get("page", 1))
        chunk = rows[(number - 1) * size : number * size]
        links = {"self": {"href": str(request.url)}}
        if number * size < len(rows):
            links["next"] = {"href": str(request.url.copy_set_param("page", number + 1))}
        if number > 1:
            links["previous"] = {"href": str(request.url.copy_set_param("page", number - 1))}
        page = {"number": number, "size": size}
        if params.get("_count") == "true":
            page.update(totalElements=len(rows), totalPages=max(1, -(-len(rows) // size)))
        body = {"_links": links, "_embedded": {table: chunk}, "page": page}
        return httpx.Response(
            200, json=body, headers={"Content-Type": "application/hal+json", "Content-Crs": "EPSG:28992"}
        )

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def pages_of(self, table: str) -> int:
        return sum(1 for r in self.requests if r.url.path.rstrip("/").endswith(table))


def snapshot(home):
    with pipeline.open_warehouse(home) as wh:
        return wh.snapshot_hash(), wh.counts()


def no_sleep(_):
    pass


# -- areas -------------------------------------------------------------------------------------
def test_paging_currently_valid_and_hierarchy():
    fake = FakeDso(city())
    messages: list[str] = []
    areas = fetch_areas(client=fake.client(), page_size=2, progress=messages.append, sleep=no_sleep)
    assert fake.pages_of("buurten") == 3  # 6 records in pages of 2, following _links.next
    assert any("page 3 of 3" in m for m in messages)
    assert areas.crs.to_epsg() == 28992 and set(areas["division"]) == {"2022"}
    a = areas.set_index("code")
    # only the current state of every object: not the closed volgnummer 1, not the ended buurt
    assert "A01x" not in a.index and "AC09" not in a.index
    assert a.loc["AC02", "name"] == "Leliegracht e.o."
    assert sorted(a.index) == sorted(["STAD", "A", "B", "GA01", "AC", "BC", "AC01", "AC02", "AC03", "BC01"])
    parents = a["parent"].to_dict()
    assert parents["AC02"] == "AC" and parents["AC"] == "GA01" and parents["GA01"] == "A" and parents["A"] == "STAD"
    assert parents["BC01"] == "BC" and parents["BC"] == "B"  # a wijk without gebied hangs under its stadsdeel
    assert parents["STAD"] is None
    assert a.loc["AC", "level"] == "wijk" and a.loc["GA01", "level"] == "gebied" and a.loc["B", "level"] == "stadsdeel"
    assert a.loc["AC02", "cbs_code"] == "BU0363AC02" and a.loc["AC", "cbs_code"] == "WK0363AC"
    assert abs(a.loc["AC", "geometry"].area - 3 * 500 * 500) < 1  # dissolved from its buurten
    assert abs(a.loc["STAD", "geometry"].area - 4 * 500 * 500) < 1


def test_currently_valid_takes_highest_volgnummer():
    recs = [
        {"identificatie": "1", "volgnummer": 1, "eindGeldigheid": None, "code": "old"},
        {"identificatie": "1", "volgnummer": 3, "eindGeldigheid": None, "code": "new"},
        {"identificatie": "2", "volgnummer": 1, "eindGeldigheid": "2999-01-01", "code": "until later"},
    ]
    assert sorted(r["code"] for r in currently_valid(recs)) == ["new", "until later"]


def test_changed_schema_names_the_missing_fields():
    tables = city()
    for b in tables["buurten"]:
        for key in ("ligtInWijkId", "ligtInWijkIdentificatie", "ligtInWijkVolgnummer"):
            del b[key]
        del b["_links"]["ligtInWijk"]
        b["name"] = b.pop("naam")
    with pytest.raises(SourceError, match="schema changed") as err:
        fetch_areas(client=FakeDso(tables).client(), sleep=no_sleep)
    assert "missing: naam, ligtInWijkId" in err.value.received
    assert "buurten" in err.value.problem and err.value.fix


def test_unknown_answer_shape_is_a_clear_error():
    fake = FakeDso(city())
    fake.fail = lambda r: httpx.Response(200, json={"results": []})
    with pytest.raises(SourceError, match="unknown shape"):
        fetch_areas(client=fake.client(), sleep=no_sleep)


@pytest.fixture()
def loaded(home):
    fake = FakeDso(city())
    r = pipeline.ingest_amsterdam_areas(home=home, client=fake.client(), sleep=no_sleep)
    assert r["rows"] == 10
    return home


def test_offline_leaves_the_warehouse_untouched(loaded):
    before = snapshot(loaded)
    fake = FakeDso(city())
    fake.fail = lambda r: httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=r)
    sleeps: list[float] = []
    with pytest.raises(SourceOfflineError, match="No connection to Amsterdam's data API") as err:
        pipeline.ingest_amsterdam_areas(home=loaded, client=fake.client(), sleep=sleeps.append, retries=2)
    assert "warehouse is unchanged" in str(err.value)
    assert sleeps == [1.0, 2.0]  # backoff, never a real wait
    assert snapshot(loaded) == before


def test_dropped_connection_mid_paging_stores_nothing(loaded):
    before = snapshot(loaded)
    fake = FakeDso(city())
    fake.fail = lambda r: (
        httpx.ReadError("connection reset by peer", request=r)
        if r.url.path.rstrip("/").endswith("buurten") and r.url.params.get("page") == "2"
        else None
    )
    with pytest.raises(SourceOfflineError, match="dropped"):
        pipeline.ingest_amsterdam_areas(home=loaded, client=fake.client(), sleep=no_sleep, page_size=2, retries=1)
    assert fake.pages_of("buurten") == 3  # page 1, then page 2 twice
    assert snapshot(loaded) == before


def test_a_passing_failure_is_retried(home):
    fake = FakeDso(city())
    failed: list[str] = []

    def once(r):
        if r.url.path.rstrip("/").endswith("wijken") and not failed:
            failed.append("x")
            return httpx.Response(503, text="Service Unavailable")
        return None

    fake.fail = once
    messages: list[str] = []
    pipeline.ingest_amsterdam_areas(home=home, client=fake.client(), sleep=no_sleep, progress=messages.append)
    assert any("HTTP 503, retrying" in m for m in messages)
    with pipeline.open_warehouse(home) as wh:
        assert len(wh.areas(division="2022")) == 10


def test_replacing_reports_codes_and_protects_observations(loaded, tmp_path):
    tables = city()
    changed = copy.deepcopy(tables)
    ac03 = next(b for b in changed["buurten"] if b["code"] == "AC03")
    ac03["code"], ac03["naam"] = "AC04", "Nieuwe buurt"
    messages: list[str] = []
    r = pipeline.ingest_amsterdam_areas(
        home=loaded, client=FakeDso(changed).client(), sleep=no_sleep, progress=messages.append
    )
    assert r["added"] == ["AC04"] and r["removed"] == ["AC03"]
    assert any("codes added: AC04; codes removed: AC03" in m for m in messages)
    with pipeline.open_warehouse(loaded) as wh:
        assert wh.execute("SELECT DISTINCT source FROM areas WHERE division = '2022'") == [("amsterdam-areas-2022",)]

    csv = tmp_path / "obs.csv"
    csv.write_text("area_code,period,indicator,value\nAC04,2023,population,812\n", encoding="utf-8")
    pipeline.ingest_observations(csv, home=loaded, division="2022")
    before = snapshot(loaded)
    with pytest.raises(InputError, match="no longer has areas") as err:
        pipeline.ingest_amsterdam_areas(home=loaded, client=FakeDso(tables).client(), sleep=no_sleep)
    assert "AC04 (1 rows)" in err.value.received
    assert snapshot(loaded) == before
    r = pipeline.ingest_amsterdam_areas(
        home=loaded, client=FakeDso(tables).client(), sleep=no_sleep, allow_removed=True
    )
    assert r["removed"] == ["AC04"]


def test_2022_areas_of_another_source_are_not_replaced(home, areas_file):
    pipeline.ingest_areas(areas_file, division="2022", home=home)
    before = snapshot(home)
    with pytest.raises(InputError, match="another source"):
        pipeline.ingest_amsterdam_areas(home=home, client=FakeDso(city()).client(), sleep=no_sleep)
    assert snapshot(home) == before


# -- BBGA --------------------------------------------------------------------------------------
FIGURES = [  # (jaar, gebiedcode15, variabele, waarde)
    (2017, "STAD", "BEVTOTAAL", 844947),
    (2017, "A", "BEVTOTAAL", 86422),
    (2017, "DX01", "BEVTOTAAL", 42310),
    (2017, "DX01", "LDRUGSOVL_P", 21.0),
    (2016, "STAD", "LDRUGSOVL_P", 9.0),
    (2017, "Z", "BEVTOTAAL", 1200),
    (2018, "DX01", "WDICHT", None),
]
DEFINITIONS = [  # (variabele, label, definitie, bron, rekeneenheid)
    ("BEVTOTAAL", "Totaal aantal inwoners", "aantal inwoners per 1 januari", "BRP", 2),
    ("LDRUGSOVL_P", "Drugsoverlast: % veel", "percentage bewoners dat veel drugsoverlast ervaart", "VM", 1),
]


def bbga_tables(figures=FIGURES) -> dict[str, list[dict]]:
    kern = [
        {
            "_links": {
                "schema": "https://schemas.data.amsterdam.nl/datasets/bbga/dataset#kerncijfers",
                "self": {"href": f"{API}/bbga/kerncijfers/{i}/", "title": str(i), "id": i},
                "indicatorDefinitie": {"href": f"{API}/bbga/indicatoren_definities/{v}/", "title": v, "variabele": v},
            },
            "id": i,
            "jaar": y,
            "gebiedcode15": g,
            "waarde": w,
            "indicatorDefinitieId": v,
        }
        for i, (y, g, v, w) in enumerate(figures, 1)
    ]
    defs = [
        {
            "_links": {"self": {"href": f"{API}/bbga/indicatoren_definities/{v}/", "title": v, "variabele": v}},
            "sort": i,
            "variabele": v,
            "thema": "Bevolking",
            "label": label,
            "labelKort": label,
            "definitie": d,
            "bron": bron,
            "peildatum": "1 januari",
            "verschijningsfrequentie": "jaarlijks",
            "rekeneenheid": unit,
        }
        for i, (v, label, d, bron, unit) in enumerate(DEFINITIONS, 1)
    ]
    return {"kerncijfers": kern, "indicatoren_definities": defs}


def test_bbga_mapping_equals_the_file_adapter(tmp_path):
    folder = tmp_path / "ois-bbga-2019"
    folder.mkdir()
    rows = pd.DataFrame(FIGURES, columns=["jaar", "gebiedcode15", "variabele", "waarde"])
    rows[rows["gebiedcode15"] != "A"].to_csv(folder / "bbga_latest_and_greatest-DX.csv", index=False)
    rows[rows["gebiedcode15"] == "A"].to_csv(folder / "bbga_latest_and_greatest-stadsdelen.csv", index=False)
    pd.DataFrame(DEFINITIONS, columns=["Variabele", "Label", "Definitie", "Bron", "Rekeneenheid"]).to_csv(
        folder / "metadata_latest_and_greatest.csv", index=False
    )
    from_file = Bbga().read(tmp_path)
    fake = FakeDso(bbga_tables())
    from_api = fetch_bbga(client=fake.client(), page_size=3, sleep=no_sleep, last_observed_year=2018)
    assert fake.pages_of("kerncijfers") == 3

    def norm(df):
        cols = [c for c in df.columns if c != "source"]
        return df[cols].sort_values(cols[:4]).reset_index(drop=True)

    pd.testing.assert_frame_equal(norm(from_api.observations), norm(from_file.observations))
    pd.testing.assert_frame_equal(norm(from_api.indicators), norm(from_file.indicators))
    assert set(from_api.observations["source"]) == {BBGA_SOURCE}
    # STAD and A exist in both divisions: 2017 belongs to the 2015 division
    assert set(from_api.observations["division"]) == {"2015"}
    assert "population" in set(from_api.observations["indicator"])


def test_bbga_filters_on_the_server_and_checks_its_schema():
    fake = FakeDso(bbga_tables())
    data = fetch_bbga(client=fake.client(), years=[2016], variables=["LDRUGSOVL_P"], sleep=no_sleep)
    first = fake.requests[0].url.params
    assert first["jaar[in]"] == "2016" and first["indicatorDefinitieId[in]"] == "LDRUGSOVL_P"
    assert sorted(set(data.observations["indicator"])) == ["bbga.LDRUGSOVL_P", "survey.drug_nuisance_pct"]
    tables = bbga_tables()
    for r in tables["kerncijfers"]:
        del r["gebiedcode15"]
    with pytest.raises(SourceError, match="schema changed") as err:
        fetch_bbga(client=FakeDso(tables).client(), sleep=no_sleep)
    assert "missing: gebiedcode15" in err.value.received


def test_ingest_bbga_into_the_2022_division(loaded):
    figures = [(2023, "STAD", "BEVTOTAAL", 931298), (2023, "AC02", "BEVTOTAAL", 1650), (2023, "1012", "BEVTOTAAL", 9)]
    messages: list[str] = []
    r = pipeline.ingest_amsterdam_bbga(
        home=loaded, client=FakeDso(bbga_tables(figures)).client(), sleep=no_sleep, progress=messages.append
    )
    assert r["source"] == BBGA_SOURCE
    with pipeline.open_warehouse(loaded) as wh:
        obs = wh.query("SELECT division, area_code, indicator, value FROM observations WHERE source = ?", [BBGA_SOURCE])
    assert set(obs["division"]) == {"2022"} and set(obs["area_code"]) == {"STAD", "AC02"}
    assert any("without a loaded area left out" in m and "1012" in m for m in messages)
    before = snapshot(loaded)
    fake = FakeDso(bbga_tables(figures))
    fake.fail = lambda r: httpx.ConnectError("offline", request=r)
    with pytest.raises(SourceOfflineError):
        pipeline.ingest_amsterdam_bbga(home=loaded, client=fake.client(), sleep=no_sleep, retries=0)
    assert snapshot(loaded) == before
