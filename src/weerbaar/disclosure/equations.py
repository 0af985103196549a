"""The cube as a dense array and the additive equations an attacker can use (areas and periods)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..errors import InputError
from .config import _KIND_MONTHS, _KINDS
from .cube import _Keys, _walk_up


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


def _member_matrix(system: _System, *, signed: bool = False) -> sparse.csr_matrix:
    """Equations x cells: 1 where a cell takes part in an equation; ``signed``: +1 for the total (the
    first cell of each equation) and -1 for its parts, so that the matrix times the table is zero."""
    lens = np.diff(system.ptr)
    rows = np.repeat(np.arange(len(lens)), lens)
    coef = np.ones(len(system.cells))
    if signed:
        coef = -coef
        coef[system.ptr[:-1][lens > 0]] = 1.0
    return sparse.csr_matrix((coef, (rows, system.cells)), shape=(len(lens), len(system.values)))
