"""Replaceability: how well could others take over an actor's place? ("moeilijk vervangbaar")

For each actor i, three measurable parts (docs/methods/network-replaceability.md):

* ``substitute_similarity``: structural equivalence with the best possible stand-in j, the
  Jaccard overlap of their contacts N(i) \\ {j} and N(j) \\ {i}. 1 = someone already has exactly
  i's contacts; 0 = no one shares a single contact.
* ``redundancy``: the share of i's ties that are redundant in Burt's sense, 1 - effective size /
  degree: how much i's contacts already know each other (and so could bypass i).
* ``reach_loss``: the share of ordered pairs of *other* actors that can reach each other with i
  present but not without i (the pairs only i connects), and ``efficiency_loss``, the relative
  drop in the others' global efficiency (Latora & Marchiori 2001) without i.

``hard_to_replace`` = (1 - similarity) x (1 - redundancy) x loss / largest loss in the network,
in [0, 1]: the share of the worst loss this actor causes, discounted by how well others could
stand in or bypass. An actor whose removal costs nothing (a leaf) scores 0. The parts are
always shown beside it. It is a ranking aid for analysts, not a score about a person's guilt or
danger, and it only sees ties that are in the data: a stand-in outside the observed network is
invisible to it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .graph import simple_undirected

__all__ = ["replaceability"]


def _pairs_connected(h: nx.Graph) -> int:
    return sum(len(c) * (len(c) - 1) for c in nx.connected_components(h))


def replaceability(g: nx.Graph, *, efficiency: bool | None = None) -> pd.DataFrame:
    """One row per actor with the parts above and ``hard_to_replace``.

    ``efficiency=False`` skips the efficiency loss (an all-pairs computation per actor, slow for
    networks of thousands of actors); ``hard_to_replace`` then uses reach loss instead. The
    default computes it up to 300 actors.
    """
    h = simple_undirected(g)
    if efficiency is None:
        efficiency = h.number_of_nodes() <= 300
    nodes = list(h.nodes())
    nbrs = {v: set(h.neighbors(v)) for v in nodes}
    sim, best = {}, {}
    for i in nodes:
        ni = nbrs[i]
        candidates = set()
        for u in ni:  # only actors sharing a contact (or tied to i) can have overlap > 0
            candidates |= nbrs[u]
        candidates |= ni
        candidates.discard(i)
        top, who = 0.0, None
        for j in candidates:
            a = ni - {j}
            b = nbrs[j] - {i}
            union = len(a | b)
            val = len(a & b) / union if union else 0.0
            if val > top:
                top, who = val, j
        sim[i], best[i] = top, who
    esize = nx.effective_size(h)
    deg = dict(h.degree())
    redundancy = {v: (1.0 - esize[v] / deg[v]) if deg[v] > 0 and not np.isnan(esize[v]) else 0.0 for v in nodes}
    comps = {v: k for k, c in enumerate(nx.connected_components(h)) for v in c}
    comp_nodes: dict = {}
    for v, k in comps.items():
        comp_nodes.setdefault(k, []).append(v)
    total_pairs = max(len(nodes) - 1, 1) * max(len(nodes) - 2, 1)
    reach_loss, eff_loss = {}, {}
    articulation = set(nx.articulation_points(h))
    for i in nodes:
        if i in articulation:
            members = comp_nodes[comps[i]]
            sub = h.subgraph([v for v in members if v != i])
            before = (len(members) - 1) * (len(members) - 2)
            after = _pairs_connected(sub)
            reach_loss[i] = (before - after) / total_pairs
        else:
            reach_loss[i] = 0.0
    if efficiency:
        eff_loss = _efficiency_losses(h, nodes)
    frame = pd.DataFrame(
        {
            "degree": deg,
            "substitute_similarity": sim,
            "redundancy": redundancy,
            "reach_loss": reach_loss,
        }
    )
    if efficiency:
        frame["efficiency_loss"] = pd.Series(eff_loss)
        loss = frame["efficiency_loss"]
    else:
        loss = frame["reach_loss"]
    frame["best_substitute"] = pd.Series(best)
    loss = loss.clip(lower=0.0).where(loss > 1e-12, 0.0)
    top = float(loss.max())
    frame["hard_to_replace"] = (
        (1 - frame["substitute_similarity"]) * (1 - frame["redundancy"]) * (loss / top if top > 0 else 0.0)
    )
    frame.index.name = "node"
    return frame


def _efficiency_losses(h: nx.Graph, nodes: list) -> dict:
    """Relative loss of the other actors' summed inverse distances when each actor is removed (SciPy BFS)."""
    from scipy.sparse.csgraph import shortest_path

    n = len(nodes)
    if n < 3:
        return {v: 0.0 for v in nodes}
    adj = nx.to_scipy_sparse_array(h, nodelist=nodes, weight=None, format="csr")
    with np.errstate(divide="ignore"):
        inv0 = 1.0 / shortest_path(adj, unweighted=True, directed=False)
    inv0[~np.isfinite(inv0)] = 0.0
    np.fill_diagonal(inv0, 0.0)
    total = inv0.sum()
    row = inv0.sum(axis=1)
    out = {}
    for i, v in enumerate(nodes):
        keep = np.arange(n) != i
        with_i = total - 2 * row[i]  # pairs among the others, with i present
        with np.errstate(divide="ignore"):
            inv = 1.0 / shortest_path(adj[keep][:, keep], unweighted=True, directed=False)
        inv[~np.isfinite(inv)] = 0.0
        np.fill_diagonal(inv, 0.0)
        out[v] = float((with_i - inv.sum()) / with_i) if with_i > 0 else 0.0
    return out
