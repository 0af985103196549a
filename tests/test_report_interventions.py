"""The council report's section "Interventies" (issue 19): register by borough and kind, estimates in words."""

from __future__ import annotations

import pandas as pd

from weerbaar.report.content import Gatherer
from weerbaar.report.model import Bullets, Para, Table


class _Data:
    """The few read-model calls the section makes, with canned stored estimates."""

    def __init__(self, estimates=None, did=None):
        self.stored = {("displacement_runs",): estimates or [], ("did_run",): did}

    def meta(self):
        return {"default_division": "T", "disclosure": {"threshold": 10}}

    def areas(self, division):
        return pd.DataFrame(
            {
                "name": ["Buurt een", "Buurt twee", "Noordkant"],
                "level": ["buurt", "buurt", "stadsdeel"],
                "stadsdeel": ["SD1", "SD1", "SD1"],
            },
            index=pd.Index(["B1", "B2", "SD1"], name="code"),
        )

    def division(self, _):
        return "T"

    def cached(self, key, make):
        return self.stored[key]


def _row(kind, areas, synthetic=False):
    return {
        "kind": kind,
        "start": "2021-03",
        "end": None,
        "areas": areas,
        "division": "T",
        "partner": "Gemeente",
        "measure": 10,
        "synthetic": synthetic,
    }


def _texts(section):
    return " ".join(
        b.text if isinstance(b, Para) else " ".join(b.items) if isinstance(b, Bullets) else b.caption
        for b in section.blocks
    )


def test_none_registered_and_no_estimates_are_said():
    g = Gatherer(_Data(), "2021-H1", "nl", lambda _: None)
    for register in (None, {"synthetic": True, "rows": [_row("closure_13b", ["S001"], True)]}):
        sec = g.interventions(register)  # the synthetic demonstration set never enters the council report
        text = _texts(sec)
        assert sec.title == "Interventies" and "geen interventies geregistreerd" in text
        assert "S001" not in text and "haaldelicten" in text and "Er zijn nog geen effectschattingen" in text


def test_register_by_borough_and_estimates_in_words():
    est = [
        {
            "target": ["B1"],
            "count": "registered.drug_trade",
            "before": "2020-01..2020-12",
            "after": "2021-01..2021-12",
            "wdd": -12.5,
            "ci_low": -20.25,
            "ci_high": -4.75,
            "p": 0.002,
            "wdq": -0.3,
            "alpha": 0.05,
            "synthetic": False,
        }
    ]
    did = {
        "indicator": "registered.drug_trade",
        "from": "2015-01",
        "to": "2024-12",
        "treated": 3,
        "synthetic": True,
        "summary": {"simple_att": -1.5, "simple_low": -2.5, "simple_high": -0.5},
    }
    g = Gatherer(_Data(est, did), "2021-H1", "en", lambda _: None)
    rows = [_row("closure_13b", ["B1"]), _row("closure_13b", ["B2"]), _row("camera_area", ["B1", "X9"])]
    sec = g.interventions({"synthetic": False, "rows": rows})
    table = next(b for b in sec.blocks if isinstance(b, Table))
    assert table.columns == ("Borough", "Premises closure (13b)", "Camera area")
    assert table.rows == (("Noordkant", "2", "1"), ("unknown", "0", "1"))
    text = _texts(sec)
    assert "holds 3 interventions" in text
    assert "Buurt een" in text and "-12.5" in text.replace("−", "-") and "-20.25" not in text  # rounded to 0.1
    assert "95% interval" in text and "fewer, also counting the surroundings" in text and "WDQ" in text
    assert "staggered difference-in-differences" in text and "(synthetic)" in text  # the DiD run is labelled
    assert "haaldelicten" in text
