"""Brokerage roles (Gould & Fernandez 1989), structural holes (Burt 1992) and communities.

Gould & Fernandez: in every directed two-path a -> b -> c with no tie a -> c, actor b brokers.
With a group attribute the five roles are

=================  ======================================
coordinator        a, b, c in the same group
itinerant          a and c in one group, b in another (also "consultant")
representative     a and b in one group, c in another
gatekeeper         b and c in one group, a in another
liaison            a, b, c in three different groups
=================  ======================================

networkx has no brokerage census; it is written here. An undirected tie counts as both
directions, so in undirected networks representative and gatekeeper cannot be told apart:
a two-path where b shares a group with one end counts once as each (the two counts are equal).
Burt's constraint and effective size come from networkx.
Communities: Louvain (networkx, seeded) unless the group attribute is given.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd

from .graph import simple_undirected

__all__ = ["BROKERAGE_ROLES", "brokerage", "communities", "structural_holes"]

BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def _classify(ga: object, gb: object, gc: object) -> str:
    if ga == gb == gc:
        return "coordinator"
    if ga == gc:
        return "itinerant"
    if ga == gb:
        return "representative"
    if gb == gc:
        return "gatekeeper"
    return "liaison"


def brokerage(g: nx.Graph, group: dict | str = "group") -> pd.DataFrame:
    """Count each actor's brokerage roles; ``group`` is a dict actor -> group or a node attribute name.

    Actors without a group are skipped as brokers and as ends of a two-path (their role would be
    undefined). Returns one row per actor with the five counts and their total.
    """
    groups = nx.get_node_attributes(g, group) if isinstance(group, str) else dict(group)
    d: nx.DiGraph = g if isinstance(g, nx.DiGraph) else g.to_directed()
    counts: dict = {v: Counter() for v in g}
    for b in d:
        if b not in groups:
            continue
        preds = [a for a in d.predecessors(b) if a in groups]
        succs = [c for c in d.successors(b) if c in groups]
        for a in preds:
            for c in succs:
                if a == c or d.has_edge(a, c):
                    continue
                counts[b][_classify(groups[a], groups[b], groups[c])] += 1
    frame = pd.DataFrame(
        [[counts[v][r] for r in BROKERAGE_ROLES] for v in g],
        index=pd.Index(list(g.nodes()), name="node"),
        columns=list(BROKERAGE_ROLES),
    )
    if not g.is_directed():
        # each undirected two-path a-b-c was seen as a->b->c and as c->b->a: the symmetric roles
        # twice; a path where b shares a group with one end once as representative, once as gatekeeper
        for role in ("coordinator", "itinerant", "liaison"):
            frame[role] = frame[role] // 2
    frame["total"] = frame[list(BROKERAGE_ROLES)].sum(axis=1)
    return frame


def structural_holes(g: nx.Graph, *, weighted: bool = False) -> pd.DataFrame:
    """Burt's constraint and effective size per actor (networkx), plus degree for reading them."""
    h = simple_undirected(g)
    weight = "weight" if weighted else None
    constraint = nx.constraint(h, weight=weight)
    esize = nx.effective_size(h, weight=weight)
    frame = pd.DataFrame(
        {"degree": dict(h.degree()), "constraint": constraint, "effective_size": esize}
    )
    frame["efficiency"] = frame["effective_size"] / frame["degree"].where(frame["degree"] > 0)
    frame.index.name = "node"
    return frame


def communities(g: nx.Graph, *, seed: int = 0, weighted: bool = True) -> dict:
    """Louvain communities (networkx), numbered from 0 by decreasing size: dict actor -> community."""
    h = simple_undirected(g)
    parts = nx.community.louvain_communities(h, weight="weight" if weighted else None, seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), sorted(map(str, c))[0]))
    return {v: i for i, part in enumerate(parts) for v in part}
