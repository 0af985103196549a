"""Shared fixtures: the real data folder, a temporary data home, a tiny area set."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import create_engine, text

from weerbaar import settings
from weerbaar.store import db

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("WEERBAAR_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_configure(config) -> None:
    """No test may write to the user's real data folder (a warehouse, a store, a contact key):
    the default home of a test session is a fresh temporary folder."""
    import tempfile

    os.environ["WEERBAAR_HOME"] = tempfile.mkdtemp(prefix="weerbaar-tests-")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of original real files; skipped locally when absent, an error under CI."""
    if not (SHARED_DATA / "README.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real data folder {SHARED_DATA} is missing under CI")
        pytest.skip(f"the real data folder {SHARED_DATA} is not present (set WEERBAAR_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """A fresh data folder, also set as the home setting."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("WEERBAAR_HOME", str(h))
    settings.override("home", None)
    yield h
    settings.override("home", None)


def square_areas(division: str = "T") -> gpd.GeoDataFrame:
    """Four 1 km squares in Amsterdam (RD New): a city, two wijken, four buurten."""
    x0, y0 = 120000, 485000
    rows = [("STAD", "Teststad", "stad", None, box(x0, y0, x0 + 2000, y0 + 2000))]
    rows += [
        ("W1", "Wijk een", "wijk", "STAD", box(x0, y0, x0 + 1000, y0 + 2000)),
        ("W2", "Wijk twee", "wijk", "STAD", box(x0 + 1000, y0, x0 + 2000, y0 + 2000)),
    ]
    for i, (dx, dy) in enumerate([(0, 0), (0, 1000), (1000, 0), (1000, 1000)]):
        parent = "W1" if dx == 0 else "W2"
        rows.append(
            (f"B{i + 1}", f"Buurt {i + 1}", "buurt", parent, box(x0 + dx, y0 + dy, x0 + dx + 1000, y0 + dy + 1000))
        )
    gdf = gpd.GeoDataFrame(rows, columns=["code", "name", "level", "parent", "geometry"], crs="EPSG:28992")
    gdf["division"] = division
    return gdf


@pytest.fixture()
def areas_file(tmp_path) -> Path:
    path = tmp_path / "areas.geojson"
    square_areas().drop(columns="division").to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(scope="session")
def served_home(tmp_path_factory) -> Path:
    """The embedded default with the standard results, built once per test session (for the web tests)."""
    from weerbaar.standard import ensure_ready

    h = tmp_path_factory.mktemp("served")
    ensure_ready(h)
    return h


@pytest.fixture(scope="session")
def web_app(served_home):
    from weerbaar.web.app import create_app

    return create_app(served_home)


@pytest.fixture()
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


# --- the operational store on SQLite and on PostgreSQL ---------------------------------------

PG_SERVER = os.environ.get("WEERBAAR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_or_skip():
    try:
        eng = create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        return eng
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {db.mask_url(PG_SERVER)} is not reachable under CI: {exc}")
        pytest.skip(f"PostgreSQL at {db.mask_url(PG_SERVER)} is not reachable: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, home):
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        url = db.database_url(tmp_path / "store")
        yield url
        db.dispose(url)
        return
    admin = _postgres_or_skip()
    schema = f"weerbaar_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        db.dispose(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture()
def url(db_url):
    db.upgrade(db_url)
    return db_url
