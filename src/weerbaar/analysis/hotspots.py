"""Spatial clustering of one indicator: global Moran's I, local Moran (LISA) and Getis-Ord Gi*.

All three take the indicator as a Series indexed by area code and the spatial weights as a
libpysal ``Graph`` (see :mod:`weerbaar.analysis.weights`). Local statistics use conditional
permutation inference (999 permutations by default, seeded), two-sided pseudo p-values and a
Benjamini-Hochberg FDR correction across areas; categories follow the FDR-adjusted p-values.
Areas without a value, without neighbours, or an indicator without variance give the
category "insufficient data" with the reason, never a silent NaN. The statistics equal esda's
(``Moran``, ``Moran_Local``, ``G_Local(star=True, transform="B")``; tested on libpysal's
Columbus data). See docs/methods/hotspots.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..errors import InputError
from .inference import (
    as_generator,
    check_permutations,
    conditional_permutation,
    fdr_bh,
    normal_p,
    permutation_p,
)
from .weights import WeightsResult, graph_matrix

__all__ = [
    "INSUFFICIENT",
    "NOT_SIGNIFICANT",
    "GI_CATEGORIES",
    "LISA_CATEGORIES",
    "GlobalMoranResult",
    "LocalResult",
    "gi_bin",
    "gi_star",
    "global_moran",
    "local_moran",
]

INSUFFICIENT = "insufficient data"
NOT_SIGNIFICANT = "not significant"
GI_LEVELS = ((0.01, "99%"), (0.05, "95%"), (0.10, "90%"))  # ArcGIS confidence bins
GI_CATEGORIES = (
    *(f"hot spot {c}" for _, c in GI_LEVELS),
    *(f"cold spot {c}" for _, c in GI_LEVELS),
    NOT_SIGNIFICANT,
    INSUFFICIENT,
)
LISA_CATEGORIES = ("HH", "LL", "HL", "LH", NOT_SIGNIFICANT, INSUFFICIENT)
LOCAL_COLUMNS = ["statistic", "z", "p", "p_fdr", "category"]
TRANSFORMS = ("r", "b")
CORRECTIONS = ("fdr", "none")


# -- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Aligned:
    codes: np.ndarray  # every area (graph areas, then unknown ones), sorted within each part
    y: np.ndarray  # value per area (NaN where missing)
    in_graph: np.ndarray  # bool
    valid: np.ndarray  # bool: in graph and has a finite value
    w: sp.csr_array  # weights among the valid areas (graph weights, diagonal kept)
    name: str


def _as_graph(graph: Graph | WeightsResult) -> Graph:
    return graph.graph if isinstance(graph, WeightsResult) else graph


def _align(values: pd.Series, graph: Graph | WeightsResult) -> _Aligned:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InputError(
                "Expected one indicator.",
                received=f"a table with columns {', '.join(map(str, values.columns[:6]))}",
                expected="a Series of values indexed by area code (or a one-column table)",
                fix="pass frame['indicator'] instead of the whole table",
            )
        values = values.iloc[:, 0]
    if not isinstance(values, pd.Series):
        raise InputError(
            "Values must be a pandas Series indexed by area code.",
            received=type(values).__name__,
            expected="pandas.Series (index: area code)",
            fix="pass frame['indicator'] of a per-area frame",
        )
    if values.index.has_duplicates:
        raise InputError(
            "Duplicate area codes in the values.",
            received=", ".join(map(str, values.index[values.index.duplicated()][:5])),
            expected="one value per area",
            fix="aggregate the values per area first",
        )
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = values.notna() & num.isna()
    if bad.any():
        raise InputError(
            "Values are not numeric.",
            received=repr(values[bad].iloc[0]),
            expected="numbers (NaN for a missing value)",
            fix="clean the indicator column",
        )
    num.index = num.index.astype(str)
    ids, mat = graph_matrix(_as_graph(graph))
    known = pd.Index(ids)
    unknown = sorted(set(num.index) - set(known))
    if len(unknown) == len(num) and len(num):
        raise InputError(
            "None of the areas in the values is in the spatial weights.",
            received=", ".join(unknown[:5]),
            expected=", ".join(map(str, ids[:5])) + (" ..." if len(ids) > 5 else ""),
            fix="build the graph from the same division and level as the values",
        )
    y_graph = num.reindex(known).to_numpy(dtype="float64", copy=True)
    y_graph[~np.isfinite(y_graph)] = np.nan
    valid_graph = ~np.isnan(y_graph)
    vidx = np.flatnonzero(valid_graph)
    w = sp.csr_array(mat[vidx][:, vidx])
    codes = np.concatenate([ids, np.asarray(unknown, dtype=object)])
    y = np.concatenate([y_graph, num.reindex(unknown).to_numpy(dtype="float64")])
    in_graph = np.concatenate([np.ones(len(ids), bool), np.zeros(len(unknown), bool)])
    valid = np.concatenate([valid_graph, np.zeros(len(unknown), bool)])
    return _Aligned(codes, y, in_graph, valid, w, str(values.name) if values.name is not None else "value")


def _no_diagonal(w: sp.csr_array) -> sp.csr_array:
    w = sp.csr_array(w, copy=True)
    w.setdiag(0)
    w.eliminate_zeros()
    return w


def _transform(w: sp.csr_array, transform: str) -> sp.csr_array:
    if transform not in TRANSFORMS:
        raise InputError(
            "Unknown weights transformation.",
            received=repr(transform),
            expected="'r' (row-standardised) or 'b' (binary)",
            fix="use transform='r'",
        )
    w = sp.csr_array(w, copy=True)
    if transform == "b":
        w.data[:] = 1.0
        return w
    rs = np.asarray(w.sum(axis=1)).ravel()
    inv = np.divide(1.0, rs, out=np.zeros_like(rs), where=rs != 0)
    return sp.csr_array(sp.diags_array(inv) @ w)


def _base_reasons(a: _Aligned) -> np.ndarray:
    reason = np.full(len(a.codes), "", dtype=object)
    reason[~a.in_graph] = "area not in the spatial weights"
    reason[a.in_graph & ~a.valid] = "no value for this area"
    return reason


def _check_alpha(alpha: float) -> float:
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise InputError(
            "Invalid significance level.", received=repr(alpha), expected="0 < alpha < 1", fix="alpha=0.05"
        )
    return float(alpha)


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalResult:
    """Local statistics per area: ``statistic, z, p, p_fdr, category`` plus details.

    Details: ``p_sim`` (esda's directed pseudo p, half the two-sided one), ``expected`` and
    ``variance`` of the statistic under the null, ``n_neighbours``, ``quadrant`` (local Moran)
    and ``reason`` (why an area has "insufficient data").
    """

    table: pd.DataFrame
    method: str
    parameters: dict
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> dict:
        t = self.table
        counts = t["category"].value_counts()
        cats = GI_CATEGORIES if self.method == "gi_star" else LISA_CATEGORIES
        return {
            "method": self.method,
            "indicator": self.parameters.get("indicator"),
            "areas": len(t),
            "tested": int((t["category"] != INSUFFICIENT).sum()),
            "categories": {c: int(counts.get(c, 0)) for c in cats},
            "significant": int((~t["category"].isin([NOT_SIGNIFICANT, INSUFFICIENT])).sum()),
            "insufficient_reasons": {
                str(k): int(v) for k, v in t.loc[t["reason"] != "", "reason"].value_counts().items()
            },
            "permutations": self.parameters["permutations"],
            "seed": self.parameters["seed"],
            "correction": self.parameters["correction"],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class GlobalMoranResult:
    """Global Moran's I with its normal, randomisation and permutation inference."""

    I: float  # noqa: E741 -- the statistic's conventional name
    expected: float
    variance_norm: float
    z_norm: float
    p_norm: float
    variance_rand: float
    z_rand: float
    p_rand: float
    p_sim: float  # two-sided pseudo p (total randomisation)
    p_sim_directed: float  # esda's p_sim
    z_sim: float
    n: int
    parameters: dict
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.reason

    def to_frame(self) -> pd.DataFrame:
        row = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("parameters", "notes")}
        row["indicator"] = self.parameters.get("indicator")
        row["category"] = (
            INSUFFICIENT
            if self.reason
            else ("clustered" if self._significant(1) else "dispersed" if self._significant(-1) else NOT_SIGNIFICANT)
        )
        return pd.DataFrame([row])

    def _significant(self, sign: int) -> bool:
        p = self.p_sim if self.parameters["permutations"] else self.p_rand
        return bool(np.sign(self.I - self.expected) == sign and p <= self.parameters["alpha"])

    def summary(self) -> dict:
        return {
            "method": "global_moran",
            "indicator": self.parameters.get("indicator"),
            "I": None if np.isnan(self.I) else round(float(self.I), 6),
            "expected": round(float(self.expected), 6) if np.isfinite(self.expected) else None,
            "z_rand": None if np.isnan(self.z_rand) else round(float(self.z_rand), 4),
            "p_rand": None if np.isnan(self.p_rand) else float(self.p_rand),
            "p_sim": None if np.isnan(self.p_sim) else float(self.p_sim),
            "n": self.n,
            "category": self.to_frame()["category"].iloc[0],
            "reason": self.reason,
            "permutations": self.parameters["permutations"],
            "seed": self.parameters["seed"],
            "notes": list(self.notes),
        }


# -- global Moran --------------------------------------------------------------------------------


def global_moran(
    values: pd.Series,
    graph: Graph | WeightsResult,
    *,
    transform: str = "r",
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
) -> GlobalMoranResult:
    """Global Moran's I = (n / S0) z'Wz / z'z over the areas with a value.

    Moments under normality and randomisation as in Cliff & Ord (1981) (esda's ``VI_norm`` and
    ``VI_rand``), two-sided normal p-values, and a two-sided pseudo p from ``permutations``
    total randomisations (seeded). Islands take part with a zero lag (as in esda) and are
    noted. Fewer than 4 areas or no variance: a result with ``reason`` set and NaN statistics.
    """
    permutations = check_permutations(permutations)
    alpha = _check_alpha(alpha)
    rng = as_generator(seed)
    a = _align(values, graph)
    params = {
        "indicator": a.name,
        "transform": transform,
        "permutations": permutations,
        "seed": seed if not isinstance(seed, np.random.Generator) else "generator",
        "alpha": alpha,
    }
    w = _transform(_no_diagonal(a.w), transform)
    y = a.y[a.valid]
    n = len(y)
    notes = []
    n_islands = int((np.diff(w.indptr) == 0).sum())
    if n_islands:
        notes.append(f"{n_islands} area(s) without neighbours take part with a zero spatial lag")
    if (~a.valid).any():
        notes.append(f"{int((~a.valid).sum())} area(s) left out: no value or not in the weights")
    nan = float("nan")
    reason = ""
    z = y - y.mean() if n else y
    s0 = float(w.sum())
    if n < 4:
        reason = f"only {n} area(s) with a value; at least 4 are needed"
    elif not (z * z).sum() > 0:
        reason = "the indicator has no variance (all values are equal)"
    elif s0 == 0:
        reason = "no area has a neighbour"
    if reason:
        return GlobalMoranResult(nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, n, params, reason, tuple(notes))
    z2 = (z * z).sum()
    stat = n / s0 * float(z @ (w @ z)) / z2
    ei = -1.0 / (n - 1)
    wt = sp.csr_array(w.T)
    s1 = 0.5 * float(((w + wt) ** 2).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    n2, s02 = n * n, s0 * s0
    vi_norm = (n2 * s1 - n * s2 + 3 * s02) / ((n2 - 1) * s02) - ei * ei
    k = ((z**4).sum() / n) / (z2 / n) ** 2
    big_a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    big_b = k * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    vi_rand = (big_a - big_b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei * ei
    z_norm = (stat - ei) / np.sqrt(vi_norm)
    z_rand = (stat - ei) / np.sqrt(vi_rand) if vi_rand > 0 else nan
    p_sim = p_dir = z_sim = nan
    if permutations:
        sims = np.empty(permutations)
        block = max(1, 2_000_000 // max(n, 1))
        for s in range(0, permutations, block):
            m = min(block, permutations - s)
            zp = rng.permuted(np.broadcast_to(z, (m, n)), axis=1)
            sims[s : s + m] = n / s0 * np.einsum("pi,pi->p", zp, (w @ zp.T).T) / z2
        tol = 1e-12 * (abs(stat) + 1.0)
        ge, le = float((sims >= stat - tol).sum()), float((sims <= stat + tol).sum())
        p_sim = float(permutation_p(ge, le, permutations, "two-sided"))
        p_dir = float(permutation_p(ge, le, permutations, "directed"))
        sd = sims.std()
        z_sim = (stat - sims.mean()) / sd if sd > 0 else nan
    return GlobalMoranResult(
        I=float(stat),
        expected=ei,
        variance_norm=float(vi_norm),
        z_norm=float(z_norm),
        p_norm=float(normal_p(z_norm)),
        variance_rand=float(vi_rand),
        z_rand=float(z_rand),
        p_rand=float(normal_p(z_rand)),
        p_sim=p_sim,
        p_sim_directed=p_dir,
        z_sim=float(z_sim),
        n=n,
        parameters=params,
        reason="",
        notes=tuple(notes),
    )


# -- local statistics ----------------------------------------------------------------------------


def _finish(
    a: _Aligned,
    reason: np.ndarray,
    stat_v: np.ndarray,
    z_v: np.ndarray,
    p_v: np.ndarray,
    p_sim_v: np.ndarray,
    exp_v: np.ndarray,
    var_v: np.ndarray,
    card_v: np.ndarray,
) -> dict[str, np.ndarray]:
    """Spread values computed for the valid areas over all areas; NaN where there is a reason."""
    n_all = len(a.codes)
    out = {}
    for name, v in (
        ("statistic", stat_v),
        ("z", z_v),
        ("p", p_v),
        ("p_sim", p_sim_v),
        ("expected", exp_v),
        ("variance", var_v),
    ):
        full = np.full(n_all, np.nan)
        full[a.valid] = v
        full[reason != ""] = np.nan
        out[name] = full
    nb = np.zeros(n_all, dtype=np.int64)
    nb[a.valid] = card_v
    out["n_neighbours"] = nb
    out["p_fdr"] = fdr_bh(out["p"])
    return out


def _table(
    a: _Aligned, cols: dict, category: np.ndarray, reason: np.ndarray, extra: dict | None = None
) -> pd.DataFrame:
    data = {
        "statistic": cols["statistic"],
        "z": cols["z"],
        "p": cols["p"],
        "p_fdr": cols["p_fdr"],
        "category": category,
        "p_sim": cols["p_sim"],
        "expected": cols["expected"],
        "variance": cols["variance"],
        "n_neighbours": cols["n_neighbours"],
        "value": a.y,
    }
    data.update(extra or {})
    data["reason"] = reason
    t = pd.DataFrame(data, index=pd.Index(a.codes, name="area_code"))
    return t.sort_index(kind="stable")


def _common_reasons(a: _Aligned, w_no_diag: sp.csr_array, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
    reason = _base_reasons(a)
    notes: list[str] = []
    n = len(y)
    rv = np.full(n, "", dtype=object)
    card = np.diff(w_no_diag.indptr)
    if n < 3:
        rv[:] = f"only {n} area(s) with a value; at least 3 are needed"
    elif not np.var(y) > (1e-12 * np.abs(y).max()) ** 2:
        rv[:] = "the indicator has no variance (all values are equal)"
    else:
        rv[card == 0] = "no neighbours (with a value)"
    reason[a.valid] = rv
    if (rv != "").all() and n:
        notes.append(str(rv[0]))
    return reason, notes


def local_moran(
    values: pd.Series,
    graph: Graph | WeightsResult,
    *,
    transform: str = "r",
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
    correction: str = "fdr",
) -> LocalResult:
    """Local Moran's I_i = (n - 1) z_i sum_j w_ij z_j / sum_j z_j^2 (Anselin 1995), z standardised.

    ``z`` is the analytical z under conditional randomisation (Sokal et al. 1998; esda's
    ``EIc``/``VIc``); ``p`` the two-sided pseudo p-value from ``permutations`` conditional
    permutations (the analytical p when ``permutations=0``); ``p_fdr`` the Benjamini-Hochberg
    adjustment over the tested areas. ``category``: HH, LL, HL or LH (value and spatial lag above
    or below the mean) where the corrected p <= ``alpha``; else "not significant".
    """
    permutations = check_permutations(permutations)
    alpha = _check_alpha(alpha)
    _check_correction(correction)
    rng = as_generator(seed)
    a = _align(values, graph)
    w = _transform(_no_diagonal(a.w), transform)
    y = a.y[a.valid]
    reason, notes = _common_reasons(a, w, y)
    rv = reason[a.valid]
    n = len(y)
    card = np.diff(w.indptr)
    ok = rv == ""
    stat = z_an = p = p_dir = ev = vv = np.full(n, np.nan)
    lag = np.full(n, np.nan)
    if ok.any():
        z = (y - y.mean()) / y.std()
        den = (z * z).sum()
        lag = w @ z
        stat = (n - 1) * z * lag / den
        wi = np.asarray(w.sum(axis=1)).ravel()
        wi2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
        m2 = den / n
        ev = -(z**2 * wi) / ((n - 1) * m2)
        vv = (z / m2) ** 2 * (n / (n - 2)) * (wi2 - wi**2 / (n - 1)) * (m2 - z**2 / (n - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            z_an = np.where(vv > 0, (stat - ev) / np.sqrt(np.where(vv > 0, vv, 1.0)), np.nan)
        if permutations:
            res = conditional_permutation(
                z,
                w,
                np.zeros(n),
                (n - 1) * z / den,
                stat,
                permutations=permutations,
                rng=rng,
                active=ok,
            )
            p = res.p("two-sided")
            p_dir = res.p("directed")
        else:
            p = normal_p(z_an)
            p_dir = np.full(n, np.nan)
        # an area exactly at the mean has I_i = 0 whatever its neighbours: z = 0, p = 1
        at_mean = np.isnan(z_an) & ok
        z_an = np.where(at_mean, 0.0, z_an)
        p = np.where(at_mean, 1.0, p)
    cols = _finish(a, reason, stat, z_an, p, p_dir, ev, vv, card)
    quadrant = np.full(len(a.codes), "", dtype=object)
    if ok.any():
        zq = (y - y.mean()) > 0
        lq = lag > 0
        q = np.where(zq & lq, "HH", np.where(~zq & lq, "LH", np.where(~zq & ~lq, "LL", "HL")))
        qa = np.full(len(a.codes), "", dtype=object)
        qa[a.valid] = q
        quadrant = np.where(reason == "", qa, "")
    pc = cols["p_fdr"] if correction == "fdr" else cols["p"]
    category = np.where(reason != "", INSUFFICIENT, np.where(pc <= alpha, quadrant, NOT_SIGNIFICANT))
    table = _table(a, cols, category, reason, {"quadrant": quadrant})
    params = _params(a, transform, permutations, seed, alpha, correction)
    return LocalResult(table, "local_moran", params, tuple(notes))


def gi_bin(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS confidence bin per area: +3/+2/+1 hot spot at 99/95/90 %, -3/-2/-1 cold, 0 not significant."""
    z = np.asarray(z, dtype="float64")
    p = np.asarray(p, dtype="float64")
    level = np.where(p <= 0.01, 3, np.where(p <= 0.05, 2, np.where(p <= 0.10, 1, 0)))
    return np.where(np.isnan(p) | np.isnan(z), 0, np.sign(np.nan_to_num(z)).astype(int) * level)


def _gi_category(z: np.ndarray, p: np.ndarray, reason: np.ndarray) -> np.ndarray:
    b = gi_bin(z, p)
    names = {
        level * sign: f"{kind} spot {conf}"
        for level, (_, conf) in zip((3, 2, 1), GI_LEVELS, strict=True)
        for sign, kind in ((1, "hot"), (-1, "cold"))
    }
    names[0] = NOT_SIGNIFICANT
    cat = np.array([names[int(v)] for v in b], dtype=object)
    return np.where(reason != "", INSUFFICIENT, cat)


def gi_star(
    values: pd.Series,
    graph: Graph | WeightsResult,
    *,
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
    correction: str = "fdr",
) -> LocalResult:
    """Getis-Ord Gi* with the area itself in its neighbourhood (binary weights, self-weight 1).

    ``statistic`` is G*_i = sum_j w_ij x_j / sum_j x_j (esda's ``Gs``); ``z`` the Getis-Ord
    z-score (x-bar and S over all areas with a value)::

        z_i = (sum_j w_ij x_j - x-bar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))

    ``p`` the two-sided pseudo p from ``permutations`` conditional permutations (the normal p of
    z when ``permutations=0``) and ``p_fdr`` its Benjamini-Hochberg adjustment. ``category``
    follows the ArcGIS confidence bins on the corrected p: "hot spot 99%" (p <= 0.01, z > 0),
    95 % (<= 0.05), 90 % (<= 0.10), the same for cold spots (z < 0), else "not significant".
    """
    permutations = check_permutations(permutations)
    _check_correction(correction)
    rng = as_generator(seed)
    a = _align(values, graph)
    wb = _transform(_no_diagonal(a.w), "b")
    y = a.y[a.valid]
    reason, notes = _common_reasons(a, wb, y)
    rv = reason[a.valid]
    n = len(y)
    card = np.diff(wb.indptr)
    wi = card + 1.0  # binary weights plus self
    if n:
        rv[(wi >= n) & (rv == "")] = "the neighbourhood holds every area (no contrast left)"
        reason[a.valid] = rv
    ok = rv == ""
    stat = z = p = p_dir = ev = vv = np.full(n, np.nan)
    if ok.any():
        total = y.sum()
        local = wb @ y + y
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = local / total if total > 0 else np.full(n, np.nan)
        xbar = y.mean()
        s = np.sqrt((y * y).mean() - xbar * xbar)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (local - xbar * wi) / (s * np.sqrt((n * wi - wi * wi) / (n - 1)))
            ev = wi / n
            vv = wi * (n - wi) / (n - 1) / n**2 * (s * s) / (xbar * xbar) if xbar != 0 else np.full(n, np.nan)
        if total <= 0:
            notes.append("values sum to zero or less: G* (the ratio) is undefined; z and p are valid")
        if permutations:
            res = conditional_permutation(
                y, wb, y.copy(), np.ones(n), local, permutations=permutations, rng=rng, active=ok
            )
            p = res.p("two-sided")
            p_dir = res.p("directed")
        else:
            p = normal_p(z)
            p_dir = np.full(n, np.nan)
    cols = _finish(a, reason, stat, z, p, p_dir, ev, vv, card)
    pc = cols["p_fdr"] if correction == "fdr" else cols["p"]
    category = _gi_category(cols["z"], pc, reason)
    table = _table(a, cols, category, reason, {"gi_bin": np.where(reason != "", 0, gi_bin(cols["z"], pc))})
    params = _params(a, "b+self", permutations, seed, None, correction)
    return LocalResult(table, "gi_star", params, tuple(notes))


def _check_correction(correction: str) -> None:
    if correction not in CORRECTIONS:
        raise InputError(
            "Unknown multiple-testing correction.",
            received=repr(correction),
            expected="'fdr' (Benjamini-Hochberg) or 'none'",
            fix="use correction='fdr'",
        )


def _params(
    a: _Aligned,
    transform: str,
    permutations: int,
    seed: int | np.random.Generator,
    alpha: float | None,
    correction: str,
) -> dict:
    return {
        "indicator": a.name,
        "transform": transform,
        "permutations": permutations,
        "seed": seed if not isinstance(seed, np.random.Generator) else "generator",
        "alpha": alpha,
        "correction": correction,
        "alternative": "two-sided",
    }
