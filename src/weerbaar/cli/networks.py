"""``weerbaar network ...`` and ``weerbaar ingest network``: covert networks for partner analysts (issue 20).

Person-level output (rankings of actors) is written only on pseudonymous labels of a stored
network, or on the ids of a file the analyst already holds; stored networks are read through the
audited store. See docs/methods/networks.md.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ..errors import InputError

network_app = typer.Typer(
    no_args_is_help=True,
    help="Covert networks (partner analysts): key players, roles, replaceability, disruption.",
)


class Strategy(StrEnum):
    block = "block"
    sequential = "sequential"


class Measure(StrEnum):
    degree = "degree"
    betweenness = "betweenness"
    katz = "katz"
    collective_influence = "collective-influence"
    random = "random"
    closeness = "closeness"
    eigenvector = "eigenvector"


DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Operational store URL (default WEERBAAR_DATABASE_URL or SQLite).")
]


def _store_url(database_url: str | None) -> str:
    from .. import store

    url = store.db.check_url(database_url) if database_url else store.database_url()
    store.upgrade(url)
    return url


def _graph(edges: Path | None, name: str | None, database_url: str | None, *, directed: bool | None, purpose: str):
    from ..analysis.networks import read_network

    if (edges is None) == (name is None):
        raise InputError(
            "Give either a file or a stored network.",
            received=f"--edges {edges} --name {name}",
            expected="exactly one of --edges FILE and --name N",
            fix="use --edges for a file, --name for a network stored with weerbaar ingest network",
        )
    if edges is not None:
        return read_network(edges, directed=directed).graph()
    from .. import store
    from ..store.networks import load_graph

    assert name is not None  # exactly one of edges and name, checked above
    with store.session(_store_url(database_url)) as s:
        return load_graph(s, name, actor=None, purpose=purpose)


def _write(frame: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        frame.to_csv(out, index=False, lineterminator="\n")
        typer.echo(f"wrote {len(frame)} rows to {out}", err=True)


@network_app.command("disrupt")
def network_disrupt(
    edges: Annotated[Path | None, typer.Option("--edges", help="Edge list or adjacency matrix (CSV/TSV).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="A stored network (audited).")] = None,
    weighted: Annotated[bool, typer.Option("--weighted", help="Use tie weights (strength).")] = False,
    strategy: Annotated[Strategy, typer.Option(help="block: rank once; sequential: re-rank after each removal")] = (
        Strategy.sequential
    ),
    measure: Annotated[Measure, typer.Option(help="Ranking measure, or random as the baseline.")] = Measure.betweenness,
    step: Annotated[int, typer.Option("--step", help="Write a row every K removals.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of random orders and betweenness pivots.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
    max_fraction: Annotated[float, typer.Option(help="Stop after removing this share of actors.")] = 1.0,
    rerank_every: Annotated[
        int | None, typer.Option(help="Re-rank after every K removals (Cavallaro et al.'s 'block' is 5).")
    ] = None,
    betweenness_k: Annotated[
        int | None, typer.Option(help="Estimate betweenness from K random pivots (large networks).")
    ] = None,
    ci_radius: Annotated[int, typer.Option(help="Collective-influence ball radius l (1 = neighbours).")] = 2,
    repeats: Annotated[int, typer.Option(help="Average the random baseline over this many orders.")] = 1,
    directed: Annotated[bool | None, typer.Option("--directed/--undirected", help="Override direction.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove actors by a ranking and write `removed, lcc_share` (one row per step, starting `0, 1.0`)."""
    from ..analysis.networks import disrupt

    g = _graph(edges, name, database_url, directed=directed, purpose="disrupt")
    result = disrupt(
        g, strategy=strategy.value, measure=measure.value, step=step, weighted=weighted, seed=seed,
        max_fraction=max_fraction, rerank_every=rerank_every, betweenness_k=betweenness_k,
        ci_radius=ci_radius, repeats=repeats,
    )
    _write(result.to_frame(), out)
    if result.approximate:
        typer.echo(f"note: {result.approximate}", err=True)


@network_app.command("recover")
def network_recover(
    edges: Annotated[Path | None, typer.Option("--edges", help="Edge list or adjacency matrix (CSV/TSV).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="A stored network (audited).")] = None,
    remove: Annotated[str | None, typer.Option("--remove", help="Comma-separated actors to remove.")] = None,
    top: Annotated[int | None, typer.Option("--top", help="Or remove the top K actors by --measure.")] = None,
    measure: Annotated[Measure, typer.Option(help="Ranking for --top.")] = Measure.betweenness,
    rounds: Annotated[int, typer.Option(help="Rounds of rewiring.")] = 10,
    p: Annotated[float, typer.Option("--p", help="Chance per round that a trusted pair ties.")] = 0.3,
    trust_radius: Annotated[int, typer.Option(help="Trust reaches this many steps (2 = contact of a contact).")] = 2,
    seed: Annotated[int, typer.Option()] = 0,
    repeats: Annotated[int, typer.Option(help="Average over this many seeded runs.")] = 20,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
    directed: Annotated[bool | None, typer.Option("--directed/--undirected")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove actors and let the network rewire through trusted ties (after Duijn, Kashirin & Sloot 2014);
    writes `round, efficiency, lcc_share, new_ties` relative to the network before removal."""
    from ..analysis.networks import score
    from ..analysis.networks.recovery import simulate_recovery

    g = _graph(edges, name, database_url, directed=directed, purpose="recover")
    if (remove is None) == (top is None):
        raise InputError("Say whom to remove.", received=f"--remove {remove} --top {top}",
                         expected="exactly one of --remove A,B and --top K", fix="add --top 3, for example")
    if top is not None:
        if measure is Measure.random:
            raise InputError("--top needs a ranking measure.", received="random", expected="degree, betweenness, ...",
                             fix="choose a measure, or list the actors with --remove")
        values = score(g, measure.value)
        victims = sorted(g.nodes(), key=lambda v: -values[v])[:top]
    else:
        assert remove is not None  # exactly one of remove and top, checked above
        victims = [v.strip() for v in remove.split(",") if v.strip()]
    result = simulate_recovery(g, victims, rounds=rounds, p=p, trust_radius=trust_radius, seed=seed,
                               repeats=repeats)
    _write(result.to_frame().round(6), out)


@network_app.command("recruitment")
def network_recruitment(
    edges: Annotated[Path | None, typer.Option("--edges", help="Edge list (a time/phase column helps).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="A stored network (audited).")] = None,
    attributes: Annotated[
        Path | None, typer.Option("--attributes", help="Node attributes (age, first_seen, role) for a file network.")
    ] = None,
    young_age: Annotated[float, typer.Option(help="Newcomers: younger than this (when ages are given).")] = 23,
    core_roles: Annotated[
        str | None, typer.Option(help="Comma-separated roles that form the core (default: the main k-core).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """How newcomers connect to the core, as counts only (measures 2-3): distance to core, via which
    role types, how many phases to a first core tie. Counts below 5 are shown as <5; never a list."""
    import networkx as nx

    from ..analysis.networks import read_attributes, read_network
    from ..analysis.networks.recruitment import recruitment_paths

    times = None
    if edges is not None and name is None:
        data = read_network(edges)
        g = data.graph()
        if "time" in data.edges:
            times = data.edges[["source", "target", "time"]]
        if attributes is not None:
            attrs = read_attributes(attributes)
            if "age" in attrs:
                attrs["age"] = pd.to_numeric(attrs["age"], errors="coerce")
            for col in attrs.columns:
                nx.set_node_attributes(g, {k: v for k, v in attrs[col].items() if k in g and pd.notna(v)}, col)
    else:
        g = _graph(edges, name, database_url, directed=None, purpose="recruitment")
        if g.graph.get("has_time"):
            assert name is not None  # a file alone took the branch above; _graph refuses neither and both
            from .. import store
            from ..store.networks import export_ties

            with store.session(_store_url(database_url)) as s:
                frame = export_ties(s, name, actor=None, purpose="recruitment")
            times = frame[["source", "target", "time"]] if "time" in frame else None
    roles = tuple(r.strip() for r in core_roles.split(",")) if core_roles else None
    result = recruitment_paths(g, young_age=young_age, core_roles=roles, tie_times=times)
    typer.echo(("" if result.supported else "cannot support a statement: ") + result.reason, err=True)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    _write(result.to_frame(), out)


@network_app.command("analyse")
def network_analyse(
    edges: Annotated[Path | None, typer.Option("--edges", help="Edge list or adjacency matrix (CSV/TSV).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="A stored network (audited).")] = None,
    attributes: Annotated[
        Path | None, typer.Option("--attributes", help="Node attributes (role, group) for a file network.")
    ] = None,
    weighted: Annotated[bool, typer.Option("--weighted")] = False,
    key_players: Annotated[int, typer.Option("--key-players", help="Size of the key-player sets.")] = 3,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: standard output).")] = None,
    directed: Annotated[bool | None, typer.Option("--directed/--undirected")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """One row per actor: centralities, brokerage roles, structural holes, community, replaceability,
    and membership of the KPP-Neg and KPP-Pos key-player sets."""
    import networkx as nx

    from ..analysis.networks import (
        brokerage,
        centralities,
        communities,
        read_attributes,
        replaceability,
        structural_holes,
    )
    from ..analysis.networks import key_players as kp

    g = _graph(edges, name, database_url, directed=directed, purpose="analyse")
    if attributes is not None:
        if name is not None:
            raise InputError("Attributes of a stored network are stored with it.", received="--attributes with --name",
                             expected="--attributes only with --edges", fix="leave out --attributes")
        attrs = read_attributes(attributes)
        for col in attrs.columns:
            nx.set_node_attributes(g, {k: v for k, v in attrs[col].items() if k in g and pd.notna(v)}, col)
    frame = centralities(g, weighted=weighted)
    frame = frame.join(structural_holes(g, weighted=weighted).drop(columns="degree"))
    frame = frame.join(replaceability(g).drop(columns=["degree"]))
    frame["community"] = pd.Series(communities(g))
    if nx.get_node_attributes(g, "group"):
        frame = frame.join(brokerage(g, "group").add_prefix("brokerage_"))
    n = g.number_of_nodes()
    if 1 <= key_players < n:
        neg = kp(g, key_players, kind="negative")
        pos = kp(g, key_players, kind="positive")
        frame["kpp_neg"] = frame.index.isin(neg.members)
        frame["kpp_pos"] = frame.index.isin(pos.members)
    frame = frame.reset_index().sort_values("betweenness", ascending=False)
    _write(frame.round(6), out)


@network_app.command("list")
def network_list(database_url: DatabaseUrl = None) -> None:
    """The stored networks' structural aggregates (size, ties, density, groups); no actor-level data."""
    from .. import store
    from ..store.networks import list_networks

    with store.session(_store_url(database_url), write=False) as s:
        rows = list_networks(s)
    _write(pd.DataFrame(rows, columns=["name", "actors", "ties", "density", "groups", "directed", "weighted",
                                       "has_time", "stored"]), None)


@network_app.command("export")
def network_export(
    name: Annotated[str, typer.Argument(help="A stored network.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file of ties on pseudonymous labels.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Export a stored network's ties on pseudonymous labels (audited)."""
    from .. import store
    from ..store.networks import export_ties

    with store.session(_store_url(database_url)) as s:
        frame = export_ties(s, name, actor=None)
    _write(frame, out)


@network_app.command("delete")
def network_delete(
    name: Annotated[str, typer.Argument(help="A stored network.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Delete a stored network with its ties and key (audited)."""
    from .. import store
    from ..store.networks import delete_network

    with store.session(_store_url(database_url)) as s:
        delete_network(s, name, actor=None)
    typer.echo(f"deleted network {name}")


def ingest_network(
    file: Annotated[Path, typer.Argument(help="Edge list (CSV/TSV/whitespace) or adjacency matrix.")],
    name: Annotated[str, typer.Option("--name", help="Name to store it under.")],
    attributes: Annotated[
        Path | None, typer.Option("--attributes", help="Node-attribute file (role, group, age, first_seen).")
    ] = None,
    directed: Annotated[bool | None, typer.Option("--directed/--undirected", help="Override direction.")] = None,
    keep_mapping: Annotated[
        bool, typer.Option("--keep-mapping", help="Keep the original ids, encrypted, readable by admins only.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Store a covert network pseudonymised in the operational store (partner-only; atomic)."""
    from .. import store
    from ..analysis.networks import read_attributes, read_network
    from ..analysis.networks.graph import _looks_like_adjacency, _sniff_table
    from ..store.networks import store_network

    data = read_network(file, directed=directed)
    kind = "adjacency" if _looks_like_adjacency(_sniff_table(file)) else "edge list"
    attrs = read_attributes(attributes) if attributes is not None else None
    if attrs is not None:
        unknown = [i for i in attrs.index if i not in set(data.nodes)]
        if unknown and len(unknown) == len(attrs):
            raise InputError(
                "No actor of the attribute file appears in the network.",
                file=str(attributes),
                received=f"ids such as {', '.join(unknown[:3])}",
                expected=f"the network's ids, such as {', '.join(data.nodes[:3])}",
                fix="use the same actor ids in both files",
            )
        if unknown:  # attributes of actors without ties in this network are not stored
            attrs = attrs.drop(index=unknown)
            typer.echo(f"{len(unknown)} actors of the attribute file are not in the network; their rows are ignored")
    with store.session(_store_url(database_url)) as s:
        summary = store_network(s, data, name, attributes=attrs, keep_mapping=keep_mapping, source_kind=kind)
    typer.echo(
        f"stored network {summary.name!r}: {summary.actors} actors, {summary.ties} ties, {summary.groups} groups, "
        f"{'directed' if summary.directed else 'undirected'}, {'weighted' if summary.weighted else 'unweighted'}"
        f"{', with time/phase' if summary.has_time else ''}; ids replaced by pseudonyms"
        f"{' (key kept encrypted, admins only)' if summary.mapping_kept else ' (original ids not kept)'}"
    )
    if summary.dropped_columns:
        typer.echo(f"dropped attribute columns (not stored): {', '.join(summary.dropped_columns)}")


def register(app: typer.Typer, ingest_app: typer.Typer, compute_app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")
    ingest_app.command("network")(ingest_network)
