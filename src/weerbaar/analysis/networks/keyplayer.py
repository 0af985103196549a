"""Key-player sets (Borgatti 2006, Comput Math Organ Theory 12:21): KPP-Neg and KPP-Pos.

* KPP-Neg: the set S of k actors whose removal fragments the rest most. Criterion
  ``fragmentation`` is Borgatti's F = 1 - sum_c s_c (s_c - 1) / (n (n - 1)) over the components
  of the network without S (n actors left); ``distance`` is the distance-weighted
  fragmentation DF = 1 - sum_{i != j} (1 / d_ij) / (n (n - 1)) (1/inf = 0).
* KPP-Pos: the set S of k actors that reach the most others: distance-weighted reach
  R = sum_{j not in S} 1 / d(S, j) / (N - k), d(S, j) the shortest distance from any member.

Both are searched as in Borgatti's paper: a greedy start (add the best actor one at a time),
then swaps (exchange a member with a non-member while that improves the criterion) until no
swap helps or ``max_rounds`` is reached. The optimum is not guaranteed (the problem is NP-hard);
``restarts`` random starts lower the risk of a poor local optimum. networkx has none of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import connected_components, shortest_path

from ...errors import InputError
from .graph import simple_undirected

__all__ = ["KeyPlayerResult", "distance_fragmentation", "fragmentation", "key_players", "reach"]


def fragmentation(g: nx.Graph) -> float:
    """Borgatti's F: the share of ordered pairs that cannot reach each other (0 = one component)."""
    n = g.number_of_nodes()
    if n < 2:
        return 1.0
    total = sum(len(c) * (len(c) - 1) for c in nx.connected_components(g))
    return 1.0 - total / (n * (n - 1))


def distance_fragmentation(g: nx.Graph) -> float:
    """Borgatti's distance-weighted fragmentation DF (1 - mean inverse distance over ordered pairs)."""
    n = g.number_of_nodes()
    if n < 2:
        return 1.0
    inv = 0.0
    for _, dist in nx.all_pairs_shortest_path_length(g):
        inv += sum(1.0 / d for d in dist.values() if d > 0)
    return 1.0 - inv / (n * (n - 1))


def reach(g: nx.Graph, members_: Iterable[Any]) -> float:
    """Distance-weighted reach of a set: mean over non-members of 1 / (distance to the nearest member)."""
    members = set(members_)
    others = g.number_of_nodes() - len(members)
    if others <= 0:
        return 1.0
    dist = nx.multi_source_dijkstra_path_length(g, members, weight=None) if members else {}
    return sum(1.0 / d for v, d in dist.items() if v not in members and d > 0) / others


@dataclass(frozen=True)
class KeyPlayerResult:
    kind: str  # "negative" or "positive"
    criterion: str
    members: tuple
    score: float
    baseline: float  # criterion of the intact network (neg) or of the k highest-degree actors (pos)
    swaps: int


def _neg_score(g: nx.Graph, removed: set, criterion: str) -> float:
    h = g.subgraph([v for v in g if v not in removed])
    return fragmentation(h) if criterion == "fragmentation" else distance_fragmentation(h)


def key_players(
    g: nx.Graph,
    k: int,
    *,
    kind: str = "negative",
    criterion: str = "fragmentation",
    max_rounds: int = 20,
    restarts: int = 0,
    seed: int | None = 0,
    candidates: int | None = None,
) -> KeyPlayerResult:
    """Borgatti's key-player set of size ``k`` (greedy start plus swaps; see the module docstring).

    ``candidates`` limits swaps to the that many actors with the highest degree (for large
    networks); by default every actor is a candidate.
    """
    h = simple_undirected(g)
    n = h.number_of_nodes()
    if not 1 <= k < n:
        raise InputError(
            "The key-player set size is out of range.",
            received=f"k={k} for a network of {n} actors",
            expected=f"1 <= k < {n}",
            fix="choose a smaller set size",
        )
    if kind not in ("negative", "positive"):
        raise InputError("Unknown key-player problem.", received=repr(kind),
                         expected="negative (fragment) or positive (reach)", fix="use kind='negative' or 'positive'")
    if criterion not in ("fragmentation", "distance"):
        raise InputError("Unknown key-player criterion.", received=repr(criterion),
                         expected="fragmentation or distance", fix="use one of the two")

    nodes = list(h.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    adj = nx.to_scipy_sparse_array(h, nodelist=nodes, weight=None, format="csr")

    def crit(s: set) -> float:
        idx = [index[v] for v in s]
        if kind == "negative":
            keep = np.ones(n, dtype=bool)
            keep[idx] = False
            sub = adj[keep][:, keep]
            m = int(keep.sum())
            if m < 2:
                return 1.0
            if criterion == "fragmentation":
                _, lab = connected_components(sub, directed=False)
                sizes = np.bincount(lab)
                return float(1.0 - (sizes * (sizes - 1)).sum() / (m * (m - 1)))
            d = shortest_path(sub, unweighted=True, directed=False)
            with np.errstate(divide="ignore"):
                inv = np.where(np.isfinite(d) & (d > 0), 1.0 / d, 0.0)
            return float(1.0 - inv.sum() / (m * (m - 1)))
        if not idx:
            return 0.0
        d = shortest_path(adj, unweighted=True, directed=False, indices=idx).min(axis=0)
        mask = np.ones(n, dtype=bool)
        mask[idx] = False
        dd = d[mask]
        with np.errstate(divide="ignore"):
            return float(np.where(np.isfinite(dd) & (dd > 0), 1.0 / dd, 0.0).sum() / mask.sum())

    by_degree = sorted(h.nodes(), key=lambda v: (-h.degree(v), str(v)))
    pool = by_degree if candidates is None else by_degree[: max(candidates, k)]
    rng = np.random.default_rng(seed)

    def improve(start: list) -> tuple[list, float, int]:
        current = list(start)
        best = crit(set(current))
        swaps = 0
        for _ in range(max_rounds):
            improved = False
            for i in range(len(current)):
                for cand in pool:
                    if cand in current:
                        continue
                    trial = current[:i] + [cand] + current[i + 1:]
                    val = crit(set(trial))
                    if val > best + 1e-12:
                        current, best, improved = trial, val, True
                        swaps += 1
            if not improved:
                break
        return current, best, swaps

    # greedy start
    chosen: list = []
    for _ in range(k):
        best_v, best_val = None, -np.inf
        for v in pool:
            if v in chosen:
                continue
            val = crit(set(chosen) | {v})
            if val > best_val + 1e-12:
                best_v, best_val = v, val
        chosen.append(best_v)
    members, value, swaps = improve(chosen)
    for _ in range(restarts):
        start = [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]
        m2, v2, s2 = improve(start)
        if v2 > value + 1e-12:
            members, value, swaps = m2, v2, swaps + s2
    baseline = crit(set()) if kind == "negative" else crit(set(by_degree[:k]))
    return KeyPlayerResult(kind, criterion, tuple(members), float(value), float(baseline), swaps)
