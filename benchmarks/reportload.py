"""Load, kill and verify: residents' reports sent to a real ``weerbaar serve`` process.

Shared by ``benchmarks/bench_reports.py`` (60 s per store, figures) and
``tests/test_report_reliability.py`` (a few seconds, assertions), so the load loop and the checks
exist once. It lives beside the benchmarks rather than in ``weerbaar`` because it needs httpx, a
test dependency, and drives the server from outside like any client would; the test puts this
folder on ``sys.path``.

The model of a client is a resident's phone: it sends a report with a fresh idempotency key and,
when it gets no answer (connection refused or reset, a timeout, a 5xx or a 429), sends the *same*
body with the *same* key again until the server acknowledges it with 201. Only a 201 counts as
acknowledged. Afterwards the store is read directly (SQLAlchemy, not through the server) and
compared with what the clients saw.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

PATH = "/api/v1/reports"
PG_SERVER = os.environ.get("WEERBAAR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KINDS = ("dealing", "handing_over", "stashing", "nuisance")


# -- the server -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A server process over ``home`` and the store at ``url``, with the report rate limit off.

    ``serve=True``: ``python -m weerbaar serve --no-build``, exactly what users run (it prepares the
    dashboard's caches before it listens, which takes a while). ``serve=False``: the same app
    (``create_app``) under uvicorn without that warm-up, so a test can start it in seconds.
    ``kill()`` is SIGKILL; ``start()`` again restarts on the same port."""

    home: Path
    url: str
    serve: bool = True
    port: int = field(default_factory=free_port)
    log: Path | None = None
    proc: subprocess.Popen | None = None
    starts: list[float] = field(default_factory=list)  # seconds from spawn to the first answer of /healthz

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> float:
        env = {**os.environ, "WEERBAAR_HOME": str(self.home), "WEERBAAR_DATABASE_URL": self.url}
        env["WEERBAAR_REPORT_RATE_LIMIT"] = "off"
        if self.serve:
            cmd = [sys.executable, "-m", "weerbaar", "--home", str(self.home), "serve", "--no-build"]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "--factory", "weerbaar.web.app:create_app", "--log-level=warning"]
        cmd += ["--port", str(self.port)]
        log = (self.log or self.home / "serve.log").open("ab")
        t = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = t + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weerbaar serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.base + "/healthz", timeout=5).status_code == 200:
                    self.starts.append(time.perf_counter() - t)
                    return self.starts[-1]
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"weerbaar serve did not answer within {timeout:.0f} s; see {self.log_path}")

    @property
    def log_path(self) -> Path:
        return self.log or self.home / "serve.log"

    def warming(self) -> bool:
        return bool(httpx.get(self.base + "/healthz", timeout=10).json().get("warming"))

    def wait_warm(self, timeout: float = 300.0) -> float:
        """Wait until the server's background warm-up (every area profile) is done; the seconds waited."""
        t = time.perf_counter()
        while self.warming() and time.perf_counter() - t < timeout:
            time.sleep(0.5)
        return time.perf_counter() - t

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, in-flight requests are cut off."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- the stores -----------------------------------------------------------------------------------------
def postgres_problem(server_url: str = PG_SERVER) -> str | None:
    """None when PostgreSQL answers at ``server_url``, else why not (for a skip message)."""
    try:
        eng = create_engine(server_url, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@contextmanager
def postgres_schema(server_url: str = PG_SERVER, prefix: str = "weerbaar_bench") -> Iterator[str]:
    """A fresh schema on ``server_url``, dropped afterwards; yields the store URL that uses it."""
    admin = create_engine(server_url, connect_args={"connect_timeout": 3})
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare_store(url: str) -> None:
    """Create the tables (Alembic) before the server starts, so the load measures submissions only."""
    from weerbaar import store

    store.upgrade(url)
    store.dispose(url)


# -- the load -------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    clients: int
    seconds: float
    sent: set[str] = field(default_factory=set)  # every key a client sent at least once
    acked: list[str] = field(default_factory=list)  # keys answered 201, in order (a key twice is a bug)
    latencies: list[float] = field(default_factory=list)  # seconds, of each acknowledged request
    retried: int = 0  # reports acknowledged only after one or more retries
    to_ack_max: float = 0.0  # longest time from a report's first attempt to its acknowledgement (s)
    errors: Counter = field(default_factory=Counter)  # failed attempts by kind
    rejected: dict[str, int] = field(default_factory=dict)  # keys refused for good (a 4xx other than 429)
    refusals: list[str] = field(default_factory=list)  # what the server said when it refused (first 5)
    gave_up: set[str] = field(default_factory=set)  # keys never acknowledged within the grace period
    elapsed: float = 0.0
    kills: list[tuple[float, float]] = field(default_factory=list)  # (at s into the run, restart took s)

    def pct(self, q: float) -> float:
        """The q-th percentile (nearest rank) of the acknowledged requests' latency, in ms."""
        xs = sorted(self.latencies)
        if not xs:
            return float("nan")
        k = min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))
        return xs[k] * 1000

    @property
    def rate(self) -> float:
        return len(self.acked) / self.elapsed if self.elapsed else float("nan")


def _body(key: str, rnd: random.Random) -> dict:
    return {
        "kind": rnd.choice(KINDS),
        "lon": round(rnd.uniform(4.85, 4.95), 5),
        "lat": round(rnd.uniform(52.34, 52.40), 5),
        "description": "load test",
        "idempotency_key": key,
    }


async def _load(server: Server, clients: int, seconds: float, kill_at: float | None, grace: float) -> Outcome:
    out = Outcome(clients, seconds)
    run = uuid.uuid4().hex[:8]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        t0 = time.perf_counter()
        deadline = t0 + seconds

        async def worker(i: int) -> None:
            rnd = random.Random(f"{run}-{i}")
            seq = 0
            while time.perf_counter() < deadline:
                key = f"{run}-{i}-{seq}"
                seq += 1
                body = _body(key, rnd)
                out.sent.add(key)
                first = time.perf_counter()
                attempt = 0
                while True:
                    attempt += 1
                    t = time.perf_counter()
                    try:
                        r = await client.post(server.base + PATH, json=body)
                    except httpx.TransportError as exc:  # refused, reset, timed out: the outcome is unknown
                        out.errors[type(exc).__name__] += 1
                    else:
                        now = time.perf_counter()
                        if r.status_code == 201:
                            out.acked.append(key)
                            out.latencies.append(now - t)
                            out.to_ack_max = max(out.to_ack_max, now - first)
                            out.retried += attempt > 1
                            break
                        out.errors[f"HTTP {r.status_code}"] += 1
                        if r.status_code < 500 and r.status_code != 429:
                            out.rejected[key] = r.status_code
                            if len(out.refusals) < 5:
                                out.refusals.append(f"{key}: {r.text[:300]}")
                            break
                    if time.perf_counter() > deadline + grace:
                        out.gave_up.add(key)
                        return
                    await asyncio.sleep(min(0.5, 0.02 * 2**attempt))  # back off, then the same key again

        async def killer() -> None:
            await asyncio.sleep(kill_at)
            t = time.perf_counter()
            server.kill()
            await asyncio.to_thread(server.start)
            out.kills.append((t - t0, time.perf_counter() - t))

        tasks = [worker(i) for i in range(clients)]
        if kill_at is not None:
            tasks.append(killer())
        await asyncio.gather(*tasks)
        out.elapsed = time.perf_counter() - t0
    return out


def run_load(
    server: Server, *, clients: int, seconds: float, kill_at: float | None = None, grace: float = 120.0
) -> Outcome:
    """``clients`` concurrent clients submit reports for ``seconds``; at ``kill_at`` s the server is
    SIGKILLed and restarted, and the clients retry until acknowledged (for at most ``grace`` s more)."""
    return asyncio.run(_load(server, clients, seconds, kill_at, grace))


# -- the check ------------------------------------------------------------------------------------------
@dataclass
class Verdict:
    rows: int  # reports in the store
    distinct_keys: int
    lost: int  # acknowledged, not stored
    duplicated: int  # rows beyond the first of a key, plus acknowledgements beyond the first of a key
    unexpected: int  # stored reports that no client sent (or without a key)
    stored_unacked: int  # sent, stored, but never acknowledged (a client that gave up)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.unexpected == 0


def verify(url: str, *outcomes: Outcome) -> Verdict:
    """Read the store directly and compare it with what the clients of ``outcomes`` (every load run
    on this store) were told."""
    from weerbaar.store.models import Report

    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(Report)).scalar_one()
            by_key = select(Report.idempotency_key, func.count()).group_by(Report.idempotency_key)
            per_key = Counter(dict(conn.execute(by_key).all()))
    finally:
        eng.dispose()
    none = per_key.pop(None, 0)
    stored = set(per_key)
    sent = set().union(*(o.sent for o in outcomes))
    acked = Counter(k for o in outcomes for k in o.acked)
    return Verdict(
        rows=rows,
        distinct_keys=len(stored),
        lost=len(set(acked) - stored),
        duplicated=sum(n - 1 for n in per_key.values()) + sum(n - 1 for n in acked.values()),
        unexpected=none + len(stored - sent),
        stored_unacked=len((stored & sent) - set(acked)),
    )
