"""Validation worlds for the measurement model (issue 14), SYNTHETIC: a code path of their own.

Nothing here uses the model's likelihood or its transformations: fields are simultaneous
autoregressive (SAR, ``(I - rho W)^-1 e`` with row-standardised rook weights on a lattice), not
Leroux CAR; counts are negative binomial (gamma-Poisson with their own shapes), not Poisson-lognormal;
the survey is beta-binomial with a probit link, not logit-binomial; vulnerability enters the
problem through a square root, not linearly. Silence multiplies the reports of the silent buurten by
0.2-0.4. Every frame is labelled synthetic by its caller (``status = synthetic`` when stored).

Worlds (``WORLDS``): ``scattered`` (silence at random), ``clustered`` (silence in clusters among
the most vulnerable buurten), ``fear`` (clustered, and fear lowers the survey share in silent
buurten), ``coarse`` (fear, and the survey only per survey area of about 5 buurten with 300-600
respondents), ``effort_follows`` (clustered; police effort follows last year's registrations),
``no_effort_index`` (clustered; the effort index is withheld), ``none`` (no silence at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import linalg as splinalg

__all__ = ["WORLDS", "World", "make_world", "lattice_graph"]

#: Rates per 1,000 inhabitants per year at the city's mean problem, negative binomial shapes, the survey's
#: beta-binomial concentration and the natural propensity's sd: set so that the plain regression the issue
#: quotes reaches about its quoted figures on the scattered world (see docs/methods/measurement-model.md).
TIPS_RATE, TIPS_SHAPE = 10.0, 30.0
REPORTS_RATE, REPORTS_SHAPE = 25.0, 30.0
REGS_RATE, REGS_SHAPE = 6.0, 8.0
SURVEY_CONCENTRATION = 200.0
PROPENSITY_SD = 0.15
WORLDS = ("scattered", "clustered", "fear", "coarse", "effort_follows", "no_effort_index", "none")


@dataclass(frozen=True)
class World:
    name: str
    frame: pd.DataFrame  # one row per buurt, canonical columns, counts summed over the years
    survey: pd.DataFrame | None  # survey at its own areas (coarse world) or None (survey in frame)
    survey_area: pd.Series | None
    truth: pd.DataFrame  # silent (bool), silence factor, log problem, log propensity, effort
    graph: object  # libpysal Graph over the buurt codes
    years: int


def _lattice(nx: int, ny: int) -> sparse.csr_matrix:
    idx = np.arange(nx * ny).reshape(ny, nx)
    i = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    j = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    a = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(nx * ny,) * 2)
    return (a + a.T).tocsr()


def lattice_graph(codes: list[str], adj: sparse.csr_matrix):
    """A libpysal Graph from a binary adjacency over ``codes``."""
    from libpysal.graph import Graph

    c = adj.tocoo()
    codes_arr = np.asarray(codes)
    return Graph.from_arrays(codes_arr[c.row], codes_arr[c.col], np.ones(len(c.row)))


def _sar(adj: sparse.csr_matrix, rho: float, rng: np.random.Generator) -> np.ndarray:
    deg = np.asarray(adj.sum(axis=1)).ravel()
    w = sparse.diags(1 / deg) @ adj
    n = adj.shape[0]
    z = splinalg.spsolve((sparse.identity(n) - rho * w).tocsc(), rng.standard_normal(n))
    return (z - z.mean()) / z.std()


def _nb(mean: np.ndarray, shape: float, rng: np.random.Generator) -> np.ndarray:
    return rng.poisson(rng.gamma(shape, mean / shape))


def _clusters(adj: sparse.csr_matrix, score: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """About ``k`` buurten in clusters grown from seeds among the top quartile of ``score``."""
    n = len(score)
    out = np.zeros(n, dtype=bool)
    top = np.flatnonzero(score >= np.quantile(score, 0.75))
    while out.sum() < k:
        seed = rng.choice(top)
        front = [seed]
        size = rng.integers(3, 7)
        members = 0
        while front and members < size and out.sum() < k:
            c = front.pop(0)
            if out[c]:
                continue
            out[c] = True
            members += 1
            nb = adj[c].indices
            nb = nb[score[nb] >= np.quantile(score, 0.5)]  # clusters stay among the more vulnerable
            front.extend(rng.permutation(nb).tolist())
    return out


def make_world(name: str, *, years: int = 1, nx: int = 25, ny: int = 20, share: float = 0.08, seed: int = 0) -> World:
    """One synthetic validation world (``name`` in WORLDS) over an ``nx`` x ``ny`` lattice of buurten."""
    if name not in WORLDS:
        raise ValueError(f"unknown world {name!r}; one of {', '.join(WORLDS)}")
    rng = np.random.default_rng(seed)
    n = nx * ny
    adj = _lattice(nx, ny)
    codes = [f"B{k:04d}" for k in range(n)]
    pop = np.round(np.exp(rng.normal(np.log(2000), 0.5, n))).clip(300, 12000)
    vul_field = _sar(adj, 0.85, rng)
    vulnerable_pct = 100 / (1 + np.exp(-(-1.0 + 0.8 * vul_field)))
    # the true problem: a concave function of vulnerability plus its own SAR field and a little noise
    log_problem = 0.9 * np.sqrt(vulnerable_pct / 100) * 2 + 0.45 * _sar(adj, 0.8, rng) + rng.normal(0, 0.1, n)
    log_problem -= np.average(log_problem, weights=pop)
    # natural reporting propensity: its own SAR field, a little lower where vulnerable
    log_prop = PROPENSITY_SD * _sar(adj, 0.7, rng) - 0.1 * vul_field + rng.normal(0, 0.08, n)
    silent = np.zeros(n, dtype=bool)
    k = int(round(share * n))
    if name == "scattered":
        silent[rng.choice(n, k, replace=False)] = True
    elif name != "none":
        silent = _clusters(adj, vul_field, k, rng)
    factor = np.where(silent, rng.uniform(0.2, 0.4, n), 1.0)
    effort = np.exp(rng.normal(0, 0.35, n))  # police effort: an area factor, mean about 1
    exposure = pop / 1000.0
    tips = np.zeros(n)
    reports = np.zeros(n)
    regs = np.zeros(n)
    eff_index_sum = np.zeros(n)
    k_yes = np.zeros(n)
    resp_b = np.zeros(n)
    last_regs = None
    for _year in range(years):
        year_shift = rng.normal(0, 0.05, n)  # the problem drifts a little from year to year
        lam = np.exp(log_problem + year_shift)
        if name == "effort_follows" and last_regs is not None:
            rate = (last_regs + 1) / (exposure * np.exp(log_problem).mean())
            effort = (rate / np.average(rate, weights=pop)) ** 0.6 * np.exp(rng.normal(0, 0.15, n))
        effort = effort / np.average(effort, weights=pop)
        tips += _nb(TIPS_RATE * exposure * lam * np.exp(rng.normal(0, 0.05, n)), TIPS_SHAPE, rng)
        reports += _nb(REPORTS_RATE * exposure * lam * np.exp(log_prop) * factor, REPORTS_SHAPE, rng)
        r = _nb(REGS_RATE * exposure * lam * effort, REGS_SHAPE, rng)
        regs += r
        last_regs = r
        eff_index_sum += 100 * effort * np.exp(rng.normal(0, 0.1, n))
        # survey (buurt level): probit in the log problem, beta-binomial respondents
        z = -1.0 + 0.45 * (log_problem + year_shift)
        if name in ("fear", "coarse"):
            z = z - 0.25 * silent  # fear lowers the share a little in the silent buurten
        p = _probit(z)
        resp = rng.integers(30, 90, n)
        pp = rng.beta(p * SURVEY_CONCENTRATION, (1 - p) * SURVEY_CONCENTRATION)
        k_yes += rng.binomial(resp, pp)
        resp_b += resp
    frame = pd.DataFrame(
        {
            "population": pop,
            "reports.drug_nuisance": reports,
            "tips.anonymous_drugs": tips,
            "registered.drug_trade": regs,
            "ses.vulnerable_pct": vulnerable_pct,
        },
        index=pd.Index(codes, name="area_code"),
    )
    if name != "no_effort_index":
        frame["police.effort"] = eff_index_sum / years
    survey = survey_area = None
    if name == "coarse":
        # survey areas of about 5 buurten: 1 x 5 strips, 300-600 respondents per year each
        ix = np.arange(n) % nx
        iy = np.arange(n) // nx
        sa = np.array([f"S{y:02d}_{x // 5:02d}" for x, y in zip(ix, iy, strict=True)])
        survey_area = pd.Series(sa, index=codes)
        rows = []
        for s in np.unique(sa):
            mem = sa == s
            respondents = rng.integers(300, 601) * years
            zz = -1.0 + 0.45 * np.log(np.average(np.exp(log_problem[mem]), weights=pop[mem]))
            zz -= 0.25 * np.average(silent[mem], weights=pop[mem])
            pp = rng.beta(_probit(zz) * 200, (1 - _probit(zz)) * 200)
            rows.append((s, 100 * rng.binomial(respondents, pp) / respondents, respondents))
        survey = pd.DataFrame(rows, columns=["code", "survey.drug_nuisance_pct", "survey.respondents"]).set_index(
            "code"
        )
    else:
        frame["survey.drug_nuisance_pct"] = 100 * k_yes / resp_b
        frame["survey.respondents"] = resp_b
    truth = pd.DataFrame(
        {
            "silent": silent,
            "factor": factor,
            "log_problem": log_problem,
            "log_propensity": log_prop + np.log(factor),
            "effort": effort,
        },
        index=pd.Index(codes, name="area_code"),
    )
    return World(name, frame, survey, survey_area, truth, lattice_graph(codes, adj), years)


def _probit(z):
    from scipy.special import ndtr

    return ndtr(z)
