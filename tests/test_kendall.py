"""The Kendall-family trend tests: Hamed-Rao and the seasonal Kendall test (issue 15, decision 0029).

Hand computations on small series, a cross-check against pymannkendall (a test-only reference) on several
series, invariants with Hypothesis, and the options in the emerging hot-spot and trend analyses.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from weerbaar.analysis.emerging import emerging_hotspots
from weerbaar.analysis.inference import mann_kendall
from weerbaar.analysis.kendall import (
    check_trend_test,
    default_trend_test,
    hamed_rao,
    kendall_trend,
    seasonal_kendall,
    seasons_of,
    sen_slope,
)
from weerbaar.analysis.trends import trends
from weerbaar.errors import InputError

pm = pytest.importorskip("pymannkendall")

# -- by hand -----------------------------------------------------------------------------------------

#: 0, 1, 0, 1, ... (10 values): worked through by hand in the docstring of the test below.
ZIGZAG = np.tile([0.0, 1.0], 5)


def test_kendall_s_and_variance_by_hand():
    """x = 1, 3, 2, 2, 5: pairs (i<j) up 7, down 2, tied 1 -> S = 5; one tie group of 2:
    Var S = [5*4*15 - 2*1*9] / 18 = (300 - 18) / 18 = 15.667; z = (5 - 1) / sqrt(15.667) = 1.0106."""
    x = np.array([1.0, 3.0, 2.0, 2.0, 5.0])
    mk = mann_kendall(x)
    assert mk.s[0] == 5 and mk.var_s[0] == pytest.approx(282 / 18)
    assert mk.z[0] == pytest.approx(4 / np.sqrt(282 / 18))
    ref = pm.original_test(x)
    assert (ref.s, ref.var_s, ref.z, ref.p) == pytest.approx((mk.s[0], mk.var_s[0], mk.z[0], mk.p[0]))


def test_hamed_rao_by_hand():
    """0,1,0,1,... (n = 10). Pairs up: 15, down: 10 -> S = 5; two tie groups of 5: Var S = (10*9*25 - 2*5*4*15)
    / 18 = 1650 / 18. Sen's slope: 20 zero, 15 positive, 10 negative pair slopes -> median 0, so the detrended
    series is the series; its ranks are 3 and 8, the lag-k autocorrelation of the ranks is (-1)^k (10 - k) / 10;
    significant beyond 1.96 / sqrt(10) = 0.620: lags 1, 2, 3 (-0.9, 0.8, -0.7; lag 4 = 0.6 is not).
    n/n* = 1 + 2 / (10*9*8) (9*8*7 (-0.9) + 8*7*6 (0.8) + 7*6*5 (-0.7)) = 1 - 331.8 / 360 = 0.078333."""
    hr = hamed_rao(ZIGZAG)
    assert sen_slope(ZIGZAG)[0] == 0.0
    assert hr.s[0] == 5
    factor = 1 - 331.8 / 360
    assert hr.variance_factor[0] == pytest.approx(factor)
    assert hr.var_s[0] == pytest.approx(1650 / 18 * factor)
    assert hr.z[0] == pytest.approx(4 / np.sqrt(1650 / 18 * factor))
    assert hr.p[0] == pytest.approx(2 * stats.norm.sf(4 / np.sqrt(1650 / 18 * factor)))
    ref = pm.hamed_rao_modification_test(ZIGZAG)
    assert (ref.s, ref.var_s, ref.z, ref.p) == pytest.approx((hr.s[0], hr.var_s[0], hr.z[0], hr.p[0]))


def test_hamed_rao_without_autocorrelation_is_the_plain_test():
    """A straight line detrends to a constant: nothing to correlate, no correction."""
    x = np.arange(8.0) * 2 + 1
    hr, mk = hamed_rao(x), mann_kendall(x)
    assert hr.variance_factor[0] == 1.0
    assert (hr.s[0], hr.var_s[0], hr.p[0]) == (mk.s[0], mk.var_s[0], mk.p[0])


def test_seasonal_kendall_by_hand():
    """Two years of months, every month higher in the second year: per season S = 1 and Var S = 2*1*9/18 = 1;
    summed over 12 seasons S = 12, Var S = 12, z = 11 / sqrt(12) = 3.175, tau = 12 / 12 = 1."""
    x = np.r_[np.arange(12.0), np.arange(12.0) + 0.5]
    sk = seasonal_kendall(x, np.arange(24) % 12)
    assert (sk.s[0], sk.var_s[0], sk.tau[0], sk.n[0]) == (12, 12, 1.0, 24)
    assert sk.z[0] == pytest.approx(11 / np.sqrt(12))
    # the plain test sees the within-year rise as a trend too; the seasonal one only the year-on-year change
    ref = pm.seasonal_test(x, period=12)
    assert (ref.s, ref.var_s, ref.z, ref.p, ref.Tau) == pytest.approx(
        (sk.s[0], sk.var_s[0], sk.z[0], sk.p[0], sk.tau[0])
    )


def test_seasonal_kendall_ignores_a_season_that_only_changes_within_the_year():
    """Three identical years with a summer peak: no year-on-year change, S = 0 (the plain test on a series
    that starts in January and ends in August sees an upward trend)."""
    year = np.array([1, 1, 2, 3, 4, 6, 8, 8, 5, 3, 2, 1], dtype=float)
    x = np.r_[year, year, year, year[:8]]
    sk = seasonal_kendall(x, np.arange(len(x)) % 12)
    assert sk.s[0] == 0 and sk.p[0] == 1.0
    assert mann_kendall(x).s[0] > 0


# -- against pymannkendall ------------------------------------------------------------------------------


def _series(seed: int, n: int, kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    if kind == "ar1":
        e = np.zeros(n)
        for i in range(1, n):
            e[i] = 0.6 * e[i - 1] + rng.normal()
        return 0.02 * t + e
    if kind == "seasonal":
        return 3 * np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(size=n)
    if kind == "counts":
        return rng.poisson(4 + 0.05 * t).astype(float)  # many ties
    return rng.normal(size=n)


CASES = [(s, n, k) for s, (n, k) in enumerate([(n, k) for n in (6, 13, 36, 61, 120) for k in ("ar1", "seasonal",
         "counts", "noise")])]  # fmt: skip


@pytest.mark.parametrize(("seed", "n", "kind"), CASES)
def test_against_pymannkendall(seed, n, kind):
    x = _series(seed, n, kind)
    rows = np.vstack([x, x[::-1], -x])  # several rows at once, vectorised
    hr = hamed_rao(rows)
    # counts have exact ties after detrending (x_a - a b = x_b - b b) that pymannkendall can break by rounding
    # noise in b; weerbaar keeps them tied, so its ranks (and n/n*) may differ very slightly there
    rel = 1e-3 if kind == "counts" else 1e-9
    for r, row in enumerate(rows):
        ref = pm.hamed_rao_modification_test(row)
        assert (hr.s[r], hr.var_s[r], hr.z[r]) == pytest.approx((ref.s, ref.var_s, ref.z), rel=rel, abs=1e-9)
        assert hr.p[r] == pytest.approx(ref.p, rel=max(rel, 1e-6), abs=1e-12)
        ref = pm.original_test(row)
        mk = kendall_trend(row, "mk")
        assert (mk.s[0], mk.var_s[0], mk.z[0]) == pytest.approx((ref.s, ref.var_s, ref.z))
    if n >= 24:
        sk = seasonal_kendall(rows, np.arange(n) % 12)
        for r, row in enumerate(rows):
            ref = pm.seasonal_test(row, period=12)
            assert (sk.s[r], sk.var_s[r], sk.z[r]) == pytest.approx((ref.s, ref.var_s, ref.z), rel=1e-9, abs=1e-9)
            assert sk.p[r] == pytest.approx(ref.p, rel=1e-6, abs=1e-12)
            if kind != "counts":  # pymannkendall's tau has no tie correction
                assert sk.tau[r] == pytest.approx(ref.Tau)
        q = seasonal_kendall(rows, np.arange(n) % 4)
        ref = pm.seasonal_test(rows[0], period=4)
        assert (q.s[0], q.var_s[0], q.p[0]) == pytest.approx((ref.s, ref.var_s, ref.p), rel=1e-6, abs=1e-12)


def test_missing_values_are_skipped():
    x = _series(3, 48, "ar1")
    gap = x.copy()
    gap[[5, 17, 30]] = np.nan
    hr = hamed_rao(np.vstack([gap, x]))
    compact = hamed_rao(gap[~np.isnan(gap)])
    assert hr.var_s[0] == pytest.approx(compact.var_s[0]) and hr.s[0] == compact.s[0]
    assert hr.var_s[1] == pytest.approx(hamed_rao(x).var_s[0])
    # seasonal: a missing month is left out of its own season only
    sk = seasonal_kendall(gap, np.arange(48) % 12)
    seasons = np.arange(48) % 12
    parts = [mann_kendall(gap[seasons == g][~np.isnan(gap[seasons == g])]) for g in range(12)]
    assert sk.s[0] == sum(p.s[0] for p in parts) and sk.var_s[0] == pytest.approx(sum(p.var_s[0] for p in parts))


# -- invariants -----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=3, max_size=40), st.sampled_from([2, 4, 12]))
def test_reversal_flips_the_sign_and_keeps_p(values, period):
    x = np.asarray(values, dtype=float)
    seasons = np.arange(len(x)) % period
    for res, rev in (
        (hamed_rao(x), hamed_rao(x[::-1])),
        (seasonal_kendall(x, seasons), seasonal_kendall(x[::-1], seasons[::-1])),
    ):
        assert rev.s[0] == -res.s[0]
        assert rev.p[0] == pytest.approx(res.p[0])
        assert 0 <= res.p[0] <= 1 and res.var_s[0] >= 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=30))
def test_one_season_is_the_plain_test(values):
    x = np.asarray(values, dtype=float)
    sk, mk = seasonal_kendall(x, np.zeros(len(x), dtype=int)), mann_kendall(x)
    assert (sk.s[0], sk.var_s[0], sk.p[0]) == pytest.approx((mk.s[0], mk.var_s[0], mk.p[0]))


# -- names, seasons and defaults ---------------------------------------------------------------------------


def test_names_seasons_and_defaults():
    assert check_trend_test("Hamed_Rao") == "hamed-rao" and check_trend_test("seasonal-kendall") == "seasonal"
    with pytest.raises(InputError, match="Unknown trend test") as err:
        check_trend_test("spearman")
    assert "mk, hamed-rao or seasonal" in err.value.expected
    assert list(seasons_of(["2019-11", "2019-12", "2020-01"])) == [10, 11, 0]
    assert list(seasons_of(["2019-Q4", "2020-Q1"])) == [3, 0]
    with pytest.raises(InputError, match="shorter than a year"):
        seasons_of(["2019", "2020"])
    with pytest.raises(InputError, match="period labels"):
        seasons_of([1, 2, 3])
    assert [default_trend_test(k) for k in ("month", "quarter", "half", "year", None)] == [
        "seasonal",
        "seasonal",
        "seasonal",
        "mk",
        "mk",
    ]
    with pytest.raises(InputError, match="season of each slice"):
        kendall_trend(np.arange(5.0), "seasonal")


def test_seasonal_sen_slope_uses_pairs_of_one_season():
    """A season of +10 in every July and a rise of 1 a year: the seasonal slope is 1/12 per month."""
    t = np.arange(36)
    x = (t // 12).astype(float) + np.where(t % 12 == 6, 10.0, 0.0)
    assert sen_slope(x, seasons=t % 12)[0] == pytest.approx(1 / 12)


# -- in the analyses ---------------------------------------------------------------------------------------


def _grid_series(periods: list[str], seed: int = 0) -> tuple[pd.DataFrame, object]:
    from libpysal.graph import Graph

    rng = np.random.default_rng(seed)
    codes = [f"A{i:02d}" for i in range(16)]
    rows = [
        (c, p, float(rng.poisson(5 + (10 if i in (5, 6, 9) else 0) + (k if i == 5 else 0))))
        for i, c in enumerate(codes)
        for k, p in enumerate(periods)
    ]
    adj = {
        codes[r * 4 + c]: [codes[rr * 4 + cc] for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                           if 0 <= rr < 4 and 0 <= cc < 4]
        for r in range(4) for c in range(4)
    }  # fmt: skip
    graph = Graph.from_dicts(adj)
    return pd.DataFrame(rows, columns=["area_code", "period", "value"]), graph


MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020, 2021) for m in range(1, 13)]


def test_emerging_uses_the_chosen_test_and_stores_it():
    values, graph = _grid_series(MONTHS)
    default = emerging_hotspots(values, graph)
    assert default.parameters["trend_test"] == "seasonal"  # monthly slices (decision 0029)
    assert "seasonal Kendall" in default.parameters["trend_test_name"]
    res = {t: emerging_hotspots(values, graph, trend_test=t) for t in ("mk", "hamed-rao", "seasonal")}
    z = default.z[default.table.index.get_indexer(res["mk"].table.index)]
    ok = ~np.isnan(z).any(axis=1)
    ids = res["mk"].table.index[ok]
    zz = res["mk"].z[ok]
    mk, hr, sk = mann_kendall(zz), hamed_rao(zz), seasonal_kendall(zz, np.arange(36) % 12)
    assert np.allclose(res["mk"].table.loc[ids, "trend_p"], mk.p)
    assert np.allclose(res["hamed-rao"].table.loc[ids, "trend_p"], hr.p)
    assert np.allclose(res["hamed-rao"].table.loc[ids, "trend_variance_factor"], hr.variance_factor)
    assert np.allclose(res["seasonal"].table.loc[ids, "trend_p"], sk.p)
    assert res["seasonal"].summary()["parameters"]["trend_test"] == "seasonal"
    quarters = values.assign(period=[f"{p[:4]}-Q{(int(p[5:]) - 1) // 3 + 1}" for p in values["period"]])
    quarters = quarters.groupby(["area_code", "period"], as_index=False)["value"].sum()
    assert emerging_hotspots(quarters, graph, min_slices=4).parameters["trend_test"] == "seasonal"
    years = quarters.assign(period=quarters["period"].str[:4]).groupby(["area_code", "period"], as_index=False).sum()
    assert emerging_hotspots(years, graph, min_slices=2).parameters["trend_test"] == "mk"
    with pytest.raises(InputError, match="shorter than a year"):
        emerging_hotspots(years, graph, min_slices=2, trend_test="seasonal")
    with pytest.raises(InputError, match="Unknown trend test"):
        emerging_hotspots(values, graph, trend_test="sen")


def test_emerging_seasons_follow_the_labels_when_a_slice_is_left_out():
    """An empty slice is dropped; the seasons still come from the period labels, not the positions."""
    values, graph = _grid_series(MONTHS)
    gap = values[values["period"] != "2020-03"]
    res = emerging_hotspots(gap, graph, trend_test="seasonal")
    assert "2020-03" not in res.slices
    seasons = seasons_of(res.slices)
    assert seasons[res.slices.index("2020-04")] == 3
    ok = ~np.isnan(res.z).any(axis=1)
    assert np.allclose(res.table["trend_p"].to_numpy()[ok], seasonal_kendall(res.z[ok], seasons).p)


def test_emerging_notes_when_no_season_repeats():
    values, graph = _grid_series(MONTHS[:11])
    res = emerging_hotspots(values, graph, trend_test="seasonal")
    assert any("no season occurs twice" in n for n in res.notes)


def test_trends_with_each_test():
    values, _ = _grid_series(MONTHS)
    values["indicator"] = "x"
    by = {t: trends(values, trend_test=t).table for t in ("mk", "hamed-rao", "seasonal")}
    assert trends(values).parameters["trend_test"] == "seasonal"  # monthly (decision 0029)
    assert set(by["hamed-rao"]["trend_test"]) == {"hamed-rao"}
    cube = values.pivot(index="area_code", columns="period", values="value")[MONTHS].to_numpy()
    assert np.allclose(by["hamed-rao"]["mk_p"], hamed_rao(cube).p)
    assert np.allclose(by["seasonal"]["mk_p"], seasonal_kendall(cube, np.arange(36) % 12).p)
    assert np.allclose(by["seasonal"]["sen_slope"], sen_slope(cube, seasons=np.arange(36) % 12))
    yearly = values.assign(period=values["period"].str[:4]).groupby(["area_code", "period"], as_index=False).sum()
    yearly["indicator"] = "x"
    assert trends(yearly, min_trend=3).parameters["trend_test"] == "mk"
    with pytest.raises(InputError, match="sub-yearly"):
        trends(yearly, min_trend=3, trend_test="seasonal")
    short = trends(values[values["period"] <= "2019-08"], trend_test="seasonal").table
    assert (short["trend"] == "insufficient data").all()
    assert short["reason"].str.contains("seasonal Kendall").all()
