"""Network analysis (issue 20): readers, centrality, key players, roles, replaceability, disruption.

The disruption curves are checked against the values Cavallaro et al. (2020, PLoS ONE 15(8):
e0236476) published with their paper (repository lcucav/criminal-nets, disruption/results/...):
the unweighted sequential curves on the Montagna meeting network, first 21 steps, and their
"block" curves (re-rank after every 5 removals), first 8 blocks.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from weerbaar.analysis.networks import (
    brokerage,
    centralities,
    collective_influence,
    communities,
    disrupt,
    fragmentation,
    katz,
    key_players,
    read_attributes,
    read_network,
    replaceability,
    structural_holes,
)
from weerbaar.analysis.networks.centrality import betweenness
from weerbaar.errors import InputError

MEETINGS = Path("montagna") / "raw_lcucav" / "Montagna_meetings_edgelist.tsv"


@pytest.fixture(scope="module")
def networks(shared_data) -> Path:
    """The published covert networks of the shared data folder (an error under CI when it is missing)."""
    return shared_data / "networks"

# Cavallaro et al. (2020), published LCC shares (LCC / initial LCC of 92), Montagna meetings, unweighted.
PUBLISHED_SEQUENTIAL = {
    "betweenness": [1.0, .9565, .7391, .7174, .5, .4239, .4130, .3913, .2609, .25, .2065, .1848, .1630,
                    .1087, .0870, .0870, .0870, .0870, .0870, .0870, .0870],
    "katz": [1.0, .9891, .9457, .9239, .9130, .8370, .8261, .8152, .4674, .4674, .4239, .4239, .4130,
             .4130, .4130, .2391, .2391, .0870, .0870, .0870, .0870],
    "collective-influence": [1.0, .9565, .9457, .9239, .9130, .8370, .7391, .7283, .4674, .4674, .4239,
                             .4239, .4130, .4130, .2391, .2391, .2391, .0870, .0870, .0870, .0870],
    "degree": [1.0, .9565, .9457, .9239, .8478, .8370, .4783, .4674, .4674, .4674, .4565, .3696, .2717,
               .2717, .2717, .2717, .2717, .0870, .0870, .0870, .0870],
}
PUBLISHED_BLOCK5 = {
    "betweenness": [1.0, .8370, .2609, .1196, .0870, .0543, .0543, .0543],
    "katz": [1.0, .8370, .6087, .1087, .0870, .0870, .0870, .0326],
    "collective-influence": [1.0, .8370, .6196, .1087, .0870, .0870, .0870, .0326],
    "degree": [1.0, .8370, .4565, .0870, .0870, .0870, .0326, .0326],
}


@pytest.fixture(scope="module")
def meetings(networks):
    return read_network(networks / MEETINGS).graph()


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- readers ---------------------------------------------------------------------------------


def test_reads_edge_lists_in_several_layouts(tmp_path):
    a = read_network(_write(tmp_path, "a.csv", "source,target,weight,phase\nx,y,2,1\ny,z,1,2\n"))
    assert a.weighted and not a.directed and list(a.edges["time"]) == ["1", "2"]
    b = read_network(_write(tmp_path, "b.tsv", "1\t2\n2\t3\n3\t1\n"))
    assert b.graph().number_of_edges() == 3 and not b.weighted
    c = read_network(_write(tmp_path, "c.txt", "1 2 5\n2 3 1\n"), directed=True)
    assert c.graph().is_directed() and c.graph()["1"]["2"]["weight"] == 5
    # one phase only
    assert a.graph(time="2").number_of_edges() == 1


def test_reads_adjacency_matrix_and_detects_direction(tmp_path):
    text = ',a,b,c\na,0,1,0\nb,0,0,3\nc,0,0,0\n'
    nd = read_network(_write(tmp_path, "m.csv", text))
    assert nd.directed and nd.weighted and set(nd.nodes) == {"a", "b", "c"}
    sym = read_network(_write(tmp_path, "s.csv", ',a,b\na,0,1\nb,1,0\n'))
    assert not sym.directed and sym.graph().number_of_edges() == 1


def test_bad_input_says_where_and_what(tmp_path):
    with pytest.raises(InputError) as err:
        read_network(_write(tmp_path, "w.csv", "source,target,weight\nx,y,-1\n"))
    assert err.value.row == 1 and err.value.column == "weight"
    with pytest.raises(InputError):
        read_network(_write(tmp_path, "e.csv", ""))
    with pytest.raises(InputError) as err:
        read_network(_write(tmp_path, "m.csv", ',a,b\na,0,x\nb,1,0\n'))
    assert "not a number" in err.value.problem


def test_reads_the_real_files(networks):
    caviar = read_network(networks / "caviar" / "full_network" / "morselli_caviar_full_110x110.csv")
    assert len(caviar.nodes) == 110 and caviar.directed and caviar.weighted
    siren = read_network(networks / "siren" / "morselli_siren_44x44.csv")
    assert len(siren.nodes) == 44
    roles = read_attributes(networks / "caviar" / "caviar_node_roles.csv")
    assert roles.loc["N1", "group"] == "trafficker" and len(roles) == 110


# -- centrality ------------------------------------------------------------------------------


def test_collective_influence_by_hand():
    g = nx.path_graph(5)  # 0-1-2-3-4, degrees 1,2,2,2,1
    ci1 = collective_influence(g, radius=1)
    assert ci1[2] == (2 - 1) * ((2 - 1) + (2 - 1))
    assert ci1[0] == 0
    ci2 = collective_influence(g, radius=2)
    assert ci2[2] == (2 - 1) * ((1 - 1) + (1 - 1)) and ci2[1] == (2 - 1) * (2 - 1)


def test_katz_matches_networkx():
    g = nx.karate_club_graph()
    ours = katz(g, alpha=0.1)
    ref = nx.katz_centrality_numpy(g, alpha=0.1)
    assert max(abs(ours[v] - ref[v]) for v in g) < 1e-9


def test_pivot_betweenness_tracks_exact():
    g = nx.gnm_random_graph(300, 1200, seed=3)
    exact = nx.betweenness_centrality(g)
    approx = betweenness(g, k=150, seed=1)
    x = np.array([exact[v] for v in g])
    y = np.array([approx[v] for v in g])
    assert np.corrcoef(x, y)[0, 1] > 0.9
    assert abs(x.sum() - y.sum()) / x.sum() < 0.1


def test_centralities_frame():
    frame = centralities(nx.karate_club_graph())
    assert frame["betweenness"].idxmax() == 0 and {"katz", "collective_influence"} <= set(frame)


# -- key players, roles, replaceability --------------------------------------------------------


def test_kpp_neg_finds_the_bridge():
    g = nx.barbell_graph(6, 1)  # two cliques joined through node 6
    res = key_players(g, 1)
    assert res.members == (6,) and res.score == pytest.approx(fragmentation(g.subgraph(set(g) - {6})))
    pos = key_players(nx.star_graph(6), 1, kind="positive")
    assert pos.members == (0,) and pos.score == pytest.approx(1.0)


def test_kpp_swaps_improve_a_poor_greedy_start():
    # two stars joined by a path: greedy for k=2 must end with both hubs (or a better set)
    g = nx.union(nx.star_graph(5), nx.relabel_nodes(nx.star_graph(5), lambda v: v + 10))
    g.add_edges_from([(0, 20), (20, 10)])
    res = key_players(g, 2)
    assert res.score >= fragmentation(g.subgraph(set(g) - {0, 10})) - 1e-12


def test_brokerage_roles_on_hand_made_triads():
    g = nx.DiGraph()
    groups = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 3}
    g.add_nodes_from(groups)
    g.add_edges_from([("a", "b"), ("b", "c")])  # coordinator b
    g.add_edges_from([("d", "b")])  # d->b->c: gatekeeper (b, c same group, d other)
    g.add_edges_from([("b", "e")])  # a->b->e: representative; d->b->e: liaison
    nx.set_node_attributes(g, groups, "group")
    frame = brokerage(g)
    b = frame.loc["b"]
    assert (b["coordinator"], b["gatekeeper"], b["representative"], b["liaison"]) == (1, 1, 1, 1)
    assert b["itinerant"] == 0 and frame.loc["a", "total"] == 0


def test_structural_holes_and_communities():
    g = nx.karate_club_graph()
    sh = structural_holes(g)
    ref = nx.constraint(g)
    assert sh.loc[0, "constraint"] == pytest.approx(ref[0])
    parts = communities(g, seed=1)
    assert 2 <= len(set(parts.values())) <= 6


def test_replaceability_star_centre_is_hard_leaves_are_not():
    g = nx.star_graph(6)
    g.add_edge(1, 2)
    frame = replaceability(g)
    assert frame["hard_to_replace"].idxmax() == 0
    assert frame.loc[0, "reach_loss"] > 0 and frame.loc[3, "reach_loss"] == 0
    # two actors with identical contacts can stand in for each other
    h = nx.complete_bipartite_graph(2, 4)
    assert replaceability(h).loc[0, "substitute_similarity"] == pytest.approx(1.0)


# -- disruption ------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", sorted(PUBLISHED_SEQUENTIAL))
def test_reproduces_cavallaro_sequential(meetings, measure):
    res = disrupt(meetings, strategy="sequential", measure=measure, ci_radius=1, ties="last", max_fraction=0.25)
    ours = np.array(res.lcc_share[:21])
    published = np.array(PUBLISHED_SEQUENTIAL[measure])
    assert res.lcc0 == 92
    assert np.max(np.abs(ours - published)) < 0.03


@pytest.mark.parametrize("measure", sorted(PUBLISHED_BLOCK5))
def test_reproduces_cavallaro_block_of_five(meetings, measure):
    res = disrupt(meetings, strategy="sequential", rerank_every=5, step=5, measure=measure, ci_radius=1,
                  ties="last", max_fraction=0.4)
    ours = np.array(res.lcc_share[:8])
    assert np.max(np.abs(ours - np.array(PUBLISHED_BLOCK5[measure]))) < 0.03


def test_disruption_curve_shape_and_random_baseline():
    g = nx.barabasi_albert_graph(200, 2, seed=1)
    seq = disrupt(g, strategy="sequential", measure="degree", step=10, max_fraction=0.3)
    frame = seq.to_frame()
    assert list(frame.iloc[0]) == [0, 1.0] and frame["removed"].iloc[-1] == 60
    assert frame["lcc_share"].is_monotonic_decreasing
    rnd = disrupt(g, strategy="block", measure="random", step=10, max_fraction=0.3, seed=4, repeats=5)
    assert rnd.share_at(0.3) > seq.share_at(0.3)
    again = disrupt(g, strategy="block", measure="random", step=10, max_fraction=0.3, seed=4, repeats=5)
    assert again.lcc_share == rnd.lcc_share


def test_disruption_rejects_bad_arguments():
    g = nx.path_graph(4)
    with pytest.raises(InputError):
        disrupt(g, strategy="raid")
    with pytest.raises(InputError):
        disrupt(g, measure="pagerank")
    with pytest.raises(InputError):
        disrupt(g, step=0)


def test_igraph_betweenness_and_closeness_equal_networkx():
    from weerbaar.analysis.networks.centrality import closeness

    for g in (nx.gnm_random_graph(80, 160, seed=2), nx.gnm_random_graph(60, 200, seed=2, directed=True)):
        ours_b, ref_b = betweenness(g), nx.betweenness_centrality(g)
        ours_c, ref_c = closeness(g), nx.closeness_centrality(g)
        assert max(abs(ours_b[v] - ref_b[v]) for v in g) < 1e-12
        assert max(abs(ours_c[v] - ref_c[v]) for v in g) < 1e-12


def test_key_players_match_exhaustive_search_on_small_networks():
    from itertools import combinations

    for seed in (1, 2, 3):
        g = nx.connected_watts_strogatz_graph(16, 3, 0.3, seed=seed)
        best = max(fragmentation(g.subgraph(set(g) - set(c))) for c in combinations(g, 2))
        assert key_players(g, 2).score == pytest.approx(best)


# -- recovery --------------------------------------------------------------------------------


def test_recovery_needs_trusted_ties():
    from weerbaar.analysis.networks.recovery import simulate_recovery

    star = nx.star_graph(5)
    cut = simulate_recovery(star, [0], rounds=3, p=1.0, repeats=1)
    assert cut.efficiency[-1] == 0.0 and cut.new_ties[-1] == 0  # leaves knew each other only through 0
    wheel = nx.wheel_graph(7)  # hub 0 and a rim: rim neighbours trust each other through the rim
    rec = simulate_recovery(wheel, [0], rounds=5, p=1.0, repeats=1)
    assert rec.new_ties[-1] > 0 and rec.efficiency[-1] > rec.efficiency[0]


def test_recovery_replaces_a_role_holder_through_trust():
    from weerbaar.analysis.networks.recovery import simulate_recovery

    g = nx.Graph([("imp1", "a"), ("imp1", "b"), ("a", "imp2"), ("b", "c"), ("c", "imp2")])
    nx.set_node_attributes(g, {"imp1": "importer", "imp2": "importer"}, "role")
    rec = simulate_recovery(g, ["imp1"], rounds=2, p=1.0, repeats=1)
    assert rec.new_ties[-1] == 1  # b (two steps from imp2) ties to imp2; a already has that tie
    again = simulate_recovery(g, ["imp1"], rounds=2, p=0.5, seed=3, repeats=4)
    assert again == simulate_recovery(g, ["imp1"], rounds=2, p=0.5, seed=3, repeats=4)
    with pytest.raises(InputError):
        simulate_recovery(g, ["nobody"])


def test_caviar_phase_comparison_runs_on_the_real_phases(networks):
    from weerbaar.analysis.networks.phases import phase_comparison

    folder = networks / "caviar" / "phases_directed_valued"
    graphs = {i: read_network(folder / f"phase{i}.csv").graph() for i in (5, 6, 7)}
    frame = phase_comparison(graphs, {6: 3}, rounds=2, repeats=2)
    assert list(frame["seizures_in_from_phase"]) == [0, 3]
    assert frame["observed_efficiency_ratio"].iloc[1] == pytest.approx(0.368 / 0.517, abs=0.01)


# -- recruitment aggregates --------------------------------------------------------------------


def _recruit_world(n_young=12):
    g = nx.complete_graph(["c1", "c2", "c3", "c4"])  # the core
    nx.set_node_attributes(g, 40, "age")
    for i in range(6):
        g.add_edge(f"m{i}", "c1" if i % 2 else "c2")
        g.nodes[f"m{i}"].update(age=30, role="dealer" if i < 4 else "runner")
    for i in range(n_young):
        g.add_edge(f"y{i}", f"m{i % 6}")
        g.nodes[f"y{i}"]["age"] = 17
    return g


def test_recruitment_gives_masked_distributions_never_lists():
    from weerbaar.analysis.networks.recruitment import recruitment_paths

    res = recruitment_paths(_recruit_world(12), core_roles=None)
    assert res.supported and res.newcomers == 12
    assert res.distance["2"] == 12 and res.distance["1"] == 0
    assert res.via_role == {"dealer": 8, "runner": "<5"}  # 4 via runners are masked
    frame = res.to_frame()
    assert set(frame.columns) == {"aspect", "value", "newcomers"}
    assert not frame["value"].astype(str).str.startswith("y").any()  # no actor ids anywhere
    assert any("cannot be said" in n for n in res.notes)


def test_recruitment_says_when_data_cannot_support_it():
    from weerbaar.analysis.networks.recruitment import recruitment_paths

    few = recruitment_paths(_recruit_world(3))
    assert not few.supported and "at least 10" in few.reason and few.newcomers == "<5"
    bare = recruitment_paths(nx.path_graph(5))
    assert not bare.supported and "cannot be told apart" in bare.reason
