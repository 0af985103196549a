"""One measurement model of the drug problem: a latent problem seen through every channel (issue 14).

Per area ``i`` (a buurt, say) the log drug problem is ``p_i = X_i beta + u_i`` (structural
covariates plus a Leroux conditional-autoregressive effect over the area graph, which mixes a
spatially structured and an unstructured part like BYM2). Each channel sees it with its own
distortion:

* anonymous tips: ``T_i ~ Poisson(E_i exp(a_T + p_i + t_i))``, ``t_i`` iid (barely affected by fear);
* residents' reports: ``R_i ~ Poisson(E_i exp(a_R + p_i + q_i))`` with the log reporting propensity
  ``q_i = gamma v_i + r_i`` (``v`` standardised vulnerability, so vulnerability may lower it; ``r`` a
  second Leroux effect, spatial and unstructured);
* registrations: ``G_i ~ Poisson(E_i exp(a_G + p_i + delta log(effort_i / 100) + g_i))``; ``g_i`` iid is
  the area effect for effort (the only effort term when there is no effort index);
* the survey share, at the survey's own areas ``s`` (several buurten each, or the buurten
  themselves): ``K_s ~ Binomial(n_s, logistic(a_S + lambda P_s + phi Q_s + w_s))`` with ``P_s`` and
  ``Q_s`` the population-weighted means of ``p`` and ``q`` over the buurten of ``s`` (``phi``: a small
  fear effect), ``w_s`` iid.

``E_i`` is population x years / 1000; counts over several years are pooled (summed). Inference is
a Laplace approximation (INLA-style, empirical Bayes): Newton's method on the Gaussian latent field
(fixed effects included) with sparse matrices, the hyperparameters (variances, Leroux mixing,
``lambda``, ``phi``) by maximising the Laplace approximation of their marginal likelihood times
weak priors, then posterior draws from the Gaussian approximation. Flags are posterior
statements: a **zwijgwijk** where ``P(propensity < city x (1 - shortfall))`` is high, the flagged
set chosen so that its Bayesian FDR (mean posterior error probability) is at most ``alpha``; an
**effort** area, only where an effort index exists, where registrations per unit of problem are
above the city's by the same factor. Fit diagnostics are kept; a failed fit publishes no flags.
See docs/methods/measurement-model.md and docs/decisions/0011-measurement-model-laplace.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn, TypedDict, cast

import numpy as np
import pandas as pd
from scipy import optimize, sparse, special
from scipy.sparse import linalg as splinalg

from ..errors import InputError
from .inference import as_generator

if TYPE_CHECKING:
    from libpysal.graph import Graph

__all__ = ["MeasurementResult", "measurement_model", "laplace_fit", "bayes_fdr", "hyper_block", "DEFAULT_FDR"]

#: The Bayesian FDR of the flagged set by default: the issue's precision target of 0.8 stated as an FDR
#: (docs/decisions/0032-zwijgwijk-fdr.md; at 0.10 one year of buurt data misses recall 0.6 in scattered silence).
DEFAULT_FDR = 0.20

#: No area is flagged whose own posterior error probability exceeds this, whatever the set's mean allows:
#: a flag says "more likely than not" at least (decision 0032). Without it the running mean let an area
#: with a 4 % probability of silence into a 0.20-FDR set on the default.
MAX_AREA_ERROR = 0.5

#: Above this many modelled areas the hyperparameters are estimated on a connected block of ``HYPER_BLOCK``
#: areas and then fixed for the one fit of all areas (``approximate``): 13,000 areas in 14 minutes instead of
#: 67, flags agreeing on 99.8 % of the areas (docs/methods/measurement-model.md, decision 0033).
LARGE_AREAS = 5000
HYPER_BLOCK = 1600

COLUMNS = ("area_code", "observed", "expected", "ratio", "ratio_low", "ratio_high", "p_under", "flag")
_PRIOR_FIXED_SD = 10.0
# hyperparameters: name, start, prior mean, prior sd (on the transformed scale), bounds
_HYPER = (
    ("log_sd_problem", np.log(0.5), np.log(0.5), 1.0, (np.log(0.02), np.log(4.0))),
    ("logit_rho_problem", 1.0, 0.0, 1.5, (-5.0, 5.0)),
    ("log_sd_propensity", np.log(0.3), np.log(0.3), 1.0, (np.log(0.02), np.log(3.0))),
    ("logit_rho_propensity", 1.0, 0.0, 1.5, (-5.0, 5.0)),
    ("log_sd_tips", np.log(0.3), np.log(0.3), 1.0, (np.log(0.02), np.log(3.0))),
    ("log_sd_registrations", np.log(0.3), np.log(0.3), 1.0, (np.log(0.02), np.log(3.0))),
    ("log_sd_survey", np.log(0.2), np.log(0.2), 1.0, (np.log(0.01), np.log(3.0))),
    ("log_lambda", np.log(0.8), 0.0, 1.0, (np.log(0.05), np.log(5.0))),
    ("phi_fear", 0.1, 0.1, 0.3, (-1.0, 1.5)),
)


def _fail(problem: str, received: str, expected: str, fix: str) -> NoReturn:
    raise InputError(problem, received=received, expected=expected, fix=fix)


def bayes_fdr(error_prob: np.ndarray, alpha: float, max_error: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Bayesian FDR: q-values (running mean of the sorted posterior error probabilities) and the flag set.

    The flagged set is the largest set of the most probable areas whose mean posterior error
    probability is at most ``alpha`` (Newton et al. 2004; Müller et al. 2006), less any area whose own
    error probability exceeds ``max_error`` (the model passes ``MAX_AREA_ERROR``). NaN is never flagged."""
    e = np.asarray(error_prob, dtype=float)
    q = np.full(e.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(e))
    if not len(ok):
        return q, np.zeros(e.shape, dtype=bool)
    order = ok[np.argsort(e[ok], kind="stable")]
    run = np.cumsum(e[order]) / np.arange(1, len(order) + 1)
    q[order] = run
    return q, np.isfinite(q) & (q <= alpha) & (e <= max_error)


# -- the latent Gaussian model --------------------------------------------------------------------------


@dataclass
class _Design:
    """Everything fixed across hyperparameters: observations, offsets, the block structure."""

    n: int
    m: int  # survey areas
    fixed: list[str]  # names of the fixed effects (first block of the latent vector)
    xcov: np.ndarray  # problem covariates (n x pc), standardised
    vuln: np.ndarray | None  # standardised vulnerability for the propensity (or None)
    log_eff: np.ndarray | None
    log_e: np.ndarray  # log exposure (n)
    tips: np.ndarray  # NaN where missing
    reports: np.ndarray
    regs: np.ndarray
    k_s: np.ndarray  # survey "yes" counts per survey area
    n_s: np.ndarray  # respondents
    agg: sparse.csr_matrix  # m x n population weights (rows sum to 1)
    adj: sparse.csr_matrix  # n x n binary symmetric adjacency
    eig: np.ndarray | None  # eigenvalues of D - W (None: sparse log-determinants)
    kappa: np.ndarray | None = None  # local precision weights of the propensity (heavy tail), None: all 1

    @property
    def nf(self) -> int:
        return len(self.fixed)

    def blocks(self) -> dict[str, slice]:
        nf, n, m = self.nf, self.n, self.m
        return {
            "fixed": slice(0, nf),
            "u": slice(nf, nf + n),
            "r": slice(nf + n, nf + 2 * n),
            "t": slice(nf + 2 * n, nf + 3 * n),
            "g": slice(nf + 3 * n, nf + 4 * n),
            "w": slice(nf + 4 * n, nf + 4 * n + m),
        }

    @property
    def dim(self) -> int:
        return self.nf + 4 * self.n + self.m


def _fix(d: _Design, name: str) -> int:
    return d.fixed.index(name)


def _problem_map(d: _Design) -> sparse.csr_matrix:
    """n x dim: p = X beta + u."""
    b = d.blocks()
    cols = [sparse.csr_matrix((d.n, d.nf)), sparse.identity(d.n, format="csr")]
    out: sparse.lil_matrix = sparse.hstack([*cols, sparse.csr_matrix((d.n, d.dim - d.nf - d.n))], format="lil")
    for j in range(d.xcov.shape[1]):
        out[:, _fix(d, f"beta{j}")] = d.xcov[:, j : j + 1]
    del b
    return out.tocsr()


def _propensity_map(d: _Design) -> sparse.csr_matrix:
    """n x dim: q = gamma v + r."""
    b = d.blocks()
    out = sparse.lil_matrix((d.n, d.dim))
    # scipy-stubs: IndexMixin.__setitem__ takes numbers and buffers only; scipy assigns a sparse value too
    out[:, b["r"]] = sparse.identity(d.n)  # type: ignore[assignment]
    if d.vuln is not None:
        out[:, _fix(d, "gamma")] = d.vuln[:, None]
    return out.tocsr()


def _unit(d: _Design, name: str) -> sparse.csr_matrix:
    out = sparse.lil_matrix((d.n, d.dim))
    out[:, _fix(d, name)] = np.ones((d.n, 1))
    return out.tocsr()


def _block_id(d: _Design, name: str) -> sparse.csr_matrix:
    s = d.blocks()[name]
    return sparse.csr_matrix(
        (np.ones(s.stop - s.start), (np.arange(s.stop - s.start), np.arange(s.start, s.stop))),
        shape=(s.stop - s.start, d.dim),
    )


@dataclass
class _Maps:
    """Linear maps from the latent vector to each channel's linear predictor (survey part per lambda, phi)."""

    p: sparse.csr_matrix
    q: sparse.csr_matrix
    tips: sparse.csr_matrix
    reports: sparse.csr_matrix
    regs: sparse.csr_matrix
    s_const: sparse.csr_matrix  # a_S + w_s
    s_p: sparse.csr_matrix  # agg @ p
    s_q: sparse.csr_matrix  # agg @ q


def _maps(d: _Design) -> _Maps:
    p, q = _problem_map(d), _propensity_map(d)
    tips = _unit(d, "a_tips") + p + _block_id(d, "t")
    reports = _unit(d, "a_reports") + p + q
    regs = _unit(d, "a_registrations") + p + _block_id(d, "g")
    if d.log_eff is not None:
        e = sparse.lil_matrix((d.n, d.dim))
        e[:, _fix(d, "delta")] = d.log_eff[:, None]
        regs = regs + e.tocsr()
    if d.m:
        c = sparse.lil_matrix((d.m, d.dim))
        c[:, _fix(d, "a_survey")] = np.ones((d.m, 1))
        s_const = c.tocsr() + _block_id(d, "w")
        s_p, s_q = (d.agg @ p).tocsr(), (d.agg @ q).tocsr()
    else:
        s_const = s_p = s_q = sparse.csr_matrix((0, d.dim))
    return _Maps(p, q, tips.tocsr(), reports.tocsr(), regs.tocsr(), s_const, s_p, s_q)


def _hyper(theta: np.ndarray) -> dict[str, float]:
    names = [h[0] for h in _HYPER]
    return dict(zip(names, theta, strict=True))


def _precision(d: _Design, th: Mapping[str, float]) -> tuple[sparse.csc_matrix, float]:
    """Prior precision of the latent vector and its log determinant (fixed effects' constant left out)."""
    deg = np.asarray(d.adj.sum(axis=1)).ravel()
    lap = sparse.diags(deg) - d.adj
    eye = sparse.identity(d.n, format="csr")
    blocks, logdet = [sparse.identity(d.nf) / _PRIOR_FIXED_SD**2], 0.0
    for sd_name, rho_name in (("log_sd_problem", "logit_rho_problem"), ("log_sd_propensity", "logit_rho_propensity")):
        tau = np.exp(-2 * th[sd_name])
        rho = special.expit(th[rho_name])
        block = (1 - rho) * eye + rho * lap
        if sd_name == "log_sd_propensity" and d.kappa is not None:
            k = sparse.diags(np.sqrt(d.kappa))
            block = k @ block @ k
            logdet += float(np.sum(np.log(d.kappa)))
        blocks.append(tau * block)
        if d.eig is not None:
            logdet += d.n * np.log(tau) + np.sum(np.log((1 - rho) + rho * d.eig))
        else:
            lu = splinalg.splu(((1 - rho) * eye + rho * lap).tocsc())
            logdet += d.n * np.log(tau) + np.sum(np.log(np.abs(lu.U.diagonal())))
    for name, size in (("log_sd_tips", d.n), ("log_sd_registrations", d.n), ("log_sd_survey", d.m)):
        tau = np.exp(-2 * th[name])
        blocks.append(tau * sparse.identity(size))
        logdet += size * np.log(tau)
    # every block is a sparse matrix (not a sparray), so scipy returns a csc_matrix; the stub cannot tell
    return cast(sparse.csc_matrix, sparse.block_diag(blocks, format="csc")), float(logdet)


def _channels(
    d: _Design, mp: _Maps, th: Mapping[str, float]
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(A, offset, y, n, kind) for the observed rows: Poisson rows (kind 0) and binomial rows (kind 1)."""
    rows, ys, ns, kinds = [], [], [], []
    for a, y, off in ((mp.tips, d.tips, d.log_e), (mp.reports, d.reports, d.log_e), (mp.regs, d.regs, d.log_e)):
        ok = np.isfinite(y)
        if ok.any():
            rows.append((a[ok], off[ok]))
            ys.append(y[ok])
            ns.append(np.zeros(ok.sum()))
            kinds.append(np.zeros(ok.sum(), dtype=int))
    if d.m:
        ok = np.isfinite(d.k_s) & (d.n_s > 0)
        a = mp.s_const + np.exp(th["log_lambda"]) * mp.s_p + th["phi_fear"] * mp.s_q
        rows.append((a[ok], np.zeros(ok.sum())))
        ys.append(d.k_s[ok])
        ns.append(d.n_s[ok])
        kinds.append(np.ones(ok.sum(), dtype=int))
    a = sparse.vstack([r[0] for r in rows], format="csr")
    off = np.concatenate([r[1] for r in rows])
    return a, off, np.concatenate(ys), np.concatenate(ns), np.concatenate(kinds)


def _loglik(eta: np.ndarray, y: np.ndarray, nn: np.ndarray, kind: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log likelihood (up to constants in y), its gradient and the negative second derivative in eta."""
    pois = kind == 0
    mu = np.exp(np.minimum(eta, 50))
    p = special.expit(eta)
    ll = np.where(pois, y * eta - mu, y * eta - nn * np.logaddexp(0, eta))
    g = np.where(pois, y - mu, y - nn * p)
    w = np.where(pois, mu, nn * p * (1 - p))
    return float(ll.sum()), g, w


@dataclass
class _Mode:
    x: np.ndarray
    h: sparse.csc_matrix  # negative Hessian at the mode
    logml: float
    grad_norm: float
    iterations: int
    ok: bool


def _factor(h: sparse.csc_matrix) -> splinalg.SuperLU:
    """Sparse LDL' of a symmetric positive definite matrix (SuperLU, symmetric mode, no pivoting)."""
    return splinalg.splu(h, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options={"SymmetricMode": True})


def _newton(
    d: _Design,
    a: sparse.csr_matrix,
    off: np.ndarray,
    y: np.ndarray,
    nn: np.ndarray,
    kind: np.ndarray,
    q: sparse.csc_matrix,
    logdet_q: float,
    x0: np.ndarray,
) -> _Mode:
    x = x0.copy()
    at = a.T.tocsr()

    def objective(v: np.ndarray) -> float:
        ll, _, _ = _loglik(a @ v + off, y, nn, kind)
        return float(ll - 0.5 * v @ (q @ v))

    f = objective(x)
    gnorm, it, ok = np.inf, 0, False
    for it in range(1, 101):  # noqa: B007 (the count is reported)
        ll, g, w = _loglik(a @ x + off, y, nn, kind)
        grad = at @ g - q @ x
        gnorm = float(np.max(np.abs(grad)))
        if gnorm < 1e-6 * max(1.0, np.max(np.abs(at @ y)) * 1e-3):
            ok = True
            break
        h = (q + at @ sparse.diags(w) @ a).tocsc()
        step = _factor(h).solve(grad)
        t = 1.0
        while t > 1e-6:
            fn = objective(x + t * step)
            if np.isfinite(fn) and fn >= f - 1e-10 * abs(f):
                break
            t /= 2
        x, f = x + t * step, fn
        if t * np.max(np.abs(step)) < 1e-10:
            ok = True
            break
    ll, g, w = _loglik(a @ x + off, y, nn, kind)
    grad = at @ g - q @ x
    gnorm = float(np.max(np.abs(grad)))
    h = (q + at @ sparse.diags(w) @ a).tocsc()
    udiag = _factor(h).U.diagonal()
    pd_ok = bool(np.all(udiag > 0))
    logdet_h = float(np.sum(np.log(np.abs(udiag))))
    # log p(y | theta) ~ log p(y | x*) + log p(x* | theta) - log N(x* | x*, H^-1); fixed-effect constants cancel
    logml = ll - 0.5 * x @ (q @ x) + 0.5 * logdet_q - 0.5 * logdet_h
    return _Mode(x, h, float(logml), gnorm, it, (ok or gnorm < 1e-4) and pd_ok)


def _log_prior(theta: np.ndarray) -> float:
    return float(sum(-0.5 * ((t - h[2]) / h[3]) ** 2 for t, h in zip(theta, _HYPER, strict=True)))


@dataclass(frozen=True)
class LaplaceFit:
    """The fitted model: hyperparameters, latent mode and negative Hessian, diagnostics."""

    design: _Design
    theta: np.ndarray
    mode: np.ndarray
    hessian: sparse.csc_matrix
    diagnostics: dict
    maps: _Maps = field(repr=False)

    @property
    def hyper(self) -> dict:
        return _hyper(self.theta)

    def projected_draws(
        self, n: int, rng: np.random.Generator, maps: Mapping[str, sparse.spmatrix], chunk: int = 250
    ) -> dict[str, np.ndarray]:
        """Posterior draws of linear maps of the latent vector (``{name: rows x n}``), drawn in chunks.

        Same draws as ``draws`` would give, but never holds the full dim x n matrix (13,000 areas:
        65,000 latent values)."""
        lu = _factor(self.hessian)
        parts: dict[str, list[np.ndarray]] = {k: [] for k in maps}
        done = 0
        while done < n:
            k = min(chunk, n - done)
            xs = self.draws(k, rng, lu=lu)
            for name, m in maps.items():
                parts[name].append(np.asarray(m @ xs))
            done += k
        return {k: np.hstack(v) for k, v in parts.items()}

    def draws(self, n: int, rng: np.random.Generator, lu: splinalg.SuperLU | None = None) -> np.ndarray:
        """Posterior draws of the latent vector (dim x n) from the Gaussian approximation."""
        lu = _factor(self.hessian) if lu is None else lu
        z = rng.standard_normal((len(self.mode), n))
        if not np.array_equal(lu.perm_r, lu.perm_c):  # pivoting happened: dense Cholesky instead
            from scipy.linalg import solve_triangular

            chol = np.linalg.cholesky(self.hessian.toarray())
            return self.mode[:, None] + solve_triangular(chol.T, z, lower=False)
        # H[p][:, p] = L D L': x = P' L^-T D^-1/2 z has covariance H^-1
        dd = lu.U.diagonal()
        v = splinalg.spsolve_triangular(lu.L.T.tocsr(), z / np.sqrt(dd)[:, None], lower=False, unit_diagonal=True)
        return self.mode[:, None] + v[lu.perm_c]


class _State(TypedDict):
    """What the hyperparameter search carries between evaluations: the warm start and the count."""

    x: np.ndarray
    evals: int


def laplace_fit(
    d: _Design, theta: np.ndarray | None = None, fixed: Sequence[str] = (), tail_df: float | None = 1.0
) -> LaplaceFit:
    """Hyperparameters by maximising Laplace marginal likelihood x prior (or fixed at ``theta``); the mode."""
    d.kappa = None  # a design fitted before starts Gaussian again, not from that fit's heavy-tail weights
    mp = _maps(d)
    names = [h[0] for h in _HYPER]
    theta0 = np.array([h[1] for h in _HYPER]) if theta is None else np.asarray(theta, dtype=float)
    free = [i for i, nm in enumerate(names) if nm not in fixed and theta is None]
    # drop hyperparameters of absent channels
    unused = set()
    if not np.isfinite(d.tips).any():
        unused.add("log_sd_tips")
    if not np.isfinite(d.regs).any():
        unused.add("log_sd_registrations")
    if d.m == 0:
        unused |= {"log_sd_survey", "log_lambda", "phi_fear"}
    if d.adj.nnz == 0:
        unused |= {"logit_rho_problem", "logit_rho_propensity"}
        theta0[names.index("logit_rho_problem")] = theta0[names.index("logit_rho_propensity")] = -30.0
    free = [i for i in free if names[i] not in unused]
    state: _State = {"x": np.zeros(d.dim), "evals": 0}
    # start the fixed effects near the channel means
    for name, y in (("a_tips", d.tips), ("a_reports", d.reports), ("a_registrations", d.regs)):
        ok = np.isfinite(y)
        if ok.any():
            state["x"][_fix(d, name)] = np.log(max(y[ok].sum(), 0.5) / np.exp(d.log_e[ok]).sum())
    if d.m:
        ok = d.n_s > 0
        state["x"][_fix(d, "a_survey")] = special.logit(np.clip(d.k_s[ok].sum() / d.n_s[ok].sum(), 1e-3, 1 - 1e-3))

    def evaluate(th_free: np.ndarray) -> tuple[_Mode, np.ndarray]:
        th = theta0.copy()
        th[free] = th_free
        hy = _hyper(th)
        q, logdet_q = _precision(d, hy)
        a, off, y, nn, kind = _channels(d, mp, hy)
        mode = _newton(d, a, off, y, nn, kind, q, logdet_q, state["x"])
        state["evals"] += 1
        if mode.ok:
            state["x"] = mode.x
        return mode, th

    def neg(th_free: np.ndarray) -> float:
        mode, th = evaluate(th_free)
        return -(mode.logml + _log_prior(th))

    res: optimize.OptimizeResult | None = None
    if free:
        bounds = [_HYPER[i][4] for i in free]
        res = optimize.minimize(
            neg, theta0[free], method="L-BFGS-B", bounds=bounds, options={"maxiter": 200, "eps": 1e-4}
        )
        th_free = res.x
    else:
        th_free = theta0[free]
    mode, th = evaluate(th_free)
    weights_settled = scale_settled = True  # (the Gaussian fit has neither)
    if tail_df is not None:
        # Heavy-tailed propensity: a Student-t scale mixture on each area's conditional deviation from its
        # neighbours. ECM: EM updates of the local precision weights kappa alternate with re-estimating the
        # propensity's scale and mixing given kappa (with kappa = 1 the scale absorbs the silent areas and
        # the tail would barely down-weight them).
        deg = np.asarray(d.adj.sum(axis=1)).ravel()
        rs = d.blocks()["r"]
        d.kappa = np.ones(d.n)
        prop_names = ("log_sd_propensity", "logit_rho_propensity")
        prop_free = [k for k, i in enumerate(free) if names[i] in prop_names]
        settled = False
        for _outer in range(7):
            # the last round only re-estimates the weights: a fit never ends on weights reset to 1
            for _ in range(8):
                hy = _hyper(th)
                tau = np.exp(-2 * hy["log_sd_propensity"])
                rho = special.expit(hy["logit_rho_propensity"])
                lii = (1 - rho) + rho * deg
                r = mode.x[rs]
                e = r - rho * (d.adj @ r) / lii
                hd = mode.h.diagonal()[rs]
                new = (tail_df + 1) / (tail_df + tau * lii * (e**2 + 1 / hd))
                change = float(np.max(np.abs(np.log(new) - np.log(d.kappa))))
                d.kappa = new
                mode, th = evaluate(th_free)
                weights_settled = change < 0.01
                if weights_settled:
                    break
            scale_settled = settled or not prop_free
            if not prop_free or settled or _outer == 6:
                break
            before = th_free[prop_free].copy()

            def neg_prop(v: np.ndarray, base: np.ndarray = th_free.copy()) -> float:
                full = base.copy()
                full[prop_free] = v
                return neg(full)

            sub = optimize.minimize(
                neg_prop,
                before,
                method="L-BFGS-B",
                bounds=[_HYPER[free[k]][4] for k in prop_free],
                options={"maxiter": 50, "eps": 1e-4},
            )
            th_free = th_free.copy()
            th_free[prop_free] = sub.x
            mode, th = evaluate(th_free)
            settled = float(np.max(np.abs(sub.x - before))) < 0.01
            if settled:
                # the weights once more from 1 at the final scale: the path a refit at these hyperparameters
                # (``hyperparameters=``) takes, so it reproduces this run
                d.kappa = np.ones(d.n)
                mode, th = evaluate(th_free)
    at_bound = [names[i] for i, v in zip(free, th_free, strict=True) if min(abs(v - b) for b in _HYPER[i][4]) < 1e-3]
    pd_ok = bool(np.all(_factor(mode.h).U.diagonal() > 0))
    outer_ok = res is None or bool(res.success) or "REL_REDUCTION" in str(res.message)
    diag = {
        "method": "Laplace approximation, hyperparameters by marginal likelihood x prior (empirical Bayes)",
        "newton_converged": bool(mode.ok),
        "newton_iterations": int(mode.iterations),
        "gradient_norm_at_mode": float(mode.grad_norm),
        "hessian_positive_definite": pd_ok,
        "hyperparameter_optimiser_converged": bool(outer_ok),
        "hyperparameter_optimiser_message": "" if res is None else str(res.message),
        "hyperparameters_at_bound": at_bound,
        "likelihood_evaluations": int(state["evals"]),
        "log_marginal_likelihood": float(mode.logml),
        "latent_dimension": int(d.dim),
        "propensity_tail": "Gaussian" if tail_df is None else f"Student-t scale mixture, df {tail_df:g} (EM)",
        "areas_with_heavy_tail_weight_below_0.5": 0 if d.kappa is None else int((d.kappa < 0.5).sum()),
        # the ECM's own stopping rules (reported, not part of ``converged``: an unsettled weight or scale still
        # leaves a valid mode and Hessian, only not the last step of the EM)
        "heavy_tail_weights_settled": bool(weights_settled),
        "heavy_tail_scale_settled": bool(scale_settled),
    }
    diag["converged"] = bool(mode.ok and pd_ok and outer_ok and mode.grad_norm < 1e-3)
    return LaplaceFit(d, th, mode.x, mode.h, diag, mp)


# -- from area frames to the design -------------------------------------------------------------------------


def _num(frame: pd.DataFrame, col: str | None) -> np.ndarray | None:
    if col is None or col not in frame.columns:
        return None
    s = frame[col]
    if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
        _fail(f"Column {col} is not numeric.", str(s.dtype), "numbers (NaN where unknown)", "convert the column")
    v = s.to_numpy(dtype=float)
    if np.isinf(v).any():
        _fail(f"Column {col} has infinite values.", col, "finite numbers or NaN", "correct or blank these values")
    return v


def _count(frame: pd.DataFrame, col: str | None) -> np.ndarray | None:
    v = _num(frame, col)
    if v is not None and (v < 0).any():
        bad = frame.index[v < 0][:5]
        _fail(f"Negative counts in {col}.", ", ".join(map(str, bad)), "counts >= 0", "correct the data")
    return None if v is None else np.round(v)


def _logit_pct(v: np.ndarray, col: str) -> np.ndarray:
    if np.any((v < 0) | (v > 100)):
        _fail(f"Percentages outside 0-100 in {col}.", col, "values 0..100", "give percentages, not shares")
    q = np.clip(v / 100, 0.005, 0.995)
    return np.log(q / (1 - q))


def _standardise(v: np.ndarray) -> np.ndarray:
    med = np.nanmedian(v) if np.isfinite(v).any() else 0.0
    v = np.where(np.isfinite(v), v, med)
    sd = v.std()
    return (v - v.mean()) / sd if sd > 1e-12 else np.zeros_like(v)


def hyper_block(graph: Graph | None, codes: pd.Index, size: int = HYPER_BLOCK) -> pd.Index:
    """About ``size`` neighbouring areas for the hyperparameters of a large fit (``approximate``).

    Breadth-first over the area graph from the first area (in code order) of its largest connected part,
    so the block has the spatial structure the variances and mixing weights describe; topped up in code
    order when that part is smaller. Without a graph: the first ``size`` codes. Deterministic."""
    codes = pd.Index(sorted(map(str, codes)))
    if len(codes) <= size:
        return codes
    if graph is None:
        return codes[:size]
    from scipy.sparse import csgraph

    adj = _adjacency(graph, codes, [])
    _, labels = csgraph.connected_components(adj, directed=False)
    largest = np.bincount(labels).argmax()
    start = int(np.flatnonzero(labels == largest)[0])
    order = list(csgraph.breadth_first_order(adj, start, directed=False, return_predecessors=False)[:size])
    if len(order) < size:
        taken = set(order)
        order += [i for i in range(len(codes)) if i not in taken][: size - len(order)]
    return codes[np.sort(np.asarray(order))]


def _adjacency(graph: Graph | None, codes: pd.Index, notes: list[str]) -> sparse.csr_matrix:
    n = len(codes)
    if graph is None:
        notes.append("no area graph: the problem and propensity effects are unstructured (no spatial part)")
        return sparse.csr_matrix((n, n))
    if not hasattr(graph, "adjacency"):
        _fail(
            "The graph is not a libpysal Graph.",
            type(graph).__name__,
            "libpysal.graph.Graph over the area codes",
            "build it with libpysal.graph.Graph.build_contiguity(areas.set_index('code'))",
        )
    adj = graph.adjacency.reset_index()
    adj.columns = ["focal", "neighbor", "weight"]
    adj = adj.astype({"focal": str, "neighbor": str})
    adj = adj[(adj["focal"] != adj["neighbor"]) & (adj["weight"] > 0)]
    pos = pd.Series(np.arange(n), index=codes)
    adj = adj[adj["focal"].isin(pos.index) & adj["neighbor"].isin(pos.index)]
    i, j = pos[adj["focal"]].to_numpy(), pos[adj["neighbor"]].to_numpy()
    a = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    a = ((a + a.T) > 0).astype(float).tocsr()
    isl = int((np.asarray(a.sum(axis=1)).ravel() == 0).sum())
    if isl:
        notes.append(f"{isl} areas without neighbours in the graph (islands): their effects are unstructured")
    return a


@dataclass(frozen=True)
class MeasurementResult:
    """Zwijgwijk and effort flags from the measurement model; ``to_frame()`` keyed by area code."""

    table: pd.DataFrame
    fit: dict  # hyperparameters, fixed effects, diagnostics
    parameters: dict
    missing_indicators: dict
    notes: tuple[str, ...] = ()
    draws: dict = field(default_factory=dict, repr=False, compare=False)  # posterior draws per area (problem, ...)

    def to_frame(self) -> pd.DataFrame:
        """Exactly the columns ``area_code, observed, expected, ratio, ratio_low, ratio_high, p_under, flag``."""
        return self.table.reset_index()[list(COLUMNS)]

    def details(self) -> pd.DataFrame:
        return self.table.reset_index()

    @property
    def published(self) -> bool:
        return bool(self.fit["diagnostics"]["converged"])

    def summary(self) -> dict:
        t = self.table
        return {
            "areas": len(t),
            "tested": int(t["tested"].sum()),
            "not_tested": int((~t["tested"]).sum()),
            "flagged": {
                "zwijgwijk": int((t["flag"] == "zwijgwijk").sum()),
                "effort": int((t["flag"] == "effort").sum()),
            },
            "flags_published": self.published,
            "also_effort_driven": int(((t["flag"] == "zwijgwijk") & t["effort_driven"]).sum()),
            "test_channel": "reports",
            "effort_flag_available": self.parameters["effort_flag_available"],
            "missing_indicators": dict(self.missing_indicators),
            "model": self.fit,
            "parameters": dict(self.parameters),
            "notes": list(self.notes),
        }


_CHANNELS = {
    "tips": "tips.anonymous_drugs",
    "reports": "reports.drug_nuisance",
    "registrations": ("registered.drug_trade", "registered.drug_use", "registered.drug_production"),
    "survey": "survey.drug_nuisance_pct",
    "respondents": "survey.respondents",
    "vulnerability": "ses.vulnerable_pct",
    "effort": "police.effort",
    "population": "population",
}


def measurement_model(
    frame: pd.DataFrame,
    *,
    graph: Graph | None = None,
    years: int = 1,
    survey: pd.DataFrame | None = None,
    survey_area: pd.Series | None = None,
    covariates: Sequence[str] = ("ses.vulnerable_pct",),
    shortfall: float = 0.5,
    alpha: float = DEFAULT_FDR,
    interval: float = 0.90,
    min_population: float = 250.0,
    draws: int = 1000,
    seed: int | np.random.Generator = 0,
    hyperparameters: dict | None = None,
    approximate: bool | None = None,
) -> MeasurementResult:
    """Fit the measurement model to one row per area and flag zwijgwijken (and effort areas).

    Parameters
    ----------
    frame:
        Index area code; columns (canonical names) ``population`` (required), ``reports.drug_nuisance``
        (required), ``tips.anonymous_drugs``, ``registered.*``, ``police.effort``, ``ses.vulnerable_pct``,
        and at the areas' own level ``survey.drug_nuisance_pct`` with ``survey.respondents``. Counts
        summed over ``years`` years, percentages averaged.
    graph:
        ``libpysal.graph.Graph`` over the area codes (spatial parts of problem and propensity).
    survey, survey_area:
        A survey at coarser areas: ``survey`` indexed by survey-area code with the survey columns,
        ``survey_area`` maps each area code to its survey area. Without them the frame's own survey
        columns are used (each area its own survey area).
    covariates:
        Structural covariates of the problem (percentages, logit-transformed and standardised).
        Vulnerability also enters the propensity (so it may lower reporting) when present.
    shortfall:
        A zwijgwijk's propensity is below the city's times ``1 - shortfall`` (default 0.5: half).
    alpha:
        Bayesian FDR of the flagged set (mean posterior error probability), default ``DEFAULT_FDR`` (0.20).
    hyperparameters:
        Fix the hyperparameters instead of estimating them (the ``hyperparameters`` of an earlier
        run's ``summary()["model"]``): a quick refit, e.g. for new counts in the same city.
    approximate:
        Estimate the hyperparameters on a connected block of ``HYPER_BLOCK`` areas (:func:`hyper_block`)
        and fix them for the fit of all areas. None (default): only above ``LARGE_AREAS`` modelled areas.
        The block's checks count: a block fit that fails them fails the whole fit.
    """
    if not isinstance(frame, pd.DataFrame):
        _fail("The input is not a table.", type(frame).__name__, "a pandas DataFrame", "use area_frame")
    for name, value, lo, hi in (("shortfall", shortfall, 0, 1), ("alpha", alpha, 0, 1), ("interval", interval, 0, 1)):
        if not isinstance(value, (int, float)) or not lo < value < hi:
            _fail(f"Invalid {name}.", repr(value), f"a number in ({lo}, {hi})", "see the docs")
    if not isinstance(years, int) or years < 1:
        _fail("Invalid years.", repr(years), "a whole number >= 1", "pass the number of years the counts cover")
    if frame.index.has_duplicates:
        _fail(
            "Duplicate area codes.",
            ", ".join(map(str, frame.index[frame.index.duplicated()][:5])),
            "one row per area",
            "aggregate the rows per area first",
        )
    for need in ("population",):
        if need not in frame.columns:
            _fail(
                f"The column {need} is missing.",
                ", ".join(map(str, frame.columns)) or "(no columns)",
                f"a '{need}' column",
                f"load {need} for these areas and period",
            )
    rng = as_generator(seed)
    frame = frame.copy()
    frame.index = frame.index.map(str)
    frame = frame.sort_index()
    notes: list[str] = []
    absent: dict[str, str] = {}
    pop_all = _num(frame, "population")
    assert pop_all is not None  # the population column is checked above
    if (pop_all < 0).any():
        _fail("Negative population.", "population", "inhabitants >= 0", "correct the data")
    modelled = np.isfinite(pop_all) & (pop_all >= min_population)
    if modelled.sum() < 10:
        _fail(
            "Too few areas to fit the measurement model.",
            f"{int(modelled.sum())} areas with population >= {min_population:g}",
            "at least 10 (better: hundreds)",
            "analyse a finer level or load population",
        )
    if "reports.drug_nuisance" not in frame.columns:
        _fail(
            "The column reports.drug_nuisance is missing.",
            ", ".join(map(str, frame.columns)),
            "a 'reports.drug_nuisance' column (residents' reports: the channel whose propensity is judged)",
            "load residents' reports (weerbaar ingest signalen, or the operational store) for this period",
        )
    sub = frame[modelled]
    codes = sub.index
    n = len(sub)
    pop = pop_all[modelled]
    log_e = np.log(pop * years / 1000.0)

    def channel(col: str) -> np.ndarray:
        v = _count(sub, col)
        if v is None:
            return np.full(n, np.nan)
        return v

    reports = channel("reports.drug_nuisance")
    if not np.isfinite(reports).any():
        _fail(
            "No reports in the data.",
            "reports.drug_nuisance all missing",
            "report counts per area",
            "load residents' reports (weerbaar ingest signalen) for this period",
        )
    tips = channel("tips.anonymous_drugs")
    if not np.isfinite(tips).any():
        absent["tips.anonymous_drugs"] = "no anonymous tips: the problem rests on survey and registrations"
    reg_cols = [c for c in _CHANNELS["registrations"] if c in sub.columns]
    # reg_cols is not empty, so the sum is an array (not the start value 0)
    regs = cast(np.ndarray, sum(channel(c) for c in reg_cols)) if reg_cols else np.full(n, np.nan)
    if not reg_cols:
        absent["registered.*"] = "no registrations: the problem rests on survey and tips"
    eff = _num(sub, "police.effort")
    log_eff = None
    if eff is not None and np.isfinite(eff).any():
        if (eff[np.isfinite(eff)] <= 0).any():
            _fail(
                "Police effort must be positive.",
                "police.effort <= 0",
                "an index > 0 (city mean 100)",
                "leave unknown effort empty instead of 0",
            )
        le = np.log(eff / 100)
        log_eff = np.where(np.isfinite(le), le, np.nanmedian(le))
    else:
        absent["police.effort"] = (
            "no police effort index: effort is an area effect in the registrations, "
            "which cannot be told apart from the problem's noise there; no effort flag"
        )
    cov_cols = [c for c in covariates if c in sub.columns]

    def present(col: str) -> np.ndarray:
        v = _num(sub, col)
        assert v is not None  # only for columns present in sub
        return v

    for c in covariates:
        if c not in sub.columns:
            absent[c] = "structural covariate absent: the problem rests on the channels and the spatial effect"
    xcov = (
        np.column_stack([_standardise(_logit_pct(present(c), c)) for c in cov_cols]) if cov_cols else np.zeros((n, 0))
    )
    for c in cov_cols:
        k = int(np.isnan(present(c)).sum())
        if k:
            notes.append(f"{c}: {k} areas without a value got the median")
    vuln = xcov[:, cov_cols.index("ses.vulnerable_pct")] if "ses.vulnerable_pct" in cov_cols else None
    if vuln is None:
        notes.append("no vulnerability: the propensity has no vulnerability term")

    # survey at its own areas
    if survey is not None:
        if survey_area is None:
            _fail(
                "A survey at its own areas needs the mapping of areas to survey areas.",
                "survey without survey_area",
                "survey_area: area code -> survey-area code",
                "pass survey_area",
            )
        sa = survey_area.astype(str).reindex(codes)
        sv = survey.copy()
        sv.index = sv.index.map(str)
    elif "survey.drug_nuisance_pct" in sub.columns:
        sa = pd.Series(codes, index=codes)
        sv = sub[[c for c in ("survey.drug_nuisance_pct", "survey.respondents") if c in sub.columns]]
    else:
        sa, sv = pd.Series(np.nan, index=codes, dtype=object), None
        absent["survey.drug_nuisance_pct"] = "no survey: the problem rests on tips and registrations"
    k_s = n_s = np.zeros(0)
    agg = sparse.csr_matrix((0, n))
    m = 0
    if sv is not None:
        if "survey.respondents" not in sv.columns:
            notes.append("survey without respondents: 100 respondents per survey area assumed")
        pct = _num(sv, "survey.drug_nuisance_pct")
        if pct is None:
            _fail(
                "The survey table lacks survey.drug_nuisance_pct.",
                ", ".join(sv.columns),
                "survey.drug_nuisance_pct and survey.respondents",
                "add the survey share",
            )
        _logit_pct(np.nan_to_num(pct), "survey.drug_nuisance_pct")
        resp = _num(sv, "survey.respondents") if "survey.respondents" in sv.columns else np.full(len(sv), 100.0)
        assert resp is not None  # the column is present when read
        if sv.index.has_duplicates:
            _fail(
                "Duplicate survey areas.",
                ", ".join(map(str, sv.index[sv.index.duplicated()][:5])),
                "one survey row per survey area",
                "aggregate the survey per survey area first",
            )
        ok = np.isfinite(pct) & np.isfinite(resp) & (resp > 0)
        assigned = set(sa.dropna())
        used = [s for s in sv.index[ok] if s in assigned]
        pos = {s: k for k, s in enumerate(used)}
        m = len(used)
        if m:
            rows = np.array([pos.get(s, -1) if isinstance(s, str) else -1 for s in sa.to_numpy()])
            ii = np.flatnonzero(rows >= 0)
            w = sparse.csr_matrix((pop[ii], (rows[ii], ii)), shape=(m, n))
            tot = np.asarray(w.sum(axis=1)).ravel()
            agg = (sparse.diags(1 / tot) @ w).tocsr()
            at = pd.Index(sv.index[ok]).get_indexer(used)  # each used survey area's row among the valid ones
            n_s = np.round(resp[ok][at] * 1.0)
            k_s = np.round(pct[ok][at] / 100 * n_s)
        if m < 3:
            notes.append("fewer than 3 survey areas match the analysed areas: the survey is not used")
            m, k_s, n_s, agg = 0, np.zeros(0), np.zeros(0), sparse.csr_matrix((0, n))
    if m == 0 and not np.isfinite(tips).any() and not reg_cols:
        _fail(
            "Only reports: the problem cannot be separated from the propensity.",
            "reports only",
            "at least one of survey, tips or registrations",
            "load the survey, anonymous tips or registrations",
        )
    adj = _adjacency(graph, codes, notes)
    eig = None
    if n <= 3000:
        deg = np.asarray(adj.sum(axis=1)).ravel()
        eig = np.clip(np.linalg.eigvalsh((sparse.diags(deg) - adj).toarray()), 0, None)
    fixed = ["a_tips", "a_reports", "a_registrations", "a_survey"] + [f"beta{j}" for j in range(xcov.shape[1])]
    if vuln is not None:
        fixed.append("gamma")
    if log_eff is not None:
        fixed.append("delta")
    design = _Design(n, m, fixed, xcov, vuln, log_eff, log_e, tips, reports, regs, k_s, n_s, agg, adj, eig)
    block_info: dict | None = None
    if hyperparameters is None and n > HYPER_BLOCK and (approximate or (approximate is None and n > LARGE_AREAS)):
        block = hyper_block(graph, codes, HYPER_BLOCK)
        keep = set(block)
        block_sa = None if survey_area is None else survey_area.set_axis(survey_area.index.map(str)).reindex(block)
        why = ""
        try:
            rb = measurement_model(
                sub.loc[block],
                graph=None if graph is None else graph.subgraph([i for i in graph.unique_ids if str(i) in keep]),
                years=years,
                survey=survey,
                survey_area=block_sa,
                covariates=covariates,
                shortfall=shortfall,
                alpha=alpha,
                interval=interval,
                min_population=min_population,
                draws=50,
                seed=np.random.default_rng(0),  # its own generator: the run's draws do not depend on the block
                approximate=False,
            )
        except InputError as exc:
            why = f"the block alone cannot be fitted ({exc.problem})"
        else:
            # every channel of the full data must be seen in the block, or its hyperparameters stay at their start
            if set(rb.missing_indicators) != set(absent) or (m >= 3) != (rb.fit["survey_areas"] >= 3):
                why = "the block does not see every channel the areas have (survey areas, tips or registrations)"
        if why:
            notes.append(f"{n} areas: no block approximation ({why}); the hyperparameters are estimated on all areas")
        else:
            hyperparameters = dict(rb.fit["hyperparameters"])
            block_info = {
                "method": "hyperparameters estimated on a connected block, then fixed for the fit of all areas",
                "block_areas": len(block),
                "areas": int(n),
                "block_survey_areas": int(rb.fit["survey_areas"]),
                "block_converged": rb.published,
                "block_diagnostics": rb.fit["diagnostics"],
            }
            notes.append(
                f"{n} areas: hyperparameters estimated on a connected block of {len(block)} areas and fixed for the "
                "fit of all areas (the faster approximation; on 13,000 test areas its flags agreed with the full "
                "fit's on 99.8 % of the areas)"
            )
    theta = None
    if hyperparameters is not None:
        names = [h[0] for h in _HYPER]
        unknown = sorted(set(hyperparameters) - set(names))
        if unknown or len(hyperparameters) != len(names):
            _fail(
                "Incomplete or unknown hyperparameters.",
                ", ".join(map(str, hyperparameters)),
                ", ".join(names),
                "pass summary()['model']['hyperparameters'] of an earlier run",
            )
        theta = np.array([float(hyperparameters[k]) for k in names])
    fit = laplace_fit(design, theta)
    if block_info is not None:
        fit.diagnostics["approximation"] = block_info
        if not block_info["block_converged"]:
            fit.diagnostics["converged"] = False
    return _summarise(
        fit,
        frame,
        codes,
        modelled,
        cov_cols,
        reg_cols,
        pop,
        years,
        shortfall,
        alpha,
        interval,
        draws,
        rng,
        notes,
        absent,
        min_population,
    )


def _fmt(v: float, d: int, nl: bool) -> str:
    s = f"{v:,.{d}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".") if nl else s


def _summarise(
    fit: LaplaceFit,
    frame: pd.DataFrame,
    codes: pd.Index,
    modelled: np.ndarray,
    cov_cols: list[str],
    reg_cols: list[str],
    pop: np.ndarray,
    years: int,
    shortfall: float,
    alpha: float,
    interval: float,
    n_draws: int,
    rng: np.random.Generator,
    notes: list[str],
    absent: dict[str, str],
    min_population: float,
) -> MeasurementResult:
    d = fit.design
    mp = fit.maps
    sel = {"p": mp.p, "q": mp.q, "a_r": _unit(d, "a_reports")[:1]}
    if d.log_eff is not None:
        sel["delta"] = _unit(d, "delta")[:1]
    xs = fit.projected_draws(n_draws, rng, sel)
    prob = xs["p"]  # log problem (n x S)
    prop = xs["q"]  # log propensity
    w = pop / pop.sum()
    city_q = w @ prop
    rel = prop - city_q  # log propensity relative to the city (population weighted)
    a_r = xs["a_r"][0]
    mu_city = np.exp(d.log_e[:, None] + a_r[None, :] + prob + city_q[None, :])  # reports at the city's propensity
    cut = np.log(1 - shortfall)
    p_silent = (rel < cut).mean(axis=1)
    a = (1 - interval) / 2
    ratio = np.exp(np.median(rel, axis=1))
    lo, hi = np.exp(np.quantile(rel, [a, 1 - a], axis=1))
    converged = fit.diagnostics["converged"]
    err = 1 - p_silent
    q_under, zw = bayes_fdr(np.where(np.isfinite(d.reports), err, np.nan), alpha, MAX_AREA_ERROR)
    eff_avail = d.log_eff is not None and np.isfinite(d.regs).any()
    eff_rel = eff_p = q_eff = np.full(d.n, np.nan)
    is_eff = np.zeros(d.n, dtype=bool)
    if eff_avail:
        assert d.log_eff is not None  # eff_avail says so
        # Registrations per unit of problem relative to the city, as far as police effort explains them:
        # delta x log effort index. The iid area effect g is left out: with one count per area it cannot be
        # told apart from the registrations' own overdispersion, and including it made the flag fire on
        # noise (issue 14: 4 of 14 flagged truly had > 2x effort).
        e_log = xs["delta"][0][None, :] * d.log_eff[:, None]
        e_rel = e_log - (w @ e_log)[None, :]
        eff_p = (e_rel > -cut).mean(axis=1)
        eff_rel = np.exp(np.median(e_rel, axis=1))
        q_eff, is_eff = bayes_fdr(np.where(np.isfinite(d.regs), 1 - eff_p, np.nan), alpha, MAX_AREA_ERROR)
    else:
        notes.append(
            "no effort flag: without a police effort index, registrations per unit of problem cannot be "
            "told apart from the registrations' own noise"
        )
    if not converged:
        notes.append("the model fit did not pass its checks (see diagnostics): no flags are published")
        zw[:] = False
        is_eff[:] = False
    flag = np.where(zw, "zwijgwijk", np.where(is_eff, "effort", ""))
    prob_med = np.median(prob, axis=1)
    pl = np.quantile(prob, [a, 1 - a], axis=1)
    all_codes = frame.index
    t = pd.DataFrame(index=codes)
    t["observed"] = d.reports
    t["expected"] = mu_city.mean(axis=1)
    t["ratio"], t["ratio_low"], t["ratio_high"] = ratio, lo, hi
    t["p_under"] = err
    t["flag"] = flag
    t["q_under"] = q_under
    t["p_silent"] = p_silent
    t["problem_level"] = prob_med - np.median(prob_med)
    t["problem_low"], t["problem_high"] = pl[0] - np.median(prob_med), pl[1] - np.median(prob_med)
    t["problem_percentile"] = np.round(100 * pd.Series(prob_med).rank(pct=True).to_numpy())
    t["candidate"] = np.isfinite(d.reports)
    t["tested"] = np.isfinite(d.reports)
    t["effort_ratio"] = eff_rel
    t["p_effort"] = eff_p
    t["q_effort"] = q_eff
    t["effort_driven"] = is_eff
    t["tips_observed"] = d.tips
    t["registrations_observed"] = d.regs
    t["population"] = pop
    t = t.reindex(all_codes)
    t.index.name = "area_code"
    for c in ("tested", "candidate", "effort_driven"):
        t[c] = t[c].astype("boolean").fillna(False).astype(bool)
    t["flag"] = t["flag"].fillna("")
    small = ~modelled
    observed_all = _count(frame, "reports.drug_nuisance")
    assert observed_all is not None  # measurement_model checks the column is present
    t.loc[small, "observed"] = observed_all[small]
    t.loc[small, "population"] = frame["population"].to_numpy(dtype=float)[small]
    why = np.where(small, f"population < {min_population:g} or unknown: not modelled", "")
    why = np.where(~small & ~t["tested"].to_numpy(), "reports missing: not tested", why)
    t["not_tested"] = why
    t["reason_nl"], t["reason_en"] = _reasons(t, shortfall, years)
    hy = fit.hyper
    fixed = {nm: round(float(fit.mode[k]), 4) for k, nm in enumerate(d.fixed)}
    for j, c in enumerate(cov_cols):
        fixed[f"problem.{c}"] = fixed.pop(f"beta{j}")
    if "gamma" in fixed:
        fixed["propensity.ses.vulnerable_pct"] = fixed.pop("gamma")
    if "delta" in fixed:
        fixed["registrations.log_effort"] = fixed.pop("delta")
    hyper = {k: round(float(v), 4) for k, v in hy.items()}
    readable = {
        "sd_problem": np.exp(hy["log_sd_problem"]),
        "spatial_share_problem": special.expit(hy["logit_rho_problem"]),
        "sd_propensity": np.exp(hy["log_sd_propensity"]),
        "spatial_share_propensity": special.expit(hy["logit_rho_propensity"]),
        "sd_tips": np.exp(hy["log_sd_tips"]),
        "sd_registrations": np.exp(hy["log_sd_registrations"]),
        "sd_survey": np.exp(hy["log_sd_survey"]),
        "survey_slope_lambda": np.exp(hy["log_lambda"]),
        "survey_fear_phi": hy["phi_fear"],
    }
    fit_info = {
        "fixed_effects": fixed,
        "hyperparameters": hyper,
        "readable": {k: round(float(v), 4) for k, v in readable.items()},
        "diagnostics": fit.diagnostics,
        "areas_modelled": int(d.n),
        "survey_areas": int(d.m),
        "years": years,
    }
    params = {
        "model": "measurement",
        "shortfall": shortfall,
        "alpha": alpha,
        "interval": interval,
        "draws": n_draws,
        "min_population": min_population,
        "covariates": list(cov_cols),
        "registrations": list(reg_cols),
        "effort_flag_available": bool(eff_avail),
        "years": years,
    }
    kept = {"problem": prob, "propensity_rel": rel}
    return MeasurementResult(t, fit_info, params, absent, tuple(notes), {"codes": list(codes), **kept})


def _reasons(t: pd.DataFrame, shortfall: float, years: int) -> tuple[np.ndarray, np.ndarray]:
    nl_out = t["not_tested"].map({"": ""}).fillna("").to_numpy(dtype=object)
    en_out = t["not_tested"].to_numpy(dtype=object).copy()
    nl_out = np.where(en_out != "", "niet gemodelleerd of niet getoetst", "").astype(object)
    keep = int(round(100 * (1 - shortfall)))
    plain = (t["flag"] == "").to_numpy() & t["tested"].to_numpy(bool) & np.isfinite(t["ratio"].to_numpy(float))
    for k in np.flatnonzero(plain):
        r = t.iloc[k]
        nl_out[k] = (
            f"Geen zwijgwijk-signaal. Bewoners melden hier naar schatting {_fmt(100 * r['ratio'], 0, True)}% van wat "
            f"elders in de stad bij hetzelfde drugsprobleem gemeld wordt (90%-interval "
            f"{_fmt(100 * r['ratio_low'], 0, True)}-{_fmt(100 * r['ratio_high'], 0, True)}%); de kans dat de "
            f"meldingsbereidheid onder {keep}% van die van de stad ligt is {_fmt(100 * r['p_silent'], 0, True)}%."
        )
        en_out[k] = (
            f"No silent-neighbourhood signal. Residents here report an estimated {100 * r['ratio']:.0f}% of what is "
            f"reported elsewhere in the city for the same drug problem (90% interval {100 * r['ratio_low']:.0f}-"
            f"{100 * r['ratio_high']:.0f}%); the probability that the willingness to report is below {keep}% of the "
            f"city's is {100 * r['p_silent']:.0f}%."
        )
    for k in np.flatnonzero((t["flag"] != "").to_numpy()):
        r = t.iloc[k]
        if r["flag"] == "zwijgwijk":
            nl_out[k] = (
                f"Bewoners melden hier naar schatting {_fmt(100 * r['ratio'], 0, True)}% van wat bewoners elders in de "
                f"stad bij hetzelfde drugsprobleem melden (90%-interval {_fmt(100 * r['ratio_low'], 0, True)}-"
                f"{_fmt(100 * r['ratio_high'], 0, True)}%): {_fmt(r['observed'], 0, True)} meldingen tegen "
                f"{_fmt(r['expected'], 1, True)} verwacht. De kans dat de meldingsbereidheid onder {keep}% van die "
                f"van de stad ligt is {_fmt(100 * r['p_silent'], 0, True)}%. Het probleem zelf is geschat uit de "
                f"enquête, anonieme tips en registraties (percentiel {r['problem_percentile']:.0f})."
            )
            en_out[k] = (
                f"Residents here report an estimated {100 * r['ratio']:.0f}% of what residents elsewhere in the city "
                f"report for the same drug problem (90% interval {100 * r['ratio_low']:.0f}-"
                f"{100 * r['ratio_high']:.0f}%): {r['observed']:.0f} reports against {r['expected']:.1f} expected. "
                f"The probability that the willingness to report is below {keep}% of the city's is "
                f"{100 * r['p_silent']:.0f}%. The problem itself is estimated from the survey, anonymous tips and "
                f"registrations (percentile {r['problem_percentile']:.0f})."
            )
        else:
            nl_out[k] = (
                f"Registraties per eenheid drugsprobleem naar schatting {_fmt(r['effort_ratio'], 1, True)} keer die "
                f"van de stad (kans {_fmt(100 * r['p_effort'], 0, True)}% dat het meer dan "
                f"{_fmt(1 / (1 - shortfall), 1, True)} keer is): hoog door politie-inzet, "
                "niet door een groter probleem."
            )
            en_out[k] = (
                f"Registrations per unit of drug problem an estimated {r['effort_ratio']:.1f} times the city's "
                f"(probability {100 * r['p_effort']:.0f}% that it is more than {1 / (1 - shortfall):.1f} times): "
                f"high because of police effort, not a larger problem."
            )
    return nl_out, en_out
