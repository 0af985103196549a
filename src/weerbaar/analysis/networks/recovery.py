"""Recovery after removal: rewiring through trusted ties, after Duijn, Kashirin & Sloot (2014).

Duijn, Kashirin & Sloot (2014, Sci Rep 4:4238) let a criminal network recover after actors are
removed: the roles the removed actors held are taken over through *trusted* ties, and the
network often ends up as efficient as before, or more. This module implements a simplified,
documented version of that mechanism (docs/methods/network-recovery.md):

* Trust: two actors trust each other when they are at most ``trust_radius`` steps apart in the
  remaining network (default 2: a contact of a contact vouches for them).
* A removed actor whose ``role`` is still held by someone: the remaining holder of that role
  closest to the removed actor's former contacts becomes the replacement; each former contact
  that trusts the replacement ties to it with probability ``p`` per round.
* A removed actor whose role nobody else holds (a broker, or no roles given): each pair of former
  contacts that trust each other ties directly with probability ``p`` per round (the brokerage is
  taken over by the contacts themselves).
* Former contacts without a trusted path cannot reconnect (they stay cut off).

After every round the global efficiency (Latora & Marchiori 2001) and the LCC are recorded
relative to the network *before* removal. Round 0 is just after removal. Every random step is
seeded; ``repeats`` averages over seeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ...errors import InputError
from .disruption import lcc_size
from .graph import simple_undirected

__all__ = ["RecoveryResult", "simulate_recovery"]


@dataclass(frozen=True)
class RecoveryResult:
    removed: tuple
    rounds: tuple[int, ...]
    efficiency: tuple[float, ...]  # relative to the network before removal
    lcc_share: tuple[float, ...]
    new_ties: tuple[float, ...]  # cumulative number of new ties (mean over repeats)
    repeats: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"round": self.rounds, "efficiency": self.efficiency, "lcc_share": self.lcc_share,
             "new_ties": self.new_ties}
        )

    def summary(self) -> dict:
        eff = np.array(self.efficiency)
        back = np.nonzero(eff >= 0.95)[0]
        return {
            "removed": len(self.removed),
            "efficiency_after_removal": float(eff[0]),
            "efficiency_at_end": float(eff[-1]),
            "rounds_to_95pct": int(self.rounds[back[0]]) if len(back) else None,
            "new_ties_at_end": float(self.new_ties[-1]),
        }


def _one_run(h0: nx.Graph, removed: list, roles: dict, rounds: int, p: float, radius: int,
             rng: np.random.Generator, eff0: float, lcc0: int) -> tuple[list[float], list[float], list[int]]:
    h = h0.copy()
    contacts = {r: [u for u in h0.neighbors(r) if u not in set(removed)] for r in removed}
    h.remove_nodes_from(removed)
    effs = [nx.global_efficiency(h) / eff0 if eff0 else 0.0]
    lccs = [lcc_size(h) / lcc0 if lcc0 else 0.0]
    added = [0]
    total = 0
    for _ in range(rounds):
        for r in removed:
            former = [u for u in contacts[r] if u in h]
            if not former:
                continue
            role = roles.get(r)
            holders = [v for v in h if role is not None and roles.get(v) == role]
            if holders:
                # the holder closest (summed distance within trust) to the former contacts
                best, best_d = None, None
                for v in holders:
                    dist = nx.single_source_shortest_path_length(h, v, cutoff=radius)
                    d = sum(dist.get(u, radius + 1) for u in former)
                    if best_d is None or d < best_d:
                        best, best_d = v, d
                dist = nx.single_source_shortest_path_length(h, best, cutoff=radius)
                for u in former:
                    if u != best and u in dist and not h.has_edge(u, best) and rng.random() < p:
                        h.add_edge(u, best, weight=1.0)
                        total += 1
            else:
                for i, u in enumerate(former):
                    dist = nx.single_source_shortest_path_length(h, u, cutoff=radius)
                    for w in former[i + 1:]:
                        if w in dist and not h.has_edge(u, w) and rng.random() < p:
                            h.add_edge(u, w, weight=1.0)
                            total += 1
        effs.append(nx.global_efficiency(h) / eff0 if eff0 else 0.0)
        lccs.append(lcc_size(h) / lcc0 if lcc0 else 0.0)
        added.append(total)
    return effs, lccs, added


def simulate_recovery(
    g: nx.Graph,
    removed: Iterable[Any],
    *,
    rounds: int = 10,
    p: float = 0.3,
    trust_radius: int = 2,
    role: str = "role",
    seed: int = 0,
    repeats: int = 20,
) -> RecoveryResult:
    """Remove ``removed`` from ``g`` and let the rest rewire for ``rounds`` rounds (module docstring)."""
    h0 = simple_undirected(g)
    removed_list = list(dict.fromkeys(removed))
    missing = [v for v in removed_list if v not in h0]
    if missing or not removed_list:
        raise InputError(
            "The actors to remove are not in the network.",
            received=", ".join(map(str, missing[:5])) or "no actors",
            expected="one or more actor labels of this network",
            fix="take the labels from the key-player or disruption table",
        )
    if not 0 < p <= 1 or rounds < 1 or trust_radius < 1 or repeats < 1:
        raise InputError(
            "Recovery parameters out of range.",
            received=f"p={p}, rounds={rounds}, trust_radius={trust_radius}, repeats={repeats}",
            expected="0 < p <= 1, rounds >= 1, trust_radius >= 1, repeats >= 1",
            fix="use the defaults (p 0.3, 10 rounds, trust radius 2, 20 repeats)",
        )
    roles = nx.get_node_attributes(h0, role)
    eff0 = nx.global_efficiency(h0)
    lcc0 = lcc_size(h0)
    runs = [
        _one_run(h0, removed_list, roles, rounds, p, trust_radius, np.random.default_rng([seed, r]), eff0, lcc0)
        for r in range(repeats)
    ]
    eff = np.mean([r[0] for r in runs], axis=0)
    lcc = np.mean([r[1] for r in runs], axis=0)
    added = np.mean([r[2] for r in runs], axis=0)
    return RecoveryResult(tuple(removed_list), tuple(range(rounds + 1)), tuple(map(float, eff)),
                          tuple(map(float, lcc)), tuple(map(float, added)), repeats)
