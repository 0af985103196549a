"""The zwijgwijk result in words (web/silence.py, report/silence.py): hand-checkable bands and sentences."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from weerbaar.report.model import Bullets, Notice, Para
from weerbaar.report.silence import silence_blocks
from weerbaar.web.silence import BANDS, map_label, percent, profile_silence, verdict


@pytest.mark.parametrize(
    "p,nl,en",
    [
        (0.93, "waarschijnlijk stil (kans 93 %)", "probably silent (93 % probability)"),
        (0.999, "zeer waarschijnlijk stil (kans meer dan 99 %)", "very probably silent (more than 99 % probability)"),
        (1.0, "zeer waarschijnlijk stil (kans meer dan 99 %)", "very probably silent (more than 99 % probability)"),
        (0.5, "onzeker of het hier stil is (kans 50 %)", "uncertain whether silent (50 % probability)"),
        (0.2, "waarschijnlijk niet stil (kans 20 %)", "probably not silent (20 % probability)"),
        (
            0.001,
            "zeer waarschijnlijk niet stil (kans minder dan 1 %)",
            "very probably not silent (less than 1 % probability)",
        ),
        (
            0.0,
            "zeer waarschijnlijk niet stil (kans minder dan 1 %)",
            "very probably not silent (less than 1 % probability)",
        ),
    ],
)
def test_verdict_in_both_languages(p, nl, en):
    nbsp = "\u00a0%"
    assert verdict(p, "nl") == nl.replace(" %", nbsp) and verdict(p, "en") == en.replace(" %", nbsp)


def test_unknown_probability_has_no_verdict():
    assert verdict(None) is None and verdict(float("nan")) is None and verdict("x") is None
    assert map_label("geen signaal", None) == "geen signaal"
    assert map_label("zwijgwijk", 0.97, "nl") == "zwijgwijk · zeer waarschijnlijk stil (kans 97\u00a0%)"


@given(st.floats(min_value=0, max_value=1))
def test_bands_cover_every_probability_and_never_claim_certainty_inside(p):
    assert verdict(p) is not None
    text = percent(p, "en")
    assert text in ("more than 99", "less than 1") or 1 <= int(text) <= 99
    assert [b[0] for b in BANDS] == sorted((b[0] for b in BANDS), reverse=True)


def test_profile_sentences_with_public_and_withheld_ratio():
    params = {
        "shortfall": 0.5,
        "not_estimated": [{"what": "effort flag", "why": "no index", "what_nl": "inzet-signaal", "why_nl": "geen"}],
    }
    row = {"p_silent": 0.93, "ratio": 0.37, "ratio_low": 0.28, "ratio_high": 0.48, "tested": True, "flag": "zwijgwijk"}
    nl = profile_silence(row, params, "nl", synthetic=True)
    assert nl["verdict"] == "waarschijnlijk stil (kans 93\u00a0%)"
    assert "minder dan 50\u00a0%" in nl["meaning"]
    assert "37\u00a0%" in nl["ratio"] and "28–48\u00a0%" in nl["ratio"]
    assert nl["not_estimated"] == ["inzet-signaal: geen"] and "SYNTHETISCHE" in nl["synthetic"]
    en = profile_silence({**row, "ratio": None, "ratio_low": None, "ratio_high": None}, params, "en")
    assert "withheld" in en["ratio"] and en["not_estimated"] == ["effort flag: no index"] and en["synthetic"] is None
    # the run's Bayesian FDR in words, when the run states it
    assert "expected to be wrong" not in en["meaning"]
    en = profile_silence(row, {**params, "alpha": 0.2}, "en")
    assert "at most 20\u00a0% of all signals are expected to be wrong (about 1 in 5)" in en["meaning"]
    nl = profile_silence(row, {**params, "alpha": 0.1}, "nl")
    assert "hoogstens 10\u00a0% onterecht is (ongeveer 1 op de 10)" in nl["meaning"]


def test_report_blocks_list_flagged_areas_in_words():
    flagged = pd.DataFrame(
        {"name": ["Buurt A"], "p_silent": [0.96], "ratio": [0.3], "ratio_low": [0.2], "ratio_high": [0.45]},
        index=["AA01"],
    )
    run = {"synthetic": True, "parameters": {"shortfall": 0.5, "not_estimated": [{"what": "effort flag", "why": "x"}]}}
    blocks = silence_blocks(run, flagged, "en")
    bullets = next(b for b in blocks if isinstance(b, Bullets))
    assert bullets.items[0].startswith("Buurt A: very probably silent (96\u00a0% probability); residents here report")
    assert any(isinstance(b, Para) and b.text.startswith("Not estimated: effort flag: x") for b in blocks)
    assert isinstance(blocks[-1], Notice)
