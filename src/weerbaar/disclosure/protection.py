"""Applying disclosure control to a cube (``protect``) and to figures derived from it (``suppress_derived``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from . import intervals, pruning
from .config import _MISSING, _PRIMARY, _PUBLISHED, _ROUNDED, _SECONDARY, STATUSES, DisclosureConfig
from .cube import _check_columns, _keys, _numeric_values
from .equations import _build_system
from .secondary import _fixed_point


def protect(
    cube: pd.DataFrame,
    parents: Mapping[str, str | None],
    config: DisclosureConfig = DisclosureConfig(),
    *,
    fixed: np.ndarray | pd.Series | None = None,
    forced: np.ndarray | pd.Series | None = None,
    rounded: np.ndarray | pd.Series | None = None,
    window: tuple[np.ndarray, np.ndarray] | None = None,
    sensitive: np.ndarray | pd.Series | None = None,
    release_order: np.ndarray | pd.Series | None = None,
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
    rounded:
        Optional boolean per row (mode "suppress"): cells published rounded to a multiple of
        ``config.base`` rather than exactly (counts from open submissions, decision 0028). The
        attacker knows such a cell only within its rounding window, which gives the protection
        intervals room; see step 6.
    window, sensitive:
        The window each cell published rounded by an earlier release was shown with (lo, hi per
        row, NaN: from its value), and whether it was a small count then (step 6).
    release_order:
        Optional number per row (mode "suppress"): complements in rows with a number are tried for
        publication again, lowest number first, then the larger count first (step 7); NaN: not
        tried. The caller names the tables its readers need most.

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
    6. **Rounded cells** (``rounded``): a cell published as r = the nearest multiple of ``base``
       is known to lie in its window [max(r - floor(base / 2), 0), r + floor((base - 1) / 2)].
       A small cell whose own window holds its protection interval (with base 5 and p = 1: the
       counts 1 and 4, shown as 0 and 5) is not withheld but stays sensitive: steps 4 and 5
       certify its interval too. A rectangle may run through a published rounded cell as far as
       its window allows (room up: window top - x; room down: x - window bottom; on the
       decreasing side it needs room both ways), so fewer complements are withheld. The fixed
       point of step 3 only looks at equations whose other cells are all exact. A cell shown
       rounded by an earlier release (``fixed`` and ``rounded``) keeps the window it was shown
       with (``window``), and stays sensitive when it was small then (``sensitive``) or is now.
    7. **Complements published again** (``release_order``): a rectangle is one way to certify an
       interval, not the only one. Each complement in turn is published again when every sensitive
       cell still keeps its interval, certified by a rectangle or by the attacker's linear programme
       over a scope of areas around it (``weerbaar.disclosure.pruning``, decision 0034).

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
        small_rows = (values > 0) & (values < config.threshold)
        forced_rows = _row_mask(forced, len(cube), "forced") & ~np.isnan(values)
        fixed_rows = _row_mask(fixed, len(cube), "fixed") & ~forced_rows & ~np.isnan(values)
        rounded_rows = _row_mask(rounded, len(cube), "rounded") & ~np.isnan(values) & ~forced_rows
        shown, lo, hi = _rounding_window(values, config.base)
        if window is not None:
            given_lo = _row_values(window[0], len(cube), "window")
            given_hi = _row_values(window[1], len(cube), "window")
            lo = np.where(np.isnan(given_lo), lo, given_lo)
            hi = np.where(np.isnan(given_hi), hi, given_hi)
        p = config.protection
        own_window = (lo <= values - np.minimum(values, p)) & (values + p <= hi)
        kept_small = _row_mask(sensitive, len(cube), "sensitive") & rounded_rows & fixed_rows & (values > 0)
        # published rounded, still sensitive (a cell an earlier release published rounded stays published)
        shown_small = rounded_rows & ((small_rows & (own_window | fixed_rows)) | kept_small)
        primary_rows = small_rows & ~shown_small
        status[primary_rows] = _PRIMARY
        status[forced_rows & ~primary_rows] = _SECONDARY
        if len(cube):
            system, flat = _build_system(keys, parents, values)
            primary = np.zeros(len(system.values), dtype=bool)
            primary[flat[primary_rows | forced_rows]] = True
            sensitive = primary.copy()
            sensitive[flat[shown_small]] = True
            fixed_cells = np.zeros(len(system.values), dtype=bool)
            fixed_cells[flat[fixed_rows & ~primary_rows]] = True
            slack = None
            if rounded_rows.any():
                room_up = np.zeros(len(system.values))
                room_down = np.zeros(len(system.values))
                room_up[flat[rounded_rows]] = np.maximum(hi - values, 0.0)[rounded_rows]
                room_down[flat[rounded_rows]] = np.maximum(values - lo, 0.0)[rounded_rows]
                slack = (room_up, room_down)
                exact = np.ones(len(system.values), dtype=bool)
                exact[flat[rounded_rows]] = False
                exact[np.isnan(system.values)] = True
            secondary = _fixed_point(system, primary, config.threshold, fixed_cells, None if slack is None else exact)
            secondary |= intervals._complete(
                system, primary | secondary, sensitive, config.protection, fixed_cells, slack
            )
            if release_order is not None:
                rank = np.full(len(system.values), np.nan)
                rank[flat] = _row_values(np.asarray(release_order), len(cube), "release order")
                tried = np.flatnonzero(secondary & ~primary & ~np.isnan(rank))
                tried = tried[np.lexsort((tried, -np.nan_to_num(system.values[tried]), rank[tried]))]
                secondary &= ~pruning._release_complements(
                    system, primary | secondary, sensitive, config.protection, tried, slack
                )
            withheld = secondary[flat]
            status[withheld & shown_small] = _PRIMARY
            status[withheld & (status == _PUBLISHED)] = _SECONDARY
            status[rounded_rows & (status == _PUBLISHED)] = _ROUNDED
        published = np.where(status == _PUBLISHED, values, np.where(status == _ROUNDED, shown, np.nan))
    out["published"] = published
    out["status"] = np.array(STATUSES, dtype=object)[status]
    return out


def _rounding_window(values: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest multiple of ``base`` (halves up) and the window [lo, hi] of counts that round to it."""
    shown = np.floor(values / base + 0.5) * base
    return shown, np.maximum(shown - base // 2, 0.0), shown + (base - 1) // 2


def _row_mask(mask: np.ndarray | pd.Series | None, n: int, name: str) -> np.ndarray:
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


def _row_values(values: np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n,):
        raise InputError(
            f"The {name} does not match the cube.",
            received=f"{arr.shape[0] if arr.ndim else 0} values",
            expected=f"one number per row of the cube ({n})",
            fix="pass arrays aligned with the cube's rows",
        )
    return arr


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
