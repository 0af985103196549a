"""Residents' report intake under concurrent load and a crash, on SQLite and PostgreSQL (issue 7).

The load, kill and verify code is ``benchmarks/reportload.py``, shared with
``benchmarks/bench_reports.py`` (which runs the same checks for 60 s with 32 clients and prints
figures). Here: 8 clients for 4 s against a real server process (the app under uvicorn, without the
dashboard warm-up of ``weerbaar serve`` so it starts quickly); the store is read directly afterwards.
"""

from __future__ import annotations

import shutil
import sys
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import PG_SERVER, _postgres_or_skip
from weerbaar import settings
from weerbaar.errors import ConfigError
from weerbaar.web import report_form

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import reportload as rl  # noqa: E402

CLIENTS, SECONDS = 8, 4.0


# -- the rate limit setting -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [("10/600", (10, 600.0)), (" 3/1.5 ", (3, 1.5)), ("0", None), ("off", None), ("OFF", None)],
)
def test_rate_limit_setting_parses(raw, expected):
    assert settings.SETTINGS["report_rate_limit"].parse(raw) == expected


@pytest.mark.parametrize("raw", ["10", "ten/600", "0/600", "-1/60", "5/0", "5/-3", "5/inf", "5/nan", "1/2/3", ""])
def test_rate_limit_setting_refuses_nonsense(raw):
    with pytest.raises(ConfigError) as exc:
        settings.SETTINGS["report_rate_limit"].parse(raw)
    assert "report rate limit" in exc.value.problem and "off" in exc.value.expected


def test_rate_limit_default_and_limiter(monkeypatch):
    monkeypatch.delenv("WEERBAAR_REPORT_RATE_LIMIT", raising=False)
    assert settings.get("report_rate_limit") == (10, 600.0)
    assert str(settings.get("report_rate_limit")) == "10/600"  # as `weerbaar info` and the docs show it
    monkeypatch.setenv("WEERBAAR_REPORT_RATE_LIMIT", "2/60")
    limiter = report_form._limiter(SimpleNamespace(state=SimpleNamespace()))
    assert (limiter.limit, limiter.window) == (2, 60.0)
    assert [limiter.hit("1.2.3.4") for _ in range(2)] == [0, 0] and limiter.hit("1.2.3.4") > 0
    monkeypatch.setenv("WEERBAAR_REPORT_RATE_LIMIT", "off")
    unlimited = report_form._limiter(SimpleNamespace(state=SimpleNamespace()))
    assert all(unlimited.hit("1.2.3.4") == 0 for _ in range(50))
    tests_override = SimpleNamespace(state=SimpleNamespace(report_rate=(3, 600.0)))  # as test_report_form does
    assert report_form._limiter(tests_override).limit == 3


# -- under load, through a server process -----------------------------------------------------------
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, served_home, tmp_path_factory):
    """A server process over a copy of the served warehouse and a fresh store; its load outcomes."""
    home = tmp_path_factory.mktemp(f"reliability-{request.param}")
    shutil.copy(served_home / "warehouse.duckdb", home / "warehouse.duckdb")
    if request.param == "sqlite":
        stores = nullcontext(f"sqlite:///{home / 'operational.sqlite'}")
    else:
        _postgres_or_skip().dispose()
        stores = rl.postgres_schema(PG_SERVER, prefix="weerbaar_test")
    with stores as url:
        rl.prepare_store(url)
        server = rl.Server(home, url, serve=False)
        server.start()
        try:
            yield SimpleNamespace(server=server, url=url, outcomes=[])
        finally:
            server.stop()


@pytest.mark.integration
def test_concurrent_reports_are_stored_once(served):
    out = rl.run_load(served.server, clients=CLIENTS, seconds=SECONDS)
    served.outcomes.append(out)
    verdict = rl.verify(served.url, *served.outcomes)
    assert len(out.acked) >= CLIENTS, out
    assert verdict.ok and verdict.lost == 0 and verdict.duplicated == 0, verdict
    assert verdict.stored_unacked == 0 and not out.gave_up and not out.rejected, (verdict, out)
    assert not [kind for kind in out.errors if kind.startswith("HTTP")], out.errors  # no 5xx, no 429


@pytest.mark.integration
def test_sigkill_mid_load_loses_nothing_acknowledged(served):
    out = rl.run_load(served.server, clients=CLIENTS, seconds=SECONDS, kill_at=SECONDS / 2)
    served.outcomes.append(out)
    assert len(out.kills) == 1 and served.server.proc.poll() is None  # killed once, serving again
    verdict = rl.verify(served.url, *served.outcomes)
    assert verdict.ok and verdict.lost == 0 and verdict.duplicated == 0, verdict
    assert not out.gave_up and not out.rejected, out  # every report was acknowledged in the end
    assert verdict.stored_unacked == 0, verdict
