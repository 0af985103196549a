"""Counts from open submissions published rounded (decisions 0028 and 0031): small counts whose rounding
window already holds their protection interval are shown rounded instead of withheld, and rectangles may
run through published rounded cells as far as their windows allow. An attacker who knows every rounded
cell within its window (and every equation, and x >= 0) must not pin any small count tighter than
[x - 1, x + 1]: in one release, and across every release of a series kept through the release ledger,
which stores each rounded cell's window and whether it was a small count shown rounded."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

from test_disclosure import cases, long, months
from test_disclosure_release import ranges, series
from weerbaar.disclosure import DisclosureConfig, aggregate_cube, protect
from weerbaar.ledger import period_end, protect_release


def _small_keep_their_interval(cube: pd.DataFrame, parents, releases: list[pd.DataFrame]) -> list:
    x = cube.set_index(["area_code", "period"])["value"]
    small = [k for k, v in x.items() if 0 < v < 5]
    got = ranges(cube, parents, releases, small)
    return [(k, x[k], got[k]) for k in small if got[k][0] > x[k] - 1 + 1e-6 or got[k][1] < x[k] + 1 - 1e-6]


def test_a_count_of_one_is_shown_as_zero_and_a_two_is_withheld():
    """Three areas, one month. A (1) is shown rounded as 0: the attacker cannot tell 0, 1 or 2 apart.
    B (2) rounds to 0 as well, whose window [0, 2] would cap it at 2: withheld. The rest is rounded."""
    parents = {"R": None, "A": "R", "B": "R", "C": "R", "D": "R"}
    cube = aggregate_cube(long({"A": [1], "B": [2], "C": [13], "D": [9]}, ["2020-01"]), parents)
    prot = protect(cube, parents, rounded=np.ones(len(cube), dtype=bool)).set_index("area_code")
    assert prot.at["A", "status"] == "rounded" and prot.at["A", "published"] == 0
    assert prot.at["B", "status"] == "primary" and np.isnan(prot.at["B", "published"])
    assert prot.at["C", "status"] == "rounded" and prot.at["C", "published"] == 15
    assert prot.at["R", "published"] == 25  # 25 rounds to itself: the windows of C and D carry B's interval
    assert _small_keep_their_interval(cube.reset_index(drop=True), parents, [prot.reset_index()]) == []


def test_exact_publication_is_unchanged_without_rounded_rows():
    parents = {"R": None, "A": "R", "B": "R", "C": "R"}
    cube = aggregate_cube(long({"A": [1, 7], "B": [6, 8], "C": [9, 4]}, months()[:2]), parents)
    plain = protect(cube, parents)
    none = protect(cube, parents, rounded=np.zeros(len(cube), dtype=bool))
    pd.testing.assert_frame_equal(plain, none)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_attacker_with_the_windows_of_one_rounded_release_pins_nothing(case):
    base, parents = case
    cube = aggregate_cube(base, parents)
    prot = protect(cube, parents, rounded=np.ones(len(cube), dtype=bool))
    v = prot["value"].to_numpy(float)
    st_ = prot["status"].to_numpy()
    shown = st_ == "rounded"
    np.testing.assert_array_equal(prot["published"].to_numpy()[shown], np.floor(v[shown] / 5 + 0.5) * 5)
    assert not (st_ == "published").any()
    # only counts whose window holds [x - 1, x + 1] are shown: 1 (as 0) and 4 (as 5)
    small_shown = shown & (v > 0) & (v < 5)
    assert set(v[small_shown].tolist()) <= {1.0, 4.0}
    assert _small_keep_their_interval(cube, parents, [prot]) == []


def test_a_four_shown_as_five_in_a_one_month_cube_keeps_its_upper_side():
    """One month, R = A + B: A = 4 (shown 5, window [3, 7]), B = 8 (10, [8, 12]), R = 12 (10, [8, 12]).
    Published as is, A = R - B <= 12 - 8 = 4 pins A to [3, 4]. The only rectangles through a period
    without sibling period run up the area tree; A's upper side needs B to go down (B is at the bottom
    of its window) or R to go up (at the top of its window), so B is withheld."""
    parents = {"R": None, "A": "R", "B": "R"}
    cube = aggregate_cube(long({"A": [4], "B": [8]}, ["2020-01"]), parents)
    prot = protect(cube, parents, rounded=np.ones(len(cube), dtype=bool))
    s = prot.set_index("area_code")["status"]
    assert s["A"] == "rounded" and s["B"] == "secondary"
    assert _small_keep_their_interval(cube, parents, [prot]) == []


def _releases(values: dict[str, list[int]], parents, n: int, ledger=None, *, release_again: bool = False):
    """``n`` monthly releases through the ledger, rounded protection on (as for residents' reports);
    ``release_again``: every complement is tried for publication again (decision 0034)."""
    periods = months(2020) + months(2021)
    out = []
    for m in range(1, n + 1):
        cube = aggregate_cube(long({a: v[:m] for a, v in values.items()}, periods[:m]), parents)
        as_of = period_end(periods[m - 1]) + timedelta(days=31)
        prot, new = protect_release(
            cube, parents, DisclosureConfig(), previous=ledger, as_of=as_of, round_published=True,
            rounded_protection=True, release_order=np.zeros(len(cube)) if release_again else None,
        )
        added = new.rename(columns={"published": "value"})
        ledger = added if ledger is None else pd.concat([ledger, added], ignore_index=True)
        out.append(prot)
    return cube, out, ledger


def test_a_one_shown_as_zero_is_not_pinned_by_the_quarter_two_releases_later():
    """A = 1, 8, 8 and B = 2, 6, 4 over January-March. January shows A-Jan = 1 as 0. Had the ledger
    frozen that 0 as an exact value, the March release would publish A-Q1 (15: [13, 17]), A-Feb (10) and
    A-Mar (10: [8, 12]): A-Jan <= 17 - 8 - 8 = 1, pinned to [0, 1]. The ledger keeps A-Jan's window
    [0, 2] and that it is a small count, so March withholds a complement instead."""
    parents = {"R": None, "A": "R", "B": "R"}
    cube, rels, ledger = _releases({"A": [1, 8, 8], "B": [2, 6, 4]}, parents, 3)
    first = rels[0].set_index("area_code")
    assert first.at["A", "status"] == "rounded" and first.at["A", "published"] == 0
    kept = ledger.set_index(["area_code", "period"]).loc[("A", "2020-01")]
    assert (kept["window_lo"], kept["window_hi"], bool(kept["sensitive"])) == (0.0, 2.0, True)
    last = rels[-1].set_index(["area_code", "period"])["status"]
    assert last[("A", "2020-01")] == "rounded"  # frozen: shown as it was
    assert "secondary" in set(last.to_numpy())
    assert _small_keep_their_interval(cube, parents, rels) == []


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series())
def test_an_attacker_with_every_rounded_monthly_release_of_two_years_pins_nothing(case):
    """24 monthly releases of a two-year series through the ledger, rounded protection on in every
    example, at every area level and period kind (month, quarter, half, year): every small count,
    withheld or shown rounded, keeps [x - 1, x + 1] against all releases together (each rounded cell
    known within its window). Released cells never change."""
    parents, values, _ = case
    cube, rels, _ = _releases(values, parents, 24)
    assert _small_keep_their_interval(cube, parents, rels) == []
    final = rels[-1].set_index(["area_code", "period"])
    for rel in rels[:-1]:
        shown = rel[rel["status"] != "pending"].set_index(["area_code", "period"])
        assert (final.loc[shown.index, "status"] == shown["status"]).all()
        both = shown["published"].notna()
        assert (final.loc[shown.index[both], "published"] == shown.loc[both, "published"]).all()
    # only counts whose window holds [x - 1, x + 1] are shown among the small ones: 1 (as 0) and 4 (as 5)
    v, st_ = final["value"], final["status"]
    assert set(v[(st_ == "rounded") & (v > 0) & (v < 5)].tolist()) <= {1.0, 4.0}
