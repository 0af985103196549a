"""Network analysis for partner analysts (measures 13, 14, 2-3): one module per concern.

``graph`` reads edge lists, adjacency matrices and node attributes; ``centrality`` the actor
measures; ``keyplayer`` Borgatti's key-player sets; ``roles`` brokerage, structural holes and
communities; ``replaceability`` how hard an actor is to replace; ``disruption`` removal
simulations. Person-level results belong on the partner side only (docs/methods/networks.md).
"""

from .centrality import MEASURES, centralities, collective_influence, katz, score
from .disruption import DISRUPTION_MEASURES, STRATEGIES, DisruptionResult, disrupt, lcc_size
from .graph import NetworkData, from_edges, read_adjacency, read_attributes, read_edges, read_network
from .keyplayer import KeyPlayerResult, distance_fragmentation, fragmentation, key_players, reach
from .replaceability import replaceability
from .roles import BROKERAGE_ROLES, brokerage, communities, structural_holes

__all__ = [
    "BROKERAGE_ROLES",
    "DISRUPTION_MEASURES",
    "DisruptionResult",
    "KeyPlayerResult",
    "MEASURES",
    "NetworkData",
    "STRATEGIES",
    "brokerage",
    "centralities",
    "collective_influence",
    "communities",
    "disrupt",
    "distance_fragmentation",
    "fragmentation",
    "from_edges",
    "katz",
    "key_players",
    "lcc_size",
    "reach",
    "read_adjacency",
    "read_attributes",
    "read_edges",
    "read_network",
    "replaceability",
    "score",
    "structural_holes",
]
