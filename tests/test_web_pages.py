"""Server-rendered pages (without a browser): every page in both languages, URL state, labels, errors."""

from __future__ import annotations

import re
import socket

import pytest
from typer.testing import CliRunner

from weerbaar.cli import app as cli_app
from weerbaar.web import i18n, views
from weerbaar.web.pages import sparkline

PAGES = [
    "/",
    "/?layer=result:vulnerability&level=buurt",
    "/?layer=result:zwijgwijken",
    "/?layer=result:hotspots.gi:reports.drug_nuisance",
    "/?layer=result:emerging:registered.drug_trade",
    "/?layer=registered.drug_trade&measure=rate&level=buurt&period=2023-Q2&classes=natural_breaks&k=4",
    "/?layer=ses.vulnerable_pct&classes=fixed&bins=10;20;30",
    "/?division=2015&layer=bbga.BEV0_17&level=gebied",
    "/?division=vm&layer=safety.index&level=wijk",
    "/area/AA01",
    "/area/A",
    "/area/DX01?division=2015",
    "/compare?area=AA&area=AB&area=AC",
    "/compare",
    "/inventory",
    "/inventory?focus=1",
    "/inventory?stadsdeel=T",
    "/trends",
    "/trends?indicator=ses.vulnerable_pct&level=wijk&area=AA&area=AB&kind=year",
    "/trends?indicator=reports.drug_nuisance&level=stadsdeel&kind=quarter",
    "/sources",
    "/drug-use",
    "/drug-use?substance=mdma&year=2019&city=Eindhoven",
    "/methods",
    "/methods/methods/hotspots",
    "/methods/decisions/0007-disclosure-control",
    "/methods/methods/wastewater",
    "/reports",
    "/reports?level=buurt&period=2024-07&trend=year",
    "/reports?level=stadsdeel&measure=rate",
]

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders(client, url, lang):
    sep = "&" if "?" in url else "?"
    resp = client.get(url + (f"{sep}lang=en" if lang == "en" else ""))
    assert resp.status_code == 200, resp.text[:2000]
    html = resp.text
    assert f'<html lang="{lang}">' in html
    assert "<h1" in html
    mark = "Synthetic demonstration data" if lang == "en" else "Synthetische demonstratiedata"
    assert mark in html  # the site-wide banner: the default has synthetic layers
    other = "Nederlands" if lang == "en" else "English"
    assert other in html


def test_inventory_page_says_where_the_problem_comes_from_and_which_uncertainty_is_which(client):
    """Issue 14 part 3: the problem domain from the measurement model, two kinds of rank uncertainty in words."""
    nl = " ".join(client.get("/inventory").text.split())
    en = " ".join(client.get("/inventory?lang=en").text.split())
    assert "Het drugsprobleem komt uit het meetmodel" in nl and "Drugsprobleem (model)" in nl
    assert "The drug problem comes from the measurement model" in en
    assert "Statistisch:" in nl and "Keuzes:" in nl and "uit de statistiek" in nl
    assert "Statistical:" in en and "from the statistics" in en and "moves the ranks most" in en
    assert "alleen statistiek" in nl and "choices alone" in en  # the two intervals per area, as columns
    # buurten the model's inputs do not cover (no real population: Weesp) are counted apart, with the reason
    assert "meetmodel daar het drugsprobleem niet kan schatten" in nl and "Weesp" in nl
    assert "cannot estimate the drug problem there" in en


def test_map_page_keeps_its_state_in_links(client):
    html = client.get("/?layer=reports.drug_nuisance&level=gebied&period=2022").text
    assert 'value="reports.drug_nuisance" selected' in html
    assert 'value="gebied" selected' in html
    assert 'value="2022" selected' in html
    # the language switch keeps every parameter
    switch = re.search(r'<a class="lang" href="([^"]+)"', html).group(1)
    assert "layer=reports.drug_nuisance" in switch and "level=gebied" in switch and "lang=en" in switch
    # the chart spec is embedded, names its source, period and the synthetic mark
    spec = re.search(r'<script type="application/json" id="spec-map">(.*?)</script>', html, re.S).group(1)
    assert "2022" in spec and "SYNTHETISCHE DEMONSTRATIEDATA" in spec
    # the accessible alternative: a table of all 25 gebieden with links to their profiles
    assert html.count('href="/area/') >= 25


def test_withheld_values_are_labelled_not_zero(client):
    html = client.get("/?layer=reports.drug_nuisance&level=buurt&period=2024-07").text
    assert "afgeschermd" in html
    assert "gebieden afgeschermd" in html
    # registered offences pass through as the source publishes them (issue 15): nothing withheld
    police = client.get("/?layer=registered.drug_trade&level=buurt&period=2024-07").text
    assert "gebieden afgeschermd" not in police
    # the footer says what is withheld and why, in one sentence
    assert "Afgeschermd zijn alleen cijfers over personen" in police


def test_area_profile_content(client):
    html = client.get("/area/AA01").text
    assert "Planciusbuurt-Noord" in html
    assert "Positie in de inventarisatie" in html and "Zwijgwijk" in html and "Hotspotstatus" in html
    assert 'href="/area/AA"' in html  # parent wijk
    assert "Buren" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert 'id="trend"' in html  # the #trend links of the indicator table land on the trend section


def test_unknown_area_is_a_404_page(client):
    resp = client.get("/area/NOPE")
    assert resp.status_code == 404
    assert "Unknown area code" in resp.text and "<h1" in resp.text


def test_bad_query_values_give_clear_pages_not_500(client):
    # the map form's own choices lead to a map with a note (issue 17): tests/test_web_crawl.py
    for url, says in [
        ("/?layer=no.such", "bestaat niet in de indeling"),
        ("/?classes=fixed&bins=a;b", "niet bruikbaar"),
        ("/?period=1800", "geen cijfers voor 1800"),
    ]:
        resp = client.get(url)
        assert resp.status_code == 200 and says in resp.text, (url, resp.status_code)
    for url in [
        "/?level=planet",
        "/?k=99",
        "/trends?kind=decade",
        "/methods/methods/..%2F..%2Fetc",
        "/inventory?division=1999",
    ]:
        resp = client.get(url)
        assert 400 <= resp.status_code < 500, (url, resp.status_code)
        assert "<h1" in resp.text


def test_vega_bundle_comes_from_vl_convert(client):
    resp = client.get("/static-vendor/vega.js")
    assert resp.status_code == 200 and len(resp.content) > 100_000
    assert "vegaEmbed" in resp.text
    assert "immutable" in resp.headers["cache-control"]


def test_texts_exist_in_both_languages():
    for key, pair in i18n.TEXTS.items():
        assert len(pair) == 2 and all(p.strip() for p in pair if key != "status.published"), key


def test_number_formatting():
    assert i18n.number(1234.5, "nl", 1) == "1.234,5"
    assert i18n.number(1234.5, "en", 1) == "1,234.5"
    assert i18n.number(float("nan"), "nl") == "–"
    assert i18n.number(None, "en") == "–"
    assert i18n.number(7, "nl") == "7"


def test_category_labels():
    assert views.category_label("hot spot 95%", "nl") == "hotspot (95%)"
    assert views.category_label("intensifying hot spot", "nl") == "toenemende hotspot"
    assert views.category_label("not significant", "nl") == "niet significant"
    assert views.category_label("intensifying hot spot", "en") == "intensifying hot spot"


def test_sparkline_leaves_gaps_for_withheld_years():
    svg = str(sparkline([{"value": 1.0}, {"value": 2.0}, {"value": None}, {"value": 3.0}, {"value": 1.0}]))
    assert svg.count("<polyline") == 2
    assert sparkline([{"value": None}, {"value": 1.0}]) == ""


def test_link_keeps_language():
    assert views.link("/area/A", "en", division="2022") == "/area/A?division=2022&lang=en"
    assert views.link("/", "nl") == "/"


def test_standard_results_are_not_recomputed(served_home):
    from weerbaar.standard import ensure_ready

    done = ensure_ready(served_home)
    assert done == {"built": False, "computed": [], "failed": [], "stale": 0}  # every result current


def test_serve_refuses_a_busy_port(served_home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["--home", str(served_home), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert "Cannot listen" in result.output and str(port) in result.output


def test_compute_standard_needs_a_warehouse(tmp_path):
    result = CliRunner().invoke(cli_app, ["--home", str(tmp_path), "compute", "standard"])
    assert result.exit_code == 2
    assert "weerbaar build" in result.output


def test_warm_up_needs_no_test_extras(served_home, monkeypatch):
    """`pip install . && weerbaar serve` has no httpx: the warm-up must not use the test client."""
    import sys

    from weerbaar.web.app import create_app, warm

    monkeypatch.setitem(sys.modules, "httpx", None)  # importing httpx now fails, as on a plain install
    monkeypatch.delitem(sys.modules, "starlette.testclient", raising=False)
    monkeypatch.delitem(sys.modules, "fastapi.testclient", raising=False)
    app = create_app(served_home)
    lines: list[str] = []
    warm(app, progress=lines.append, background=False)
    assert lines and "disclosure control" in lines[0]


def test_a_changed_warehouse_is_prepared_again_in_the_background(served_home, tmp_path, monkeypatch):
    """After a rebuild the protected cubes and the area profiles are made at once in the background (issue 16
    item 9), the cubes in one batch with the cache file the start-up warm-up uses."""
    import os
    import shutil
    import threading

    from weerbaar import pipeline
    from weerbaar.web.app import create_app

    shutil.copy2(pipeline.warehouse_path(served_home), pipeline.warehouse_path(tmp_path))  # the shared one untouched
    if (served_home / "cache" / "cubes").exists():
        shutil.copytree(served_home / "cache" / "cubes", tmp_path / "cache" / "cubes")
    app = create_app(tmp_path)
    app.state.profiles_on_change = True  # as after `weerbaar serve`'s warm-up
    data = app.state.data
    division = data.meta()["default_division"]
    flows = data.count_indicators(division)
    assert flows
    data.cube(division, flows[-1])  # one cube asked for: the whole batch is protected
    assert all(("cube", division, i) in data._cache for i in flows)
    profiled: list[str] = []
    monkeypatch.setattr(views, "profile", lambda _d, code, **_k: profiled.append(code))  # the real one: slow
    done = threading.Event()
    rewarm = data.on_change
    data.on_change = lambda: (rewarm(), done.set())
    st = data.path.stat()
    os.utime(data.path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # as a rebuild would
    data._checked = float("-inf")  # look at the file now, not up to a second later
    data.version()
    assert done.wait(300)
    assert all(("cube", division, i) in data._cache for i in flows)
    assert profiled and not app.state.warming.is_set()


# --- residents' reports (/reports) ---------------------------------------------------------------


def _without_specs(html: str) -> str:
    return re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_reports_page(client, lang):
    html = client.get("/reports" + ("?lang=en" if lang == "en" else "")).text
    en = lang == "en"
    assert ("Residents&#39; reports" if en else "Meldingen van bewoners") in html
    assert "aria-current=\"page\">" + ("Residents&#39; reports" if en else "Meldingen bewoners") in html
    # the way to the form, in the page's language
    cta = "Make a report" if en else "Doe een melding"
    assert f'<a class="button" href="{"/report?lang=en" if en else "/report"}">{cta}</a>' in html
    # privacy in plain words: 100 m cells, counts per area only, the threshold
    assert ("100 by 100 metre cell" if en else "vak van 100 bij 100 meter") in html
    assert ("never as a point" if en else "nooit als punt") in html
    assert ("Counts below 5 are withheld" if en else "Aantallen onder 5 zijn afgeschermd") in html
    # the map (wijk level by default), the city trend per month, the synthetic mark on each chart
    maps = re.search(r'<script type="application/json" id="spec-map">(.*?)</script>', html, re.S).group(1)
    trend = re.search(r'<script type="application/json" id="spec-reportstrend">(.*?)</script>', html, re.S).group(1)
    mark = "SYNTHETIC DEMONSTRATION DATA" if en else "SYNTHETISCHE DEMONSTRATIEDATA"
    assert mark in maps and mark in trend
    assert '"geoshape"' in maps and "2024-12" in trend
    assert 'value="wijk" selected' in html
    assert html.count('href="/area/') >= 100  # every wijk in the table, the keyboard route
    # no breakdown by kind of place before `weerbaar ingest reports`: said plainly, no empty chart
    assert "spec-near" not in html
    assert ("have not been read in" if en else "nog niet ingelezen") in html


def test_reports_page_keeps_its_state_and_withholds_small_counts(client):
    html = client.get("/reports?level=buurt&period=2024-07&trend=year").text
    assert 'value="buurt" selected' in html and 'value="2024-07" selected' in html
    assert "afgeschermd" in html and "gebieden afgeschermd" in html
    trend = re.search(r'<script type="application/json" id="spec-reportstrend">(.*?)</script>', html, re.S).group(1)
    assert "2024-07" not in trend and '"2024"' in trend  # yearly now
    switch = re.search(r'<a class="lang" href="([^"]+)"', html).group(1)
    assert "level=buurt" in switch and "period=2024-07" in switch and "trend=year" in switch
    # the month/year switch keeps the map's level and period
    assert 'href="/reports?level=buurt&amp;period=2024-07"' in html


def _walk(node):
    """Every dict in a JSON tree."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_reports_page_shows_no_points(client):
    import json

    for url in ("/reports", "/reports?level=buurt&period=2024-07", "/reports?lang=en"):
        html = client.get(url).text
        spec = json.loads(re.search(r'<script type="application/json" id="spec-map">(.*?)</script>', html, re.S)[1])
        nodes = list(_walk(spec))
        geometries = {n["type"] for n in nodes if "coordinates" in n}
        assert geometries and geometries <= {"Polygon", "MultiPolygon"}, (url, geometries)  # areas, no pins
        marks = {n["mark"] if isinstance(n["mark"], str) else n["mark"]["type"] for n in nodes if "mark" in n}
        assert "geoshape" in marks and not marks & {"point", "circle", "square", "image"}, (url, marks)
        page = _without_specs(html)
        assert not re.search(r'"(lon|lat)"\s*:|name="(lon|lat)"', page), url  # no coordinates outside the map
    geo = client.get("/api/v1/map?layer=reports.drug_nuisance&level=buurt").json()
    assert {f["geometry"]["type"] for f in geo["features"]} <= {"Polygon", "MultiPolygon"}


def test_report_form_links_to_the_reports_page(client):
    html = client.get("/report").text
    assert 'href="/reports"' in html
    assert 'aria-current="page">Melden' in html and 'aria-current="page">Meldingen' not in html


@pytest.fixture(scope="module")
def reports_client(served_home, tmp_path_factory):
    """The default warehouse plus counts of residents' reports as `weerbaar ingest reports` loads them
    (source operational-reports): in 2024 seven reports near a school, two near a playground.

    The counts are loaded on a complete grid (a buurt and month without reports counts 0): the cube never
    takes a missing value as zero, so only a complete grid adds up to the city."""
    import shutil

    import pandas as pd
    from fastapi.testclient import TestClient

    from weerbaar import pipeline
    from weerbaar.sources.base import SourceData
    from weerbaar.sources.operational_reports import NAME, TITLE, aggregate_reports
    from weerbaar.web.app import create_app

    home = tmp_path_factory.mktemp("reports-home")
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with pipeline.open_warehouse(home) as wh:
        buurten = wh.areas(division="2022", level="buurt")
        places = wh.query(
            "SELECT type, min(x) AS x, arg_min(y, x) AS y FROM facilities WHERE type IN ('school', 'playground') "
            "GROUP BY type"
        ).set_index("type")
    near = [(kind, i) for kind, n in (("school", 7), ("playground", 2)) for i in range(n)]
    reports = pd.DataFrame(
        {
            "id": [f"{kind}{i}" for kind, i in near],
            "period": [f"2024-{1 + i:02d}" for _, i in near],
            "x": [places.loc[kind, "x"] + 10 for kind, _ in near],
            "y": [places.loc[kind, "y"] + 10 for kind, _ in near],
        }
    )
    facilities = pd.DataFrame({"x": places["x"], "y": places["y"], "type": places.index})
    data = aggregate_reports(reports, buurten, facilities, division="2022", radius_m=100)
    grid = pd.MultiIndex.from_product(
        [buurten["code"], [f"2024-{m:02d}" for m in range(1, 13)], sorted(set(data.observations["indicator"]))],
        names=["area_code", "period", "indicator"],
    )
    obs = data.observations.set_index(["area_code", "period", "indicator"])["value"].reindex(grid, fill_value=0.0)
    obs = obs.reset_index().assign(division="2022", unit="count", status="final")
    with pipeline.open_warehouse(home, read_only=False) as wh:
        wh.load(NAME, SourceData(observations=obs, indicators=data.indicators), kind="real", title=TITLE, period="2024")
    with TestClient(create_app(home)) as c:
        yield c


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_reports_page_breaks_down_by_kind_of_place(reports_client, lang):
    html = reports_client.get("/reports" + ("?lang=en" if lang == "en" else "")).text
    near = re.search(r'<section aria-labelledby="near-h">(.*?)</section>', html, re.S).group(1)
    assert 'id="spec-near"' in near
    table = _without_specs(near)
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(.*?)</td></tr>", table))
    assert rows["School"] == "5"  # 7 reports, published rounded to 5 (open submissions, issue 15)
    playground = "Playground" if lang == "en" else "Speeltuin"
    assert "withheld" in rows[playground]  # 2 reports: below the threshold
    assert ("withheld" if lang == "en" else "afgeschermd") in rows[playground]
    assert ("within 100 metres" if lang == "en" else "binnen 100 meter") in near
    assert "have not been read in" not in html and "nog niet ingelezen" not in html
