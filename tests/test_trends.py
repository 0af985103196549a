"""Trends and change: Mann-Kendall, Sen, Pettitt, Garwood and rate-ratio intervals, breaks, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from weerbaar.analysis.inference import mann_kendall
from weerbaar.analysis.trends import (
    garwood_interval,
    pettitt,
    rate_ratio_interval,
    sen_slope,
    shift_period,
    trends,
)
from weerbaar.errors import InputError

# -- Mann-Kendall ----------------------------------------------------------------------------------------


def test_mann_kendall_monotone_series_by_hand():
    mk = mann_kendall(np.arange(10.0))
    assert mk.s[0] == 45 and mk.tau[0] == 1.0
    assert mk.var_s[0] == pytest.approx(10 * 9 * 25 / 18)  # 125
    assert mk.z[0] == pytest.approx(44 / np.sqrt(125))  # continuity-corrected
    assert mk.p[0] == pytest.approx(2 * stats.norm.sf(44 / np.sqrt(125)))
    down = mann_kendall(-np.arange(10.0))
    assert down.s[0] == -45 and down.tau[0] == -1.0 and down.p[0] == pytest.approx(mk.p[0])


def test_mann_kendall_ties_by_hand():
    mk = mann_kendall(np.array([1.0, 2.0, 2.0, 3.0]))
    assert mk.s[0] == 5
    assert mk.var_s[0] == pytest.approx((4 * 3 * 13 - 2 * 1 * 9) / 18)
    assert mk.tau[0] == pytest.approx(stats.kendalltau(np.arange(4), [1, 2, 2, 3]).statistic)


def test_mann_kendall_nan_and_short():
    x = np.array([[1.0, np.nan, 3.0, 4.0, np.nan], [np.nan] * 5, [2.0, 2.0, 2.0, 2.0, 2.0]])
    mk = mann_kendall(x)
    assert mk.n.tolist() == [3, 0, 5]
    assert mk.s[0] == 3 and mk.p[1] == 1.0 and mk.p[2] == 1.0 and np.isnan(mk.tau[2])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=3, max_size=40))
def test_mann_kendall_properties(values):
    x = np.array(values, dtype=float)
    mk = mann_kendall(x)
    assert 0 <= mk.p[0] <= 1
    if not np.isnan(mk.tau[0]):
        assert -1 - 1e-12 <= mk.tau[0] <= 1 + 1e-12
        assert mk.tau[0] == pytest.approx(stats.kendalltau(np.arange(len(x)), x).statistic, abs=1e-12)
    rev = mann_kendall(x[::-1])
    assert rev.s[0] == -mk.s[0] and rev.p[0] == pytest.approx(mk.p[0])
    mono = mann_kendall(np.exp(x / 3))  # strictly increasing transform: same ranks, same test
    assert mono.s[0] == mk.s[0] and mono.p[0] == pytest.approx(mk.p[0])


# -- Sen and Pettitt -------------------------------------------------------------------------------------


def test_sen_slope():
    assert sen_slope(2 * np.arange(8.0) + 1)[0] == pytest.approx(2.0)
    assert sen_slope(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))[0] == pytest.approx(1.0)  # robust to the outlier
    assert sen_slope(np.array([1.0, np.nan, 5.0]))[0] == pytest.approx(2.0)
    assert sen_slope(np.array([0.0, 3.0]), t=np.array([0.0, 3.0]))[0] == pytest.approx(1.0)
    assert np.isnan(sen_slope(np.array([np.nan, 1.0]))[0])


def test_pettitt_step_by_hand():
    x = np.r_[np.zeros(10), np.ones(10)]
    k, after, p = pettitt(x)
    assert k[0] == 100 and after[0] == 10
    assert p[0] == pytest.approx(2 * np.exp(-6 * 100**2 / (20**3 + 20**2)))
    noise = np.random.default_rng(1).normal(0, 1, 60)
    k2, after2, p2 = pettitt(np.r_[noise[:30], noise[30:] + 3])
    assert after2[0] == 30 and p2[0] < 0.001
    flat = pettitt(np.random.default_rng(2).normal(0, 1, 60))
    assert flat[2][0] > 0.05
    gap = np.r_[np.zeros(10), np.ones(10)]
    gap[[3, 12]] = np.nan
    assert pettitt(gap)[1][0] == 10


# -- intervals -------------------------------------------------------------------------------------------


def test_garwood_known_values():
    low, high = garwood_interval(np.array([0, 1, 10]))
    np.testing.assert_allclose(low, [0.0, 0.0253, 4.7954], atol=1e-4)
    np.testing.assert_allclose(high, [3.6889, 5.5716, 18.3904], atol=1e-4)
    x = np.arange(0, 40)
    lo, hi = garwood_interval(x, level=0.9)
    np.testing.assert_allclose(lo[1:], stats.chi2.ppf(0.05, 2 * x[1:]) / 2)
    np.testing.assert_allclose(hi, stats.chi2.ppf(0.95, 2 * x + 2) / 2)
    bad = garwood_interval(np.array([-1.0, 2.5, np.nan]))
    assert np.isnan(bad[0]).all() and np.isnan(bad[1]).all()


def test_rate_ratio_conditional_binomial():
    for a, b in [(10, 5), (3, 12), (40, 40), (0, 7)]:
        r, lo, hi = rate_ratio_interval(a, b)
        ci = stats.binomtest(a, a + b).proportion_ci(0.95, method="exact")
        assert r == pytest.approx(a / b)
        assert lo == pytest.approx(ci.low / (1 - ci.low))
        assert hi == pytest.approx(ci.high / (1 - ci.high))
    r, lo, hi = rate_ratio_interval(5, 0)
    assert np.isinf(r) and np.isinf(hi) and lo > 0
    assert np.isnan(rate_ratio_interval(0, 0)[0])
    # exposure: twice the time for a halves the rate
    r2, lo2, hi2 = rate_ratio_interval(10, 5, exposure_a=2.0)
    assert r2 == pytest.approx(1.0) and lo2 == pytest.approx(rate_ratio_interval(10, 5)[1] / 2)


# -- trends() --------------------------------------------------------------------------------------------


def _months(start_year: int, n: int) -> list[str]:
    return [shift_period(f"{start_year}-01", i) for i in range(n)]


@pytest.fixture()
def series() -> pd.DataFrame:
    periods = _months(2021, 36)  # 2021-01 .. 2023-12
    rng = np.random.default_rng(3)
    rows = []
    for i, p in enumerate(periods):
        rows.append(("UP", p, float(rng.poisson(5 + i))))
        rows.append(("FLAT", p, 5.0))
        rows.append(("GAP", p, np.nan if p == "2023-12" else float(rng.poisson(8))))
    frame = pd.DataFrame(rows, columns=["area_code", "period", "value"])
    frame["indicator"] = "registered.drug_trade"
    frame["unit"] = "count"
    return frame


def test_change_trend_and_breaks(series):
    r = trends(series, breaks=["2022-03"])
    t = r.to_frame()
    up, flat, gap = t.loc["UP"], t.loc["FLAT"], t.loc["GAP"]
    assert up["period"] == "2023-12" and up["previous_period"] == "2023-11" and up["year_ago_period"] == "2022-12"
    v, prev = up["value"], up["previous_value"]
    assert up["change"] == v - prev
    ratio, lo, hi = rate_ratio_interval(v, prev)
    assert up["ratio"] == pytest.approx(ratio) and up["ratio_low"] == pytest.approx(lo)
    assert (up["value_low"], up["value_high"]) == pytest.approx(tuple(float(a) for a in garwood_interval(v)))
    assert up["trend"] == "increasing" and up["mk_p"] < 0.01 and up["sen_slope"] > 0
    assert up["sen_slope_per_year"] == pytest.approx(12 * up["sen_slope"])
    assert up["segment_start"] == "2022-03" and up["n_periods"] == 22
    assert not up["previous_crosses_break"] and not up["yoy_crosses_break"]
    assert flat["trend"] == "insufficient data" and "no variance" in flat["reason"]
    assert flat["change_signal"] == "no significant change"
    assert np.isnan(gap["value"]) and "no value for 2023-12" in gap["reason"]
    assert gap["trend"] in ("no trend", "increasing", "decreasing")
    s = r.summary()["per_indicator"]["registered.drug_trade"]
    assert s["areas"] == 3 and sum(s["trend"].values()) == 3


def test_comparisons_across_a_break_are_marked(series):
    t = trends(series, breaks=["2022-03"], period="2022-03").table
    assert t["previous_crosses_break"].all() and t["yoy_crosses_break"].all()
    t = trends(series, breaks=["2022-03"], period="2022-04").table
    assert not t["previous_crosses_break"].any() and t["yoy_crosses_break"].all()
    assert (t["segment_start"] == "2022-03").all() and (t.loc["UP", "n_periods"] == 2)
    assert t.loc["UP", "trend"] == "insufficient data" and "too short" in t.loc["UP", "reason"]
    whole = trends(series, breaks=["2022-03"], across_breaks=True).table
    assert whole["trend_crosses_break"].all() and whole.loc["UP", "n_periods"] == 36
    # a year that contains the break month belongs to the new division
    yearly = pd.DataFrame(
        {"area_code": "A", "period": [str(y) for y in range(2015, 2025)], "value": np.arange(10.0) * 3 + 7}
    )
    y = trends(yearly, indicator="survey.drug_nuisance_pct", breaks=["2022-03"]).table.loc["A"]
    assert y["segment_start"] == "2022" and y["n_periods"] == 3 and y["trend"] == "insufficient data"
    assert y["kind"] == "value" and np.isnan(y["ratio"]) and y["change"] == 3.0
    y2 = trends(yearly, indicator="survey.drug_nuisance_pct").table.loc["A"]
    assert y2["trend"] == "increasing" and y2["year_ago_period"] == "2023"
    assert y2["change_point"] is not None and y2["pettitt_p"] <= 1


def test_counts_stocks_and_units():
    frame = pd.DataFrame(
        {
            "area_code": "A",
            "period": ["2022", "2023", "2022", "2023"],
            "indicator": ["population", "population", "tips.anonymous_drugs", "tips.anonymous_drugs"],
            "value": [1500.0, 1510.0, 4.0, 9.0],
        }
    )
    t = trends(frame).table.set_index("indicator")
    assert t.loc["population", "kind"] == "value" and np.isnan(t.loc["population", "value_low"])
    assert t.loc["tips.anonymous_drugs", "kind"] == "count" and t.loc["tips.anonymous_drugs", "ratio"] == 9 / 4
    forced = trends(frame, counts=False).table
    assert (forced["kind"] == "value").all()


def test_change_point_found_in_long_series():
    periods = _months(2015, 60)
    rng = np.random.default_rng(8)
    vals = np.r_[rng.poisson(3, 30), rng.poisson(12, 30)].astype(float)
    frame = pd.DataFrame({"area_code": "A", "period": periods, "value": vals, "indicator": "x"})
    t = trends(frame).table.loc["A"]
    assert t["change_point"] == periods[30] and t["pettitt_p"] < 0.001
    short = trends(frame[frame["period"] >= periods[52]], trend_test="mk").table.loc["A"]
    assert short["change_point"] is None and "change-point" in short["reason"]


def test_bad_input(series):
    with pytest.raises(InputError, match="mixes period kinds"):
        trends(pd.concat([series, series.iloc[:1].assign(period="2020")]))
    with pytest.raises(InputError, match="Malformed period"):
        trends(series.assign(period="jan"))
    with pytest.raises(InputError, match="Malformed period"):
        trends(series, breaks=["march 2022"])
    with pytest.raises(InputError, match="does not match"):
        trends(series, period="2023")
    with pytest.raises(InputError, match="before the data"):
        trends(series, period="2019-01")
    with pytest.raises(InputError, match="More than one value"):
        trends(pd.concat([series, series.iloc[:1]]))
    with pytest.raises(InputError, match="not in the observations"):
        trends(series, indicator="nope")
    with pytest.raises(InputError, match="DataFrame"):
        trends([1, 2, 3])
    with pytest.raises(InputError):
        trends(series, min_trend=2)


def test_wide_input_and_empty_periods():
    wide = pd.DataFrame(
        [[1.0, 2.0, np.nan, 4.0, 5.0, 6.0], [3.0, 3.0, np.nan, 2.0, 1.0, 0.0]],
        index=["A", "B"],
        columns=["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2"],
    )
    r = trends(wide, indicator="reports.drug_nuisance")
    t = r.table
    assert t.loc["A", "trend"] in ("increasing", "no trend") and t.loc["A", "year_ago_period"] == "2020-Q2"
    assert t.loc["A", "n_periods"] == 5 and any("2020-Q3" in n for n in r.notes)
    assert t.loc["B", "sen_slope"] < 0


def test_all_missing_series():
    wide = pd.DataFrame(np.nan, index=["A", "B"], columns=[shift_period("2020-01", i) for i in range(12)])
    r = trends(wide, indicator="reports.drug_nuisance")
    assert (r.table["trend"] == "insufficient data").all()
    assert r.table["reason"].str.contains("no value for 2020-12").all() and r.notes
