"""The partner-only network store: pseudonymised covert networks, every view and export audited.

* On ingest every actor id is replaced by a label ``A0001`` ... assigned in a random order; the
  original ids are dropped unless ``keep_mapping`` is set, in which case the mapping is encrypted
  (Fernet, key file ``network.key`` in the data folder or ``WEERBAAR_NETWORK_KEY``) and only an
  admin can read it, each reading audited.
* Only the columns ``role``, ``group``, ``age`` and ``first_seen`` of a node-attribute file are
  kept (as short category labels); any other column is dropped and named in the ingest summary.
* :func:`load_graph` and :func:`export_ties` write to the audit log (``network_view:<id>``,
  ``network_export:<id>``); :func:`structure` gives the only figures that may leave the partner
  side: size, ties, density, number of groups.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import networkx as nx
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import settings
from ..errors import ConfigError, InputError, NotFoundError
from .models import User
from .network_models import Network, NetworkActor, NetworkKey, NetworkTie
from .reports import NotAllowedError, _read_or_create_key, record_access

__all__ = [
    "IngestSummary",
    "KEPT_ATTRIBUTES",
    "delete_network",
    "export_ties",
    "get_network",
    "list_networks",
    "load_graph",
    "reveal_mapping",
    "store_network",
    "structure",
]

KEPT_ATTRIBUTES = ("role", "group", "age", "first_seen")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")


@dataclass(frozen=True)
class IngestSummary:
    network_id: int
    name: str
    actors: int
    ties: int
    groups: int
    directed: bool
    weighted: bool
    has_time: bool
    mapping_kept: bool
    dropped_columns: tuple[str, ...]


def _fernet():
    from cryptography.fernet import Fernet

    configured = settings.get("network_key")
    key = configured.encode("ascii") if configured else _read_or_create_key(settings.home() / "network.key")
    try:
        return Fernet(key)
    except ValueError:
        raise ConfigError(
            "The network key is not a valid key.",
            received="WEERBAAR_NETWORK_KEY" if configured else str(settings.home() / "network.key"),
            expected="a Fernet key (44 characters, url-safe base64)",
            fix="restore the key file from its backup, or set WEERBAAR_NETWORK_KEY",
        ) from None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name.strip()):
        raise InputError(
            "Unusable network name.",
            received=repr(name),
            expected="1-100 letters, digits, spaces or . _ -, starting with a letter or digit",
            fix="choose a short name such as caviar-2024",
        )
    return name.strip()


def _require_partner(actor: User | None, action: str) -> None:
    if actor is not None and (not actor.active or actor.role not in ("analyst", "moderator", "admin")):
        raise NotAllowedError(
            f"Not allowed to {action}.",
            received=f"role {actor.role!r}",
            expected="an active analyst, moderator or admin",
            fix="ask an admin for partner access",
        )


def store_network(
    session: Session,
    data,
    name: str,
    *,
    attributes: pd.DataFrame | None = None,
    actor: User | None = None,
    keep_mapping: bool = False,
    source_kind: str = "edge list",
) -> IngestSummary:
    """Store a :class:`~weerbaar.analysis.networks.NetworkData` pseudonymised (atomic with the session)."""
    _require_partner(actor, "store a network")
    name = _check_name(name)
    if session.scalar(select(Network.id).where(Network.name == name)) is not None:
        raise InputError(
            "A network with this name is already stored.",
            received=repr(name),
            expected="a new name",
            fix="choose another --name, or delete the stored one first (weerbaar network delete)",
        )
    nodes = list(dict.fromkeys([str(v) for v in data.nodes]))
    attrs = attributes if attributes is not None else data.attributes
    dropped: tuple[str, ...] = ()
    if attrs is not None:
        attrs = attrs.copy()
        attrs.columns = [str(c).strip().lower() for c in attrs.columns]
        dropped = tuple(c for c in attrs.columns if c not in KEPT_ATTRIBUTES)
        attrs = attrs[[c for c in attrs.columns if c in KEPT_ATTRIBUTES]]
        attrs.index = attrs.index.astype(str)
        if "age" in attrs:
            age = pd.to_numeric(attrs["age"], errors="coerce")
            bad = age[(age < 8) | (age > 100)]
            if len(bad):
                raise InputError(
                    "An age in the node-attribute file is outside 8-100 years.",
                    column="age",
                    received=f"{bad.iloc[0]} (actor {bad.index[0]})",
                    expected="ages in years between 8 and 100",
                    fix="correct the age or leave the cell empty",
                )
            attrs["age"] = age
    order = list(range(len(nodes)))
    secrets.SystemRandom().shuffle(order)
    width = max(4, len(str(len(nodes))))
    labels = {v: f"A{order[i] + 1:0{width}d}" for i, v in enumerate(nodes)}
    groups = set()
    net = Network(
        name=name,
        directed=bool(data.directed),
        weighted=bool(data.weighted),
        has_time="time" in data.edges,
        n_actors=len(nodes),
        n_ties=0,
        n_groups=0,
        source_kind=source_kind[:20],
        created_by=actor.id if actor is not None else None,
    )
    session.add(net)
    session.flush()
    rows = {}
    for v in sorted(nodes, key=lambda x: labels[x]):
        a = attrs.loc[v] if attrs is not None and v in attrs.index else None

        def get(col, a=a):
            if a is None or col not in a.index or pd.isna(a[col]):
                return None
            return a[col] if col == "age" else str(a[col])[:60]

        if get("group") is not None:
            groups.add(get("group"))
        rows[v] = NetworkActor(
            network_id=net.id,
            label=labels[v],
            role=get("role"),
            group=get("group"),
            age=float(get("age")) if get("age") is not None else None,
            first_seen=get("first_seen"),
        )
    session.add_all(rows.values())
    session.flush()
    has_time = "time" in data.edges
    ties = [
        NetworkTie(
            network_id=net.id,
            source=rows[str(s)].id,
            target=rows[str(t)].id,
            weight=float(w),
            time=str(tm)[:40] if has_time else None,
        )
        for s, t, w, tm in zip(
            data.edges["source"],
            data.edges["target"],
            data.edges["weight"],
            data.edges["time"] if has_time else [None] * len(data.edges),
            strict=True,
        )
        if str(s) != str(t)
    ]
    session.add_all(ties)
    net.n_ties = len(ties)
    net.n_groups = len(groups)
    if keep_mapping:
        blob = _fernet().encrypt(json.dumps({labels[v]: v for v in nodes}).encode("utf-8"))
        session.add(NetworkKey(network_id=net.id, blob=blob))
    record_access(session, f"network_ingest:{net.id}", actor=actor)
    session.flush()
    return IngestSummary(
        net.id, name, len(nodes), len(ties), len(groups), net.directed, net.weighted, has_time, keep_mapping, dropped
    )


def get_network(session: Session, name: str) -> Network:
    net = session.scalar(select(Network).where(Network.name == name))
    if net is None:
        known = session.scalars(select(Network.name).order_by(Network.name)).all()
        raise NotFoundError(
            "No stored network has this name.",
            received=repr(name),
            expected=", ".join(known) if known else "a stored network (none yet)",
            fix="weerbaar network list shows the stored networks; weerbaar ingest network FILE --name N adds one",
        )
    return net


def structure(net: Network) -> dict:
    """The structural aggregates of a stored network: the only figures allowed outside the partner side."""
    n = net.n_actors
    pairs = n * (n - 1) if net.directed else n * (n - 1) / 2
    return {
        "name": net.name,
        "actors": n,
        "ties": net.n_ties,
        "density": round(net.n_ties / pairs, 4) if pairs else 0.0,
        "groups": net.n_groups,
        "directed": net.directed,
        "weighted": net.weighted,
        "has_time": net.has_time,
        "stored": net.created_at.date().isoformat() if net.created_at else "",
    }


def list_networks(session: Session) -> list[dict]:
    """Every stored network's structural aggregates (no actor-level data, so not audited)."""
    return [structure(n) for n in session.scalars(select(Network).order_by(Network.name))]


def load_graph(
    session: Session, name: str, *, actor: User | None, time: str | None = None, purpose: str = "view"
) -> nx.Graph:
    """The stored network as a graph on pseudonymous labels, with role/group/age/first_seen; audited."""
    _require_partner(actor, "view a network")
    net = get_network(session, name)
    actors = session.scalars(select(NetworkActor).where(NetworkActor.network_id == net.id)).all()
    ties = session.scalars(select(NetworkTie).where(NetworkTie.network_id == net.id)).all()
    label = {a.id: a.label for a in actors}
    g: nx.Graph = nx.DiGraph() if net.directed else nx.Graph()
    for a in sorted(actors, key=lambda a: a.label):
        attrs = {
            k: v
            for k, v in (("role", a.role), ("group", a.group), ("age", a.age), ("first_seen", a.first_seen))
            if v is not None
        }
        g.add_node(a.label, **attrs)
    for t in ties:
        if time is not None and t.time != str(time):
            continue
        s, d = label[t.source], label[t.target]
        if g.has_edge(s, d):
            g[s][d]["weight"] += t.weight
        else:
            g.add_edge(s, d, weight=t.weight)
    g.graph.update(name=net.name, weighted=net.weighted, directed=net.directed, has_time=net.has_time)
    record_access(session, f"network_{purpose}:{net.id}"[:50], actor=actor)
    return g


def export_ties(session: Session, name: str, *, actor: User | None, purpose: str = "export") -> pd.DataFrame:
    """The ties on pseudonymous labels (source, target, weight[, time]); audited (as an export by default)."""
    _require_partner(actor, "export a network")
    net = get_network(session, name)
    actors = {a.id: a.label for a in session.scalars(select(NetworkActor).where(NetworkActor.network_id == net.id))}
    ties = session.scalars(select(NetworkTie).where(NetworkTie.network_id == net.id).order_by(NetworkTie.id)).all()
    frame = pd.DataFrame(
        {
            "source": [actors[t.source] for t in ties],
            "target": [actors[t.target] for t in ties],
            "weight": [t.weight for t in ties],
        }
    )
    if net.has_time:
        frame["time"] = [t.time for t in ties]
    record_access(session, f"network_{purpose}:{net.id}"[:50], actor=actor)
    return frame


def reveal_mapping(session: Session, name: str, *, actor: User | None) -> dict[str, str]:
    """The pseudonym -> original id mapping, for admins only; each reading is audited."""
    if actor is None or actor.role != "admin" or not actor.active:
        raise NotAllowedError(
            "Only an admin may read the pseudonym key.",
            received=f"role {getattr(actor, 'role', None)!r}",
            expected="an active admin",
            fix="ask an admin",
        )
    net = get_network(session, name)
    key = session.get(NetworkKey, net.id)
    if key is None:
        raise NotFoundError(
            "This network was stored without its key.",
            received=repr(name),
            expected="a network ingested with --keep-mapping",
            fix="the original ids are not recoverable from weerbaar: use your own source",
        )
    record_access(session, f"network_key:{net.id}", actor=actor)
    return json.loads(_fernet().decrypt(key.blob).decode("utf-8"))


def delete_network(session: Session, name: str, *, actor: User | None) -> None:
    """Delete a stored network with its ties and key (audited)."""
    _require_partner(actor, "delete a network")
    net = get_network(session, name)
    for model in (NetworkKey, NetworkTie, NetworkActor):
        session.execute(delete(model).where(model.network_id == net.id))
    record_access(session, f"network_delete:{net.id}", actor=actor)
    session.delete(net)
    session.flush()
