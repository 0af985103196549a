"""Disclosure control: hand-checked cubes, rounding, validation, and an attacker who solves the
whole linear system (with non-negativity) and must not recover any withheld cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import weerbaar.disclosure as disclosure
from weerbaar.disclosure import (
    STATUSES,
    SUPPRESSED_LABEL,
    DisclosureConfig,
    aggregate_cube,
    protect,
    status_label,
    suppress_derived,
)
from weerbaar.errors import InputError

WITHHELD = ("primary", "secondary")


def months(year: int = 2020, n: int = 12) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, n + 1)]


def long(values: dict[str, list[float]], periods: list[str]) -> pd.DataFrame:
    rows = [(a, p, v) for a, vs in values.items() for p, v in zip(periods, vs, strict=True)]
    return pd.DataFrame(rows, columns=["area_code", "period", "value"])


def statuses(prot: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(a, p): s for a, p, s in zip(prot["area_code"], prot["period"], prot["status"], strict=True)}


# -- the attacker --------------------------------------------------------------------------------------


def _span(period: str) -> tuple[int, int]:
    """First month number and length in months."""
    y = int(period[:4])
    if len(period) == 4:
        return y * 12, 12
    if period[5] == "H":
        return y * 12 + (int(period[6]) - 1) * 6, 6
    if period[5] == "Q":
        return y * 12 + (int(period[6]) - 1) * 3, 3
    return y * 12 + int(period[5:7]) - 1, 1


def equations(prot: pd.DataFrame, parents: dict[str, str | None]) -> list[tuple[int, list[int]]]:
    """Every additive relation an attacker knows, as (row of the total, rows of the parts): parent =
    sum of its children per period; per area every coarser period = sum of its sub-periods of
    every finer kind present (year = 2 halves = 4 quarters = 12 months, half = 2 quarters = 6
    months, quarter = 3 months)."""
    idx = {(a, p): i for i, (a, p) in enumerate(zip(prot["area_code"], prot["period"], strict=True))}
    areas = sorted(set(prot["area_code"]))
    periods = sorted(set(prot["period"]))
    out = []
    kids: dict[str, list[str]] = {}
    for c, p in parents.items():
        if p is not None and c in areas and p in areas:
            kids.setdefault(p, []).append(c)
    for parent, children in kids.items():
        for t in periods:
            out.append((idx[(parent, t)], [idx[(c, t)] for c in children]))
    spans = {p: _span(p) for p in periods}
    for coarse in periods:
        start, length = spans[coarse]
        for sub in (6, 3, 1):
            if sub >= length:
                continue
            subs = [q for q in periods if spans[q][1] == sub and start <= spans[q][0] < start + length]
            if len(subs) != length // sub:
                continue
            for a in areas:
                out.append((idx[(a, coarse)], [idx[(a, q)] for q in subs]))
    return out


def attack(prot: pd.DataFrame, parents: dict[str, str | None]) -> tuple[list[int], list[int]]:
    """Rows the attacker recovers: (1) uniquely determined by the linear system of all equations
    over the withheld cells (published cells moved to the right-hand side; an equation with a
    missing cell is unusable); (2) pinned by that system together with x >= 0 (min == max)."""
    v = prot["value"].to_numpy(float)
    withheld = np.flatnonzero(prot["status"].isin(WITHHELD).to_numpy())
    if not len(withheld):
        return [], []
    missing = np.isnan(v)
    col = {c: i for i, c in enumerate(withheld)}
    rows, rhs = [], []
    for total, parts in equations(prot, parents):
        cells = [total, *parts]
        if missing[cells].any():
            continue
        r = np.zeros(len(withheld))
        b = 0.0
        for c, k in zip(cells, [1.0] + [-1.0] * len(parts), strict=True):
            if c in col:
                r[col[c]] += k
            else:
                b -= k * v[c]
        if r.any():
            rows.append(r)
            rhs.append(b)
    n = len(withheld)
    a = np.array(rows).reshape(-1, n)
    b = np.array(rhs)
    x0 = v[withheld]
    assert np.allclose(a @ x0, b), "the published cube does not satisfy its own equations"
    # (1) rank test: cell i is determined iff e_i lies in the row space, i.e. every null vector is 0 at i
    if len(a):
        _, s, vt = np.linalg.svd(a)
        rank = int((s > 1e-9 * max(1.0, s.max())).sum())
        null = vt[rank:].T
    else:
        null = np.eye(n)
    determined = [int(withheld[i]) for i in range(n) if np.linalg.norm(null[i]) < 1e-8]
    # (2) linear programs with x >= 0: min < max for every withheld cell. A cell is certainly not
    # pinned once a feasible point differs from the true values there; vertices of random
    # objectives and of pushing the not-yet-moved cells up or down find such points for most
    # cells at once. The rest get their own min and max.
    eq = {"A_eq": a, "b_eq": b} if len(a) else {}
    moved = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(0)
    for step in range(8):
        c = rng.normal(size=n) if step < 2 else np.where(moved, 0.0, 1.0 if step % 2 else -1.0)
        res = linprog(c, bounds=(0, None), method="highs", **eq)
        if res.status == 0:
            moved |= np.abs(res.x - x0) > 1e-6
        if moved.all():
            break
    pinned = []
    for i in np.flatnonzero(~moved):
        c = np.zeros(n)
        c[i] = 1.0
        lo = linprog(c, bounds=(0, None), method="highs", **eq)
        hi = linprog(-c, bounds=(0, None), method="highs", **eq)
        low = lo.fun if lo.status == 0 else -np.inf
        high = -hi.fun if hi.status == 0 else np.inf
        if not high - low > 1e-6:
            pinned.append(int(withheld[i]))
    return determined, pinned


def linear_system(prot: pd.DataFrame, parents: dict[str, str | None]):
    """A x = b over the withheld cells (published cells moved to the right-hand side)."""
    v = prot["value"].to_numpy(float)
    withheld = np.flatnonzero(prot["status"].isin(WITHHELD).to_numpy())
    missing = np.isnan(v)
    col = {c: i for i, c in enumerate(withheld)}
    rows, rhs = [], []
    for total, parts in equations(prot, parents):
        cells = [total, *parts]
        if missing[cells].any():
            continue
        r = np.zeros(len(withheld))
        b = 0.0
        for c, k in zip(cells, [1.0] + [-1.0] * len(parts), strict=True):
            if c in col:
                r[col[c]] += k
            else:
                b -= k * v[c]
        if r.any():
            rows.append(r)
            rhs.append(b)
    return withheld, np.array(rows).reshape(-1, len(withheld)), np.array(rhs)


def interval_violations(prot: pd.DataFrame, parents: dict[str, str | None], p: int = 1, rows=None) -> list:
    """Sensitive rows (primary, or ``rows``) whose feasible range given everything published, by linear
    programming with x >= 0, does not hold the protection interval [x - min(x, p), x + p]."""
    v = prot["value"].to_numpy(float)
    withheld, a, b = linear_system(prot, parents)
    sens = np.flatnonzero((prot["status"] == "primary").to_numpy()) if rows is None else np.asarray(rows)
    col = {c: i for i, c in enumerate(withheld)}
    eq = {"A_eq": a, "b_eq": b} if len(a) else {}
    bad = []
    for r in sens:
        if r not in col:
            bad.append((int(r), "published"))
            continue
        c = np.zeros(len(withheld))
        c[col[r]] = 1.0
        lo = linprog(c, bounds=(0, None), method="highs", **eq)
        hi = linprog(-c, bounds=(0, None), method="highs", **eq)
        low = lo.fun if lo.status == 0 else -np.inf
        high = -hi.fun if hi.status == 0 else np.inf
        x = v[r]
        if low > x - min(x, p) + 1e-6 or high < x + p - 1e-6:
            bad.append((int(r), (round(low, 3), round(high, 3)), x))
    return bad


# -- configuration -------------------------------------------------------------------------------------


def test_config_defaults_and_validation():
    c = DisclosureConfig()
    assert (c.threshold, c.mode, c.base) == (5, "suppress", 5)
    for bad in ({"threshold": 0}, {"threshold": 2.5}, {"threshold": True}, {"base": 0}, {"mode": "hide"}):
        with pytest.raises(InputError) as err:
            DisclosureConfig(**bad)
        assert err.value.fix
    with pytest.raises(InputError):
        protect(pd.DataFrame({"area_code": ["A"], "period": ["2020"], "value": [1]}), {"A": None}, config="x")


# -- primary and secondary suppression on hand-checkable cubes -------------------------------------------


def test_parent_with_three_children():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    cube = aggregate_cube(long({"A": [3], "B": [7], "C": [9]}, ["2020"]), parents)
    prot = protect(cube, parents)
    # A is primary; the equation S = A + B + C would give it away, so the smallest child >= 5 goes too
    assert statuses(prot) == {
        ("S", "2020"): "published",
        ("A", "2020"): "primary",
        ("B", "2020"): "secondary",
        ("C", "2020"): "published",
    }
    assert prot.loc[prot["status"] == "published", "published"].tolist() == [19.0, 9.0]
    assert prot.loc[prot["status"] != "published", "published"].isna().all()
    assert attack(prot, parents) == ([], [])


def test_two_primaries_protect_each_other_and_zero_is_published():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    prot = protect(aggregate_cube(long({"A": [3], "B": [2], "C": [0]}, ["2020"]), parents), parents)
    assert statuses(prot) == {
        ("S", "2020"): "published",
        ("A", "2020"): "primary",
        ("B", "2020"): "primary",
        ("C", "2020"): "published",
    }
    assert attack(prot, parents) == ([], [])


def test_complement_prefers_children_over_total_and_skips_zeros():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    prot = protect(aggregate_cube(long({"A": [3], "B": [0], "C": [9]}, ["2020"]), parents), parents)
    # candidates: B = 0 (last resort), C = 9 (a child of at least 5), S = 12 (the total: after the children)
    assert statuses(prot)[("C", "2020")] == "secondary"
    assert statuses(prot)[("S", "2020")] == "published"
    assert statuses(prot)[("B", "2020")] == "published"


def test_one_month_of_twelve():
    values = [2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    cube = aggregate_cube(long({"A": values}, months()), {"A": None})
    prot = protect(cube, {"A": None})
    st_ = statuses(prot)
    assert st_[("A", "2020-01")] == "primary"
    # Q1 = Jan + Feb + Mar would give January away: the smallest other month >= 5 (February) goes too
    assert st_[("A", "2020-02")] == "secondary"
    assert [p for (a, p), s in st_.items() if s == "published"] == [
        p for p in prot["period"] if p not in ("2020-01", "2020-02")
    ]
    assert prot.set_index("period").loc["2020", "published"] == sum(values)
    assert attack(prot, {"A": None}) == ([], [])


def test_across_areas_and_months():
    parents = {"S": None, "A": "S", "B": "S"}
    periods = months(2020, 3)
    cube = aggregate_cube(long({"A": [2, 6, 7], "B": [6, 8, 9]}, periods), parents)
    assert set(cube["period"]) == {*periods, "2020-Q1"}  # no half or year from 3 months
    prot = protect(cube, parents)
    withheld = {k for k, s in statuses(prot).items() if s in WITHHELD}
    # S-01 = A-01 + B-01 and A-Q1 = A-01 + A-02 + A-03 each need a complement; then B-Q1 and S-02 do
    assert withheld == {("A", "2020-01"), ("B", "2020-01"), ("A", "2020-02"), ("B", "2020-02")}
    assert statuses(prot)[("A", "2020-01")] == "primary"
    assert attack(prot, parents) == ([], [])


def test_missing_cell_makes_its_equations_unusable():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    cube = pd.DataFrame({"area_code": ["S", "A", "B", "C"], "period": ["2020"] * 4, "value": [20.0, 3.0, np.nan, 9.0]})
    prot = protect(cube, parents)
    assert statuses(prot) == {
        ("S", "2020"): "published",
        ("A", "2020"): "primary",
        ("B", "2020"): "missing",
        ("C", "2020"): "published",
    }
    assert np.isnan(prot["published"].iloc[2])


def test_single_equations_are_not_enough(monkeypatch):
    """Three areas x 12 months where every equation has 0 or >= 2 withheld cells after the
    fixed point, yet combining equations recovers C1 in July; protect adds cells until not."""
    parents = {"R": None, "C0": "R", "C1": "R", "C2": "R"}
    values = {
        "C0": [3, 6, 2, 1, 6, 7, 0, 0, 5, 2, 4, 0],
        "C1": [7, 3, 7, 6, 6, 1, 6, 0, 4, 3, 9, 0],
        "C2": [9, 0, 5, 4, 7, 1, 9, 5, 7, 0, 6, 9],
    }
    cube = aggregate_cube(long(values, months()), parents)
    with monkeypatch.context() as m:
        m.setattr(disclosure.intervals, "_complete", lambda system, sup, *a: np.zeros_like(sup))
        fixed_point_only = protect(cube, parents)
    determined, _ = attack(fixed_point_only, parents)
    assert [(cube["area_code"][i], cube["period"][i]) for i in determined] == [("C1", "2020-07")]
    prot = protect(cube, parents)
    assert interval_violations(prot, parents) == []
    # C1 2020-07 (6) is a secondary cell: learning it tells nothing about a person, so no more is withheld
    assert (prot["status"] == "secondary").sum() >= (fixed_point_only["status"] == "secondary").sum()


def test_deterministic_and_independent_of_row_order():
    rng = np.random.default_rng(3)
    parents = {"R": None, "A": "R", "B": "R", "A1": "A", "A2": "A", "B1": "B", "B2": "B", "B3": "B"}
    leaves = ["A1", "A2", "B1", "B2", "B3"]
    base = long({a: rng.poisson(1.5, 12).tolist() for a in leaves}, months())
    cube = aggregate_cube(base, parents)
    one = protect(cube, parents)
    two = protect(cube.sample(frac=1, random_state=1), parents)
    assert statuses(one) == statuses(two)
    assert one.equals(protect(cube, parents))
    assert two.index.equals(cube.sample(frac=1, random_state=1).index)  # rows and index as given


def test_threshold_setting():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    cube = aggregate_cube(long({"A": [3], "B": [7], "C": [12]}, ["2020"]), parents)
    st_ = statuses(protect(cube, parents, DisclosureConfig(threshold=10)))
    assert st_[("A", "2020")] == "primary" and st_[("B", "2020")] == "primary"
    assert st_[("C", "2020")] == "published"  # two withheld cells in the one equation
    st_ = statuses(protect(cube, parents, DisclosureConfig(threshold=1)))
    assert set(st_.values()) == {"published"}


# -- rounding ------------------------------------------------------------------------------------------


def test_round_mode_to_nearest_multiple_of_five_halves_up():
    """CBS rounds to the nearest multiple of 5: 7 -> 5, 8 -> 10, 2 -> 0, 3 -> 5; a half goes up."""
    values = [0, 1, 2, 3, 7, 8, 12, 13, 2.5, 17.5, np.nan]
    cube = pd.DataFrame({"area_code": [f"A{i:02d}" for i in range(len(values))], "period": "2020", "value": values})
    parents = {c: None for c in cube["area_code"]}
    prot = protect(cube, parents, DisclosureConfig(mode="round"))
    expect = [0, 0, 0, 5, 5, 10, 10, 15, 5, 20, np.nan]
    np.testing.assert_array_equal(prot["published"].to_numpy(), np.array(expect, dtype=float))
    assert prot["status"].tolist() == ["rounded"] * 10 + ["missing"]
    prot = protect(cube, parents, DisclosureConfig(mode="round", base=10))
    assert prot["published"].tolist()[:8] == [0, 0, 0, 0, 10, 10, 10, 10]


# -- aggregate_cube ------------------------------------------------------------------------------------


def test_aggregate_cube_sums_areas_and_periods():
    parents = {"R": None, "A": "R", "B": "R"}
    base = long({"A": list(range(1, 13)), "B": [10] * 12}, months())
    cube = aggregate_cube(base, parents)
    assert len(cube) == 3 * 19
    v = cube.set_index(["area_code", "period"])
    assert v.loc[("A", "2020"), "value"] == 78
    assert v.loc[("A", "2020-H2"), "value"] == sum(range(7, 13))
    assert v.loc[("B", "2020-Q3"), "value"] == 30
    assert v.loc[("R", "2020-05"), "value"] == 15
    assert v.loc[("R", "2020"), "value"] == 198
    assert not v.loc[("A", "2020-05"), "derived"]
    assert v.loc[("A", "2020-Q1"), "derived"] and v.loc[("R", "2020-05"), "derived"]
    assert list(cube.columns) == ["area_code", "period", "value", "derived"]
    # a period is followed by the periods inside it
    assert cube.loc[cube["area_code"] == "A", "period"].tolist()[:4] == ["2020", "2020-H1", "2020-Q1", "2020-01"]


def test_aggregate_cube_builds_only_complete_periods():
    parents = {"R": None, "A": "R"}
    cube = aggregate_cube(long({"A": [1] * 11}, months(2020, 11)), parents)
    periods = set(cube["period"])
    assert {"2020-Q1", "2020-Q2", "2020-Q3", "2020-H1"} <= periods
    assert not periods & {"2020-Q4", "2020-H2", "2020"}


def test_aggregate_cube_missing_values_propagate_and_own_totals_win():
    parents = {"R": None, "A": "R", "B": "R"}
    base = long({"A": [1.0] * 12, "B": [2.0] * 5 + [np.nan] + [2.0] * 6}, months())
    base = pd.concat([base, pd.DataFrame({"area_code": ["R"], "period": ["2020-H1"], "value": [99.0]})])
    v = aggregate_cube(base, parents).set_index(["area_code", "period"])
    assert np.isnan(v.loc[("B", "2020-Q2"), "value"]) and np.isnan(v.loc[("B", "2020"), "value"])
    assert v.loc[("B", "2020-Q1"), "value"] == 6
    assert np.isnan(v.loc[("R", "2020-06"), "value"])
    assert v.loc[("R", "2020-H1"), "value"] == 99 and not v.loc[("R", "2020-H1"), "derived"]  # the source's own
    assert v.loc[("R", "2020-H2"), "value"] == 18  # A's 6 and B's 12
    # B's year is missing, so R's year is not A + B but R's own halves: 99 + 18
    assert v.loc[("R", "2020"), "value"] == 117 and v.loc[("R", "2020"), "derived"]


def test_aggregate_cube_time_sum_when_children_are_missing():
    parents = {"R": None, "A": "R", "B": "R"}
    base = long({"R": [4] * 12}, months())  # a source with the city only
    v = aggregate_cube(base, parents).set_index(["area_code", "period"])
    assert v.loc[("R", "2020"), "value"] == 48 and v.loc[("R", "2020"), "derived"]
    assert np.isnan(v.loc[("A", "2020-03"), "value"])


def test_aggregate_cube_levels_and_bad_input():
    parents = {"R": None, "A": "R"}
    base = long({"A": [1] * 12}, months())
    cube = aggregate_cube(base, parents, levels={"R": "stad", "A": "buurt"})
    assert cube["area_code"].iloc[0] == "R"
    with pytest.raises(InputError, match="level"):
        aggregate_cube(base, parents, levels={"R": "town"})
    with pytest.raises(InputError, match="not in the hierarchy"):
        aggregate_cube(long({"Z": [1]}, ["2020"]), parents)
    with pytest.raises(InputError, match="twice"):
        aggregate_cube(pd.concat([base, base.head(1)]), parents)
    with pytest.raises(InputError, match="not a count"):
        aggregate_cube(long({"A": [-1]}, ["2020"]), parents)
    with pytest.raises(InputError, match="period"):
        aggregate_cube(long({"A": [1]}, ["2020-13"]), parents)
    with pytest.raises(InputError, match="cycle"):
        aggregate_cube(base, {"R": "A", "A": "R"})
    with pytest.raises(InputError, match="lacks columns"):
        aggregate_cube(base.rename(columns={"value": "count"}), parents)


# -- the attacker on random trees and years ------------------------------------------------------------


@st.composite
def cases(draw):
    parents: dict[str, str | None] = {"R": None}
    for i in range(draw(st.integers(2, 4))):
        parents[f"C{i}"] = "R"
        for j in range(draw(st.integers(0, 4))):
            parents[f"C{i}B{j}"] = f"C{i}"
    leaves = [c for c in parents if c not in set(parents.values())]
    years = draw(st.integers(1, 2))
    periods = [p for y in range(years) for p in months(2020 + y)]
    mean = draw(st.sampled_from([0.3, 1.0, 2.0, 4.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    counts = rng.poisson(mean, (len(leaves), len(periods)))
    wide = rng.random(counts.shape) < 0.2  # a few counts uniform on 0..12
    counts[wide] = rng.integers(0, 13, int(wide.sum()))
    base = long(dict(zip(leaves, counts.tolist(), strict=True)), periods)
    if draw(st.booleans()):
        base.loc[draw(st.integers(0, len(base) - 1)), "value"] = np.nan  # a missing month
    return base, parents


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_attacker_recovers_nothing(case):
    base, parents = case
    cube = aggregate_cube(base, parents)
    prot = protect(cube, parents)
    values = prot["value"].to_numpy()
    status = prot["status"].to_numpy()
    assert set(status) <= set(STATUSES)
    primary = (values > 0) & (values < 5)
    assert (status[primary] == "primary").all()
    assert (status[np.isnan(values)] == "missing").all()
    shown = np.isin(status, ["published"])
    np.testing.assert_array_equal(prot["published"].to_numpy()[shown], values[shown])
    assert np.isnan(prot["published"].to_numpy()[~shown]).all()
    # every primary cell keeps its protection interval against the whole linear system with x >= 0
    assert interval_violations(prot, parents) == []


# -- derived figures and labels ------------------------------------------------------------------------


def test_rates_from_withheld_counts_are_withheld():
    parents = {"S": None, "A": "S", "B": "S", "C": "S"}
    prot = protect(aggregate_cube(long({"A": [3], "B": [7], "C": [9]}, ["2020"]), parents), parents)
    status = prot.set_index("area_code")["status"]
    frame = pd.DataFrame(
        {"population": [3000, 800, 1200, 1000], "rate": [6.3, 3.75, 5.8, 9.0], "ratio": [1.0, 0.4, 0.9, 1.5]},
        index=["S", "A", "B", "C"],
    )
    out = suppress_derived(frame, status.iloc[::-1], ["rate", "ratio"])  # aligned on the index, not position
    assert out.loc[["A", "B"], ["rate", "ratio"]].isna().all().all()
    assert out.loc["C", "rate"] == 9.0 and out.loc["S", "ratio"] == 1.0
    assert out["population"].equals(frame["population"])  # stocks untouched
    assert frame.loc["A", "rate"] == 3.75  # a copy
    rounded = suppress_derived(frame, pd.Series("rounded", index=frame.index), ["rate"])
    assert rounded["rate"].equals(frame["rate"])
    partial = suppress_derived(frame, status.drop("C"), ["rate"])  # no status: withheld
    assert np.isnan(partial.loc["C", "rate"])
    with pytest.raises(InputError, match="Unknown column"):
        suppress_derived(frame, status, ["rate_per_1000"])


def test_status_labels_do_not_tell_primary_from_secondary():
    for lang in ("nl", "en"):
        assert status_label("primary", lang) == status_label("secondary", lang)
        assert {status_label(s, lang) for s in STATUSES} and all(status_label(s, lang) for s in STATUSES)
    assert status_label("secondary", "nl") == "afgeschermd"
    assert status_label("primary", "en") == "withheld"
    assert status_label("rounded", "nl") == "afgerond op 5-tallen"
    assert SUPPRESSED_LABEL["nl"].startswith("< 5")
    with pytest.raises(InputError):
        status_label("primary", "de")
    with pytest.raises(InputError):
        status_label("hidden", "nl")
