"""Secondary suppression, second step: valid rectangles and protection intervals (completion)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .equations import _System

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


def _capable(
    system: _System, sup: np.ndarray, d: float, slack: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Which cells (n_areas x n_periods) may lie on the decreasing side (``pos``) and on the increasing
    side (``any``) of a rectangle moved by ``d``.

    A withheld cell can go up without bound and down to zero; a missing cell takes part in no equation.
    A published cell the attacker knows only within a window (a rounded value) can move within it: it
    has ``slack`` = (room up, room down) from its true value to the window's edges. On the decreasing
    side such a cell needs room both ways (a rectangle without increasing side is also used the other
    way round), which is conservative."""
    n_a, n_p = system.n_areas, system.n_periods
    v = system.values.reshape(n_a, n_p)
    missing = np.isnan(v)
    s = sup.reshape(n_a, n_p)
    pos = (s & (v >= d)) | missing
    any_ = s | missing
    if slack is not None:
        up, down = slack[0].reshape(n_a, n_p), slack[1].reshape(n_a, n_p)
        any_ = any_ | (up >= d)
        pos = pos | ((up >= d) & (down >= d))
    return pos, any_


def _certified(
    system: _System,
    f: _Forest,
    s1: sparse.csr_matrix,
    s2: sparse.csr_matrix,
    sup: np.ndarray,
    d: float = 1.0,
    empty2: np.ndarray | None = None,
    slack: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cells (flat) that can move by ``d`` up, and by ``d`` down, along a valid rectangle.

    A rectangle R is valid when adding t * R keeps every equation and every published cell; it
    has a decreasing side (cells withheld and >= d) and an increasing side (cells withheld), so t
    can run from 0 to d: the cells on the increasing side can go up by d, those on the decreasing
    side down by d. A rectangle without increasing side (one chain up to the root in both
    hierarchies) can also go up without bound. A published cell known only within a window (``slack``,
    see ``_capable``) can take part as far as its window allows. Returns (up, down), flat boolean masks."""
    pos, any_ = _capable(system, sup, d, slack)
    pos_bad = (~pos).astype(np.float32)
    any_bad = (~any_).astype(np.float32)
    g1 = ((pos_bad @ s1.T) + (any_bad @ s2.T)) == 0  # chain 1: positive on S1, withheld on S2
    g2 = ((any_bad @ s1.T) + (pos_bad @ s2.T)) == 0
    down1 = _down_fill(f, g1)
    down2 = _down_fill(f, g2)
    sib1 = _sibling_any(f, down1)
    sib2 = _sibling_any(f, down2)
    up1 = np.zeros_like(g1)
    up2 = np.zeros_like(g1)
    chain_up1 = np.zeros_like(g1)
    chain_up2 = np.zeros_like(g1)
    for depth, rows in enumerate(f.rows_at):
        if depth == 0:
            up1[rows] = sib2[rows]
            up2[rows] = sib1[rows]
            chain_up1[rows] = g1[rows]
            chain_up2[rows] = g2[rows]
        else:
            par = f.parent[rows]
            up1[rows] = sib2[rows] | (g1[par] & up1[par])
            up2[rows] = sib1[rows] | (g2[par] & up2[par])
            chain_up1[rows] = g1[rows] & chain_up1[par]
            chain_up2[rows] = g2[rows] & chain_up2[par]
    # chain 1 decreases on S1 and increases on S2; chain 2 the other way round
    c1 = (down1 & (up1 | chain_up1)).astype(np.float32)
    c2 = (down2 & up2).astype(np.float32)
    up = np.asarray(c1 @ s2 + c2 @ s1)
    down = np.asarray(c1 @ s1 + c2 @ s2)
    if empty2 is not None and len(empty2):
        # a chain up to the root in both hierarchies: all down (reversed: all up), or all up (any cells)
        solo = ((down1 & chain_up1) | (down2 & chain_up2)).astype(np.float32)[:, empty2]
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


@dataclass
class _Orientation:
    """Cheapest rectangle costs for one assignment of roles: chain 1 (through the target) costs ``c1`` per
    area and period side, chain 2 (a sibling's) ``c2``."""

    c1: np.ndarray
    dc1: np.ndarray  # chain 1 from each area down to a leaf
    dc2: np.ndarray
    sib2: np.ndarray  # the cheapest sibling chain 2
    uc1: np.ndarray  # from each area up to where a sibling chain 2 closes the rectangle
    chain1: np.ndarray  # from each area up to the root (no chain 2)
    total: np.ndarray

    @classmethod
    def of(cls, f: _Forest, c1: np.ndarray, c2: np.ndarray) -> _Orientation:
        dc1, dc2 = _down_cost(f, c1), _down_cost(f, c2)
        sib2 = _sibling_min(f, dc2)
        uc1 = np.empty_like(c1)
        chain1 = np.empty_like(c1)
        for depth, rows in enumerate(f.rows_at):
            if depth == 0:
                uc1[rows] = sib2[rows]
                chain1[rows] = 0.0
            else:
                par = f.parent[rows]
                uc1[rows] = np.minimum(sib2[rows], c1[par] + uc1[par])
                chain1[rows] = c1[par] + chain1[par]
        return cls(c1, dc1, dc2, sib2, uc1, chain1, dc1 + np.minimum(uc1, chain1))


def _add_rectangles(
    system: _System,
    f: _Forest,
    s1: sparse.csr_matrix,
    s2: sparse.csr_matrix,
    sides: list[tuple[list[int], list[int]]],
    sup: np.ndarray,
    targets: np.ndarray,
    *,
    d: float = 1.0,
    side: str = "any",
    fixed: np.ndarray | None = None,
    slack: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Withhold, for each target cell, the cells of the cheapest valid rectangle through it.

    A cell costs 1 + log(1 + value) (small counts are withheld before large totals); a cell below
    ``d`` may not be used on the decreasing side, a ``fixed`` cell (already public) not at all.
    ``side`` "up" puts the target on the increasing side, "down" on the decreasing side, "any"
    on either (a target in a period without sibling, one chain up to the root period, can be on the
    increasing side only with the roles of the two chains swapped). A cell whose window (``slack``)
    lets it move by ``d`` in its role costs nothing and is not withheld. Returns the cells withheld (flat indices)."""
    n_a, n_p = system.n_areas, system.n_periods
    v = system.values.reshape(n_a, n_p)
    missing = np.isnan(v)
    s = sup.reshape(n_a, n_p)
    w = np.where(missing, 0.0, 1.0 + np.log1p(np.where(missing, 0.0, v)))
    if fixed is not None:
        w = np.where(fixed.reshape(n_a, n_p) & ~s, _BIG, w)
    ok_pos, ok_any = _capable(system, sup, d, slack)
    cost_pos = np.where(ok_pos, 0.0, np.where(~s & (v >= d), w, _BIG))
    cost_any = np.where(ok_any, 0.0, w)
    c1 = np.asarray(cost_pos @ s1.T + cost_any @ s2.T)
    c2 = np.asarray(cost_any @ s1.T + cost_pos @ s2.T)
    # chain 1 (through the target) decreases on S1 and increases on S2, chain 2 the other way round; the
    # mirror swaps the roles, so that the target increases on S1: needed for "up" where S2 is empty (a
    # period without sibling: one chain up to the root period)
    plain = _Orientation.of(f, c1, c2)
    mirror = _Orientation.of(f, c2, c1) if side in ("up", "any") else None
    solo = np.asarray([not sd[1] for sd in sides], dtype=bool)

    children: list[list[int]] = [[] for _ in range(n_a)]
    group_of: dict[int, np.ndarray] = {}
    for g in f.groups:
        for a in g:
            group_of[int(a)] = g
    for a in range(n_a):
        if f.parent[a] >= 0:
            children[f.parent[a]].append(a)
    by_period = {"any": (s1 + s2).tocsc(), "down": s1.tocsc(), "up": s2.tocsc()}[side]
    by_s1 = s1.tocsc()

    def descend(x: int, dc: np.ndarray, k: int) -> list[int]:
        out = [x]
        while children[x]:
            kids = children[x]
            x = kids[int(np.argmin(dc[kids, k]))]
            out.append(x)
        return out

    def best(o: _Orientation, cand: np.ndarray, a: int) -> tuple[int, float]:
        if not len(cand):
            return -1, np.inf
        cand = np.sort(cand)
        k = int(cand[np.argmin(o.total[a, cand])])
        return k, float(o.total[a, k])

    withheld = np.zeros(n_a * n_p, dtype=bool)
    covered = np.zeros(n_a * n_p, dtype=bool)
    for t in targets:
        if covered[t]:
            continue
        a, p = divmod(int(t), n_p)
        o = plain
        k, cost = best(plain, by_period.indices[by_period.indptr[p] : by_period.indptr[p + 1]], a)
        if mirror is not None:
            cand = by_s1.indices[by_s1.indptr[p] : by_s1.indptr[p + 1]]
            km, cost_m = best(mirror, cand[solo[cand]], a)
            if cost_m < cost:
                o, k, cost = mirror, km, cost_m
        if k < 0 or cost >= _BIG:
            continue
        areas1 = descend(a, o.dc1, k)
        areas2: list[int] = []
        if o.chain1[a, k] < o.uc1[a, k]:
            x = a
            while f.parent[x] >= 0:
                x = int(f.parent[x])
                areas1.append(x)
        else:
            x = a
            while True:
                par = int(f.parent[x])
                up = o.c1[par, k] + o.uc1[par, k] if par >= 0 else np.inf
                if o.sib2[x, k] <= up:
                    others = [int(y) for y in group_of[x] if y != x]
                    sib = others[int(np.argmin(o.dc2[others, k]))]
                    areas2 = descend(sib, o.dc2, k)
                    break
                areas1.append(par)
                x = par
        a1, a2 = np.asarray(areas1, dtype=np.int64), np.asarray(areas2, dtype=np.int64)
        t1, t2 = np.asarray(sides[k][0], dtype=np.int64), np.asarray(sides[k][1], dtype=np.int64)
        dec, inc = (ok_pos, ok_any) if o is plain else (ok_any, ok_pos)
        parts = [(a1, t1, dec), (a1, t2, inc), (a2, t1, inc), (a2, t2, dec)]
        cells = np.concatenate([(aa[:, None] * n_p + tt[None, :]).ravel() for aa, tt, _ in parts])
        lacking = np.concatenate([~ok[np.ix_(aa, tt)].ravel() for aa, tt, ok in parts])
        new = cells[lacking & ~sup[cells] & ~np.isnan(system.values[cells])]
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
    slack: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Add withheld cells until every sensitive cell with value x can move up by ``protection``
    and down by min(x, ``protection``) along valid rectangles, so that its feasible range given
    everything published holds [x - min(x, p), x + p] (the protection interval).

    A sensitive cell need not be withheld: one published rounded keeps its interval when its own
    window and the rectangles through it (``slack``: room up and down of each published cell known only
    within a window, flat arrays) allow the moves. Returns the added cells as a boolean mask."""
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
        ups = np.zeros_like(targets_of)
        for step in range(1, p + 1):
            up_d, down_d = _certified(system, f, s1, s2, sup, float(step), empty2, slack)
            if step == p:
                ups = up_d
            fail = targets_of & (need_down == step) & ~down_d
            if fail.any():
                todo.append((np.flatnonzero(fail), float(step), "down"))
        fail_up = targets_of & ~ups
        if fail_up.any():
            todo.append((np.flatnonzero(fail_up), float(p), "up"))
        if not todo:
            break
        grew = False
        for targets, move, side in todo:
            targets = targets[np.lexsort((targets, coarseness[targets]))]
            new = _add_rectangles(
                system, f, s1, s2, sides, sup, targets, d=move, side=side, fixed=fixed, slack=slack
            )
            if len(new):
                added[new] = True
                grew = True
        if not grew:
            break
    return added
