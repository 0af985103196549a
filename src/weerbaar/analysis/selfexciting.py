"""A self-exciting (Hawkes) point process in space and time for violent incidents (Mohler et al. 2011;
Reinhart 2018), fitted by maximum likelihood with intervals from the observed information.

Conditional intensity at place s and time t (days):

    lambda(s, t) = mu(t) f(s) + sum_{t_j < t} theta * omega exp(-omega (t - t_j)) * phi_sigma(s - s_j)

- background in time ``mu(t) = exp(b0 + b1 u + b2 sin(2 pi t / 365.25) + b3 cos(2 pi t / 365.25))`` with
  ``u = t / T`` (trend and season; ``season=False`` drops b2, b3; ``trend=False`` drops b1);
- background in space ``f(s)``: a density, piecewise constant on a square grid over the events' bounding box
  (cell size ``cell`` metres; default chosen so that a cell holds about 25 events), estimated from all events
  beforehand (a plug-in; see the docs for what that costs);
- triggering: each event raises the rate by theta expected offspring (the **branching ratio**, the share of
  events triggered by earlier ones), spread over time with an exponential of mean 1/omega days (the **decay
  time**) and over space with an isotropic Gaussian of standard deviation sigma metres (the **spatial reach**).

The triggering kernel is truncated at ``max_distance`` metres and ``max_days`` days (the pair list is built
once with a KD-tree); the compensator uses the truncated masses, so the likelihood is exact for the truncated
model, and theta is reported for the full kernel. Spatial edge effects of the study area are ignored.

``temporal_only=True`` fits the purely temporal process ``mu(t) + sum theta omega exp(-omega (t - t_j))``
(cross-checked against tick's HawkesExpKern in the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize
from scipy.spatial import cKDTree

from ..errors import InputError

__all__ = ["HawkesFit", "fit_hawkes", "simulate_hawkes", "alert_windows"]

YEAR = 365.25


@dataclass(frozen=True)
class HawkesFit:
    params: dict[str, float]  # theta, omega, sigma, b0..b3
    intervals: dict[str, tuple[float, float]]  # 95 % intervals
    loglik: float
    n_events: int
    span_days: float
    background_share: np.ndarray  # per event: probability that it is a background event
    temporal_only: bool
    converged: bool
    extra: dict = field(default_factory=dict)

    @property
    def branching_ratio(self) -> float:
        return self.params["theta"]

    @property
    def decay_days(self) -> float:
        return 1.0 / self.params["omega"]

    @property
    def reach_m(self) -> float:
        return self.params.get("sigma", float("nan"))

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for name, label in [
            ("branching_ratio", "theta"),
            ("decay_days", "decay_days"),
            ("reach_m", "sigma"),
        ]:
            if name == "reach_m" and self.temporal_only:
                continue
            value = getattr(self, name)
            lo, hi = self.intervals.get(label, (np.nan, np.nan))
            rows.append({"parameter": name, "estimate": value, "low": lo, "high": hi})
        return pd.DataFrame(rows)

    def summary(self, lang: str = "nl") -> str:
        lo, hi = self.intervals["theta"]
        dlo, dhi = self.intervals["decay_days"]
        if lang == "nl":
            s = (
                f"Naar schatting {100 * self.branching_ratio:.0f}% van de incidenten (95%-interval "
                f"{100 * lo:.0f}-{100 * hi:.0f}%) volgt op een eerder incident; dat effect dooft uit met een "
                f"gemiddelde vertraging van {self.decay_days:.1f} dagen ({dlo:.1f}-{dhi:.1f})"
            )
            if not self.temporal_only:
                slo, shi = self.intervals["sigma"]
                s += f" en reikt typisch {self.reach_m:.0f} m ver ({slo:.0f}-{shi:.0f} m)"
            return s + "."
        s = (
            f"An estimated {100 * self.branching_ratio:.0f}% of incidents (95% interval {100 * lo:.0f}-"
            f"{100 * hi:.0f}%) follow an earlier one; the effect fades with a mean delay of {self.decay_days:.1f} "
            f"days ({dlo:.1f}-{dhi:.1f})"
        )
        if not self.temporal_only:
            slo, shi = self.intervals["sigma"]
            s += f" and typically reaches {self.reach_m:.0f} m ({slo:.0f}-{shi:.0f} m)"
        return s + "."


def _grid_density(
    x: np.ndarray, y: np.ndarray, cell: float | None, weights: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """Piecewise-constant density on a grid over the bounding box (each event's cell value); ``weights``: the
    events' background probabilities (declustering), or None (all events count fully)."""
    n = len(x)
    x0, y0 = x.min(), y.min()
    w = max(x.max() - x0, 1.0)
    h = max(y.max() - y0, 1.0)
    if cell is None:
        cells = max(1.0, n / 25.0)
        cell = float(np.sqrt(w * h / cells))
    nx = max(1, int(np.ceil(w / cell)))
    ny = max(1, int(np.ceil(h / cell)))
    ix = np.minimum((x - x0) / cell, nx - 1).astype(int)
    iy = np.minimum((y - y0) / cell, ny - 1).astype(int)
    wt = np.ones(n) if weights is None else np.asarray(weights, dtype="float64")
    counts = np.bincount(ix * ny + iy, weights=wt, minlength=nx * ny)
    dens = counts / (wt.sum() * cell * cell)
    return dens[ix * ny + iy], {"cell_m": cell, "grid": (nx, ny), "origin": (float(x0), float(y0)), "density": dens}


def _pairs(
    x: np.ndarray, y: np.ndarray, t: np.ndarray, max_distance: float, max_days: float, temporal_only: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(parent, child, dt, d2) for t_parent < t_child within the cutoffs."""
    if temporal_only:
        order = np.argsort(t, kind="stable")
        ts = t[order]
        hi = np.searchsorted(ts, ts + max_days, side="right")
        counts = hi - np.arange(len(ts)) - 1
        par = np.repeat(np.arange(len(ts)), counts)
        offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        chi = par + 1 + offs
        i, j = order[par], order[chi]
        dt = t[j] - t[i]
        keep = dt > 0
        return i[keep], j[keep], dt[keep], np.zeros(int(keep.sum()))
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(max_distance, output_type="ndarray")
    if len(pairs) == 0:
        e = np.empty(0)
        return e.astype(int), e.astype(int), e, e
    a, b = pairs[:, 0], pairs[:, 1]
    swap = t[a] > t[b]
    i = np.where(swap, b, a)
    j = np.where(swap, a, b)
    dt = t[j] - t[i]
    d2 = (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2
    keep = (dt > 0) & (dt <= max_days) & (d2 < max_distance**2)
    return i[keep], j[keep], dt[keep], d2[keep]


def _design(t: np.ndarray, span: float, trend: bool, season: bool) -> np.ndarray:
    cols = [np.ones_like(t)]
    if trend:
        cols.append(t / span)
    if season:
        cols += [np.sin(2 * np.pi * t / YEAR), np.cos(2 * np.pi * t / YEAR)]
    return np.column_stack(cols)


def fit_hawkes(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    *,
    span_days: float | None = None,
    temporal_only: bool = False,
    trend: bool = True,
    season: bool = True,
    cell: float | None = None,
    max_distance: float = 1500.0,
    max_days: float = 90.0,
    fixed_omega: float | None = None,
    declustering_passes: int = 2,
) -> HawkesFit:
    """Maximum likelihood fit; ``t`` in days from the start of the observation window [0, span_days]."""
    tv = np.asarray(t, dtype="float64")
    n = len(tv)
    if n < 20:
        raise InputError(
            "Too few events for a self-exciting model.",
            received=f"{n} events",
            expected="at least 20 events (in practice hundreds)",
            fix="use a longer period or more event types",
        )
    t = tv
    x = np.zeros(n) if temporal_only else np.asarray(x, dtype="float64")
    y = np.zeros(n) if temporal_only else np.asarray(y, dtype="float64")
    if not (np.isfinite(t).all() and np.isfinite(x).all() and np.isfinite(y).all()) or t.min() < 0:
        raise InputError(
            "Missing coordinates or times.",
            received="NaN, infinite or negative times",
            expected="finite x, y and times >= 0 (days from the start)",
            fix="drop events without a location or time",
        )
    span = float(span_days if span_days is not None else t.max() + 1e-9)
    if span < t.max():
        raise InputError(
            "Events after the end of the observation window.",
            received=f"span {span} days, last event at {t.max():.1f}",
            expected="span_days >= the last event time",
            fix="pass a longer span_days",
        )
    grid: dict[str, Any]
    if temporal_only:
        f_s, grid = np.ones(n), {}
    else:
        f_s, grid = _grid_density(x, y, cell)
    state = {"f": f_s}
    i, j, dt, d2 = _pairs(x, y, t, max_distance, max_days, temporal_only)
    X_ev = _design(t, span, trend, season)
    tq = np.linspace(0, span, int(max(200, min(20000, span * 4))) + 1)
    X_q = _design(tq, span, trend, season)
    wq = np.full(len(tq), tq[1] - tq[0])
    wq[0] /= 2
    wq[-1] /= 2
    k = X_ev.shape[1]
    rem = np.minimum(span - t, max_days)  # remaining time for offspring of each event, truncated

    def unpack(p: np.ndarray) -> tuple[np.ndarray, float, float, float]:
        b = p[:k]
        theta = float(np.exp(p[k]))
        omega = fixed_omega if fixed_omega is not None else float(np.exp(p[k + 1]))
        sigma = np.nan if temporal_only else float(np.exp(p[-1]))
        return b, theta, omega, sigma

    def parts(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        b, theta, omega, sigma = unpack(p)
        bg = np.exp(X_ev @ b) * state["f"]
        if temporal_only:
            g = theta * omega * np.exp(-omega * dt)
            space_mass = 1.0
        else:
            g = theta * omega * np.exp(-omega * dt) * np.exp(-d2 / (2 * sigma**2)) / (2 * np.pi * sigma**2)
            space_mass = 1.0 - np.exp(-(max_distance**2) / (2 * sigma**2))
        trig = np.bincount(j, weights=g, minlength=n)
        comp = float(np.exp(X_q @ b) @ wq) + theta * space_mass * float((1 - np.exp(-omega * rem)).sum())
        return bg, trig, comp

    def nll(p: np.ndarray) -> float:
        bg, trig, comp = parts(p)
        lam = bg + trig
        if not np.all(lam > 0) or not np.isfinite(comp):
            return 1e300
        return -(float(np.log(lam).sum()) - comp)

    b_init = np.zeros(k)
    b_init[0] = np.log(0.5 * n / span)
    start = [*b_init, np.log(0.3)]
    if fixed_omega is None:
        start.append(np.log(1 / 7.0))
    if not temporal_only:
        start.append(np.log(max(50.0, max_distance / 10)))
    p0 = np.array(start)
    # bounds keep the optimiser out of degenerate corners: theta in [1e-4, 5], 1/omega in [0.01, 10 max_days]
    # days, sigma in [1 m, max_distance]; an estimate at a bound is reported in ``extra["at_bound"]``
    bounds: list[tuple[float | None, float | None]] = [(None, None) for _ in range(k)]
    bounds.append((np.log(1e-4), np.log(5.0)))
    if fixed_omega is None:
        bounds.append((np.log(1 / (10 * max_days)), np.log(100.0)))
    if not temporal_only:
        bounds.append((0.0, np.log(max_distance)))
    # the options are dict literals so that scipy-stubs checks them: ftol 1e-12 for the first fit, 1e-13 after
    res = optimize.minimize(
        nll, p0, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-12, "gtol": 1e-7, "maxiter": 500}
    )
    best = optimize.minimize(
        nll, res.x, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-13, "gtol": 1e-7, "maxiter": 500}
    )
    if res.fun < best.fun:
        best = res
    # stochastic declustering (Mohler et al. 2011): re-estimate the spatial background from the events weighted
    # by their probability of being background events, then refit; triggered clusters then no longer inflate it
    for _ in range(0 if temporal_only else declustering_passes):
        bg, trig, _c = parts(best.x)
        state["f"], grid = _grid_density(x, y, grid["cell_m"], weights=bg / (bg + trig))
        best = optimize.minimize(
            nll, best.x, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-13, "gtol": 1e-7, "maxiter": 500}
        )
    p_hat = best.x
    at_bound = [
        name
        for name, q in zip(
            ["theta"] + (["omega"] if fixed_omega is None else []) + ([] if temporal_only else ["sigma"]),
            range(k, len(p_hat)),
            strict=True,
        )
        if any(bound is not None and abs(p_hat[q] - bound) < 1e-6 for bound in bounds[q])
    ]
    cov = _inverse_hessian(nll, p_hat)
    b, theta, omega, sigma = unpack(p_hat)
    params = {"theta": float(theta), "omega": float(omega)}
    if not temporal_only:
        params["sigma"] = float(sigma)
    for q, v in enumerate(b):
        params[f"b{q}"] = float(v)
    z = 1.959963984540054
    se = np.sqrt(np.clip(np.diag(cov), 0, None)) if cov is not None else np.full(len(p_hat), np.nan)
    intervals = {"theta": (float(np.exp(p_hat[k] - z * se[k])), float(np.exp(p_hat[k] + z * se[k])))}
    if fixed_omega is None:
        lo, hi = np.exp(p_hat[k + 1] - z * se[k + 1]), np.exp(p_hat[k + 1] + z * se[k + 1])
        intervals["omega"] = (float(lo), float(hi))
        with np.errstate(divide="ignore", over="ignore"):
            intervals["decay_days"] = (float(1 / hi), float(1 / lo) if lo > 0 else float("inf"))
    else:
        intervals["omega"] = (omega, omega)
        intervals["decay_days"] = (1 / omega, 1 / omega)
    if not temporal_only:
        intervals["sigma"] = (float(np.exp(p_hat[-1] - z * se[-1])), float(np.exp(p_hat[-1] + z * se[-1])))
    bg, trig, _comp = parts(p_hat)
    return HawkesFit(
        params=params,
        intervals=intervals,
        loglik=-float(best.fun),
        n_events=n,
        span_days=span,
        background_share=bg / (bg + trig),
        temporal_only=temporal_only,
        converged=bool(best.success) or bool(res.success),
        extra={
            "grid": grid,
            "pairs": len(i),
            "at_bound": at_bound,
            "explosive": bool(theta >= 1),
            "max_distance": max_distance,
            "max_days": max_days,
            "trend": trend,
            "season": season,
        },
    )


def _inverse_hessian(fun: Callable[[np.ndarray], float], p: np.ndarray, rel: float = 1e-4) -> np.ndarray | None:
    """Inverse of the numerical Hessian (central differences) of ``fun`` at ``p``; None if not invertible."""
    m = len(p)
    h = rel * np.maximum(np.abs(p), 1.0)
    H = np.empty((m, m))
    f0 = fun(p)
    for a in range(m):
        for c in range(a, m):
            if a == c:
                e = np.zeros(m)
                e[a] = h[a]
                H[a, a] = (fun(p + e) - 2 * f0 + fun(p - e)) / h[a] ** 2
            else:
                ea = np.zeros(m)
                ec = np.zeros(m)
                ea[a] = h[a]
                ec[c] = h[c]
                H[a, c] = H[c, a] = (fun(p + ea + ec) - fun(p + ea - ec) - fun(p - ea + ec) + fun(p - ea - ec)) / (
                    4 * h[a] * h[c]
                )
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None
    return cov


def simulate_hawkes(
    *,
    mu_per_day: float,
    theta: float,
    omega: float,
    sigma: float,
    span_days: float,
    size_m: float = 10_000.0,
    season: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate the model by its cluster (branching) representation: background events uniform in a square of
    ``size_m`` with a seasonal rate ``mu (1 + season sin(2 pi t / 365.25))``; each event has Poisson(theta)
    offspring, delayed Exp(omega) days and displaced N(0, sigma^2) per axis. Returns x, y, t and the planted
    parent index (-1 for background), sorted by time; offspring after the window are dropped (those outside the
    square are kept, as the model's triggering kernel covers the plane)."""
    rng = np.random.default_rng(seed)
    n_max = rng.poisson(mu_per_day * (1 + abs(season)) * span_days)
    tb = rng.uniform(0, span_days, n_max)
    keep = rng.uniform(0, 1 + abs(season), n_max) < 1 + season * np.sin(2 * np.pi * tb / YEAR)
    tb = tb[keep]
    xs = [rng.uniform(0, size_m, len(tb))]
    ys = [rng.uniform(0, size_m, len(tb))]
    ts = [tb]
    parents = [np.full(len(tb), -1)]
    gen_x, gen_y, gen_t = xs[0], ys[0], ts[0]
    offset = 0
    while len(gen_t):
        kids = rng.poisson(theta, len(gen_t))
        idx = np.repeat(np.arange(len(gen_t)), kids)
        cx = gen_x[idx] + rng.normal(0, sigma, len(idx))
        cy = gen_y[idx] + rng.normal(0, sigma, len(idx))
        ct = gen_t[idx] + rng.exponential(1 / omega, len(idx))
        ok = ct < span_days  # offspring may leave the square: the model's kernel covers the whole plane
        parent_global = offset + idx
        offset += len(gen_t)
        gen_x, gen_y, gen_t = cx[ok], cy[ok], ct[ok]
        xs.append(gen_x)
        ys.append(gen_y)
        ts.append(gen_t)
        parents.append(parent_global[ok])
    frame = pd.DataFrame(
        {"x": np.concatenate(xs), "y": np.concatenate(ys), "t": np.concatenate(ts), "parent": np.concatenate(parents)}
    )
    order = np.argsort(frame["t"].to_numpy(), kind="stable")
    new_pos = np.empty(len(frame), dtype=int)
    new_pos[order] = np.arange(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    par = frame["parent"].to_numpy()
    frame["parent"] = np.where(par >= 0, new_pos[np.maximum(par, 0)], -1)
    return frame


def alert_windows(
    fit: HawkesFit, x_: npt.ArrayLike, y_: npt.ArrayLike, t_: npt.ArrayLike, *, ratio: float = 2.0) -> pd.DataFrame:
    """Per event: the window in which its own triggered rate is at least ``ratio - 1`` times the background rate
    at its place and time (so the total risk is at least ``ratio`` times the background), and the expected
    number of events it triggers inside that window and in total.

    At distance r and lag tau the triggered rate is theta omega exp(-omega tau) exp(-r^2 / 2 sigma^2) /
    (2 pi sigma^2); the window's days are where it exceeds the threshold at r = 0, its radius where it does at
    tau = 0. An event whose peak does not reach the threshold gets no window (days = radius = 0).
    """
    if fit.temporal_only:
        raise InputError(
            "Alert windows need a spatial fit.",
            received="a purely temporal fit",
            expected="fit_hawkes(..., temporal_only=False)",
            fix="fit the spatio-temporal model",
        )
    th, om, sg = fit.params["theta"], fit.params["omega"], fit.params["sigma"]
    t = np.asarray(t_, dtype="float64")
    x = np.asarray(x_, dtype="float64")
    y = np.asarray(y_, dtype="float64")
    grid = fit.extra["grid"]
    nx, ny = grid["grid"]
    x0, y0 = grid["origin"]
    cell = grid["cell_m"]
    ix = np.clip(((x - x0) / cell).astype(int), 0, nx - 1)
    iy = np.clip(((y - y0) / cell).astype(int), 0, ny - 1)
    f_s = grid["density"][ix * ny + iy]
    b = np.array([fit.params[f"b{q}"] for q in range(sum(1 for key in fit.params if key.startswith("b")))])
    X = _design(t, fit.span_days, fit.extra["trend"], fit.extra["season"])
    mu_t = np.exp(X @ b[: X.shape[1]])
    background = mu_t * np.maximum(f_s, 1e-15)  # events per m^2 per day
    peak = th * om / (2 * np.pi * sg**2)
    level = np.maximum(ratio - 1.0, 1e-9) * background
    logr = np.log(np.maximum(peak / level, 1.0))
    days = logr / om
    radius = sg * np.sqrt(2 * logr)
    expected_in = th * (1 - np.exp(-om * days)) * (1 - np.exp(-(radius**2) / (2 * sg**2)))
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "t": t,
            "days": days,
            "radius_m": radius,
            "expected_triggered": np.full(len(t), th),
            "expected_in_window": expected_in,
        }
    )
