"""Disruption simulation: remove actors by a ranking and follow the largest connected component.

Strategies (docs/methods/network-disruption.md):

* ``block``: rank the actors once on the intact network and remove them in that order (a raid
  planned from one picture of the network);
* ``sequential``: re-rank after every removal (arrest one, look again). ``rerank_every=K``
  re-ranks after every K removals instead; Cavallaro et al. (2020) call that with K = 5 their
  "node block removal".

Measures: degree, betweenness, katz, collective-influence (and closeness, eigenvector), or
``random`` as the baseline. The result is one row per ``step`` removals with the number removed
and the largest connected component's size as a share of the intact network's LCC, starting at
``0, 1.0``. Directed networks are read as undirected here (a removed actor breaks calls both ways).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ...errors import InputError
from .centrality import MEASURES, score
from .graph import simple_undirected

__all__ = ["DisruptionResult", "STRATEGIES", "DISRUPTION_MEASURES", "disrupt", "lcc_size"]

STRATEGIES = ("block", "sequential")
DISRUPTION_MEASURES = (*MEASURES, "random")


def lcc_size(g: nx.Graph) -> int:
    """Size of the largest (weakly) connected component; 0 for an empty graph."""
    if g.number_of_nodes() == 0:
        return 0
    comps = nx.weakly_connected_components(g) if isinstance(g, nx.DiGraph) else nx.connected_components(g)
    return max(len(c) for c in comps)


@dataclass(frozen=True)
class DisruptionResult:
    """The curve of one disruption run."""

    strategy: str
    measure: str
    weighted: bool
    step: int
    n_nodes: int
    lcc0: int
    removed: tuple[int, ...]
    lcc_share: tuple[float, ...]
    efficiency: tuple[float, ...] | None
    order: tuple  # the actors in the order removed (person-level: partner side only)
    approximate: str | None  # how betweenness was approximated, if it was

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"removed": self.removed, "lcc_share": self.lcc_share})
        if self.efficiency is not None:
            frame["efficiency"] = self.efficiency
        return frame

    def share_at(self, fraction: float) -> float:
        """LCC share after removing ``fraction`` of the actors (the last row at or below it)."""
        frame = self.to_frame()
        rows = frame[frame["removed"] <= fraction * self.n_nodes]
        return float(rows["lcc_share"].iloc[-1])

    def summary(self) -> dict:
        frame = self.to_frame()
        half = frame[frame["lcc_share"] <= 0.5]
        return {
            "strategy": self.strategy,
            "measure": self.measure,
            "weighted": self.weighted,
            "actors": self.n_nodes,
            "lcc_at_start": self.lcc0,
            "removed_to_halve_lcc": int(half["removed"].iloc[0]) if len(half) else None,
            "lcc_share_after_5pct": self.share_at(0.05),
            "lcc_share_after_10pct": self.share_at(0.10),
            "approximate": self.approximate,
        }


def _rank(
    g: nx.Graph,
    measure: str,
    *,
    weighted: bool,
    rng: np.random.Generator,
    k: int | None,
    ci_radius: int,
    ties: str,
) -> list:
    nodes = list(g.nodes())
    if not nodes:
        return []
    if measure == "random":
        return [nodes[i] for i in rng.permutation(len(nodes))]
    kk = k if (k is not None and k < len(nodes)) else None
    seed = int(rng.integers(0, 2**31 - 1)) if kk else None
    values = score(g, measure, weighted=weighted, k=kk, seed=seed, ci_radius=ci_radius)
    position = {v: i for i, v in enumerate(nodes)}
    if ties == "last":  # among equal scores the actor listed last first (Cavallaro et al.'s code)
        return sorted(nodes, key=lambda v: (-values[v], -position[v]))
    return sorted(nodes, key=lambda v: (-values[v], position[v]))


def disrupt(
    g: nx.Graph,
    *,
    strategy: str = "sequential",
    measure: str = "betweenness",
    step: int = 1,
    weighted: bool = False,
    seed: int | None = 0,
    max_fraction: float = 1.0,
    rerank_every: int | None = None,
    betweenness_k: int | None = None,
    ci_radius: int = 2,
    ties: str = "first",
    efficiency: bool = False,
    repeats: int = 1,
) -> DisruptionResult:
    """Simulate removing actors and return the LCC curve (see the module docstring).

    ``betweenness_k`` estimates betweenness from that many random pivots at every re-ranking
    (Brandes & Pich 2007), which large sequential runs need; ``repeats`` averages the random
    baseline over that many seeded orders.
    """
    if strategy not in STRATEGIES:
        raise InputError(
            "Unknown disruption strategy.",
            received=repr(strategy),
            expected=" or ".join(STRATEGIES),
            fix="use --strategy block (rank once) or --strategy sequential (re-rank after each removal)",
        )
    if measure not in DISRUPTION_MEASURES:
        raise InputError(
            "Unknown disruption measure.",
            received=repr(measure),
            expected=", ".join(DISRUPTION_MEASURES),
            fix="choose one of the listed measures",
        )
    if step < 1 or (rerank_every is not None and rerank_every < 1):
        raise InputError(
            "The step must be a positive number of actors.",
            received=f"step={step}, rerank_every={rerank_every}",
            expected="1 or more",
            fix="use --step 1 to record every removal",
        )
    if not 0 < max_fraction <= 1:
        raise InputError(
            "The removal fraction must lie in (0, 1].",
            received=str(max_fraction),
            expected="for example 0.5 to stop at half the actors",
            fix="give a fraction, not a percentage",
        )
    base = simple_undirected(g)
    n = base.number_of_nodes()
    if n == 0:
        raise InputError(
            "The network has no actors.",
            received="an empty network",
            expected="at least one tie",
            fix="check the file",
        )
    lcc0 = lcc_size(base)
    limit = int(np.floor(max_fraction * n))
    if measure == "random" and repeats > 1:
        runs = [
            disrupt(g, strategy=strategy, measure="random", step=step, seed=(seed or 0) + r,
                    max_fraction=max_fraction, efficiency=efficiency)
            for r in range(repeats)
        ]
        shares = np.mean([r.lcc_share for r in runs], axis=0)
        # with efficiency=True every run has its efficiency curve
        eff = np.mean([r.efficiency for r in runs if r.efficiency is not None], axis=0) if efficiency else None
        return DisruptionResult(strategy, measure, weighted, step, n, lcc0, runs[0].removed,
                                tuple(float(x) for x in shares),
                                tuple(float(x) for x in eff) if eff is not None else None, (), None)
    rng = np.random.default_rng(seed)
    every = 1 if strategy == "sequential" else None
    if rerank_every is not None:
        every = rerank_every
    h = base.copy()
    eff0 = nx.global_efficiency(h) if efficiency else None
    removed_rows = [0]
    shares = [1.0]
    effs = [1.0] if efficiency else None
    order: list = []
    queue: list = []
    since_rank = 0
    done = 0
    ranked_once = False
    while done < limit and h.number_of_nodes() > 0:
        if not ranked_once or (every is not None and since_rank >= every) or not queue:
            # once nothing is connected any more, the order cannot matter: stop re-ranking
            if h.number_of_edges() == 0 and ranked_once:
                queue = [v for v in queue if v in h] or list(h.nodes())
            else:
                queue = _rank(h, measure, weighted=weighted, rng=rng, k=betweenness_k,
                              ci_radius=ci_radius, ties=ties)
            ranked_once = True
            since_rank = 0
        victim = queue.pop(0)
        if victim not in h:
            continue
        h.remove_node(victim)
        order.append(victim)
        done += 1
        since_rank += 1
        if done % step == 0 or done == limit:
            removed_rows.append(done)
            shares.append(lcc_size(h) / lcc0 if lcc0 else 0.0)
            if effs is not None:
                effs.append(nx.global_efficiency(h) / eff0 if eff0 else 0.0)
    approx = None
    if measure == "betweenness" and betweenness_k is not None and betweenness_k < n:
        approx = f"betweenness estimated from {betweenness_k} random pivots per ranking (Brandes & Pich 2007)"
    return DisruptionResult(
        strategy, measure, weighted, step, n, lcc0, tuple(removed_rows), tuple(shares),
        tuple(effs) if effs is not None else None, tuple(order), approx,
    )
