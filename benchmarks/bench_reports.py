"""Benchmark: residents' report intake under load, with a crash, on SQLite and on PostgreSQL.

    python benchmarks/bench_reports.py [--seconds 60] [--clients 32] [--kill-at 30] [--stores sqlite,postgresql]

Builds a data folder with the embedded default once (``weerbaar.standard.ensure_ready``; or reuses
``--home``), then for each store: a fresh store (a SQLite file, or a fresh schema on ``--postgres``,
skipped with a message when that server is unreachable), ``weerbaar serve`` in its own process with
``WEERBAAR_REPORT_RATE_LIMIT=off``, and N concurrent clients (httpx.AsyncClient, one process, on
loopback) that POST /api/v1/reports with a unique idempotency key each for ``--seconds``. At
``--kill-at`` seconds the server is SIGKILLed and started again on the same port and store; the clients
retry the report they were sending with the same key until it is acknowledged (201). Finally the store
is read directly and every acknowledged key must be present exactly once.

Prints accepted reports per second, latency percentiles of the acknowledged requests, failed attempts
by kind, lost and duplicated reports. Exits 1 when a report was lost or duplicated. Client, server and
(on PostgreSQL) the database share the machine's CPUs. The load code is in ``reportload.py`` beside
this file, which tests/test_report_reliability.py uses too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from reportload import (
    PG_SERVER,
    Outcome,
    Server,
    Verdict,
    postgres_problem,
    postgres_schema,
    prepare_store,
    run_load,
    verify,
)


def bench_store(name: str, url: str, home: Path, a: argparse.Namespace) -> tuple[Outcome, Verdict]:
    prepare_store(url)
    server = Server(home, url, serve=True, log=home / f"serve-{name}.log")
    took = server.start()
    warm = server.wait_warm()  # measure a warm server, as bench_api does (the restart warms again, under load)
    print(
        f"[{name}] weerbaar serve pid {server.proc.pid} on {server.base}: answers after {took:.1f} s, "
        f"warm {warm:.0f} s later"
    )
    try:
        out = run_load(server, clients=a.clients, seconds=a.seconds, kill_at=a.kill_at)
    finally:
        server.stop()
    return out, verify(url, out)


def show(name: str, out: Outcome, v: Verdict) -> None:
    kills = ", ".join(f"SIGKILL at {at:.1f} s, serving again {took:.1f} s later" for at, took in out.kills) or "none"
    errors = ", ".join(f"{k} {n}" for k, n in out.errors.most_common()) or "none"
    print(f"\n== {name}: {out.clients} clients for {out.seconds:.0f} s (run took {out.elapsed:.1f} s)")
    print(f"  acknowledged (201)          {len(out.acked):>8}   {out.rate:.1f} accepted reports/s over the whole run")
    down = sum(took for _, took in out.kills)
    if down:
        up = len(out.acked) / (out.elapsed - down)
        print(f"  {'':<28}{up:.1f}/s while serving (the run less {down:.1f} s of restart)")
    print(f"  latency of acknowledged     p50 {out.pct(50):.0f} ms, p95 {out.pct(95):.0f} ms, p99 {out.pct(99):.0f} ms")
    print(f"  crash                       {kills}")
    print(f"  failed attempts by kind     {errors}")
    print(f"  acknowledged after retries  {out.retried} (longest wait from first attempt: {out.to_ack_max:.1f} s)")
    print(f"  refused (4xx) / gave up     {len(out.rejected)} / {len(out.gave_up)}")
    print(f"  store                       {v.rows} rows, {v.distinct_keys} distinct keys")
    print(f"  lost                        {v.lost}")
    print(f"  duplicated                  {v.duplicated}")
    print(f"  stored but never sent       {v.unexpected}")
    print(f"  stored, not acknowledged    {v.stored_unacked}")
    print(f"  verdict                     {'ok' if v.ok else 'FAILED'}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--kill-at", type=float, default=None, help="seconds into the load (default: half); 0: no kill")
    p.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    p.add_argument("--home", type=Path, help="a data folder to reuse (built when empty); default: a temp dir")
    p.add_argument("--postgres", default=PG_SERVER, help="PostgreSQL server URL (a fresh schema is made and dropped)")
    a = p.parse_args()
    a.kill_at = a.seconds / 2 if a.kill_at is None else (a.kill_at or None)
    stores = [s.strip() for s in a.stores.split(",") if s.strip()]
    unknown = set(stores) - {"sqlite", "postgresql"}
    if unknown:
        p.error(f"unknown store(s): {', '.join(sorted(unknown))}")

    from weerbaar.standard import ensure_ready

    tmp = tempfile.TemporaryDirectory(prefix="weerbaar-bench-reports-")
    home = a.home or Path(tmp.name) / "home"
    home.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    done = ensure_ready(home)
    print(f"data folder {home}: built={done['built']}, {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPUs")

    results = []
    try:
        for name in stores:
            if name == "sqlite":
                ctx = nullcontext(f"sqlite:///{Path(tmp.name).resolve() / 'reports-bench.sqlite'}")
            else:
                problem = postgres_problem(a.postgres)
                if problem:
                    print(f"\n== postgresql: skipped, the server is unreachable ({problem})")
                    continue
                ctx = postgres_schema(a.postgres)
            with ctx as url:
                out, verdict = bench_store(name, url, home, a)
            show(name, out, verdict)
            results.append((name, out, verdict))
    finally:
        tmp.cleanup()

    print(f"\n{'store':<12}{'accepted/s':>11}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'lost':>6}{'dup':>5}  verdict")
    for name, out, v in results:
        print(
            f"{name:<12}{out.rate:>11.1f}{out.pct(50):>8.0f}{out.pct(95):>8.0f}{out.pct(99):>8.0f}"
            f"{v.lost:>6}{v.duplicated:>5}  {'ok' if v.ok else 'FAILED'}"
        )
    return 0 if all(v.ok for _, _, v in results) else 1


if __name__ == "__main__":
    sys.exit(main())
