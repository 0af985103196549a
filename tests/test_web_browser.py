"""The dashboard in a real browser: Debian's Chromium driven by Playwright against a live uvicorn server.

Every page loads in Dutch and English without console or page errors, has one h1 and the right
``html[lang]``, and vega-embed renders its charts; the map's controls and click-through work; the
language switch and the skip link behave. Full-page screenshots go to ``test-artifacts/screenshots/``
(desktop 1280 px wide; the map and an area profile also at phone width 390 px) for a person to look at.

Skipped locally when /usr/bin/chromium is missing; a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LANGS = ("nl", "en")

#: (screenshot name, path) of every page; nl is the default language (no lang parameter).
PAGES = [
    ("map", "/"),
    ("area-buurt-AA01", "/area/AA01"),
    ("area-wijk-AA", "/area/AA"),
    ("area-stadsdeel-A", "/area/A"),
    ("compare", "/compare?area=AA&area=AB"),
    ("inventory", "/inventory"),
    ("inventory-focus", "/inventory?focus=1"),
    ("inventory-stadsdeel-T", "/inventory?stadsdeel=T"),
    ("trends", "/trends"),
    ("sources", "/sources"),
    ("drug-use", "/drug-use"),
    ("methods", "/methods"),
    ("method-hotspots", "/methods/methods/hotspots"),
    ("reports", "/reports"),
    ("reports-buurt-month", "/reports?level=buurt&period=2024-07"),
]
NAV = {
    "nl": ["Kaart", "Inventarisatie", "Trends", "Vergelijken", "Bronnen", "Methoden"],
    "en": ["Map", "Inventory", "Trends", "Compare", "Sources", "Methods"],
}
SHOW = {"nl": "Toon", "en": "Show"}

# Every chart container has either vega's SVG (svg.marks) or the error text app.js writes on failure.
CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('.vega[data-spec]'))
    .every(el => el.querySelector('svg.marks') || el.querySelector('p.muted'))"""

# A point inside the fill of a map area that is not covered by another element (legend, title, labels):
# larger areas first, a 9 x 9 grid over each bounding box, tested with isPointInFill and elementFromPoint.
POINT_IN_AREA = """() => {
  const paths = Array.from(document.querySelectorAll('#map svg g.mark-shape path'))
    .map(p => [p, p.getBoundingClientRect()])
    .filter(([, r]) => r.width > 10 && r.height > 10)
    .sort((a, b) => b[1].width * b[1].height - a[1].width * a[1].height);
  for (const [p, r] of paths) {
    const inv = p.getScreenCTM().inverse();
    for (let i = 1; i < 10; i++) {
      for (let j = 1; j < 10; j++) {
        const x = r.left + (r.width * i) / 10, y = r.top + (r.height * j) / 10;
        if (p.isPointInFill(new DOMPoint(x, y).matrixTransform(inv)) && document.elementFromPoint(x, y) === p) {
          return {x: x, y: y};
        }
      }
    }
  }
  return null;
}"""


_MISSING = f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need Debian's Chromium"
if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip(_MISSING, allow_module_level=True)  # before the session fixtures build anything


def with_lang(path: str, lang: str) -> str:
    if lang == "nl":
        return path
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(_MISSING + " — required under CI=true")
        pytest.skip(_MISSING)
    return CHROMIUM


@pytest.fixture(scope="module")
def live_server(web_app) -> Iterator[str]:
    """The session's app served by uvicorn in a background thread on a free loopback port."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if not thread.is_alive():
            pytest.fail("uvicorn stopped before it answered")
        try:
            if server.started and httpx.get(base + "/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"uvicorn did not answer on {base} within 30 s")
        time.sleep(0.05)
    # warm the bundle and the first-render caches so the page timings below are not all cold
    with httpx.Client(base_url=base, timeout=60) as c:
        c.get("/static-vendor/vega.js")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Tab:
    """A page in a fresh browser context that records console errors and uncaught page errors."""

    def __init__(self, browser, base: str, viewport: dict, *, javascript: bool = True) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, path: str) -> None:
        resp = self.page.goto(self.base + path, wait_until="load")
        assert resp is not None and resp.status == 200, f"{path}: HTTP {resp.status if resp else None}"
        self.wait_for_charts()

    def wait_for_charts(self) -> int:
        page = self.page
        n = page.locator(".vega[data-spec]").count()
        if n:
            page.wait_for_selector(".vega svg")
            page.wait_for_function(CHARTS_SETTLED)
            failed = page.locator(".vega[data-spec] p.muted").all_inner_texts()
            assert not failed, f"vega-embed failed: {failed}"
            assert page.locator(".vega[data-spec] svg.marks").count() == n
        return n

    def h1(self) -> str:
        return " ".join(self.page.locator("h1").first.inner_text().split())

    def shot(self, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def tab(browser, live_server) -> Iterator[Tab]:
    t = Tab(browser, live_server, DESKTOP)
    yield t
    t.close()


@pytest.fixture()
def phone_tab(browser, live_server) -> Iterator[Tab]:
    t = Tab(browser, live_server, PHONE)
    yield t
    t.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[n for n, _ in PAGES])
def test_page_loads_cleanly(tab, name, path, lang):
    tab.open(with_lang(path, lang))
    page = tab.page
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h1").count() == 1
    assert tab.h1()
    nav = page.locator("header nav").inner_text()
    for word in NAV[lang]:
        assert word in nav, f"{word!r} missing from the menu: {nav!r}"
    shot = tab.shot(f"{name}-{lang}")
    assert shot.stat().st_size > 0
    assert tab.errors == [], tab.errors


@pytest.mark.parametrize("name,path", [("map", "/"), ("area-buurt-AA01", "/area/AA01")])
def test_phone_width(phone_tab, name, path):
    phone_tab.open(path)
    page = phone_tab.page
    assert phone_tab.h1()
    phone_tab.shot(f"{name}-nl-phone")
    # nothing may force the page wider than the phone (horizontal scrolling of the whole page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert phone_tab.errors == [], phone_tab.errors
    assert overflow <= 1, f"the page is {overflow}px wider than a 390px phone"


@pytest.mark.parametrize("lang", LANGS)
def test_map_layer_picker(tab, lang):
    tab.open(with_lang("/", lang))
    page = tab.page
    before = tab.h1()
    option = page.locator('select#layer option[value="reports.drug_nuisance"]')
    # the option says what kind of channel it is ("(synthetisch)", "(echt, ...)"); the heading names the layer
    label = " ".join(option.inner_text().split()).split(" (")[0]
    page.select_option("select#layer", "reports.drug_nuisance")
    button = page.locator("form.controls button[type=submit]")
    assert button.inner_text().strip() == SHOW[lang]
    with page.expect_navigation():
        button.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["layer"] == ["reports.drug_nuisance"]
    assert "layer=reports.drug_nuisance" in page.url
    tab.wait_for_charts()
    after = tab.h1()
    assert after != before
    assert after.startswith(label), (after, label)
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("select#layer").input_value() == "reports.drug_nuisance"
    assert tab.errors == [], tab.errors


@pytest.mark.parametrize("lang", LANGS)
def test_click_area_on_map_opens_its_profile(tab, live_server, lang):
    tab.open(with_lang("/", lang))
    page = tab.page
    page.locator("#map").scroll_into_view_if_needed()
    point = page.evaluate(POINT_IN_AREA)
    assert point, "no clickable area found in the map"
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    url = urlsplit(page.url)
    m = re.fullmatch(r"/area/([^/]+)", url.path)
    assert m, page.url
    code = m.group(1)
    area = httpx.get(f"{live_server}/api/v1/areas/{code}", timeout=10).json()
    tab.wait_for_charts()
    assert area["name"] in tab.h1()
    assert page.get_attribute("html", "lang") == lang, f"the map link lost the language: {page.url}"
    assert tab.errors == [], tab.errors


def test_language_switch(tab):
    tab.open("/")
    page = tab.page
    assert page.get_attribute("html", "lang") == "nl"
    switch = page.locator("a.lang")
    assert switch.inner_text().strip() == "English"
    with page.expect_navigation():
        switch.click()
    page.wait_for_selector('html[lang="en"]')
    assert "lang=en" in page.url
    nav = page.locator("header nav").inner_text()
    assert all(word in nav for word in NAV["en"]), nav
    assert page.locator("a.lang").inner_text().strip() == "Nederlands"
    tab.wait_for_charts()
    # and back: the Dutch page has no lang parameter at all
    with page.expect_navigation():
        page.locator("a.lang").click()
    page.wait_for_selector('html[lang="nl"]')
    assert "lang=" not in page.url
    assert tab.errors == [], tab.errors


def test_language_switch_keeps_the_view(tab):
    tab.open("/?layer=reports.drug_nuisance&level=buurt")
    with tab.page.expect_navigation():
        tab.page.locator("a.lang").click()
    query = parse_qs(urlsplit(tab.page.url).query)
    assert query == {"layer": ["reports.drug_nuisance"], "level": ["buurt"], "lang": ["en"]}


def test_language_switch_keeps_repeated_parameters(tab):
    tab.open("/compare?area=AA&area=AB")
    with tab.page.expect_navigation():
        tab.page.locator("a.lang").click()
    assert parse_qs(urlsplit(tab.page.url).query).get("area") == ["AA", "AB"], tab.page.url


@pytest.mark.parametrize("lang", LANGS)
def test_skip_link_is_the_first_tab_stop(tab, lang):
    tab.open(with_lang("/area/AA01", lang))
    page = tab.page
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert focused["cls"] == "skip", focused
    assert focused["href"] == "#main"
    assert focused["text"] == ("Naar de inhoud" if lang == "nl" else "Skip to content")
    box = page.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.locator("#main").count() == 1


# --- the report form (/report): without JavaScript, and with the map picker ----------------------

# A point inside a buurt of the picker map, not covered by another element: the largest buurten first.
POINT_IN_PICKER = POINT_IN_AREA.replace("#map svg g.mark-shape path", "#map-picker svg path[data-code]")


@pytest.fixture()
def nojs_tab(browser, live_server) -> Iterator[Tab]:
    t = Tab(browser, live_server, DESKTOP, javascript=False)
    yield t
    t.close()


def _stored_buurt(web_app, idempotency_key: str) -> str | None:
    from sqlalchemy import select

    from weerbaar import store
    from weerbaar.store import Report

    with store.session(web_app.state.store_url) as s:
        report = s.scalar(select(Report).where(Report.idempotency_key == idempotency_key))
    assert report is not None, "the report was not stored"
    return report.buurt_code


@pytest.mark.parametrize("lang", LANGS)
def test_report_form_without_javascript(nojs_tab, web_app, lang):
    tab = nojs_tab
    tab.open(with_lang("/report", lang))
    page = tab.page
    assert page.locator("#map-picker").is_hidden()  # the picker needs JavaScript; the list is the route
    page.check("#kind-dealing")
    options = page.locator("select#buurt option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
    code = options[len(options) // 2]
    page.select_option("select#buurt", code)
    key = page.locator("input[name=idempotency_key]").input_value()
    with page.expect_navigation():
        page.locator("form.report-form button[type=submit]").click()
    assert urlsplit(page.url).path == "/report/done", page.url
    assert tab.h1() == ("Bedankt voor uw melding" if lang == "nl" else "Thank you for your report")
    assert page.get_attribute("html", "lang") == lang
    assert _stored_buurt(web_app, key) == code
    assert tab.errors == [], tab.errors


@pytest.mark.parametrize("lang", LANGS)
def test_report_form_map_picker(tab, web_app, lang):
    tab.open(with_lang("/report", lang))
    page = tab.page
    page.wait_for_selector("#map-picker svg path[data-code]")
    assert page.locator("#map-picker").is_visible()
    assert page.locator("select#buurt").input_value() == ""
    tab.shot(f"report-{lang}")
    page.locator("#map-picker").scroll_into_view_if_needed()
    point = page.evaluate(POINT_IN_PICKER)
    assert point, "no clickable buurt found in the picker"
    code = page.evaluate(
        "p => document.elementFromPoint(p.x, p.y).getAttribute('data-code')", point
    )
    page.mouse.click(point["x"], point["y"])
    lon = float(page.locator("input[name=lon]").input_value())
    lat = float(page.locator("input[name=lat]").input_value())
    assert 4.7 < lon < 5.1 and 52.25 < lat < 52.45, (lon, lat)
    assert page.locator("select#buurt").input_value() == code  # the list follows the map
    name = page.locator(f'select#buurt option[value="{code}"]').inner_text().strip()
    chosen = page.locator("#map-picker .chosen-text").inner_text()
    assert chosen == ("Gekozen: " if lang == "nl" else "Chosen: ") + name
    assert page.locator("#map-picker circle.pin").count() == 1
    tab.shot(f"report-map-{lang}")
    # choosing in the list afterwards clears the point: the last choice wins
    other = page.locator("select#buurt option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")[0]
    page.select_option("select#buurt", other)
    assert page.locator("input[name=lon]").input_value() == ""
    page.mouse.click(point["x"], point["y"])  # and back to the map
    assert page.locator("select#buurt").input_value() == code
    page.check("#kind-nuisance")
    key = page.locator("input[name=idempotency_key]").input_value()
    with page.expect_navigation():
        page.locator("form.report-form button[type=submit]").click()
    assert urlsplit(page.url).path == "/report/done", page.url
    assert _stored_buurt(web_app, key) == code  # the server links the point to the same buurt
    assert tab.errors == [], tab.errors


def test_reports_page_links_to_the_form(tab):
    tab.open("/reports")
    page = tab.page
    assert page.locator("header nav a[aria-current=page]").inner_text().strip() == "Meldingen bewoners"
    with page.expect_navigation():
        page.locator("a.button", has_text="Doe een melding").first.click()
    assert urlsplit(page.url).path == "/report"
    assert page.locator("header nav a[aria-current=page]").inner_text().strip() == "Melden"
    assert tab.errors == [], tab.errors


def test_reports_page_at_phone_width(phone_tab):
    phone_tab.open("/reports")
    phone_tab.shot("reports-nl-phone")
    overflow = phone_tab.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert phone_tab.errors == [], phone_tab.errors
    assert overflow <= 1, f"the page is {overflow}px wider than a 390px phone"


@pytest.mark.parametrize("lang", LANGS)
def test_menu_fits_one_row_at_1280(tab, lang):
    """All thirteen menu items and the language switch on one row at 1280 px (tab is the desktop width)."""
    tab.open(with_lang("/methods", lang))
    tops = tab.page.evaluate(
        "[...document.querySelectorAll('header nav li, header .lang')]"
        ".map(e => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"
    )
    assert len(tops) == 14 and max(tops) - min(tops) <= 6, tops  # one row: the same vertical centre
    tab.shot(f"menu-1280-{lang}")
