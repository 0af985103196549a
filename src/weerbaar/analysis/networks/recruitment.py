"""Recruitment paths as aggregates (measures 2-3): how newcomers connect to a network's core.

Never a list of people: every output is a count or a distribution, counts below
``min_count`` (default 5) are shown as "<5", and when there are too few newcomers
(``min_newcomers``, default 10) the result says that the data cannot support a statement
instead of giving figures. See docs/methods/network-recruitment.md.

* **Newcomers**: actors with ``age`` below ``young_age`` (default 23), or, without ages, actors whose
  ``first_seen`` is in the latest ``recent`` periods; or the actors first appearing in the last
  phases of a network with timed ties.
* **Core**: the actors holding one of ``core_roles``, or, by default, the network's main k-core
  (the densest nested part; Seidman 1983).
* **Distance to core**: shortest-path distance from each newcomer to the nearest core member.
* **Through which role types**: for newcomers not tied to the core directly, the role of the
  contact on their shortest path(s) to the core (split equally over equally short paths).
* **How fast** (needs tie times): the number of phases between a newcomer's first tie and their
  first tie with a core member.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .graph import simple_undirected

__all__ = ["RecruitmentResult", "recruitment_paths"]


def _mask(count: float, min_count: int) -> str | int:
    c = int(round(count))
    return f"<{min_count}" if 0 < c < min_count else c


@dataclass(frozen=True)
class RecruitmentResult:
    supported: bool
    reason: str
    newcomers: str | int
    core_size: int
    core_definition: str
    distance: dict = field(default_factory=dict)  # "1", "2", "3", "4+", "not connected" -> count
    via_role: dict = field(default_factory=dict)  # role -> count (masked)
    phases_to_core: dict = field(default_factory=dict)  # lag -> count (masked)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        rows = [("distance_to_core", k, v) for k, v in self.distance.items()]
        rows += [("via_role", k, v) for k, v in self.via_role.items()]
        rows += [("phases_to_core", k, v) for k, v in self.phases_to_core.items()]
        return pd.DataFrame(rows, columns=["aspect", "value", "newcomers"])


def recruitment_paths(
    g: nx.Graph,
    *,
    young_age: float = 23,
    recent: int = 1,
    core_roles: tuple[str, ...] | None = None,
    tie_times: pd.DataFrame | None = None,
    min_count: int = 5,
    min_newcomers: int = 10,
) -> RecruitmentResult:
    """Aggregate recruitment structure (module docstring). ``tie_times``: frame source, target, time."""
    h = simple_undirected(g)
    ages = nx.get_node_attributes(h, "age")
    first = nx.get_node_attributes(h, "first_seen")
    roles = nx.get_node_attributes(h, "role")
    notes: list[str] = []
    if ages:
        newcomers = {v for v, a in ages.items() if a is not None and float(a) < young_age}
        how = f"age below {young_age:g}"
    elif first:
        periods = sorted(set(map(str, first.values())))
        latest = set(periods[-recent:])
        newcomers = {v for v, f in first.items() if str(f) in latest}
        how = f"first seen in {', '.join(sorted(latest))}"
    elif tie_times is not None and len(tie_times):
        t = tie_times.assign(time=tie_times["time"].astype(str))
        firsts = pd.concat([t[["source", "time"]].rename(columns={"source": "v"}),
                            t[["target", "time"]].rename(columns={"target": "v"})]).groupby("v")["time"].min()
        periods = sorted(set(firsts))
        latest = set(periods[-recent:])
        newcomers = {v for v, f in firsts.items() if f in latest and v in h}
        how = f"first tie in {', '.join(sorted(latest))}"
    else:
        return RecruitmentResult(False, "The network has no age, first-seen or tie-time information, so "
                                 "newcomers cannot be told apart.", 0, 0, "")
    if core_roles:
        core = {v for v, r in roles.items() if r in set(core_roles)}
        core_def = f"roles {', '.join(core_roles)}"
    else:
        cores = nx.core_number(h) if h.number_of_edges() else {}
        kmax = max(cores.values(), default=0)
        core = {v for v, k in cores.items() if k == kmax and kmax > 0}
        core_def = f"main {kmax}-core"
    core -= newcomers
    if len(newcomers) < min_newcomers:
        return RecruitmentResult(False, f"Only {_mask(len(newcomers), min_count)} newcomers ({how}); at least "
                                 f"{min_newcomers} are needed for a statement about how newcomers are drawn in.",
                                 _mask(len(newcomers), min_count), len(core), core_def)
    if not core:
        return RecruitmentResult(False, "No core could be defined (no actor holds the core roles).",
                                 _mask(len(newcomers), min_count), 0, core_def)
    dist = nx.multi_source_dijkstra_path_length(h, core, weight=None)
    buckets: Counter[str] = Counter()
    via: dict[str, float] = {}
    for v in newcomers:
        d = dist.get(v)
        if d is None:
            buckets["not connected"] += 1
            continue
        buckets[str(d) if d <= 3 else "4+"] += 1
        if d >= 2:
            steps = [u for u in h.neighbors(v) if dist.get(u) == d - 1]
            for u in steps:
                key = roles.get(u, "no role given")
                via[key] = via.get(key, 0.0) + 1.0 / len(steps)
    order = ["1", "2", "3", "4+", "not connected"]
    distance = {k: _mask(buckets.get(k, 0), min_count) for k in order}
    if not roles:
        notes.append("No roles are given, so the role types on the paths cannot be shown.")
    via_role = {k: _mask(v, min_count) for k, v in sorted(via.items(), key=lambda kv: -kv[1])} if roles else {}
    lags: dict = {}
    if tie_times is not None and len(tie_times) and "time" in tie_times:
        t = tie_times.assign(time=tie_times["time"].astype(str))
        periods = sorted(set(t["time"]), key=lambda x: (float(x) if _num(x) else np.inf, x))
        pos = {p: i for i, p in enumerate(periods)}
        counter: Counter = Counter()
        for v in newcomers:
            mine = t[(t["source"] == v) | (t["target"] == v)]
            if mine.empty:
                continue
            start = min(pos[x] for x in mine["time"])
            other = np.where(mine["source"] == v, mine["target"], mine["source"])
            to_core = [pos[x] for x, o in zip(mine["time"], other, strict=True) if o in core]
            counter[str(min(to_core) - start) if to_core else "not yet"] += 1
        lags = {k: _mask(c, min_count) for k, c in sorted(counter.items())}
    else:
        notes.append("Ties carry no time, so how fast newcomers reach the core cannot be said.")
    return RecruitmentResult(True, f"newcomers: {how}; core: {core_def}", _mask(len(newcomers), min_count),
                             len(core), core_def, distance, via_role, lags, tuple(notes))


def _num(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True
