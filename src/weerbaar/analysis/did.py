"""Staggered difference-in-differences with heterogeneous timing (Callaway & Sant'Anna 2021).

Units (buurten) start treatment at different periods (the start of an intervention) and stay treated. For each
group ``g`` (units first treated in period ``g``) and period ``t`` the group-time effect

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C]

with base period ``b = g - 1`` for ``t >= g`` and ``b = t - 1`` before treatment ("varying" base, so the
pre-treatment cells are placebo tests of parallel trends), and controls ``C`` either the never-treated units or
the not-yet-treated ones (never treated, or first treated after ``t``, and not in ``g``). No covariates
(unconditional parallel trends); the estimate then equals the R ``did`` package's ``att_gt`` with
``xformla = ~1``.

Standard errors are analytic, from each cell's influence function over all ``n`` units,
``IF_i = D_i (dY_i - mu_T) / p_T - C_i (dY_i - mu_C) / p_C`` with ``p = n_group / n`` and
``SE = sqrt(sum IF^2) / n``. Aggregations (``did``'s ``aggte``): the simple overall ATT (cells after treatment
weighted by group size), per group, and the event study by time since treatment ``e = t - g``; their influence
functions include the effect of estimating the group-size weights. See docs/methods/did.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..errors import InputError

__all__ = ["DidResult", "att_gt"]

CONTROLS = ("never", "notyet")


@dataclass(frozen=True)
class DidResult:
    cells: pd.DataFrame  # group, time, att, se, n_treated, n_control, post
    event: pd.DataFrame  # e, att, se, low, high
    groups: pd.DataFrame  # group, att, se
    simple_att: float
    simple_se: float
    event_att: float  # mean of the event-study effects for e >= 0
    event_se: float
    group_att: float
    group_se: float
    control: str
    n_units: int
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        return self.cells.set_index(["group", "time"])

    def summary(self) -> dict:
        q = norm.ppf(1 - self.alpha / 2)
        return {
            "control": self.control,
            "units": self.n_units,
            "cells": len(self.cells),
            "simple_att": self.simple_att,
            "simple_se": self.simple_se,
            "simple_low": self.simple_att - q * self.simple_se,
            "simple_high": self.simple_att + q * self.simple_se,
            "event_att": self.event_att,
            "event_se": self.event_se,
            "group_att": self.group_att,
            "group_se": self.group_se,
            "pre_trend_cells_significant": int(
                ((~self.cells["post"]) & (np.abs(self.cells["att"] / self.cells["se"]) > q)).sum()
            ),
            "pre_trend_cells": int((~self.cells["post"]).sum()),
        }


def _wif(keep: np.ndarray, pg: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Influence of estimating the weights pg[k] / sum(pg[keep]) (``did``'s ``wif``); n x len(keep)."""
    s = pg[keep].sum()
    dev = member[:, keep] - pg[keep]  # n x k: 1{G_i = g_k} - P(G = g_k)
    if1 = dev / s
    if2 = dev.sum(axis=1, keepdims=True) * (pg[keep] / s**2)[None, :]
    out: np.ndarray = if1 - if2
    return out


def att_gt(
    panel: pd.DataFrame,
    *,
    unit: str = "unit",
    time: str = "time",
    outcome: str = "y",
    group: str = "group",
    control: str = "never",
    alpha: float = 0.05,
) -> DidResult:
    """Group-time ATTs and their aggregations from a balanced panel.

    ``panel`` has one row per unit and period; ``time`` is an integer period (e.g. a month index or a year);
    ``group`` the first treated period of the unit, 0 for never treated (constant within a unit).
    """
    if control not in CONTROLS:
        raise InputError("Unknown control group.", received=repr(control), expected="never or notyet", fix="use never")
    missing = [c for c in (unit, time, outcome, group) if c not in panel.columns]
    if missing:
        raise InputError(
            "The panel lacks columns.", received=", ".join(missing), expected=f"{unit}, {time}, {outcome}, {group}"
        )
    wide = panel.pivot(index=unit, columns=time, values=outcome)
    if wide.isna().any().any():
        raise InputError(
            "The panel is not balanced.",
            received=f"{int(wide.isna().sum().sum())} missing unit-period values",
            expected="every unit observed in every period",
            fix="fill missing counts with 0 where no event is a true zero, or drop the units",
        )
    g_of = panel.groupby(unit)[group].agg(["min", "max"])
    if (g_of["min"] != g_of["max"]).any():
        raise InputError(
            "A unit's group changes over time.", received="varying group", expected="one first-treated period per unit"
        )
    periods = np.asarray(wide.columns, dtype=float)
    Y = wide.to_numpy(dtype=float)
    G = g_of.loc[wide.index, "min"].to_numpy(dtype=float)
    n, T = Y.shape
    if T < 2:
        raise InputError("Too few periods.", received=str(T), expected="at least 2")
    never = G == 0
    if control == "never" and not never.any():
        raise InputError(
            "There are no never-treated units.",
            received="every unit is treated",
            expected="some never-treated units",
            fix="use control 'notyet'",
        )
    pos = {p: i for i, p in enumerate(periods)}
    glist = np.array(
        sorted(g for g in set(G[~never]) if g in pos and pos[g] > 0)
    )  # treated in the first period: dropped
    Gi = np.where(never, np.inf, G)
    member = (G[:, None] == glist[None, :]).astype(float)  # n x groups
    pg_group = member.mean(axis=0)

    rows, ifs = [], []
    for gi, g in enumerate(glist):
        gpos = pos[g]
        D = np.equal(G, g)
        nT = D.sum()
        for tpos in range(1, T):
            b = gpos - 1 if tpos >= gpos else tpos - 1
            t_eval = periods[tpos]
            C = never if control == "never" else (never | (Gi > max(t_eval, periods[b]))) & ~D
            nC = C.sum()
            if nC == 0:
                continue
            dY = Y[:, tpos] - Y[:, b]
            muT, muC = dY[D].mean(), dY[C].mean()
            IF = np.zeros(n)
            IF[D] = (dY[D] - muT) * (n / nT)
            IF[C] -= (dY[C] - muC) * (n / nC)
            rows.append(
                (g, t_eval, muT - muC, np.sqrt((IF**2).sum()) / n, int(nT), int(nC), tpos >= gpos, gi, tpos - gpos)
            )
            ifs.append(IF)
    if not rows:
        raise InputError(
            "No group-time cell can be estimated.",
            received="no treated groups with controls",
            expected="treated and control units",
        )
    cells = pd.DataFrame(rows, columns=["group", "time", "att", "se", "n_treated", "n_control", "post", "gi", "e"])
    IFm = np.column_stack(ifs)  # n x cells
    att = cells["att"].to_numpy()
    pg = pg_group[cells["gi"].to_numpy()]
    q = norm.ppf(1 - alpha / 2)
    member_cells = member[:, cells["gi"].to_numpy()]  # n x cells: unit in the cell's group

    def aggregate(keep: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float, np.ndarray]:
        keep = np.flatnonzero(keep)
        if weights is None:
            w = pg[keep] / pg[keep].sum()
            inf = IFm[:, keep] @ w + _wif(keep, pg, member_cells) @ att[keep]
        else:
            w = weights
            inf = IFm[:, keep] @ w
        est = float(w @ att[keep])
        return est, float(np.sqrt((inf**2).mean() / n)), inf

    post = cells["post"].to_numpy()
    simple_att, simple_se, _ = aggregate(post)

    ev_rows, ev_inf = [], []
    for e in sorted(cells["e"].unique()):
        est, se, inf = aggregate(cells["e"].to_numpy() == e)
        ev_rows.append((int(e), est, se, est - q * se, est + q * se))
        if e >= 0:
            ev_inf.append((est, inf))
    event = pd.DataFrame(ev_rows, columns=["e", "att", "se", "low", "high"])
    event_att = float(np.mean([x[0] for x in ev_inf]))
    event_if = np.mean(np.column_stack([x[1] for x in ev_inf]), axis=1)
    event_se = float(np.sqrt((event_if**2).mean() / n))

    g_rows, g_inf, g_att = [], [], []
    for gi, g in enumerate(glist):
        keep = (cells["gi"].to_numpy() == gi) & post
        if not keep.any():
            continue
        k = int(keep.sum())
        est, se, inf = aggregate(keep, np.full(k, 1.0 / k))
        g_rows.append((g, est, se))
        g_inf.append(inf)
        g_att.append(est)
    groups = pd.DataFrame(g_rows, columns=["group", "att", "se"])
    gidx = np.array([np.flatnonzero(glist == g)[0] for g in groups["group"]])
    wg = pg_group[gidx] / pg_group[gidx].sum()
    group_att = float(wg @ np.array(g_att))
    group_if = np.column_stack(g_inf) @ wg + _wif(np.arange(len(gidx)), pg_group[gidx], member[:, gidx]) @ np.array(
        g_att
    )
    group_se = float(np.sqrt((group_if**2).mean() / n))

    return DidResult(
        cells=cells.drop(columns=["gi"]),
        event=event,
        groups=groups,
        simple_att=simple_att,
        simple_se=simple_se,
        event_att=event_att,
        event_se=event_se,
        group_att=group_att,
        group_se=group_se,
        control=control,
        n_units=n,
        alpha=alpha,
    )
