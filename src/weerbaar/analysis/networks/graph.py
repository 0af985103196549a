"""Reading covert networks into networkx graphs: edge lists, adjacency matrices, node attributes.

Accepted inputs (see docs/methods/networks.md):

* an edge list: CSV, TSV or whitespace-separated text, with or without a header; the first two
  columns are the actors (header names ``source/target``, ``from/to``, ``node_i/node_j`` or any
  two names), an optional third numeric column ``weight`` and an optional ``time``/``phase``
  column;
* an adjacency matrix: a square CSV whose first row and first column carry the same actor ids
  (the CAVIAR, Siren and Natarajan layout); cell values are tie weights, 0 means no tie;
* a node-attribute file: CSV with an actor-id column (``node``, ``id``, ``name``, ``vid`` or the
  first column) and optional ``role``, ``group``, ``age``, ``first_seen`` columns.

Every problem is an :class:`~weerbaar.errors.InputError` naming the file, row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ...errors import InputError

__all__ = [
    "MAX_ACTORS",
    "MAX_TIES",
    "NetworkData",
    "from_edges",
    "read_adjacency",
    "read_attributes",
    "read_edges",
    "read_network",
    "simple_undirected",
]

#: Sane upper bounds for a partner network (the largest published covert networks have a few
#: thousand actors); anything above is almost certainly a wrong file.
MAX_ACTORS = 50_000
MAX_TIES = 500_000

_SOURCE_NAMES = ("source", "from", "node_i", "i", "sender", "caller", "actor1", "van")
_TARGET_NAMES = ("target", "to", "node_j", "j", "receiver", "callee", "actor2", "naar")
_TIME_NAMES = ("time", "phase", "period", "date", "fase", "tijd")


@dataclass
class NetworkData:
    """A network as read from a file: ties, whether they are directed/weighted, and node attributes."""

    edges: pd.DataFrame  # columns source, target, weight[, time]
    directed: bool
    weighted: bool
    nodes: list[str] = field(default_factory=list)  # every actor, isolates included
    attributes: pd.DataFrame | None = None  # index actor id; columns role, group, ...

    def graph(self, *, directed: bool | None = None, time: object | None = None) -> nx.Graph:
        """The networkx graph (weights summed over repeated ties); ``time`` keeps one phase."""
        edges = self.edges
        if time is not None and "time" in edges:
            edges = edges[edges["time"].astype(str) == str(time)]
        d = self.directed if directed is None else directed
        g: nx.Graph = nx.DiGraph() if d else nx.Graph()
        g.add_nodes_from(self.nodes)
        for s, t, w in zip(edges["source"], edges["target"], edges["weight"], strict=True):
            if s == t:
                continue
            if g.has_edge(s, t):
                g[s][t]["weight"] += float(w)
            else:
                g.add_edge(s, t, weight=float(w))
        if self.attributes is not None:
            for col in self.attributes.columns:
                nx.set_node_attributes(
                    g, {k: v for k, v in self.attributes[col].items() if k in g and pd.notna(v)}, col
                )
        return g


def simple_undirected(g: nx.Graph) -> nx.Graph:
    """An undirected simple graph: reciprocal directed ties merged, their weights summed, no self-loops."""
    if not g.is_directed():
        h: nx.Graph = nx.Graph(g)
    else:
        h = nx.Graph()
        h.add_nodes_from(g.nodes(data=True))
        for s, t, data in g.edges(data=True):
            w = float(data.get("weight", 1.0))
            if h.has_edge(s, t):
                h[s][t]["weight"] += w
            else:
                h.add_edge(s, t, weight=w)
    h.remove_edges_from(list(nx.selfloop_edges(h)))
    return h


def _sniff_table(path: Path) -> pd.DataFrame:
    """Read CSV/TSV/whitespace text into strings (no header interpretation yet)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "The network file is not UTF-8 text.",
            file=str(path),
            received=f"undecodable bytes ({exc.reason})",
            expected="a UTF-8 CSV/TSV edge list or adjacency matrix",
            fix="save the file as UTF-8 text (CSV or TSV)",
        ) from exc
    except OSError as exc:
        raise InputError(
            "The network file cannot be read.",
            file=str(path),
            received=str(exc),
            expected="a readable file",
            fix="check the path",
        ) from exc
    lines = [ln for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InputError(
            "The network file is empty.",
            file=str(path),
            received="no data lines",
            expected="an edge list (one tie per line) or an adjacency matrix",
            fix="export the ties again",
        )
    first = lines[0]
    if "\t" in first:
        sep = "\t"
    elif "," in first:
        sep = ","
    elif ";" in first:
        sep = ";"
    else:
        sep = None
    if sep is None:
        rows = [ln.split() for ln in lines]
    else:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
    width = max(len(r) for r in rows)
    rows = [[c.strip() for c in r] + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(rows, dtype=str)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _looks_like_adjacency(table: pd.DataFrame) -> bool:
    if table.shape[0] < 2 or table.shape[1] < 3:
        return False
    header = [c for c in table.iloc[0, 1:].tolist()]
    ids = table.iloc[1:, 0].tolist()
    return table.shape[0] - 1 == table.shape[1] - 1 and sorted(header) == sorted(ids)


def read_network(path: str | Path, *, directed: bool | None = None) -> NetworkData:
    """Read an edge list or an adjacency matrix (detected from its shape)."""
    path = Path(path)
    table = _sniff_table(path)
    if _looks_like_adjacency(table):
        return _adjacency_from_table(table, path, directed)
    return _edges_from_table(table, path, directed)


def read_edges(path: str | Path, *, directed: bool | None = None) -> NetworkData:
    """Read an edge list (see the module docstring)."""
    path = Path(path)
    return _edges_from_table(_sniff_table(path), path, directed)


def read_adjacency(path: str | Path, *, directed: bool | None = None) -> NetworkData:
    """Read a square adjacency matrix with actor ids in the first row and column."""
    path = Path(path)
    table = _sniff_table(path)
    if not _looks_like_adjacency(table):
        raise InputError(
            "The file is not a square adjacency matrix.",
            file=str(path),
            received=f"{table.shape[0] - 1} data rows and {table.shape[1] - 1} data columns",
            expected="first row and first column with the same actor ids, numbers elsewhere",
            fix="check that every actor appears once as a row and once as a column",
        )
    return _adjacency_from_table(table, path, directed)


def _check_size(n_nodes: int, n_edges: int, path: Path) -> None:
    if n_nodes > MAX_ACTORS or n_edges > MAX_TIES:
        raise InputError(
            "The network is larger than weerbaar accepts.",
            file=str(path),
            received=f"{n_nodes} actors, {n_edges} ties",
            expected=f"at most {MAX_ACTORS} actors and {MAX_TIES} ties",
            fix="split the file, or check that it is the right one",
        )


def _adjacency_from_table(table: pd.DataFrame, path: Path, directed: bool | None) -> NetworkData:
    ids = table.iloc[1:, 0].tolist()
    cols = table.iloc[0, 1:].tolist()
    if len(set(ids)) != len(ids):
        raise InputError(
            "An actor id appears twice in the adjacency matrix.",
            file=str(path),
            column="first column",
            received=", ".join(sorted({i for i in ids if ids.count(i) > 1})[:5]),
            expected="each actor once",
            fix="remove the duplicated rows and columns",
        )
    values = np.zeros((len(ids), len(cols)))
    for r in range(len(ids)):
        for c in range(len(cols)):
            cell = str(table.iat[r + 1, c + 1])
            if cell == "":
                continue
            if not _is_number(cell):
                raise InputError(
                    "A cell of the adjacency matrix is not a number.",
                    file=str(path),
                    row=r + 1,
                    column=str(cols[c]),
                    received=repr(cell),
                    expected="a tie weight (0 = no tie)",
                    fix="replace the cell with a number",
                )
            values[r, c] = float(cell)
    if (values < 0).any() or not np.isfinite(values).all():
        raise InputError(
            "The adjacency matrix has negative or infinite weights.",
            file=str(path),
            received=f"minimum {values.min()}",
            expected="weights of 0 or more",
            fix="use counts or strengths of ties, 0 for no tie",
        )
    order = [cols.index(i) for i in ids]
    values = values[:, order]
    if directed is None:
        directed = not np.allclose(values, values.T)
    rows = []
    for r, s in enumerate(ids):
        for c, t in enumerate(ids):
            if r == c or values[r, c] == 0:
                continue
            if not directed and c < r:
                continue
            rows.append((str(s), str(t), values[r, c]))
    edges = pd.DataFrame(rows, columns=["source", "target", "weight"])
    _check_size(len(ids), len(edges), path)
    weighted = bool(len(edges)) and not np.allclose(edges["weight"], 1.0)
    return NetworkData(edges=edges, directed=directed, weighted=weighted, nodes=[str(i) for i in ids])


def _edges_from_table(table: pd.DataFrame, path: Path, directed: bool | None) -> NetworkData:
    head = [str(c).strip().lower() for c in table.iloc[0].tolist()]
    has_header = not (_is_number(head[0]) and _is_number(head[1]) and table.shape[1] >= 2) and any(
        h in _SOURCE_NAMES + _TARGET_NAMES + ("weight", "w", "gewicht") + _TIME_NAMES for h in head
    )
    if table.shape[1] < 2:
        raise InputError(
            "The edge list has fewer than two columns.",
            file=str(path),
            received=f"{table.shape[1]} column",
            expected="source and target columns (and optionally weight, time/phase)",
            fix="write one tie per line: source,target[,weight]",
        )
    if has_header:
        body = table.iloc[1:].reset_index(drop=True)
        names = head
    else:
        body = table
        names = [f"c{i}" for i in range(table.shape[1])]
    s_col = next((i for i, h in enumerate(names) if h in _SOURCE_NAMES), 0)
    t_col = next((i for i, h in enumerate(names) if h in _TARGET_NAMES), 1 if s_col != 1 else 0)
    w_col = next((i for i, h in enumerate(names) if h in ("weight", "w", "gewicht", "value", "calls")), None)
    time_col = next((i for i, h in enumerate(names) if h in _TIME_NAMES), None)
    if w_col is None and not has_header and table.shape[1] >= 3:
        w_col = 2
    src = body.iloc[:, s_col].astype(str)
    tgt = body.iloc[:, t_col].astype(str)
    for col_i, series in ((s_col, src), (t_col, tgt)):
        empty = series[series == ""]
        if len(empty):
            row = int(empty.index[0]) + 1
            raise InputError(
                "An actor id is empty.",
                file=str(path),
                row=row,
                column=names[col_i],
                received="an empty cell",
                expected="an actor id in both of the first two columns",
                fix="fill in or remove the row",
            )
    if w_col is not None:
        weights = []
        for r, cell in enumerate(body.iloc[:, w_col].tolist(), start=1):
            if cell == "":
                weights.append(1.0)
                continue
            if not _is_number(cell) or float(cell) < 0 or not np.isfinite(float(cell)):
                raise InputError(
                    "A tie weight is not a non-negative number.",
                    file=str(path),
                    row=r,
                    column=names[w_col],
                    received=repr(cell),
                    expected="a number of 0 or more (e.g. the number of calls or meetings)",
                    fix="correct the cell or leave it empty for weight 1",
                )
            weights.append(float(cell))
        weight = pd.Series(weights, dtype=float)
    else:
        weight = pd.Series(np.ones(len(body)), dtype=float)
    edges = pd.DataFrame({"source": src.to_numpy(), "target": tgt.to_numpy(), "weight": weight.to_numpy()})
    if time_col is not None:
        edges["time"] = body.iloc[:, time_col].astype(str).to_numpy()
    edges = edges[edges["weight"] > 0].reset_index(drop=True)
    nodes = list(dict.fromkeys(list(edges["source"]) + list(edges["target"])))
    _check_size(len(nodes), len(edges), path)
    if directed is None:
        # an edge list does not say whether its ties have a direction: undirected unless told
        directed = False
    weighted = bool(len(edges)) and not np.allclose(edges["weight"], 1.0)
    return NetworkData(edges=edges, directed=directed, weighted=weighted, nodes=nodes)


def from_edges(
    edges: pd.DataFrame, *, directed: bool = False, attributes: pd.DataFrame | None = None
) -> NetworkData:
    """A :class:`NetworkData` from a frame with ``source, target[, weight][, time]``."""
    frame = edges.copy()
    frame["source"] = frame["source"].astype(str)
    frame["target"] = frame["target"].astype(str)
    if "weight" not in frame:
        frame["weight"] = 1.0
    nodes = list(dict.fromkeys(list(frame["source"]) + list(frame["target"])))
    if attributes is not None:
        nodes += [str(i) for i in attributes.index if str(i) not in set(nodes)]
    weighted = bool(len(frame)) and not np.allclose(frame["weight"], 1.0)
    return NetworkData(frame, directed, weighted, nodes, attributes)


def read_attributes(path: str | Path) -> pd.DataFrame:
    """Node attributes (role, group, age, first_seen, ...) indexed by actor id (string)."""
    path = Path(path)
    table = _sniff_table(path)
    head = [str(c).strip().lower() for c in table.iloc[0].tolist()]
    body = table.iloc[1:].reset_index(drop=True)
    body.columns = head
    id_col = next((c for c in ("node", "id", "actor", "vid", "name") if c in head), head[0])
    ids = body[id_col].astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise InputError(
            "An actor appears twice in the node-attribute file.",
            file=str(path),
            row=int(ids[ids.duplicated()].index[0]) + 1,
            column=id_col,
            received=repr(dup),
            expected="one row per actor",
            fix="merge the duplicated rows",
        )
    out = body.drop(columns=[id_col])
    out.index = ids
    out.index.name = "node"
    out = out.replace("", np.nan)
    return out
