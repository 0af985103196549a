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
    html = client.get("/?layer=registered.drug_trade&level=buurt&period=2024-07").text
    assert "afgeschermd" in html
    assert "gebieden afgeschermd" in html


def test_area_profile_content(client):
    html = client.get("/area/AA01").text
    assert "Planciusbuurt-Noord" in html
    assert "Positie in de inventarisatie" in html and "Zwijgwijk" in html and "Hotspotstatus" in html
    assert 'href="/area/AA"' in html  # parent wijk
    assert "Buren" in html


def test_unknown_area_is_a_404_page(client):
    resp = client.get("/area/NOPE")
    assert resp.status_code == 404
    assert "Unknown area code" in resp.text and "<h1" in resp.text


def test_bad_query_values_give_clear_pages_not_500(client):
    for url in [
        "/?level=planet",
        "/?k=99",
        "/?layer=no.such",
        "/?classes=fixed&bins=a;b",
        "/?period=1800",
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
    assert done == {"built": False, "computed": []}


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
