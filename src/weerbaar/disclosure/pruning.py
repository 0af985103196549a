"""Secondary suppression, third step: complements published again where an exact attacker still cannot
pin any sensitive cell (decision 0034).

The completion (``intervals``) certifies each sensitive cell by a single rectangle: a +1/-1 pattern over
leaf areas and leaf periods. That is sufficient but not necessary: an attacker who solves the linear
programme over every published cell learns exactly the range that *all* perturbations consistent with
the publication allow, and sums of rectangles (or any other balanced pattern) count as well. The cheapest
rectangle a cell is given often runs through a total at the edge of its rounding window (a wijk's
half-year of 8, shown 10, known to be 8 to 12, cannot go down), which is then withheld although another
combination would have left it public.

:func:`_release_complements` tries the withheld complements in the order the caller gives and publishes
each one again when every sensitive cell still keeps its protection interval. A cell keeps it when a
rectangle still certifies it (``intervals._certified``, fast, on the cells of its root period) or, failing
that, when a linear programme over a *scope* around it finds a balanced perturbation that moves it up by p
and one that moves it down by min(x, p) (:class:`_ScopedAttacker`). Each root period (a year) is settled
apart: no equation joins two roots, and a rectangle across two roots is a valid change in each root
alone. Cells outside the scope are held fixed, so a perturbation found there is also feasible for the
attacker of the whole table: the check is sound, and a proof only needs redoing when a cell inside its
scope is published or when the cell needs a direction (up, down) the proof did not cover, because a
rectangle that carried it elsewhere was lost. The scope grows from the cell's parent's subtree to the
subtree three levels up (at most ``MAX_SCOPE`` cells), within the cell's root period.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from . import intervals
from .equations import _member_matrix, _System

#: Scopes tried in turn: the subtree of the ancestor this many levels up.
SCOPE_LEVELS: tuple[int, ...] = (1, 2, 3)
#: Largest scope (cells) worth a linear programme: on the default, scopes as large as a whole city-year
#: never certified a cell the smaller ones could not, and cost a third of the time.
MAX_SCOPE = 4000
#: Complements tried at once before splitting a group that fails.
BATCH = 16
_TOL = 1e-7


class _ScopedAttacker:
    """The attacker's linear programme restricted to a scope of areas within one root period."""

    def __init__(self, system: _System, slack: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.system = system
        n = len(system.values)
        member = _member_matrix(system, signed=True)
        missing = np.isnan(system.values).astype(float)
        usable = np.asarray(abs(member) @ missing).ravel() == 0  # an equation with a missing cell is not used
        self.member = member[usable].tocsc()
        self.room = slack if slack is not None else (np.zeros(n), np.zeros(n))
        n_a, n_p = system.n_areas, system.n_periods
        kids: list[list[int]] = [[] for _ in range(n_a)]
        for a in range(n_a):
            if system.parent[a] >= 0:
                kids[int(system.parent[a])].append(a)
        # depth-first numbering: b lies in a's subtree iff tin[a] <= tin[b] < tout[a]
        self.tin = np.zeros(n_a, dtype=np.int64)
        self.tout = np.zeros(n_a, dtype=np.int64)
        order: list[int] = []
        for root in np.flatnonzero(system.parent < 0):
            stack: list[tuple[int, bool]] = [(int(root), False)]
            while stack:
                a, done = stack.pop()
                if done:
                    self.tout[a] = len(order)
                    continue
                self.tin[a] = len(order)
                order.append(a)
                stack.append((a, True))
                stack.extend((k, False) for k in reversed(kids[a]))
        self.order = np.asarray(order, dtype=np.int64)
        root_p = np.arange(n_p)
        for j in range(n_p):
            r = j
            while system.period_parent[r] >= 0:
                r = int(system.period_parent[r])
            root_p[j] = r
        self.root_p = root_p
        self.periods_of = {int(r): np.flatnonzero(root_p == r) for r in np.unique(root_p)}

    def top(self, area: int, levels: int) -> int:
        a, up = area, 0
        while self.system.parent[a] >= 0 and up < levels:
            a, up = int(self.system.parent[a]), up + 1
        return a

    def scope_cells(self, top: int, area: int, root: int) -> np.ndarray:
        n_p = self.system.n_periods
        areas = set(self.order[self.tin[top] : self.tout[top]].tolist())
        a = top
        while self.system.parent[a] >= 0:
            a = int(self.system.parent[a])
            areas.add(a)
        cells = (np.asarray(sorted(areas), dtype=np.int64)[:, None] * n_p + self.periods_of[root][None, :]).ravel()
        return np.asarray(cells[~np.isnan(self.system.values[cells])], dtype=np.int64)

    def contains(self, scope: tuple[int, int], cells: np.ndarray) -> bool:
        """Does the scope (top area, root period) hold any of these cells?"""
        top, root = scope
        a, t = np.divmod(cells, self.system.n_periods)
        here = self.root_p[t] == root
        inside = (self.tin[top] <= self.tin[a]) & (self.tin[a] < self.tout[top])
        above = (self.tin[a] <= self.tin[top]) & (self.tin[top] < self.tout[a])
        return bool((here & (inside | above)).any())

    def moves(self, cell: int, sup: np.ndarray, up: float, down: float) -> tuple[int, int] | None:
        """A scope in which the cell can move up by ``up`` and down by ``down`` (0: not needed), or None."""
        area, period = divmod(int(cell), self.system.n_periods)
        root = int(self.root_p[period])
        seen: set[int] = set()
        for levels in SCOPE_LEVELS:
            top = self.top(area, levels)
            if top in seen:
                continue
            seen.add(top)
            cells = self.scope_cells(top, area, root)
            if len(cells) > MAX_SCOPE:
                break
            if self._solve(cells, int(cell), sup, up, down):
                return top, root
        return None

    def _solve(self, cells: np.ndarray, cell: int, sup: np.ndarray, up: float, down: float) -> bool:
        """Is there a balanced change of the scope's cells, each within what the attacker allows it (a
        withheld cell down to 0, a rounded one within its window, an exact one not at all), that moves
        ``cell`` up by ``up``, and one that moves it down by ``down``? Two feasibility programmes."""
        a: Any = self.member[:, cells]
        a = a[np.unique(a.indices)] if a.nnz else sparse.csr_matrix((0, len(cells)))
        v = self.system.values[cells]
        withheld = sup[cells]
        lo = np.where(withheld, -v, -self.room[1][cells])
        hi = np.where(withheld, np.inf, self.room[0][cells])
        at = int(np.flatnonzero(cells == cell)[0])
        zero = np.zeros(len(cells))
        b = np.zeros(a.shape[0])
        for need, side in ((up, 0), (down, 1)):
            if need <= 0:
                continue
            lo_t, hi_t = (need - _TOL, hi[at]) if side == 0 else (lo[at], -need + _TOL)
            if lo_t > hi_t:
                return False
            bounds: Any = np.column_stack([lo, hi])
            bounds[at] = (lo_t, hi_t)
            if linprog(zero, A_eq=a, b_eq=b, bounds=bounds, method="highs").status != 0:
                return False
        return True


def _settle_root(
    sub: _System,
    cells: np.ndarray,
    f: intervals._Forest,
    sup: np.ndarray,
    targets: np.ndarray,
    need_down: np.ndarray,
    p: int,
    candidates: np.ndarray,
    slack: tuple[np.ndarray, np.ndarray] | None,
    attacker: _ScopedAttacker,
) -> np.ndarray:
    """Settle the candidates of one root period. ``sub`` is the root's part of the cube (``cells``: its flat
    cells in the whole cube; ``targets``, ``need_down``, ``slack`` aligned with it); ``sup`` is the whole
    cube's withheld mask and is updated in place. Returns the released flat cells."""
    s1, s2, sides = intervals._time_sides(sub)
    empty2 = np.asarray([i for i, sd in enumerate(sides) if not sd[1]], dtype=np.int64)
    released: list[int] = []

    def failing(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat sensitive cells a rectangle no longer certifies, with what they need (up, down)."""
        here = state[cells]
        ups = np.zeros_like(targets)
        downs = np.ones_like(targets)
        for step in range(1, p + 1):
            up_d, down_d = intervals._certified(sub, f, s1, s2, here, float(step), empty2, slack)
            if step == p:
                ups = up_d
            downs &= ~((need_down == step) & ~down_d)
        no_up, no_down = targets & ~ups, targets & ~downs
        at = np.flatnonzero(no_up | no_down)
        return cells[at], no_up[at], no_down[at]

    def needs(up: bool, down: bool, x: int) -> tuple[float, float]:
        v = float(attacker.system.values[x])
        return (float(p) if up else 0.0), (min(v, float(p)) if down else 0.0)

    # cells certified only by a linear programme: the scope it was found in and the directions it proved
    # (a cell that needed only "up" then may later lose the rectangle that carried "down")
    by_lp: dict[int, tuple[tuple[int, int], bool, bool]] = {}
    for x, up, down in zip(*failing(sup), strict=True):
        scope = attacker.moves(int(x), sup, *needs(up, down, x))
        if scope is None:  # not protected before this step: publish nothing more in this root period
            return np.asarray(released, dtype=np.int64)
        by_lp[int(x)] = (scope, bool(up), bool(down))

    def attempt(batch: np.ndarray) -> bool:
        state = sup.copy()
        state[batch] = False
        lost, lost_up, lost_down = failing(state)
        found: dict[int, tuple[tuple[int, int], bool, bool]] = {}
        for x, up, down in zip(lost.tolist(), lost_up.tolist(), lost_down.tolist(), strict=True):
            if x in by_lp:
                old, proved_up, proved_down = by_lp[x]
                if (proved_up or not up) and (proved_down or not down) and not attacker.contains(old, batch):
                    continue
            scope = attacker.moves(x, state, *needs(up, down, x))
            if scope is None:
                return False
            found[x] = (scope, up, down)
        sup[batch] = False
        released.extend(batch.tolist())
        still = set(lost.tolist())
        for x in [x for x in by_lp if x not in still]:
            del by_lp[x]
        by_lp.update(found)
        return True

    def settle(batch: np.ndarray) -> None:
        if attempt(batch) or len(batch) == 1:
            return
        half = len(batch) // 2
        settle(batch[:half])
        settle(batch[half:])

    for start in range(0, len(candidates), BATCH):
        settle(candidates[start : start + BATCH])
    return np.asarray(released, dtype=np.int64)


def _release_complements(
    system: _System,
    sup: np.ndarray,
    sensitive: np.ndarray,
    protection: int,
    candidates: np.ndarray,
    slack: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Publish again, in the order given, the withheld ``candidates`` (flat cells) whose publication leaves
    every sensitive cell with value x free to move up by p and down by min(x, p) given everything
    published. Returns the released cells as a boolean mask (``sup`` itself is not changed)."""
    released = np.zeros_like(sup)
    candidates = np.asarray(candidates, dtype=np.int64)
    candidates = candidates[sup[candidates]]
    if not len(candidates) or system.n_areas == 0:
        return released
    p = max(int(protection), 1)
    v = np.nan_to_num(system.values, nan=0.0)
    targets = sensitive & (v > 0)
    need_down = np.minimum(v, p)
    attacker = _ScopedAttacker(system, slack)
    f = intervals._forest(system.parent)
    sup = sup.copy()
    n_a, n_p = system.n_areas, system.n_periods
    # no equation joins two root periods, and a rectangle across two roots is a valid change in each root
    # on its own: publishing a cell of one root changes nothing an attacker can learn of another, so each
    # root is settled apart, with the rectangle check on that root's cells only
    cand_roots = attacker.root_p[candidates % n_p]
    for root in dict.fromkeys(cand_roots.tolist()):
        mine = candidates[cand_roots == root]
        cols = attacker.periods_of[root]
        cells = (np.arange(n_a)[:, None] * n_p + cols[None, :]).ravel()
        pos = {int(c): i for i, c in enumerate(cols)}
        pp = np.asarray([pos.get(int(system.period_parent[c]), -1) for c in cols], dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        sub = _System(system.values[cells], n_a, len(cols), np.zeros(1, dtype=np.int64), empty, system.parent, pp)
        sub_slack = None if slack is None else (slack[0][cells], slack[1][cells])
        released[_settle_root(sub, cells, f, sup, targets[cells], need_down[cells], p, mine, sub_slack, attacker)] = (
            True
        )
    return released
