"""Centrality of actors: degree, strength, betweenness, closeness, eigenvector, Katz, collective influence.

networkx supplies all but collective influence (Morone & Makse 2015), which is written here.
Weighted variants read tie weights as *strength* (more calls = a stronger tie); for the
path-based measures (betweenness, closeness) a strength is turned into a distance 1/w, so a
strong tie is a short one. See docs/methods/network-centrality.md.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import igraph as ig

__all__ = [
    "MEASURES",
    "betweenness",
    "centralities",
    "collective_influence",
    "katz",
    "score",
]

#: Measures accepted by :func:`score` (and by disruption strategies).
MEASURES = ("degree", "betweenness", "closeness", "eigenvector", "katz", "collective-influence")


def _with_distance(g: nx.Graph) -> nx.Graph:
    for _, _, data in g.edges(data=True):
        w = float(data.get("weight", 1.0))
        data["distance"] = 1.0 / w if w > 0 else np.inf
    return g


def collective_influence(g: nx.Graph, *, radius: int = 2, weighted: bool = False) -> dict:
    """Collective influence CI_l(i) = (k_i - 1) * sum over j at distance exactly l of (k_j - 1).

    Morone & Makse (2015, Nature 524:65). ``radius`` is l (l = 1 sums over the neighbours, as in
    Cavallaro et al. 2020). With ``weighted`` the degree k is the strength (sum of tie weights).
    Directed graphs are read as undirected.
    """
    h = g.to_undirected(as_view=True) if g.is_directed() else g
    k = dict(h.degree(weight="weight" if weighted else None))
    out = {}
    for node in h:
        if radius == 1:
            frontier = list(h.neighbors(node))
        else:
            dist = nx.single_source_shortest_path_length(h, node, cutoff=radius)
            frontier = [j for j, d in dist.items() if d == radius]
        out[node] = (k[node] - 1) * sum(k[j] - 1 for j in frontier)
    return out


def _eigenvector(h: nx.Graph, *, weighted: bool) -> dict:
    """Leading eigenvector of the (symmetric) adjacency matrix, non-negative, unit norm.

    Unlike networkx's power iteration it also works on disconnected networks: actors outside the
    component with the largest eigenvalue get (near) zero, as the definition implies.
    """
    n = h.number_of_nodes()
    if n == 0 or h.number_of_edges() == 0:
        return {v: 0.0 for v in h}
    a = nx.to_scipy_sparse_array(h, weight="weight" if weighted else None, dtype=np.dtype(np.float64))
    if n <= 500:
        vals, vecs = np.linalg.eigh(a.toarray())
        x = vecs[:, -1]
    else:
        from scipy.sparse.linalg import eigsh

        vals, vecs = eigsh(a, k=1, which="LA")
        x = vecs[:, 0]
    x = np.abs(x) / np.linalg.norm(x)
    return dict(zip(h.nodes(), x.tolist(), strict=True))


def katz(g: nx.Graph, *, weighted: bool = False, alpha: float | None = None) -> dict:
    """Katz centrality; ``alpha`` defaults to 0.1, lowered to 0.9/lambda_max when 0.1 would diverge."""
    if g.number_of_nodes() == 0:
        return {}
    if g.number_of_edges() == 0:
        return {n: 1.0 / np.sqrt(len(g)) for n in g}
    weight = "weight" if weighted else None
    a = nx.to_scipy_sparse_array(g, weight=weight, dtype=np.dtype(np.float64))
    if alpha is None:
        from scipy.sparse.linalg import eigs

        try:
            lam = float(abs(eigs(a.astype(float), k=1, which="LM", return_eigenvectors=False)[0]))
        except Exception:  # tiny graphs: dense fallback
            lam = float(np.max(np.abs(np.linalg.eigvals(a.toarray()))))
        alpha = 0.1 if 0.1 * lam < 0.95 else 0.9 / lam
    # solve (I - alpha A^T) x = 1, as networkx.katz_centrality_numpy, sparse
    from scipy.sparse import identity
    from scipy.sparse.linalg import spsolve

    n = a.shape[0]
    x = spsolve((identity(n, format="csc") - alpha * a.T.tocsc()), np.ones(n))
    x = np.asarray(x, dtype=np.dtype(np.float64))
    norm = np.sign(x.sum()) * np.linalg.norm(x)
    return dict(zip(g.nodes(), x / norm, strict=True))


def _igraph(g: nx.Graph, weights: list | None = None) -> tuple[ig.Graph, list[Hashable]] | None:
    """The graph in igraph and its node order (None when python-igraph is not installed)."""
    try:
        import igraph as ig
    except ImportError:  # pragma: no cover - igraph is a declared dependency
        return None
    nodes = list(g.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    h = ig.Graph(n=len(nodes), edges=[(index[s], index[t]) for s, t in g.edges()], directed=g.is_directed())
    return h, nodes


def _distances(g: nx.Graph) -> list[float]:
    return [1.0 / float(d.get("weight", 1.0)) if float(d.get("weight", 1.0)) > 0 else np.inf
            for _, _, d in g.edges(data=True)]


def betweenness(
    g: nx.Graph, *, weighted: bool = False, k: int | None = None, seed: int | None = None
) -> dict:
    """Betweenness (Brandes), normalised as networkx does; ``k`` pivots give the Brandes-Pich (2007) estimate.

    igraph computes the sums (exact, or restricted to ``k`` random pivot sources and rescaled by
    n/k, an unbiased estimate); networkx is the fallback and the reference in the tests.
    """
    n = g.number_of_nodes()
    converted = _igraph(g)
    if converted is None:
        kk = None if k is None or k >= n else k
        if weighted:
            return nx.betweenness_centrality(_with_distance(g), k=kk, seed=seed, weight="distance")
        return nx.betweenness_centrality(g, k=kk, seed=seed)
    h, nodes = converted
    weights = _distances(g) if weighted else None
    if k is None or k >= n:
        raw = h.betweenness(directed=g.is_directed(), weights=weights)
        scale = 1.0
    else:
        rng = np.random.default_rng(seed)
        pivots = rng.choice(n, size=k, replace=False).tolist()
        raw = h.betweenness(directed=g.is_directed(), weights=weights, sources=pivots, targets=None)
        scale = n / k
    # igraph's sums equal networkx's unnormalised betweenness when every node is a source
    norm = (1.0 if g.is_directed() else 2.0) / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return {v: float(raw[i]) * scale * norm for i, v in enumerate(nodes)}


def closeness(g: nx.Graph, *, weighted: bool = False) -> dict:
    """Closeness as networkx defines it (Wasserman-Faust scaling for disconnected networks), via igraph."""
    n = g.number_of_nodes()
    converted = _igraph(g)
    if converted is None or n < 2:
        if weighted:
            return nx.closeness_centrality(_with_distance(g), distance="distance")
        return nx.closeness_centrality(g)
    h, nodes = converted
    weights = _distances(g) if weighted else None
    # networkx measures distance *to* the node (incoming paths) in directed graphs
    mode = "in" if g.is_directed() else "all"
    raw = h.closeness(weights=weights, mode=mode, normalized=True)
    reach = [len(h.subcomponent(i, mode=mode)) for i in range(n)]
    out = {}
    for i, v in enumerate(nodes):
        c = raw[i]
        out[v] = 0.0 if c is None or np.isnan(c) else float(c) * (reach[i] - 1) / (n - 1)
    return out


def score(
    g: nx.Graph,
    measure: str,
    *,
    weighted: bool = False,
    k: int | None = None,
    seed: int | None = None,
    ci_radius: int = 2,
) -> dict:
    """One centrality measure as a dict node -> value."""
    if measure == "degree":
        return dict(g.degree(weight="weight" if weighted else None))
    if measure == "betweenness":
        return betweenness(g, weighted=weighted, k=k, seed=seed)
    if measure == "closeness":
        return closeness(g, weighted=weighted)
    if measure == "eigenvector":
        h = g.to_undirected() if g.is_directed() else g
        return _eigenvector(h, weighted=weighted)
    if measure == "katz":
        return katz(g, weighted=weighted)
    if measure == "collective-influence":
        return collective_influence(g, radius=ci_radius, weighted=weighted)
    raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")


def centralities(
    g: nx.Graph, *, weighted: bool = False, k: int | None = None, seed: int | None = None
) -> pd.DataFrame:
    """Every measure for every actor, one row per actor (index: actor id), plus their ranks."""
    frame = pd.DataFrame(index=pd.Index(list(g.nodes()), name="node"))
    for m in MEASURES:
        values = score(g, m, weighted=weighted, k=k, seed=seed)
        frame[m.replace("-", "_")] = pd.Series(values)
    if weighted:
        frame["strength"] = pd.Series(dict(g.degree(weight="weight")))
    return frame
