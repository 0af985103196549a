"""Council report build time per variant (target: under 30 s each) on the embedded default.

    python benchmarks/bench_report.py [HOME]

HOME: a data folder with a built warehouse and the standard results (made here when missing).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from weerbaar.report import build_report
from weerbaar.standard import ensure_ready


def main() -> None:
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="weerbaar-bench-report-"))
    t0 = time.perf_counter()
    ensure_ready(home)
    print(f"warehouse ready: {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as out:
        for lang in ("nl", "en"):
            for fmt in ("pdf", "html"):
                t = time.perf_counter()
                r = build_report(period="2019-H2", lang=lang, fmt=fmt, out=Path(out) / f"r-{lang}.{fmt}", home=home)
                s = time.perf_counter() - t
                pages = f", {r['pages']} pages" if r["pages"] else ""
                print(f"report {lang} {fmt}: {s:.1f} s{pages} ({'ok' if s < 30 else 'over the 30 s target'})")


if __name__ == "__main__":
    main()
