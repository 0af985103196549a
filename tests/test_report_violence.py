"""The council report's section "Geweld"/"Violence" (issue 18): a sentence when no events are loaded, the stored
Knox statement and the self-exciting fit in words when they are (cheap: the section alone, on a tiny warehouse)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from weerbaar import pipeline
from weerbaar.analysis.selfexciting import simulate_hawkes
from weerbaar.public import PublicData
from weerbaar.report.content import Gatherer
from weerbaar.report.model import Notice, Para


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory):
    from conftest import square_areas

    home = tmp_path_factory.mktemp("rviolence")
    areas = home / "areas.geojson"
    square_areas().to_file(areas, driver="GeoJSON")
    pipeline.ingest_areas(areas, division="T", home=home)
    return home


def _section(home, lang):
    g = Gatherer(PublicData(home, as_of=date(2024, 6, 1)), "2023", lang, lambda _: None)
    return g.violence()


def _text(section) -> str:
    return " ".join(b.text for b in section.blocks if isinstance(b, (Para, Notice)))


def test_violence_section(tiny_home):
    from weerbaar.violence import (
        run_nearrepeat,
        run_selfexciting,
        store_nearrepeat,
        store_selfexciting,
        warehouse_events,
    )

    nl = _section(tiny_home, "nl")
    assert nl.title == "Geweld" and "geen geweldsincidenten" in _text(nl)
    assert "No violent incidents" in _text(_section(tiny_home, "en"))

    sim = simulate_hawkes(mu_per_day=0.3, theta=0.3, omega=0.2, sigma=60, span_days=300, size_m=2000, seed=2)
    sim = sim[(sim["x"].between(1, 1999)) & (sim["y"].between(1, 1999))]
    ev = tiny_home / "events.csv"
    pd.DataFrame(
        {
            "event_id": [f"r{k}" for k in range(len(sim))],
            "type": "violence.shooting",
            "occurred_at": (pd.Timestamp("2023-01-01") + pd.to_timedelta(sim["t"], unit="D")).dt.strftime("%Y-%m-%d"),
            "x": sim["x"] + 120_000,
            "y": sim["y"] + 485_000,
            "status": "synthetic",
        }
    ).to_csv(ev, index=False)
    pipeline.ingest_events(ev, home=tiny_home)
    assert "nog geen analyse" in _text(_section(tiny_home, "nl"))

    with pipeline.open_warehouse(tiny_home, read_only=False) as wh:
        events = warehouse_events(wh, "violence.shooting")
        knox = run_nearrepeat(events, sds=[0, 1, 100, 200], tds=[0, 7, 14], permutations=19)
        store_nearrepeat(wh, knox, events, "violence.shooting")
        store_selfexciting(wh, run_selfexciting(events), events, "violence.shooting")
    nl, en = _section(tiny_home, "nl"), _section(tiny_home, "en")
    assert any(isinstance(b, Notice) for b in nl.blocks)  # synthetic events: said so
    assert "Knox-toets" in _text(nl) and "volgt op een eerder incident" in _text(nl)
    assert knox.summary("nl") in _text(nl)
    assert "Knox test" in _text(en) and "follow an earlier one" in _text(en)
