"""Counts from open submissions published rounded (decision 0028): small counts whose rounding window
already holds their protection interval are shown rounded instead of withheld, and rectangles may run
through published rounded cells as far as their windows allow. An attacker who knows every rounded cell
within its window (and every equation, and x >= 0) must still not pin any small count tighter than
[x - 1, x + 1] in one release. Across releases the method is not yet sound (decision 0028), so the
release ledger does not use it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

from test_disclosure import cases, long, months
from test_disclosure_release import ranges
from weerbaar.disclosure import aggregate_cube, protect


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
