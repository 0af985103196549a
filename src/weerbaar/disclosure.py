"""Statistical disclosure control for the counts the public dashboard and API show.

Counts of events (police registrations, citizen reports) per area and period are published only
when no small number of people can be learnt from them, directly or by subtraction:

* ``aggregate_cube`` builds the full table of counts over the area hierarchy and the period
  hierarchy (month, quarter, half, year) from what the sources give;
* ``protect`` marks every cell ``published``, ``primary`` (a count from 1 to threshold - 1),
  ``secondary`` (withheld so that no primary cell can be recovered from totals and the other
  cells), ``missing``, or ``rounded`` (mode "round": every count rounded to a multiple of 5);
* ``suppress_derived`` withholds rates and other figures computed from a withheld count;
* ``status_label`` gives the public text of a status (primary and secondary look the same).

The method and its validation are in ``docs/methods/disclosure.md``, the choice of what is
protected in ``docs/decisions/0007-disclosure-control.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .contract import LEVELS, PERIOD_PATTERN
from .errors import InputError

__all__ = [
    "DisclosureConfig",
    "MODES",
    "STATUSES",
    "SUPPRESSED_LABEL",
    "aggregate_cube",
    "protect",
    "suppress_derived",
    "status_label",
]

MODES: tuple[str, ...] = ("suppress", "round")
STATUSES: tuple[str, ...] = ("published", "primary", "secondary", "missing", "rounded", "pending", "suppressed")
#: Legend text for a withheld cell at the default threshold (primary and secondary alike).
SUPPRESSED_LABEL: dict[str, str] = {"nl": "< 5 of afgeschermd", "en": "< 5 or withheld"}

_KINDS: tuple[str, ...] = ("month", "quarter", "half", "year")  # finest first
_KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_PUBLISHED, _PRIMARY, _SECONDARY, _MISSING, _ROUNDED = range(5)
_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "published": "gepubliceerd",
        "primary": "afgeschermd",
        "secondary": "afgeschermd",
        "missing": "geen gegevens",
        "rounded": "afgerond op {base}-tallen",
        "pending": "afgeschermd",
        "suppressed": "geheim (bron)",
    },
    "en": {
        "published": "published",
        "primary": "withheld",
        "secondary": "withheld",
        "missing": "no data",
        "rounded": "rounded to a multiple of {base}",
        "pending": "withheld",
        "suppressed": "withheld by the source",
    },
}


@dataclass(frozen=True)
class DisclosureConfig:
    """How public counts are protected.

    threshold:
        Counts from 1 to ``threshold - 1`` are withheld (primary suppression); 0 is published, as a
        zero discloses no person.
    mode:
        ``"suppress"`` (primary and secondary suppression) or ``"round"`` (every count rounded to
        the nearest multiple of ``base``, halves up; nothing withheld).
    base:
        Rounding base of mode ``"round"`` (and of published counts from open submissions).
    protection:
        Protection level p (mode "suppress"): every primary (sensitive) cell with value x keeps a
        feasible range, given everything published, that holds [x - min(x, p), x + p]: an attacker
        cannot tell a count of 1 from 0 or from 1 + p.
    """

    threshold: int = 5
    mode: str = "suppress"
    base: int = 5
    protection: int = 1

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(
                "Unknown disclosure mode.",
                received=repr(self.mode),
                expected=" or ".join(repr(m) for m in MODES),
                fix='use mode "suppress" (the default) or "round"',
            )
        for name in ("threshold", "base", "protection"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(
                    f"Invalid disclosure {name}.",
                    received=repr(value),
                    expected="a whole number of at least 1",
                    fix=f"set {name} to for example 5",
                )


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
    par = np.array([a_index[parent_of[c]] if parent_of.get(c) is not None else -1 for c in area_list])
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
                subs = [p_index.get((fk, int(start_of[j]) + i * sub)) for i in range(size // sub)]
                if all(s is not None for s in subs):
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


# -- protection ----------------------------------------------------------------------------------------


@dataclass
class _System:
    """The cube as a dense array and its additive equations as cell lists (total first)."""

    values: np.ndarray  # flat, n_areas * n_periods, NaN for missing or absent
    n_areas: int
    n_periods: int
    ptr: np.ndarray  # equation i: cells[ptr[i]:ptr[i+1]], the total first
    cells: np.ndarray
    parent: np.ndarray  # nearest ancestor area in the cube (-1: none)
    period_parent: np.ndarray  # smallest period of the cube strictly containing it (-1: none)


def _tile(tvals: np.ndarray, tptr: np.ndarray, scale: int, shifts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repeat equation templates: cells = template * scale + shift, for every shift."""
    if len(tptr) <= 1 or len(shifts) == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cells = (tvals[None, :] * scale + shifts[:, None]).ravel()
    lens = np.tile(np.diff(tptr), len(shifts))
    return np.concatenate([[0], np.cumsum(lens)]), cells


def _build_system(keys: _Keys, parents: Mapping[str, str | None], values: np.ndarray) -> tuple[_System, np.ndarray]:
    """The dense cube (areas sorted by code, periods chronological) and its equations; also the
    flat cell index of every row."""
    order_a = np.argsort(keys.areas.astype(str), kind="stable")
    area_list = [str(c) for c in keys.areas[order_a]]
    a_rank = np.empty(len(order_a), dtype=np.int64)
    a_rank[order_a] = np.arange(len(order_a))
    a_index = {c: i for i, c in enumerate(area_list)}
    parent_of = {str(k): (None if v is None else str(v)) for k, v in parents.items()}
    known = set(parent_of) | {p for p in parent_of.values() if p is not None}
    unknown = [c for c in area_list if c not in known]
    if unknown:
        raise InputError(
            "The cube holds areas that are not in the hierarchy.",
            received=", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""),
            expected="area codes that occur in parents",
            fix="pass the hierarchy of the same area division as the counts",
        )
    parent = np.full(len(area_list), -1, dtype=np.int64)
    for c, i in a_index.items():
        for anc in _walk_up(c, parent_of):
            if anc in a_index:
                parent[i] = a_index[anc]
                break
    kind, start, length = keys.kind, keys.start, keys.length
    n_a, n_p = len(area_list), len(keys.periods)
    flat = a_rank[keys.area] * n_p + keys.period
    v = np.full(n_a * n_p, np.nan)
    v[flat] = values

    # area equations: parent = sum of its children in the cube, for every period
    order = np.argsort(parent, kind="stable")
    order = order[parent[order] >= 0]
    groups = np.split(order, np.flatnonzero(np.diff(parent[order])) + 1) if len(order) else []
    tv, tp = [], [0]
    for g in groups:
        tv.extend([int(parent[g[0]]), *g.tolist()])
        tp.append(len(tv))
    a_ptr, a_cells = _tile(np.asarray(tv, dtype=np.int64), np.asarray(tp), n_p, np.arange(n_p))

    # time equations: coarse = sum of its sub-periods of each finer kind, when all are in the cube
    by_key = {(int(k), int(s)): j for j, (k, s) in enumerate(zip(kind, start, strict=True))}
    tv, tp = [], [0]
    for j in range(n_p):
        k, s = int(kind[j]), int(start[j])
        for fk in range(k - 1, -1, -1):
            sub = _KIND_MONTHS[_KINDS[fk]]
            subs = [by_key.get((fk, s + i * sub)) for i in range(int(length[j]) // sub)]
            if all(x is not None for x in subs):
                tv.extend([j, *subs])
                tp.append(len(tv))
    t_ptr, t_cells = _tile(np.asarray(tv, dtype=np.int64), np.asarray(tp), 1, np.arange(n_a) * n_p)
    ptr = np.concatenate([a_ptr, t_ptr[1:] + a_ptr[-1]])
    cells = np.concatenate([a_cells, t_cells])

    # the period forest: the smallest period of the cube strictly containing each period
    end = start + length
    inside = (length[None, :] > length[:, None]) & (start[None, :] <= start[:, None]) & (end[:, None] <= end[None, :])
    size = np.where(inside, length[None, :], np.iinfo(np.int64).max)
    period_parent = np.where(inside.any(axis=1), size.argmin(axis=1), -1)
    system = _System(v, n_a, n_p, ptr, cells, parent, period_parent)
    return system, flat


def _fixed_point(
    system: _System, primary: np.ndarray, threshold: float, fixed: np.ndarray | None = None
) -> np.ndarray:
    """Secondary suppression until no usable equation has exactly one unknown cell."""
    v = system.values
    missing = np.isnan(v)
    n_eq = len(system.ptr) - 1
    lens = np.diff(system.ptr)
    rows = np.repeat(np.arange(n_eq), lens)
    member = sparse.csr_matrix((np.ones(len(system.cells)), (rows, system.cells)), shape=(n_eq, len(v)))
    usable = np.flatnonzero(member @ missing.astype(float) == 0)
    member = member[usable]
    ptr, cells = system.ptr, system.cells
    # candidate order within an equation: value class, children before the total, value, area, period
    klass = np.where(v >= threshold, 0, np.where(v > 0, 1, 2))
    sup = primary.copy()
    secondary = np.zeros_like(sup)
    while True:
        count = member @ sup.astype(float)
        leaky = usable[np.flatnonzero(count == 1)]
        if not len(leaky):
            break
        for e in leaky:
            eq = cells[ptr[e] : ptr[e + 1]]
            s = sup[eq]
            if s.sum() != 1:
                continue
            cand = np.flatnonzero(~s)
            if fixed is not None and (~fixed[eq[cand]]).any():
                cand = cand[~fixed[eq[cand]]]  # a cell already public cannot be withheld any more
            c = eq[cand]
            pick = np.lexsort((c, v[c], cand == 0, klass[c]))[0]
            sup[c[pick]] = True
            secondary[c[pick]] = True
    return secondary


_BIG = 1e9  # cost of a cell that may not be withheld in a given role


@dataclass
class _Forest:
    """A forest of areas (effective parents within the cube), by depth."""

    parent: np.ndarray
    depth: np.ndarray
    rows_at: list[np.ndarray]  # area indices at each depth
    down: list[sparse.csr_matrix]  # down[d]: rows_at[d] x rows_at[d + 1], 1 where parent -> child
    slot: np.ndarray  # position of each area within rows_at[its depth]
    leaf: np.ndarray
    groups: list[np.ndarray]  # sibling groups (children of one parent, or all roots), area indices


def _forest(parent: np.ndarray) -> _Forest:
    n = len(parent)
    depth = np.zeros(n, dtype=np.int64)
    for i in range(n):
        p, d = parent[i], 0
        while p >= 0:
            p, d = parent[p], d + 1
        depth[i] = d
    rows_at = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1 if n else 0)]
    slot = np.zeros(n, dtype=np.int64)
    for rows in rows_at:
        slot[rows] = np.arange(len(rows))
    down = []
    for d in range(len(rows_at) - 1):
        kids = rows_at[d + 1]
        down.append(
            sparse.csr_matrix(
                (np.ones(len(kids), dtype=np.float32), (slot[parent[kids]], np.arange(len(kids)))),
                shape=(len(rows_at[d]), len(kids)),
            )
        )
    leaf = np.ones(n, dtype=bool)
    leaf[parent[parent >= 0]] = False
    order = np.lexsort((np.arange(n), parent))
    bounds = np.flatnonzero(np.diff(parent[order])) + 1
    groups = [g for g in np.split(order, bounds) if len(g)]
    return _Forest(parent, depth, rows_at, down, slot, leaf, groups)


def _time_sides(system: _System) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[tuple[list[int], list[int]]]]:
    """The period sides of the rectangles: two chains from leaf periods up to two sibling periods
    (or one chain from a leaf period up to its root), as period sets S1 and S2."""
    n_p = system.n_periods
    pp = system.period_parent
    kids: list[list[int]] = [[] for _ in range(n_p)]
    roots: list[int] = []
    for j in range(n_p):  # chronological
        (kids[pp[j]] if pp[j] >= 0 else roots).append(j)

    leaves: dict[int, list[int]] = {}

    def leaves_under(t: int) -> list[int]:
        if t not in leaves:
            leaves[t] = [t] if not kids[t] else [m for k in kids[t] for m in leaves_under(k)]
        return leaves[t]

    def chain(m: int, top: int) -> list[int]:
        out = [m]
        while m != top:
            m = int(pp[m])
            out.append(m)
        return out

    sides: list[tuple[list[int], list[int]]] = []
    for j in range(n_p):
        k = kids[j]
        for t1, t2 in ((a, b) for a in k for b in k if a != b):
            for m1 in leaves_under(t1):
                for m2 in leaves_under(t2):
                    sides.append((chain(m1, t1), chain(m2, t2)))
    # consecutive roots (years): leaf periods at the same position only, to keep the set small
    for i in range(len(roots) - 1):
        for t1, t2 in ((roots[i], roots[i + 1]), (roots[i + 1], roots[i])):
            for m1, m2 in zip(leaves_under(t1), leaves_under(t2), strict=False):
                sides.append((chain(m1, t1), chain(m2, t2)))
    for r in roots:
        for m in leaves_under(r):
            sides.append((chain(m, r), []))

    def matrix(which: int) -> sparse.csr_matrix:
        lens = [len(s[which]) for s in sides]
        cols = [c for s in sides for c in s[which]]
        return sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), np.asarray(cols, dtype=np.int64), np.r_[0, np.cumsum(lens)]),
            shape=(len(sides), n_p),
        )

    return matrix(0), matrix(1), sides


def _down_fill(f: _Forest, good: np.ndarray) -> np.ndarray:
    """down[a] = good[a] and (a is a leaf or some child has down): a good chain to a leaf."""
    down = np.zeros_like(good)
    for d in range(len(f.rows_at) - 1, -1, -1):
        rows = f.rows_at[d]
        ok = f.leaf[rows][:, None]
        if d + 1 < len(f.rows_at):
            ok = ok | ((f.down[d] @ down[f.rows_at[d + 1]].astype(np.float32)) > 0)
        down[rows] = good[rows] & ok
    return down


def _sibling_any(f: _Forest, flag: np.ndarray) -> np.ndarray:
    """For each area: does some other area of its sibling group have the flag?"""
    out = np.zeros_like(flag)
    for g in f.groups:
        n = flag[g].sum(axis=0)
        out[g] = (n[None, :] - flag[g]) > 0
    return out


def _certified(
    system: _System, f: _Forest, s1, s2, sup: np.ndarray, d: float = 1.0, empty2: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cells (flat) that can move by ``d`` up, and by ``d`` down, along a valid rectangle.

    A rectangle R is valid when adding t * R keeps every equation and every published cell; it
    has a decreasing side (cells withheld and >= d) and an increasing side (cells withheld), so t
    can run from 0 to d: the cells on the increasing side can go up by d, those on the decreasing
    side down by d. A rectangle without increasing side (one chain up to the root in both
    hierarchies) can also go up without bound. Returns (up, down), flat boolean masks."""
    n_a, n_p = system.n_areas, system.n_periods
    v = system.values.reshape(n_a, n_p)
    missing = np.isnan(v)
    s = sup.reshape(n_a, n_p)
    pos_bad = (~((s & (v >= d)) | missing)).astype(np.float32)
    any_bad = (~(s | missing)).astype(np.float32)
    g1 = ((pos_bad @ s1.T) + (any_bad @ s2.T)) == 0  # chain 1: positive on S1, withheld on S2
    g2 = ((any_bad @ s1.T) + (pos_bad @ s2.T)) == 0
    down1 = _down_fill(f, g1)
    down2 = _down_fill(f, g2)
    sib1 = _sibling_any(f, down1)
    sib2 = _sibling_any(f, down2)
    up1 = np.zeros_like(g1)
    up2 = np.zeros_like(g1)
    chain_up1 = np.zeros_like(g1)
    for d, rows in enumerate(f.rows_at):
        if d == 0:
            up1[rows] = sib2[rows]
            up2[rows] = sib1[rows]
            chain_up1[rows] = g1[rows]
        else:
            par = f.parent[rows]
            up1[rows] = sib2[rows] | (g1[par] & up1[par])
            up2[rows] = sib1[rows] | (g2[par] & up2[par])
            chain_up1[rows] = g1[rows] & chain_up1[par]
    # chain 1 decreases on S1 and increases on S2; chain 2 the other way round
    c1 = (down1 & (up1 | chain_up1)).astype(np.float32)
    c2 = (down2 & up2).astype(np.float32)
    up = np.asarray(c1 @ s2 + c2 @ s1)
    down = np.asarray(c1 @ s1 + c2 @ s2)
    if empty2 is not None and len(empty2):
        solo = (down1 & chain_up1).astype(np.float32)[:, empty2]
        up = up + np.asarray(solo @ s1[empty2])
    return (up > 0).ravel(), (down > 0).ravel()


def _down_cost(f: _Forest, c: np.ndarray) -> np.ndarray:
    """Cost of the cheapest chain from each area down to a leaf (sum of the areas' costs)."""
    dc = c.copy()
    for d in range(len(f.rows_at) - 2, -1, -1):
        rows, kids = f.rows_at[d], f.rows_at[d + 1]
        sk = kids[np.argsort(f.slot[f.parent[kids]], kind="stable")]
        ps = f.slot[f.parent[sk]]
        starts = np.r_[0, np.flatnonzero(np.diff(ps)) + 1]
        child_min = np.full((len(rows), c.shape[1]), np.inf)
        child_min[ps[starts]] = np.minimum.reduceat(dc[sk], starts, axis=0)
        dc[rows] = c[rows] + np.where(f.leaf[rows][:, None], 0.0, child_min)
    return dc


def _sibling_min(f: _Forest, dc: np.ndarray) -> np.ndarray:
    """For each area: the smallest value among the other areas of its sibling group."""
    out = np.full_like(dc, np.inf)
    for g in f.groups:
        if len(g) < 2:
            continue
        arr = dc[g]
        two = np.partition(arr, 1, axis=0)
        out[g] = np.where(arr == two[0][None, :], two[1][None, :], two[0][None, :])
    return out


def _add_rectangles(
    system: _System,
    f: _Forest,
    s1,
    s2,
    sides,
    sup: np.ndarray,
    targets: np.ndarray,
    *,
    d: float = 1.0,
    side: str = "any",
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Withhold, for each target cell, the cells of the cheapest valid rectangle through it.

    A cell costs 1 + log(1 + value) (small counts are withheld before large totals); a cell below
    ``d`` may not be used on the decreasing side, a ``fixed`` cell (already public) not at all.
    ``side`` "up" puts the target on the increasing side, "down" on the decreasing side, "any"
    on either. Returns the cells withheld (flat indices)."""
    n_a, n_p = system.n_areas, system.n_periods
    v = system.values.reshape(n_a, n_p)
    missing = np.isnan(v)
    s = sup.reshape(n_a, n_p)
    w = np.where(missing, 0.0, 1.0 + np.log1p(np.where(missing, 0.0, v)))
    if fixed is not None:
        w = np.where(fixed.reshape(n_a, n_p) & ~s, _BIG, w)
    cost_pos = np.where((s & (v >= d)) | missing, 0.0, np.where(~s & (v >= d), w, _BIG))
    cost_any = np.where(s | missing, 0.0, w)
    c1 = np.asarray(cost_pos @ s1.T + cost_any @ s2.T)
    c2 = np.asarray(cost_any @ s1.T + cost_pos @ s2.T)
    dc1, dc2 = _down_cost(f, c1), _down_cost(f, c2)
    sib2 = _sibling_min(f, dc2)
    uc1 = np.empty_like(c1)
    chain1 = np.empty_like(c1)
    for d, rows in enumerate(f.rows_at):
        if d == 0:
            uc1[rows] = sib2[rows]
            chain1[rows] = 0.0
        else:
            par = f.parent[rows]
            uc1[rows] = np.minimum(sib2[rows], c1[par] + uc1[par])
            chain1[rows] = c1[par] + chain1[par]
    total = dc1 + np.minimum(uc1, chain1)

    children: list[list[int]] = [[] for _ in range(n_a)]
    group_of: dict[int, np.ndarray] = {}
    for g in f.groups:
        for a in g:
            group_of[int(a)] = g
    for a in range(n_a):
        if f.parent[a] >= 0:
            children[f.parent[a]].append(a)
    by_period = {"any": (s1 + s2).tocsc(), "down": s1.tocsc(), "up": s2.tocsc()}[side]

    def descend(x: int, dc: np.ndarray, k: int) -> list[int]:
        out = [x]
        while children[x]:
            kids = children[x]
            x = kids[int(np.argmin(dc[kids, k]))]
            out.append(x)
        return out

    withheld = np.zeros(n_a * n_p, dtype=bool)
    covered = np.zeros(n_a * n_p, dtype=bool)
    for t in targets:
        if covered[t]:
            continue
        a, p = divmod(int(t), n_p)
        cand = by_period.indices[by_period.indptr[p] : by_period.indptr[p + 1]]
        if not len(cand):
            continue
        cand = np.sort(cand)
        k = int(cand[np.argmin(total[a, cand])])
        if total[a, k] >= _BIG:
            continue
        areas1 = descend(a, dc1, k)
        areas2: list[int] = []
        if chain1[a, k] < uc1[a, k]:
            x = a
            while f.parent[x] >= 0:
                x = int(f.parent[x])
                areas1.append(x)
        else:
            x = a
            while True:
                par = int(f.parent[x])
                up = c1[par, k] + uc1[par, k] if par >= 0 else np.inf
                if sib2[x, k] <= up:
                    g = [int(y) for y in group_of[x] if y != x]
                    sib = g[int(np.argmin(dc2[g, k]))]
                    areas2 = descend(sib, dc2, k)
                    break
                areas1.append(par)
                x = par
        periods = np.asarray(sides[k][0] + sides[k][1], dtype=np.int64)
        cells = (np.asarray(areas1 + areas2, dtype=np.int64)[:, None] * n_p + periods[None, :]).ravel()
        new = cells[~sup[cells] & ~np.isnan(system.values[cells])]
        sup[new] = True
        withheld[new] = True
        covered[cells] = True
    return np.flatnonzero(withheld)


def _complete(
    system: _System,
    sup: np.ndarray,
    sensitive: np.ndarray,
    protection: int,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Add withheld cells until every sensitive cell with value x can move up by ``protection``
    and down by min(x, ``protection``) along valid rectangles, so that its feasible range given
    everything published holds [x - min(x, p), x + p] (the protection interval).

    Returns the added cells as a boolean mask."""
    added = np.zeros_like(sup)
    if system.n_areas == 0 or system.n_periods == 0:
        return added
    p = max(int(protection), 1)
    f = _forest(system.parent)
    s1, s2, sides = _time_sides(system)
    empty2 = np.asarray([i for i, sd in enumerate(sides) if not sd[1]], dtype=np.int64)
    sup = sup.copy()
    v = np.nan_to_num(system.values, nan=0.0)
    need_down = np.minimum(v, p)
    # coarse cells first: their rectangles are larger and often cover finer targets as well
    period_depth = _forest(system.period_parent).depth
    coarseness = (f.depth[:, None] + period_depth[None, :]).ravel()
    targets_of = sensitive & (v > 0)
    for _ in range(50):
        todo: list[tuple[np.ndarray, float, str]] = []
        ups = None
        for d in range(1, p + 1):
            up_d, down_d = _certified(system, f, s1, s2, sup, float(d), empty2)
            if d == p:
                ups = up_d
            fail = targets_of & sup & (need_down == d) & ~down_d
            if fail.any():
                todo.append((np.flatnonzero(fail), float(d), "down"))
        fail_up = targets_of & sup & ~ups
        if fail_up.any():
            todo.append((np.flatnonzero(fail_up), float(p), "up"))
        if not todo:
            break
        grew = False
        for targets, d, side in todo:
            targets = targets[np.lexsort((targets, coarseness[targets]))]
            new = _add_rectangles(system, f, s1, s2, sides, sup, targets, d=d, side=side, fixed=fixed)
            if len(new):
                added[new] = True
                grew = True
        if not grew:
            break
    return added


def protect(
    cube: pd.DataFrame,
    parents: Mapping[str, str | None],
    config: DisclosureConfig = DisclosureConfig(),
    *,
    fixed: np.ndarray | pd.Series | None = None,
    forced: np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Decide which cells of a table of counts may be published.

    Parameters
    ----------
    cube:
        Columns ``area_code, period, value`` (others are kept), one row per area and period, as
        ``aggregate_cube`` returns; NaN is a missing value.
    parents:
        Child code -> parent code (root -> None). An area's parent in the equations is its
        nearest ancestor that is in the cube.
    config:
        ``DisclosureConfig()``: threshold 5, mode "suppress", protection level 1.
    fixed:
        Optional boolean per row: cells an earlier release already published (the release
        ledger). They are never chosen for secondary suppression, as the attacker knows them.
    forced:
        Optional boolean per row: cells an earlier release withheld. They stay withheld and are
        protected like primary cells, so a later release cannot give them away.

    Returns
    -------
    A copy of ``cube`` (same rows, order and index) with ``published`` (the value, or NaN when
    not shown) and ``status``: ``published``, ``primary``, ``secondary``, ``missing`` or
    ``rounded``.

    Mode "suppress"
    ---------------
    1. **Primary**: 0 < value < threshold. Zero is published.
    2. **Equations** an attacker can use: per period, every area with children in the cube equals
       the sum of those children (even when the source's total is not their exact sum); per
       area, every period equals the sum of its sub-periods of each finer kind present (year =
       2 halves = 4 quarters = 12 months, half = 2 quarters = 6 months, quarter = 3 months). An
       equation with a missing cell is not used.
    3. **Fixed point**: while some equation has exactly one withheld cell, withhold one more of
       its cells: the published cell with the smallest value >= threshold, else the smallest
       non-zero, else any; children before the total; ties by area code, then period.
    4. **Completion**: combinations of equations can still pin a cell down. Every withheld
       positive cell must lie on a *rectangle*: leaf area(s) x leaf period(s) whose +1/-1
       perturbation, summed up both hierarchies, keeps every equation and every published cell
       unchanged and keeps all cells non-negative (cells that would go down must be positive).
       Where none exists, the cheapest rectangle through the cell (cost per added cell
       1 + log(1 + value)) is withheld too. Each withheld positive cell can then take other
       values consistent with everything published: no combination of the equations
       determines it, and non-negativity does not pin it.
    5. **Protection intervals**: every primary (and forced) cell with value x must lie on the
       increasing side of a rectangle whose decreasing cells are all >= p, and on the decreasing
       side of one whose decreasing cells are all >= min(x, p); the cheapest such rectangle is
       added where none exists. Its feasible range then holds [x - min(x, p), x + p], as the
       upper and lower protection levels of tau-ARGUS and sdcTable demand. (Steps 4 and 5 are
       one loop over the sensitive cells: a secondary cell needs no interval of its own.)

    Mode "round": every value rounded to the nearest multiple of ``base`` (halves up:
    floor(value / base + 1/2) * base; 0 stays 0), status ``rounded``; nothing withheld.

    The result depends only on the cells, not on the row order.
    """
    if not isinstance(config, DisclosureConfig):
        raise InputError(
            "protect needs a DisclosureConfig.", received=type(config).__name__, expected="DisclosureConfig(...)"
        )
    _check_columns(cube, "cube")
    out = cube.copy()
    keys = _keys(cube, "cube")
    values = _numeric_values(cube, "cube")
    status = np.where(np.isnan(values), _MISSING, _PUBLISHED)
    if config.mode == "round":
        published = np.floor(values / config.base + 0.5) * config.base
        status = np.where(np.isnan(values), _MISSING, _ROUNDED)
    else:
        primary_rows = (values > 0) & (values < config.threshold)
        status[primary_rows] = _PRIMARY
        forced_rows = _row_mask(forced, len(cube), "forced") & ~np.isnan(values)
        fixed_rows = _row_mask(fixed, len(cube), "fixed") & ~forced_rows & ~np.isnan(values)
        status[forced_rows & ~primary_rows] = _SECONDARY
        if len(cube):
            system, flat = _build_system(keys, parents, values)
            primary = np.zeros(len(system.values), dtype=bool)
            primary[flat[primary_rows]] = True
            sensitive = primary.copy()
            sensitive[flat[forced_rows]] = True
            fixed_cells = np.zeros(len(system.values), dtype=bool)
            fixed_cells[flat[fixed_rows & ~primary_rows]] = True
            secondary = _fixed_point(system, sensitive, config.threshold, fixed_cells)
            secondary |= _complete(system, sensitive | secondary, sensitive, config.protection, fixed_cells)
            status[secondary[flat] & (status == _PUBLISHED)] = _SECONDARY
        published = np.where(status == _PUBLISHED, values, np.nan)
    out["published"] = published
    out["status"] = np.array(STATUSES, dtype=object)[status]
    return out


def _row_mask(mask, n: int, name: str) -> np.ndarray:
    if mask is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(mask)
    if arr.shape != (n,):
        raise InputError(
            f"The {name} mask does not match the cube.",
            received=f"{arr.shape[0] if arr.ndim else 0} values",
            expected=f"one boolean per row of the cube ({n})",
            fix="pass a mask aligned with the cube's rows",
        )
    return arr.astype(bool)


def suppress_derived(frame: pd.DataFrame, count_status: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Withhold figures computed from a withheld count.

    Returns a copy of ``frame`` with ``columns`` set to NaN on every row whose ``count_status``
    (aligned on the frame's index) is not ``published`` or ``rounded``. A row without a status is
    withheld too.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            "Unknown column to withhold.",
            received=", ".join(map(str, missing)),
            expected="columns of the frame: " + ", ".join(map(str, frame.columns)),
            fix="name the derived columns (rates, ratios) of this frame",
        )
    status = pd.Series(count_status).reindex(frame.index)
    keep = status.isin(["published", "rounded"]).to_numpy()
    out = frame.copy()
    for c in columns:
        out[c] = out[c].astype(float).where(keep)
    return out


def status_label(status: str, lang: str = "nl", *, base: int = 5) -> str:
    """Short public text for a status; primary and secondary read the same ("afgeschermd")."""
    if lang not in _LABELS:
        raise InputError("Unknown language.", received=repr(lang), expected="'nl' or 'en'", fix="use nl or en")
    if status not in _LABELS[lang]:
        raise InputError(
            "Unknown disclosure status.", received=repr(status), expected=", ".join(STATUSES), fix="use one of these"
        )
    return _LABELS[lang][status].format(base=base)
