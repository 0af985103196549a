"""Secondary suppression, first step: the fixed point over single equations."""

from __future__ import annotations

import numpy as np

from .equations import _member_matrix, _System


def _fixed_point(
    system: _System,
    primary: np.ndarray,
    threshold: float,
    fixed: np.ndarray | None = None,
    exact: np.ndarray | None = None,
) -> np.ndarray:
    """Secondary suppression until no usable equation has exactly one unknown cell.

    ``exact``: cells published exactly (default: all). An equation with a cell the attacker knows only
    within a window (a rounded value) does not give a withheld cell back on its own; it is left to
    the completion, which checks the interval with the windows."""
    v = system.values
    missing = np.isnan(v)
    member = _member_matrix(system)
    unknown = missing if exact is None else (missing | ~exact)
    usable = np.flatnonzero(member @ unknown.astype(float) == 0)
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
