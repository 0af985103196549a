"""Every control leads somewhere (issue 17): the map form's combinations, a crawl of the site, Dutch pages.

* Every combination of the map form's controls (division x layer x level x period kind x classification)
  resolves to a map that can be drawn: checked on the read model without rendering (fast), then the cases
  a user meets (a layer carried to a division that lacks it, a half-year carried to a yearly layer, fixed
  classes without bounds) through the HTTP client, which must answer 200 with a note.
* A crawl through the HTTP client follows the site's links from the map and fails on any 4xx/5xx.
* Every user-facing string on a Dutch page is Dutch: each i18n key the page uses has a Dutch text, and
  no English text of a key (nor a known English UI word) shows outside elements marked ``lang="en"``.
* One Chromium walks the nav at desktop and phone width, submits the map form after changing the division
  and the classification, and fails on console errors; at 390 px no page is wider than the screen and
  the nav collapses to a menu button.
"""

from __future__ import annotations

import json
import os
import pkgutil
import re
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from weerbaar import charts
from weerbaar.web import i18n, pages, views

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]  # fmt: skip

LEVELS = (None, "stadsdeel", "gebied", "wijk", "buurt")
#: A period of every kind, one far outside the data, and none (the default).
PERIODS = (None, "2019", "2019-H2", "2019-Q3", "2019-07", "2024-H1", "1990")
CLASSES = (("quantiles", None), ("natural_breaks", None), ("fixed", None), ("fixed", "1; 5; 10"),
           ("fixed", "x; y"), ("fixed", "10; 5"))  # fmt: skip


def _layers(data, division: str) -> list[str]:
    """The layers the form offers for a division (of the hundreds of BBGA indicators of 2015: a few)."""
    groups = pages.layer_options(data, division, "nl")
    out = []
    for g in groups:
        opts = [v for v, _ in g["options"]]
        out += opts if g["label"] != i18n.t("group.other", "nl") else opts[:2]
    return out


# -- the map form's combinations -------------------------------------------------------------------
def _draw(data, form) -> None:
    """What the page draws for a resolved form; raises where the page would answer 400 or 404."""
    kind, indicator, _ = views.parse_layer(form["layer"])
    if kind == "indicator":
        data.layer(indicator, division=form["division"], level=form["level"], period=form["period"])
    else:
        views.map_layer(data, form["layer"], division=form["division"], level=form["level"])


def test_every_map_form_combination_resolves_to_a_map(web_app):
    data = web_app.state.data
    drawn: set[tuple] = set()
    n = 0
    for division in data.meta()["divisions"]:
        foreign = ["registered.drug_trade", "safety.index", "result:zwijgwijken", "no.such.layer"]
        for layer in _layers(data, division) + foreign:
            for level in LEVELS:
                for period in PERIODS:
                    form = pages.map_form(data, division=division, layer=layer, level=level, period=period)
                    n += 1
                    if layer != form["layer"] or (level and level != form["level"]):
                        assert form["adjusted"], f"{division} {layer} {level}: changed without saying so"
                    key = (form["division"], form["layer"], form["level"], form["period"])
                    if key not in drawn:
                        drawn.add(key)
                        _draw(data, form)
    assert n > 1000 and len(drawn) > 100


def test_every_classification_of_the_form(web_app):
    """Each classification the form offers, on each layer of the default division (at the level where the
    page opens, and every level for one count), as the page applies it: counts get whole-number classes."""
    data = web_app.state.data
    division = data.meta()["default_division"]
    combos = [(layer, None) for layer in _layers(data, division)]
    combos += [("registered.drug_trade", lv) for lv in LEVELS[1:]]
    for layer, level in combos:
        form = pages.map_form(data, division=division, layer=layer, level=level, period=None)
        lay = views.map_layer(data, form["layer"], division=division, level=form["level"])
        if lay.categorical:
            continue
        count = pages._is_count(lay)
        for classes, bins in CLASSES:
            if classes == "natural_breaks" and lay.level == "buurt":
                continue  # Fisher-Jenks on 518 buurten is slow; covered at the other levels and in test_charts
            form = pages.map_form(data, division=division, layer=layer, level=level, period=None,
                                  classes=classes, bins=bins)  # fmt: skip
            if classes == "fixed" and bins and (bins[0].isalpha() or bins == "10; 5"):
                assert form["bins_error"] and form["bins"] is None
            scheme = classes if (classes != "fixed" or form["bins"]) else "quantiles"
            c = charts.classify(lay.table["value"], scheme, k=5, bins=form["bins"], integer=count)
            if count:
                assert all(float(b).is_integer() for b in c.bins if b != float("inf")), (layer, c.bins)
                assert not any("," in label for label in c.labels), (layer, c.labels)


#: The paths of the issue that ended in error pages, and what the page must say instead.
FORM_CASES = [
    ("/?classes=fixed", "Vul bij ‘Grenzen (vast)’"),
    ("/?classes=fixed&bins=abc", "De grenzen ‘abc’ zijn niet bruikbaar"),
    ("/?classes=fixed&bins=1%3B+5%3B+20", None),
    ("/?division=2015", None),
    ("/?division=vm", "Veiligheidsindex"),
    ("/?division=vm&layer=registered.drug_trade&level=gebied&period=2023-H1", "bestaat niet in de indeling"),
    ("/?division=2022&layer=safety.index&level=wijk", "bestaat niet in de indeling"),
    ("/?layer=population&period=2024-H1&level=gebied", "geen cijfers voor 2024-H1"),
    ("/?layer=ses.vulnerable_pct&period=2019-07&level=gebied", "geen cijfers voor 2019-07"),
]


@pytest.mark.parametrize(("url", "says"), FORM_CASES)
def test_map_form_cases_answer_200_and_say_what_changed(client, url, says):
    resp = client.get(url)
    assert resp.status_code == 200, resp.text[:800]
    if says:
        assert says in resp.text


def test_api_index_docs_offline_and_head(client):
    index = client.get("/api/v1").json()
    paths = {e["path"] for e in index["endpoints"]}
    assert {"/api/v1/map", "/api/v1/results/{kind}", "/api/v1/meta"} <= paths
    assert client.get("/api/v1/results/hotspots.gi").status_code == 200
    docs = client.get("/api/docs").text
    assert "cdn" not in docs.lower() and "/static-vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert client.get("/static-vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""


# -- a crawl of the site ---------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def _shape(url: str) -> tuple:
    """Pages of the same kind (an area profile is an area profile): path pattern and query keys."""
    parts = urlsplit(url)
    path = re.sub(r"^/area/[^/]+", "/area/*", parts.path)
    path = re.sub(r"^/methods/(methods|decisions)/[^/]+", r"/methods/\1/*", path)
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"}))
    lang = dict(parse_qsl(parts.query)).get("lang", "nl")
    return path, keys, lang


def test_crawl_follows_every_kind_of_link_without_errors(client):
    seen: set[tuple] = set()
    queue = ["/", "/?lang=en"]
    visited = []
    while queue and len(visited) < 70:
        url = queue.pop(0)
        shape = _shape(url)
        if shape in seen:
            continue
        seen.add(shape)
        resp = client.get(url)
        visited.append(url)
        assert resp.status_code < 400, f"{url}: {resp.status_code} {resp.text[:400]}"
        if "text/html" not in resp.headers.get("content-type", ""):
            continue
        parser = _Links()
        parser.feed(resp.text)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # other sites, anchors
            if parts.path.startswith(("/static", "/partner/logout")) or "format=" in parts.query:
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    kinds = {s[0] for s in seen}
    assert {"/", "/area/*", "/inventory", "/trends", "/compare", "/sources", "/methods/methods/*"} <= kinds


# -- Dutch pages are Dutch -------------------------------------------------------------------------
class _Visible(HTMLParser):
    """The text a reader sees, without scripts, styles and elements marked as another language."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[bool] = []  # per open element: hidden?
        self.parts: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        hidden = tag in ("script", "style") or (a.get("lang") not in (None, self.lang) and tag != "html")
        if not (any(self.stack) or hidden):
            self.attrs += [v for k, v in attrs if k in ("aria-label", "title", "placeholder", "alt") and v]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if not any(self.stack):
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts + self.attrs).split())


DUTCH_PAGES = [
    "/",
    "/?classes=fixed&bins=x",
    "/?division=vm&layer=registered.drug_trade&level=gebied",
    "/?layer=result:hotspots.gi:registered.drug_trade",
    "/area/AA01",
    "/area/A",
    "/inventory",
    "/trends",
    "/compare?area=AA&area=AB",
    "/sources",
    "/methods",
    "/methods/methods/hotspots",
    "/programme",
    "/drug-use",
    "/reports",
    "/report",
    "/area/XX",
]
#: English words of the interface that must never show on a Dutch page.
ENGLISH_UI = ["Source:", "Period:", "Unit:", "Withheld", "withheld", "No data", "Not found", "Something went wrong",
              "Received", "Expected", "How to fix", "Show all", "Loading chart", "Invalid request",
              "District"]  # fmt: skip


@pytest.fixture()
def keys_used(monkeypatch) -> list[str]:
    """The i18n keys the pages ask for while rendering."""
    used: list[str] = []
    real = i18n.t

    def spy(key: str, lang: str = "nl", **fields):
        used.append(key)
        return real(key, lang, **fields)

    for module in (pages, *(getattr(pages, m.name) for m in pkgutil.iter_modules(pages.__path__))):
        if hasattr(module, "t"):  # every page module of the pages package looks t up in its own globals
            monkeypatch.setattr(module, "t", spy)
    return used


@pytest.mark.parametrize("url", DUTCH_PAGES)
def test_dutch_pages_are_dutch(client, keys_used, url):
    resp = client.get(url)
    assert resp.status_code in (200, 404), url
    html = resp.text
    assert '<html lang="nl">' in html
    unknown = sorted({k for k in keys_used if k not in i18n.TEXTS and not k.startswith(("division.", "sources.kind."))})
    assert not unknown, f"{url}: i18n keys without a text: {unknown}"
    parser = _Visible("nl")
    parser.feed(html)
    visible = parser.text()
    for key in set(keys_used):
        if key not in i18n.TEXTS:
            continue
        nl, en = i18n.TEXTS[key]
        if en == nl or "{" in en or len(en) < 12 or " " not in en:
            continue
        assert en not in visible, f"{url}: the English text of {key!r} shows on the Dutch page"
    for word in ENGLISH_UI:
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", visible), f"{url}: {word!r} on a Dutch page"
    for spec in re.findall(r'<script type="application/json" id="spec-[^"]+">(.*?)</script>', html, re.S):
        assert json.loads(spec)["usermeta"]["lang"] == "nl", f"{url}: a chart in English"


def _real_source_descriptions() -> list[tuple[str, str]]:
    """(source, text) of what the sources page shows of each online loader (title, licence, attribution), also
    for sources the test warehouse does not hold (the CBS police and nuisance tables, the KWB online)."""
    from weerbaar.sources import cbs_kwb_online, cbs_police

    out = []
    options = [cbs_police.load_options(t) for t in cbs_police.TABLES] + [cbs_kwb_online.kwb_load_options(2023)]
    for o in options:
        name = o.get("source", "")
        out += [(name, o[k]) for k in ("title", "licence", "attribution")]
        out.append((f"crosswalk:{name}", f"{o['title']}, earlier years moved onto the 2022 division (crosswalk)"))
    return out


def test_dutch_sources_page_words_every_real_source_in_dutch():
    from weerbaar.web.source_texts import source_text

    english = [(name, text) for name, text in _real_source_descriptions() if source_text(text, "nl")[1] != "nl"]
    assert not english, f"sources the Dutch sources page would show in English: {english}"
    # the check itself sees English (an English description would be marked lang="en" and fail above)
    assert source_text("Registered nuisance incidents per month (police)", "nl")[1] == "en"


# -- one browser: console errors, the form's script, the phone -------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(web_app) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-crawl-tests", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not (server.started and thread.is_alive()):
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 30 s")
        time.sleep(0.05)
    httpx.get(base + "/healthz", timeout=30)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium(live):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI=true")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


NAV_PATHS = ["/", "/inventory", "/trends", "/compare", "/drug-use", "/reports", "/programme", "/sources", "/methods",
             "/report", "/area/AA01", "/methods/methods/zwijgwijk"]  # fmt: skip


@pytest.mark.browser
def test_browser_walk_form_and_phone(chromium, live):
    errors: list[str] = []

    def tab(width: int):
        ctx = chromium.new_context(viewport={"width": width, "height": 900})
        ctx.set_default_timeout(60_000)
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        return ctx, page

    ctx, page = tab(1280)
    # the map form: a new division drops the old layer and period (no 404), fixed classes show the bounds field
    page.goto(live + "/?layer=registered.drug_trade&period=2023-H1&level=buurt")
    assert page.locator("#bins").is_hidden()
    page.select_option("#division", "vm")
    page.click("form.controls button[type=submit]")
    page.wait_for_load_state("load")
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query.get("division") == "vm" and "layer" not in query and "period" not in query, page.url
    assert "Veiligheidsindex" in page.locator("h1").inner_text()
    page.goto(live + "/")
    page.select_option("#classes", "fixed")
    assert page.locator("#bins").is_visible() and page.locator("#k").is_hidden()
    page.fill("#bins", "veel")
    page.click("form.controls button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator(".error-inline[role=alert]").is_visible()
    page.screenshot(path=str(SHOTS / "map-fixed-bins-error.png"))
    for path in NAV_PATHS:
        resp = page.goto(live + path, wait_until="load")
        assert resp is not None and resp.status == 200, path
    ctx.close()

    ctx, page = tab(390)
    for path in NAV_PATHS:
        page.goto(live + path, wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
    page.goto(live + "/")
    assert page.locator("header .menu-toggle").is_visible()
    assert page.locator("#site-nav").is_hidden()
    page.click("header .menu-toggle")
    assert page.locator("#site-nav a", has_text="Bronnen").is_visible()
    page.screenshot(path=str(SHOTS / "phone-menu-open.png"))
    ctx.close()

    # without JavaScript the menu is a plain list of links
    ctx = chromium.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(live + "/")
    assert page.locator("#site-nav a", has_text="Bronnen").is_visible()
    assert page.locator("header .menu-toggle").is_hidden()
    ctx.close()
    assert not errors, errors


def test_links_keep_form_state_shape():
    """The crawl's notion of 'the same kind of page' (a unit check of the helper)."""
    assert _shape("/area/AA01?lang=en") == _shape("/area/BC02?lang=en")
    assert _shape("/?layer=a&level=b") != _shape("/?layer=a")


def test_protected_cubes_are_cached_by_snapshot(served_home):
    """A restart over an unchanged warehouse reads the protected cubes from disk, equal to computing them;
    another disclosure rule gets its own file."""
    import pandas as pd

    from weerbaar.disclosure import DisclosureConfig
    from weerbaar.public import PublicData

    first = PublicData(served_home)
    division = first.meta()["default_division"]
    indicators = ["registered.drug_trade", "reports.drug_nuisance"]
    path = first._cube_file(division, indicators)
    path.unlink(missing_ok=True)
    made = first._cubes(division, indicators)
    assert path.exists() and path.name.startswith(first.meta()["snapshot"])
    again = PublicData(served_home)
    calls: list[int] = []
    again._protect_cubes = lambda *a: calls.append(1)  # would be the disclosure step
    read = again._cubes(division, indicators)
    assert not calls
    for ind in indicators:
        pd.testing.assert_frame_equal(made[ind], read[ind])
    other = PublicData(served_home, disclosure=DisclosureConfig(threshold=10))
    assert other._cube_file(division, indicators) != path
