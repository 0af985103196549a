"""The table of counts over the area and period hierarchies: keys, validation and ``aggregate_cube``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..contract import LEVELS, PERIOD_PATTERN
from ..errors import InputError
from .config import _KIND_MONTHS, _KINDS

# -- periods and areas ---------------------------------------------------------------------------------


def _period_spans(periods: pd.Series | list[str] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kind index (0 month .. 3 year), first month number and length in months of each period."""
    s = pd.Series(np.asarray(periods, dtype=object)).astype(str)
    parts = s.str.extract(PERIOD_PATTERN.pattern)
    bad = parts["year"].isna()
    if bad.any():
        raise InputError(
            "Malformed period.",
            received=repr(s[bad].iloc[0]),
            expected="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM",
            fix="write for example 2019, 2019-H2, 2019-Q3 or 2019-07",
        )
    year = parts["year"].astype(int).to_numpy()
    kind = np.full(len(s), 3, dtype=np.int64)
    n = np.ones(len(s), dtype=np.int64)
    for k, col in ((2, "half"), (1, "quarter"), (0, "month")):
        has = parts[col].notna().to_numpy()
        kind[has] = k
        n[has] = parts[col][has].astype(int).to_numpy()
    length = np.array([1, 3, 6, 12])[kind]
    start = year * 12 + (n - 1) * length
    return kind, start, length


def _period_name(kind: int, start: int) -> str:
    year, month = divmod(int(start), 12)
    if kind == 3:
        return f"{year:04d}"
    if kind == 2:
        return f"{year:04d}-H{month // 6 + 1}"
    if kind == 1:
        return f"{year:04d}-Q{month // 3 + 1}"
    return f"{year:04d}-{month + 1:02d}"


@dataclass
class _Keys:
    """Area codes and periods of a long frame, factorized; periods in chronological order."""

    areas: np.ndarray  # unique area codes (object), order of first appearance
    area: np.ndarray  # row -> index into areas
    periods: list[str]  # unique periods, chronological, a period before the periods inside it
    period: np.ndarray  # row -> index into periods
    kind: np.ndarray  # per unique period: 0 month .. 3 year
    start: np.ndarray
    length: np.ndarray


def _keys(frame: pd.DataFrame, what: str) -> _Keys:
    area_raw = frame["area_code"]
    bad = area_raw.isna().to_numpy()
    if bad.any():
        raise InputError(
            f"The {what} holds a row without area code.",
            received=f"row {int(bad.argmax()) + 1}",
            expected="an area code on every row",
            fix="fill in or drop the rows without area code",
        )
    ai, areas = pd.factorize(area_raw.astype(str).to_numpy(dtype=object))
    pi, uniq = pd.factorize(frame["period"].astype(str).to_numpy(dtype=object))
    kind, start, length = _period_spans(np.asarray(uniq, dtype=object))
    order = np.lexsort((-length, start))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    keys = _Keys(
        np.asarray(areas, dtype=object),
        ai.astype(np.int64),
        [str(uniq[i]) for i in order],
        rank[pi] if len(pi) else pi.astype(np.int64),
        kind[order],
        start[order],
        length[order],
    )
    flat = keys.area * max(len(keys.periods), 1) + keys.period
    if len(flat) and np.bincount(flat).max() > 1:
        dup = pd.Series(flat).duplicated().to_numpy().argmax()
        raise InputError(
            f"The {what} holds an area and period twice.",
            received=f"{keys.areas[keys.area[dup]]} {keys.periods[keys.period[dup]]}",
            expected="one row per area and period",
            fix="sum or deduplicate the rows first",
        )
    return keys


def _walk_up(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """The ancestors of ``code``, nearest first; an InputError on a cycle."""
    out: list[str] = []
    seen = {code}
    p = parents.get(code)
    while p is not None:
        if p in seen:
            raise InputError(
                "The area hierarchy has a cycle.",
                received=" -> ".join([code, *out, p]),
                expected="child -> parent codes that end at a root mapped to None",
                fix="correct the parent of one of these areas",
            )
        seen.add(p)
        out.append(p)
        p = parents.get(p)
    return out


def _check_columns(frame: pd.DataFrame, what: str) -> None:
    missing = [c for c in ("area_code", "period", "value") if c not in frame.columns]
    if missing:
        raise InputError(
            f"The {what} lacks columns.",
            received=", ".join(map(str, frame.columns)) or "(no columns)",
            expected="area_code, period, value",
            fix="pass a long frame with one row per area and period",
        )


def _numeric_values(frame: pd.DataFrame, what: str) -> np.ndarray:
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    bad = (np.isnan(value) & frame["value"].notna().to_numpy()) | (value < 0) | np.isinf(value)
    if bad.any():
        raise InputError(
            f"The {what} holds a value that is not a count.",
            received=repr(frame["value"].to_numpy()[bad.argmax()]),
            expected="a non-negative number, or empty (NaN) when missing",
            fix="pass counts of events; leave unknown values empty",
        )
    return value


def _index_of(code: str | None, index: Mapping[str, int]) -> int:
    """Position of an area code in ``index``; -1 for no code (a root)."""
    return -1 if code is None else index[code]


# -- the cube ------------------------------------------------------------------------------------------


def aggregate_cube(
    base: pd.DataFrame, parents: Mapping[str, str | None], *, levels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Build the full table of counts over the area and period hierarchies.

    Parameters
    ----------
    base:
        Columns ``area_code, period, value``: non-negative counts, NaN for missing. It may hold
        values at several area levels and period kinds (a source that gives yearly stadsdeel
        totals beside monthly buurt counts).
    parents:
        Child code -> parent code; the root (the city) maps to None. A parent that is not a key
        is a root too.
    levels:
        Optional area code -> level (``stad`` .. ``buurt``); only orders the output (largest level
        first) and must name known levels.

    Returns
    -------
    One row per area in ``parents`` and period of the grid: ``area_code, period, value,
    derived`` (True when the value was summed here, False when it is the source's own or
    missing).

    The rule
    --------
    * **Periods.** The grid holds the periods of the finest kind in ``base`` (say months) that
      occur in it, and of every coarser kind (quarter, half, year) the periods that ``base``
      holds or whose sub-periods of the next finer kind are all in the grid: a year is built only
      from a complete set of 12 months (4 quarters, 2 halves). No gap is filled.
    * **Values**, from the finest kind up and, within a kind, from the smallest areas up: the
      source's own value when ``base`` has one (not NaN); else the sum over the area's children
      when it has children and all of them have a value; else the sum over the area's own
      sub-periods of the nearest finer kind whose sub-periods are all in the grid, when all of
      them have a value; else NaN. A missing value is never taken as zero. When the source
      gives both a total and its parts, the total is kept as given (they need not add up).
    """
    if not isinstance(base, pd.DataFrame):
        raise InputError("aggregate_cube needs a DataFrame.", received=type(base).__name__, expected="a DataFrame")
    _check_columns(base, "base table")
    base = base.reset_index(drop=True)
    keys_in = _keys(base, "base table")
    value = _numeric_values(base, "base table")

    codes = set(map(str, parents)) | {str(p) for p in parents.values() if p is not None}
    parent_of = {str(k): (None if v is None else str(v)) for k, v in parents.items()}
    unknown = sorted(set(keys_in.areas.tolist()) - codes)
    if unknown:
        raise InputError(
            "The base table holds areas that are not in the hierarchy.",
            received=", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""),
            expected="area codes that occur in parents",
            fix="pass the hierarchy of the same area division as the counts",
        )
    depth = {c: len(_walk_up(c, parent_of)) for c in codes}
    if levels is not None:
        bad = sorted({str(v) for v in levels.values()} - set(LEVELS))
        if bad:
            raise InputError(
                "Unknown area level.",
                received=", ".join(bad),
                expected=", ".join(LEVELS),
                fix="use one of these levels",
            )
        rank = {str(k): LEVELS.index(str(v)) for k, v in levels.items()}
        area_list = sorted(codes, key=lambda c: (rank.get(c, len(LEVELS)), depth[c], c))
    else:
        area_list = sorted(codes, key=lambda c: (depth[c], c))
    a_index = {c: i for i, c in enumerate(area_list)}
    n_a = len(area_list)
    par = np.array([_index_of(parent_of.get(c), a_index) for c in area_list])
    dep = np.array([depth[c] for c in area_list])

    # the period grid
    grid: dict[tuple[int, int], str] = {}
    if len(keys_in.periods):
        finest = int(np.min(keys_in.kind))
        for p, k, s in zip(keys_in.periods, keys_in.kind, keys_in.start, strict=True):
            grid[(int(k), int(s))] = p
        for k in range(finest + 1, len(_KINDS)):
            size = _KIND_MONTHS[_KINDS[k]]
            sub = _KIND_MONTHS[_KINDS[k - 1]]
            firsts = {s - s % size for (kk, s) in grid if kk == k - 1}
            for s in sorted(firsts):
                if all((k - 1, s + j * sub) in grid for j in range(size // sub)):
                    grid.setdefault((k, s), _period_name(k, s))
    keys = sorted(grid, key=lambda ks: (ks[1], -_KIND_MONTHS[_KINDS[ks[0]]]))
    period_list = [grid[k] for k in keys]
    p_index = {k: j for j, k in enumerate(keys)}
    n_p = len(period_list)

    v = np.full((n_a, n_p), np.nan)
    own = np.zeros((n_a, n_p), dtype=bool)
    if len(base):
        area_map = np.array([a_index[c] for c in keys_in.areas], dtype=np.int64)
        period_map = np.array(
            [p_index[(int(k), int(s))] for k, s in zip(keys_in.kind, keys_in.start, strict=True)], dtype=np.int64
        )
        ai = area_map[keys_in.area]
        pj = period_map[keys_in.period]
        v[ai, pj] = value
        own[ai, pj] = ~np.isnan(value)
    v[~own] = np.nan
    derived = np.zeros((n_a, n_p), dtype=bool)

    # children matrix (parent x child)
    has_par = par >= 0
    children = sparse.csr_matrix(
        (np.ones(int(has_par.sum())), (par[has_par], np.flatnonzero(has_par))), shape=(n_a, n_a)
    )
    has_children = np.asarray(children.sum(axis=1)).ravel() > 0
    kind_of = np.array([k for k, _ in keys], dtype=np.int64)
    start_of = np.array([s for _, s in keys], dtype=np.int64)
    depths = sorted(set(dep.tolist()), reverse=True)
    for k in sorted(set(kind_of.tolist())):
        cols = np.flatnonzero(kind_of == k)
        # time sums from the nearest finer kind with every sub-period in the grid
        tsum = np.full((n_a, len(cols)), np.nan)
        for ci, j in enumerate(cols):
            size = _KIND_MONTHS[_KINDS[k]]
            for fk in range(k - 1, -1, -1):
                sub = _KIND_MONTHS[_KINDS[fk]]
                found = [p_index.get((fk, int(start_of[j]) + i * sub)) for i in range(size // sub)]
                subs = [s for s in found if s is not None]
                if len(subs) == len(found):
                    tsum[:, ci] = v[:, subs].sum(axis=1)  # NaN when any is NaN
                    break
        for d in depths:
            rows = np.flatnonzero(dep == d)
            block = v[np.ix_(rows, cols)]
            need = ~own[np.ix_(rows, cols)]
            if not need.any():
                continue
            vals = v[:, cols]
            nan = np.isnan(vals)
            asum = children[rows] @ np.where(nan, 0.0, vals)
            anan = children[rows] @ nan.astype(float)
            area_ok = has_children[rows][:, None] & (anan == 0)
            t = tsum[rows]
            take_area = need & area_ok
            take_time = need & ~area_ok & ~np.isnan(t)
            block = np.where(take_area, asum, np.where(take_time, t, block))
            v[np.ix_(rows, cols)] = block
            derived[np.ix_(rows, cols)] = take_area | take_time
    out = pd.DataFrame(
        {
            "area_code": np.repeat(np.array(area_list, dtype=object), n_p),
            "period": np.tile(np.array(period_list, dtype=object), n_a),
            "value": v.ravel(),
            "derived": derived.ravel(),
        }
    )
    return out
