"""Validation: an exact attacker against one fresh release of the embedded default (decision 0034).

    python benchmarks/attack_default_release.py [--home DIR] [--per-indicator N] [--seed S]

Builds the default (or uses ``--home``), takes the residents' reports and tips cubes as the public read model
publishes them (``PublicData.cube``: protection with rounded publication and complements published again),
and attacks them with the linear programme over the *whole* city and year: every published cell exact,
every rounded cell within [r - 2, r + 2], every withheld cell >= 0, every additive equation of the cube.
The code here shares nothing with ``weerbaar.disclosure`` but the published table.

The targets are the small counts (1-4) most exposed by step 7: those inside a wijk and half-year whose
wijk total is shown although it sits at the edge of its rounding window (a count of 7 shown as 5, or 8
shown as 10), which the rectangle completion used to withhold. Prints, per indicator, how many targets
were attacked and how many the attacker pinned tighter than [x - 1, x + 1] (must be 0).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from weerbaar import pipeline
from weerbaar.contract import period_kind
from weerbaar.public import PublicData

INDICATORS = ("reports.drug_nuisance", "tips.anonymous_drugs")
_SUB = {"year": ("half", "quarter", "month"), "half": ("quarter", "month"), "quarter": ("month",)}
_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}


def _months(period: str) -> tuple[int, int]:
    """(first month index, length in months) of a period code."""
    kind = period_kind(period)
    y = int(period[:4])
    if kind == "year":
        return y * 12, 12
    if kind == "half":
        return y * 12 + (int(period[-1]) - 1) * 6, 6
    if kind == "quarter":
        return y * 12 + (int(period[-1]) - 1) * 3, 3
    return y * 12 + int(period[5:7]) - 1, 1


def attack(tab: pd.DataFrame, parent: dict[str, str | None], targets: list[int]) -> list[tuple[float, float]]:
    """Min and max of each target row over every table consistent with what ``tab`` publishes."""
    n = len(tab)
    idx = {(a, p): i for i, (a, p) in enumerate(zip(tab["area_code"], tab["period"], strict=True))}
    areas = set(tab["area_code"])
    periods = sorted(set(tab["period"]))
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    eq = 0

    def add(total: int, parts: list[int]) -> None:
        nonlocal eq
        rows.extend([eq] * (len(parts) + 1))
        cols.extend([total, *parts])
        vals.extend([1.0] + [-1.0] * len(parts))
        eq += 1

    kids: dict[str, list[str]] = {}
    for c in areas:
        p = parent.get(c)
        if p is not None and p in areas:
            kids.setdefault(p, []).append(c)
    for p, cs in kids.items():
        for t in periods:
            add(idx[(p, t)], [idx[(c, t)] for c in cs])
    span = {t: _months(t) for t in periods}
    by_span = {(span[t][0], span[t][1]): t for t in periods}
    for a in areas:
        for t in periods:
            kind = period_kind(t)
            start, length = span[t]
            for sub in _SUB.get(kind, ()):
                step = _MONTHS[sub]
                parts = [by_span.get((start + i * step, step)) for i in range(length // step)]
                if all(q is not None for q in parts):
                    add(idx[(a, t)], [idx[(a, q)] for q in parts])
    a_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(eq, n))
    status = tab["status"].to_numpy()
    shown = tab["published"].to_numpy(dtype=float)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    exact = status == "published"
    lo[exact], hi[exact] = shown[exact], shown[exact]
    rnd = status == "rounded"
    lo[rnd], hi[rnd] = np.maximum(shown[rnd] - 2, 0), shown[rnd] + 2
    bounds = np.column_stack([lo, hi])
    out = []
    for t in targets:
        c = np.zeros(n)
        c[t] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=np.zeros(eq), bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=np.zeros(eq), bounds=bounds, method="highs")
        assert low.status == 0 and high.status in (0, 3), "the release contradicts itself"
        out.append((float(low.fun), np.inf if high.status == 3 else float(-high.fun)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--per-indicator", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    home = a.home or Path(tempfile.mkdtemp(prefix="weerbaar-attack-"))
    if not pipeline.warehouse_path(home).exists():
        pipeline.build(home=home)
    data = PublicData(home)
    division = data.division(None)
    areas = data.areas(division)
    parent = {c: (p if isinstance(p, str) and p in areas.index else None) for c, p in areas["parent"].items()}
    level = areas["level"]
    rng = np.random.default_rng(a.seed)
    for ind in INDICATORS:
        t0 = time.perf_counter()
        cube = data.cube(division, ind)
        cube = cube[cube["status"] != "pending"].reset_index(drop=True)
        cube["year"] = cube["period"].str[:4]
        # wijk half-years shown at the edge of their window: the complements step 7 may have given back
        wh = cube[(cube["kind"] == "half") & cube["area_code"].map(level).eq("wijk") & (cube["status"] == "rounded")]
        edge = wh[np.isin(wh["value"] % 5, [2, 3]) & (wh["value"] >= 5)]
        below: dict[str, set[str]] = {}
        for code, p in parent.items():
            x = p
            while x is not None:
                below.setdefault(x, set()).add(code)
                x = parent.get(x)
        span = {p: _months(p) for p in cube["period"].unique()}
        first = cube["period"].map({p: v[0] for p, v in span.items()}).to_numpy()
        last = first + cube["period"].map({p: v[1] for p, v in span.items()}).to_numpy()
        small = ((cube["value"] > 0) & (cube["value"] < 5)).to_numpy()
        rows_of = {c: np.flatnonzero(cube["area_code"].to_numpy() == c) for c in set(cube["area_code"])}
        exposed = []
        for w, half in zip(edge["area_code"], edge["period"], strict=True):
            start, length = span[half]
            rows = np.concatenate([rows_of[c] for c in below.get(w, set()) | {w} if c in rows_of])
            inside = (first[rows] >= start) & (last[rows] <= start + length) & small[rows]
            exposed.append(rows[inside])
        pool = np.unique(np.concatenate(exposed)) if exposed else np.array([], dtype=int)
        pick = rng.choice(pool, min(a.per_indicator, len(pool)), replace=False) if len(pool) else pool
        pinned, attacked = 0, 0
        for year, rows in pd.Series(pick).groupby(cube.loc[pick, "year"].to_numpy()):
            tab = cube[cube["year"] == year].reset_index()
            pos = {r: i for i, r in enumerate(tab["index"])}
            got = attack(tab, parent, [pos[r] for r in rows])
            for r, (lo, hi) in zip(rows, got, strict=True):
                x = cube.at[r, "value"]
                attacked += 1
                if lo > x - 1 + 1e-6 or hi < x + 1 - 1e-6:
                    pinned += 1
                    print(f"  PINNED {cube.at[r, 'area_code']} {cube.at[r, 'period']} x={x:.0f} range [{lo}, {hi}]")
        print(
            f"{ind}: {len(edge)} wijk half-years shown at a window edge, {len(pool)} small counts under them, "
            f"{attacked} attacked over the whole city-year, {pinned} pinned ({time.perf_counter() - t0:.0f} s)"
        )


if __name__ == "__main__":
    main()
