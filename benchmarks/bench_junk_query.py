"""Requests per second of a cached map layer with and without junk query parameters (issue 16, item 9).

Before the fix every URL with an unknown parameter missed the response cache and was rendered again (8 req/s
against 547 req/s); now the cache key keeps only the parameters the route declares.

    python benchmarks/bench_junk_query.py [HOME]   # HOME: a data folder with a built warehouse
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from weerbaar import settings
from weerbaar.web.app import create_app

N = 200


def main() -> None:
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.home()
    app = create_app(home)
    url = "/api/v1/map?layer=registered.drug_trade&level=buurt"
    with TestClient(app) as c:
        assert c.get(url).status_code == 200  # made once and cached
        for label, make in (("clean", lambda i: url), ("junk", lambda i: f"{url}&junk{i}=x")):
            t = time.perf_counter()
            for i in range(N):
                assert c.get(make(i)).status_code == 200
            rate = N / (time.perf_counter() - t)
            print(f"{label:6s} {rate:8.0f} req/s   cache entries {len(app.state.responses._items)}")


if __name__ == "__main__":
    main()
