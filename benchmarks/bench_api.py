"""Benchmark: the open API and the first page load of ``weerbaar serve`` on loopback.

    python benchmarks/bench_api.py [--home DIR] [--clients 20] [--seconds 15] [--no-browser]

Builds (or reuses, with ``--home``) a data folder with the embedded default and the standard results,
starts the server in a separate process (``python -m weerbaar serve --no-build``: uvicorn, one
worker, like ``weerbaar serve``), warms it up, then measures with N concurrent clients
(httpx.AsyncClient, one process, keep-alive connections):

(a) the area profile ``/api/v1/profile/{code}``: cold-ish (every buurt code once, nl then en: nothing
    cached per area, the division-wide tables are) and warm (20 codes, repeated);
(b) the map layer ``/api/v1/map``: one layer (``registered.drug_trade``, buurt) and a mix of periods,
    levels and layers;
(c) the first page load: ``/`` and its resources fetched one after another by a fresh client, and in
    Chromium the navigation-to-load-event time and the time to the first chart (``.vega svg``);
(d) the size of the map payload for the 518 buurten, raw and gzip.

Targets printed beside the figures: API p95 < 50 ms at 20 concurrent clients, first page load < 1 s on
loopback, map payload for 518 buurten < 300 kB. The client and the server share the machine's CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

API_P95_MS = 50.0
PAGE_LOAD_S = 1.0
PAYLOAD_KB = 300.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


# -- server ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "WEERBAAR_HOME": str(home)}
    # exactly what users run: `weerbaar serve` (it prepares its caches before it listens)
    cmd = [sys.executable, "-m", "weerbaar", "--home", str(home), "serve", "--no-build", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"weerbaar serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("weerbaar serve did not answer within 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- load -----------------------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    elapsed: float = 0.0
    note: str = ""

    fixed: dict = field(default_factory=dict)  # percentiles (ms) measured elsewhere (wrk)
    count: int = 0

    def pct(self, q: float) -> float:
        if self.fixed:
            return self.fixed[q]
        xs = sorted(self.latencies)
        if not xs:
            return float("nan")
        k = min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))
        return xs[k] * 1000

    @property
    def n(self) -> int:
        return self.count or len(self.latencies)

    @property
    def rps(self) -> float:
        return self.n / self.elapsed if self.elapsed else float("nan")


async def _load(base: str, name: str, urls, clients: int, seconds: float, note: str = "") -> Result:
    """``clients`` workers take URLs from one shared iterator until it ends or ``seconds`` pass."""
    res = Result(name, note=note)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        deadline = time.perf_counter() + seconds
        it = iter(urls)

        async def worker() -> None:
            while time.perf_counter() < deadline:
                try:
                    url = next(it)
                except StopIteration:
                    return
                t = time.perf_counter()
                r = await client.get(url)
                await r.aread()
                res.latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    res.errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        res.elapsed = time.perf_counter() - t0
    return res


def load(base: str, name: str, urls, clients: int, seconds: float, note: str = "") -> Result:
    return asyncio.run(_load(base, name, urls, clients, seconds, note))


WRK_SCRIPT = """
paths = {%s}
i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def load_wrk(base: str, name: str, urls: list[str], clients: int, seconds: float, note: str = "") -> Result:
    """The same load from wrk (a C load generator), so the figures measure the server, not a Python client."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % ", ".join(json.dumps(u) for u in urls))
        script = f.name
    cmd = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", script, base]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    n, duration_us, errors, p50, p95, p99, _mx = line.split()[1:]
    res = Result(name, errors=int(errors), elapsed=int(duration_us) / 1e6, note=note)
    res.fixed = {50: float(p50), 95: float(p95), 99: float(p99)}
    res.count = int(n)
    return res


# -- first page load ------------------------------------------------------------------------------------
def fetch_page_and_resources(base: str) -> tuple[float, float, int, list[str]]:
    """A fresh client: the HTML, then every stylesheet and script it names, one after another."""
    with httpx.Client(base_url=base, timeout=120) as c:
        t = time.perf_counter()
        r = c.get("/")
        t_html = time.perf_counter() - t
        html = r.text
        assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(r'<script src="([^"]+)"', html)
        total = len(r.content)
        for a in assets:
            total += len(c.get(a).content)
        return t_html, time.perf_counter() - t, total, assets


FIRST_CHART = """
(() => {
  const seen = () => document.querySelector('.vega svg.marks');
  new MutationObserver((_, obs) => {
    if (window.__firstChart === undefined && seen()) { window.__firstChart = performance.now(); obs.disconnect(); }
  }).observe(document, {childList: true, subtree: true});
})();
"""
NAV_TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          chart: window.__firstChart === undefined ? null : window.__firstChart, bytes: n.transferSize};
}"""


def browser_loads(base: str, runs: int) -> list[tuple[str, dict]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(runs):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})  # fresh cache each time
            ctx.add_init_script(FIRST_CHART)
            page = ctx.new_page()
            page.goto(base + "/", wait_until="load")
            page.wait_for_selector(".vega svg.marks", timeout=60_000)
            page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            out.append(("fresh browser" if i else "fresh browser, 1st", page.evaluate(NAV_TIMING)))
            if i == runs - 1:  # a repeat visit: vega.js (immutable) from the cache
                for _ in range(3):
                    page.goto(base + "/", wait_until="load")
                    page.wait_for_selector(".vega svg.marks", timeout=60_000)
                    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
                    out.append(("repeat visit (cache)", page.evaluate(NAV_TIMING)))
            ctx.close()
        browser.close()
    return out


# -- report ---------------------------------------------------------------------------------------------
def ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def print_load_table(rows: list[Result], clients: int) -> None:
    print(f"\nAPI under load: {clients} concurrent clients (target p95 < {API_P95_MS:.0f} ms)")
    print(
        "Rows without [wrk] use a Python client (httpx, asyncio) that needs more CPU per request than the server\n"
        "and shares the 2 cores with it: they measure the client as much as the server. The [wrk] rows use wrk,\n"
        "a load generator in C, and are the figures to judge the target by."
    )
    head = f"{'scenario':<48}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>8}  target"
    print(head)
    print("-" * len(head))
    for r in rows:
        p95 = r.pct(95)
        print(
            f"{r.name:<48}{r.n:>9}{r.errors:>7}{r.pct(50):>9.1f}{p95:>9.1f}{r.pct(99):>9.1f}"
            f"{r.rps:>8.0f}  {ok(p95 < API_P95_MS and not r.errors)}"
        )
        if r.note:
            print(f"{'':<4}{r.note}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--home", type=Path, help="a data folder to reuse (built when empty); default: a temp dir")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--browser-runs", type=int, default=5)
    p.add_argument("--no-browser", action="store_true")
    a = p.parse_args()

    from weerbaar.standard import ensure_ready

    tmp = None
    if a.home is None:
        tmp = tempfile.TemporaryDirectory(prefix="weerbaar-bench-")
        a.home = Path(tmp.name) / "home"
    a.home.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    done = ensure_ready(a.home)
    print(
        f"data folder {a.home}: built={done['built']}, results computed={len(done['computed'])}, "
        f"{time.perf_counter() - t:.1f} s"
    )

    port = free_port()
    t = time.perf_counter()
    proc = start_server(a.home, port)
    base = f"http://127.0.0.1:{port}"
    took = time.perf_counter() - t
    print(f"weerbaar serve (separate process, pid {proc.pid}) answering on {base} after {took:.1f} s")
    try:
        run(base, a)
    finally:
        stop_server(proc)
        if tmp is not None:
            tmp.cleanup()


def run(base: str, a: argparse.Namespace) -> None:
    c = httpx.Client(base_url=base, timeout=300)
    buurten = [x["code"] for x in c.get("/api/v1/areas", params={"level": "buurt"}).json()["areas"]]
    meta = c.get("/api/v1/meta").json()

    # -- cold figures, before any warm-up ---------------------------------------------------------------
    cold: list[tuple[str, float]] = []
    t_html, t_all, page_bytes, assets = fetch_page_and_resources(base)
    cold.append(("GET / + style.css + vega.js + app.js, first after start", t_all))
    for url in (
        f"/api/v1/profile/{buurten[0]}",
        f"/api/v1/profile/{buurten[1]}",
        "/api/v1/map?layer=registered.drug_trade&level=buurt",
        "/api/v1/map?layer=reports.drug_nuisance&level=wijk&period=2019",
        f"/area/{buurten[0]}",
    ):
        t = time.perf_counter()
        r = c.get(url)
        cold.append((f"GET {url} (first, {r.status_code})", time.perf_counter() - t))

    # -- warm-up ---------------------------------------------------------------------------------------
    warm_codes = buurten[-20:]
    for code in warm_codes:
        c.get(f"/api/v1/profile/{code}")
    periods = [str(y) for y in range(2015, 2025)]
    levels = ["buurt", "wijk", "gebied", "stadsdeel"]
    layers = ["registered.drug_trade", "reports.drug_nuisance"]
    map_mix = [f"/api/v1/map?layer={lay}&level={lv}&period={per}" for lay in layers for lv in levels for per in periods]
    t = time.perf_counter()
    for url in map_mix:
        c.get(url)
    warm_map_s = time.perf_counter() - t

    # the server warms every profile in the background after it starts: load figures are for a warm server
    t = time.perf_counter()
    while c.get("/healthz").json().get("warming") and time.perf_counter() - t < 300:
        time.sleep(0.5)
    warm_wait = time.perf_counter() - t

    # -- (a), (b) under load ---------------------------------------------------------------------------
    cold_codes = [code for code in buurten[2:-20]]
    cold_urls = [f"/api/v1/profile/{code}" for code in cold_codes] + [
        f"/api/v1/profile/{code}?lang=en" for code in cold_codes
    ]
    rows = [
        load(
            base,
            "(a) profile, cold-ish (each buurt once, nl+en)",
            cold_urls,
            a.clients,
            a.seconds,
            note=f"{len(cold_urls)} distinct URLs available; none requested before",
        ),
        load(
            base,
            "(a) profile, warm (20 buurten repeated)",
            itertools.cycle(f"/api/v1/profile/{code}" for code in warm_codes),
            a.clients,
            a.seconds,
        ),
        load(
            base,
            "(b) map registered.drug_trade, buurt",
            itertools.repeat("/api/v1/map?layer=registered.drug_trade&level=buurt"),
            a.clients,
            a.seconds,
        ),
        load(
            base,
            "(b) map mix: 2 layers x 4 levels x 10 years",
            itertools.cycle(map_mix),
            a.clients,
            a.seconds,
            note=f"{len(map_mix)} URLs, each requested once in the warm-up ({warm_map_s:.1f} s for all, sequential)",
        ),
    ]

    if shutil.which("wrk"):
        all_profiles = [f"/api/v1/profile/{code}" for code in buurten] + [
            f"/api/v1/profile/{code}?lang=en" for code in buurten
        ]
        rows += [
            load_wrk(
                base,
                "(a) profile, all buurten nl+en [wrk]",
                all_profiles,
                a.clients,
                a.seconds,
                note=f"{len(all_profiles)} URLs in turn; server warmed its profiles for {warm_wait:.0f} s before",
            ),
            load_wrk(
                base,
                "(b) map registered.drug_trade, buurt [wrk]",
                ["/api/v1/map?layer=registered.drug_trade&level=buurt"],
                a.clients,
                a.seconds,
            ),
            load_wrk(base, "(b) map mix [wrk]", map_mix, a.clients, a.seconds),
        ]
    else:
        print("wrk not found (apt-get install wrk): only the Python client's figures, which measure the client too")

    # -- (c) first page load ---------------------------------------------------------------------------
    seq = [fetch_page_and_resources(base) for _ in range(5)]
    browser = [] if a.no_browser else browser_loads(base, a.browser_runs)

    # -- (d) payload -----------------------------------------------------------------------------------
    url = "/api/v1/map?layer=registered.drug_trade&level=buurt"
    raw = c.get(url, headers={"Accept-Encoding": "identity"})
    n_features = len(raw.json()["features"])
    with c.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        r.read()
        wire = r.num_bytes_downloaded
        encoding = r.headers.get("content-encoding", "identity")
    html_raw = len(c.get("/?level=buurt", headers={"Accept-Encoding": "identity"}).content)
    vega_url = next(x for x in assets if "vega" in x)
    vega_raw = len(c.get(vega_url, headers={"Accept-Encoding": "identity"}).content)
    vega_ms = []
    for _ in range(5):
        t = time.perf_counter()
        with c.stream("GET", vega_url, headers={"Accept-Encoding": "gzip"}) as r:
            r.read()
            vega_wire = r.num_bytes_downloaded
        vega_ms.append((time.perf_counter() - t) * 1000)
    html_gz = len(gzip.compress(c.get("/?level=buurt").content, 6))

    # -- print -----------------------------------------------------------------------------------------
    print(
        f"\nsnapshot {meta['snapshot']}, {len(buurten)} buurten, synthetic={meta['synthetic']}, "
        f"{os.cpu_count()} CPUs shared by client and server"
    )
    print("\nCold (first request of its kind after the server started; later requests reuse caches)")
    for i, (name, s) in enumerate(cold):
        target = f"  {ok(s < PAGE_LOAD_S)} (page target < {PAGE_LOAD_S:.0f} s)" if i == 0 else ""
        print(f"  {name:<78}{s * 1000:>7.0f} ms{target}")

    print_load_table(rows, a.clients)

    print(f"\n(c) First page load on loopback (target < {PAGE_LOAD_S:.0f} s)")
    html_ms = [s[0] * 1000 for s in seq]
    all_ms = [s[1] * 1000 for s in seq]
    print(f"  resources fetched after the HTML: {', '.join(assets)}; {seq[0][2] / 1024:.0f} kB in all (decoded)")
    print(f"  {'fresh httpx client, sequential':<44}{'median':>8}{'max':>8}  target")
    print(f"  {'  HTML of /':<44}{statistics.median(html_ms):>8.0f}{max(html_ms):>8.0f}")
    print(
        f"  {'  HTML + style.css + vega.js + app.js':<44}{statistics.median(all_ms):>8.0f}{max(all_ms):>8.0f}"
        f"  {ok(statistics.median(all_ms) < PAGE_LOAD_S * 1000)}"
    )
    if browser:
        print(
            f"  {'Chromium (ms from navigation start)':<38}{'TTFB':>7}{'DCL':>7}{'load':>7}{'1st chart':>10}"
            f"{'HTML kB':>8}  target (load, chart)"
        )
        print(f"  {'':<38}{'':>31}{'(wire)':>8}")
        for name, m in browser:
            chart = m["chart"] if m["chart"] is not None else float("nan")
            print(
                f"  {'  ' + name:<38}{m['ttfb']:>7.0f}{m['dcl']:>7.0f}{m['load']:>7.0f}{chart:>10.0f}"
                f"{m['bytes'] / 1024:>8.0f}  {ok(m['load'] < PAGE_LOAD_S * 1000)}, {ok(chart < PAGE_LOAD_S * 1000)}"
            )

    print(f"\n(d) Map payload, {url} ({n_features} features; target < {PAYLOAD_KB:.0f} kB)")
    print(f"  raw JSON                {len(raw.content) / 1024:>8.1f} kB  {ok(len(raw.content) / 1024 < PAYLOAD_KB)}")
    print(f"  on the wire ({encoding})    {wire / 1024:>8.1f} kB  {ok(wire / 1024 < PAYLOAD_KB)}")
    print(
        f"  the map page /?level=buurt embeds the same layer: HTML {html_raw / 1024:.1f} kB raw, "
        f"{html_gz / 1024:.1f} kB gzip"
    )
    print(
        f"  {vega_url}: {vega_raw / 1024:.0f} kB raw, {vega_wire / 1024:.0f} kB gzip on the wire, "
        f"{statistics.median(vega_ms):.0f} ms per gzip request (served precompressed from the response cache)"
    )


if __name__ == "__main__":
    main()
