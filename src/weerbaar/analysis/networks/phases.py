"""Networks observed in phases (e.g. CAVIAR's eleven two-month wiretap phases) and what followed seizures.

:func:`phase_comparison` describes each phase (actors, ties, global efficiency, LCC, betweenness
centralisation) and, for each transition t -> t+1, compares what was observed with what the
recovery model (:mod:`.recovery`) predicts: the actors active in phase t but absent in t+1 are
removed from the phase-t network, the rest rewires, and the simulated efficiency (relative to
phase t) is set beside the observed efficiency of phase t+1 relative to phase t. Transitions after
a phase with a seizure are marked. This is a loose comparison and says so: in CAVIAR the police
seized drugs and did not arrest anyone until the end, actors also leave wiretaps for reasons
other than enforcement, and new actors enter (the model has no entry).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from .graph import simple_undirected
from .recovery import simulate_recovery

__all__ = ["phase_comparison", "phase_profile"]


def _centralisation(h: nx.Graph) -> float:
    n = h.number_of_nodes()
    if n < 3:
        return 0.0
    b = nx.betweenness_centrality(h)
    top = max(b.values())
    return sum(top - v for v in b.values()) / (n - 1)


def phase_profile(graphs: dict) -> pd.DataFrame:
    """One row per phase: actors (with a tie), ties, global efficiency, LCC, betweenness centralisation."""
    rows = []
    for phase, g in graphs.items():
        h = simple_undirected(g)
        h.remove_nodes_from([v for v in list(h) if h.degree(v) == 0])
        lcc = max((len(c) for c in nx.connected_components(h)), default=0)
        rows.append({"phase": phase, "actors": h.number_of_nodes(), "ties": h.number_of_edges(),
                     "efficiency": nx.global_efficiency(h), "lcc": lcc,
                     "centralisation": _centralisation(h)})
    return pd.DataFrame(rows)


def phase_comparison(graphs: dict, seizures: dict | None = None, *, rounds: int = 5, p: float = 0.3,
                     seed: int = 0, repeats: int = 20) -> pd.DataFrame:
    """Per transition t -> t+1: observed change against the recovery model's prediction (module docstring)."""
    seizures = seizures or {}
    phases = list(graphs)
    profile = phase_profile(graphs).set_index("phase")
    rows = []
    for a, b in zip(phases[:-1], phases[1:], strict=True):
        ga = simple_undirected(graphs[a])
        ga.remove_nodes_from([v for v in list(ga) if ga.degree(v) == 0])
        gb = simple_undirected(graphs[b])
        gb.remove_nodes_from([v for v in list(gb) if gb.degree(v) == 0])
        left = [v for v in ga if v not in gb]
        entered = [v for v in gb if v not in ga]
        row = {
            "from_phase": a, "to_phase": b, "seizures_in_from_phase": int(seizures.get(a, 0)),
            "actors_left": len(left), "actors_entered": len(entered),
            "observed_efficiency_ratio": profile.loc[b, "efficiency"] / profile.loc[a, "efficiency"],
        }
        if left and len(left) < ga.number_of_nodes() - 1:
            rec = simulate_recovery(ga, left, rounds=rounds, p=p, seed=seed, repeats=repeats)
            row["model_efficiency_after_removal"] = rec.efficiency[0]
            row["model_efficiency_after_recovery"] = rec.efficiency[-1]
        else:
            row["model_efficiency_after_removal"] = float("nan")
            row["model_efficiency_after_recovery"] = float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
