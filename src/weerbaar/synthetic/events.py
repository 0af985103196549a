"""Synthetic violent incidents: a self-exciting (Hawkes) point process over the study area.

Background incidents arrive per area and month as a Poisson count with the given expected
value (the generator makes it proportional to the latent drug-market intensity). Every
incident, background or not, triggers a Poisson number of follow-ups (mean ``branching``)
after an exponential delay (mean ``kernel_days``) at a Gaussian displacement (standard
deviation ``kernel_m`` per axis), generation after generation, until none is left. The parent
of every follow-up is recorded. See docs/methods/synthetic.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

__all__ = ["EVENT_TYPES", "simulate_events", "uniform_in_polygons", "locate_points"]

EVENT_TYPES: tuple[str, ...] = ("violence.shooting", "violence.explosion", "violence.stabbing")
EVENT_COLUMNS = ["event_id", "type", "occurred_at", "x", "y", "source", "status"]
EVENT_TRUTH_COLUMNS = ["event_id", "parent_id", "generation", "area_code", "type"]

#: Displacements of a follow-up that fall outside the study area are drawn again this often.
MAX_REDRAWS = 20


def uniform_in_polygons(
    geoms: np.ndarray, rng: np.random.Generator, *, max_tries: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """One uniform random point inside each polygon (rejection sampling within the bounds).

    A polygon that keeps rejecting (a sliver) gets its ``point_on_surface`` after ``max_tries``.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    x = np.empty(n)
    y = np.empty(n)
    if n == 0:
        return x, y
    bounds = shapely.bounds(geoms)
    todo = np.arange(n)
    for _ in range(max_tries):
        u = rng.random((len(todo), 2))
        b = bounds[todo]
        px = b[:, 0] + u[:, 0] * (b[:, 2] - b[:, 0])
        py = b[:, 1] + u[:, 1] * (b[:, 3] - b[:, 1])
        ok = shapely.contains_xy(geoms[todo], px, py)
        x[todo[ok]] = px[ok]
        y[todo[ok]] = py[ok]
        todo = todo[~ok]
        if todo.size == 0:
            return x, y
    fallback = shapely.point_on_surface(geoms[todo])
    x[todo] = shapely.get_x(fallback)
    y[todo] = shapely.get_y(fallback)
    return x, y


def locate_points(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the (first) polygon in ``tree`` that holds each point, or -1 outside all of them."""
    out = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0:
        return out
    pairs = tree.query(shapely.points(x, y), predicate="intersects")
    if pairs.shape[1]:
        order = np.lexsort((pairs[1], pairs[0]))
        first_pt, first = np.unique(pairs[0][order], return_index=True)
        out[first_pt] = pairs[1][order][first]
    return out


def simulate_events(
    geoms: np.ndarray,
    codes: np.ndarray,
    background: np.ndarray,
    month_offset: np.ndarray,
    month_days: np.ndarray,
    origin: np.datetime64,
    rng: np.random.Generator,
    *,
    branching: float = 0.3,
    kernel_days: float = 7.0,
    kernel_m: float = 300.0,
    type_probs: tuple[float, ...] = (0.4, 0.35, 0.25),
    inherit_type: float = 0.5,
    id_prefix: str = "SYN-E",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the Hawkes process and return ``(events, event_truth)``.

    Parameters
    ----------
    geoms, codes:
        The areas (polygons in EPSG:28992) and their codes.
    background:
        Expected number of background incidents per area (rows) and month (columns).
    month_offset, month_days:
        Start of each month in days since ``origin``, and its length in days.
    origin:
        The first instant of the first month (read as UTC).

    Returns
    -------
    ``events`` (``event_id, type, occurred_at, x, y, source, status``; time-ordered, status
    synthetic) and ``event_truth`` (``event_id, parent_id, generation, area_code, type``;
    ``parent_id`` is None for background incidents).
    """
    n_areas, n_months = background.shape
    horizon = float(month_offset[-1] + month_days[-1]) if n_months else 0.0
    probs = np.asarray(type_probs, dtype=float)
    probs = probs / probs.sum()
    tree = shapely.STRtree(geoms)

    counts = rng.poisson(background)
    area_idx, month_idx = np.nonzero(counts)
    reps = counts[area_idx, month_idx]
    area = np.repeat(area_idx, reps)
    month = np.repeat(month_idx, reps)
    t = month_offset[month] + rng.random(len(area)) * month_days[month]
    x, y = uniform_in_polygons(geoms[area], rng)
    kind = rng.choice(len(probs), size=len(area), p=probs)
    parent = np.full(len(area), -1, dtype=np.int64)
    gen = np.zeros(len(area), dtype=np.int64)
    cols = {"t": [t], "x": [x], "y": [y], "kind": [kind], "parent": [parent], "gen": [gen], "area": [area]}
    total = len(area)
    current = np.arange(total)
    cur_t, cur_x, cur_y, cur_kind = t, x, y, kind
    generation = 0
    while current.size:
        generation += 1
        n_child = rng.poisson(branching, size=current.size)
        src = np.repeat(np.arange(current.size), n_child)
        if src.size == 0:
            break
        ct = cur_t[src] + rng.exponential(kernel_days, size=src.size)
        cx = np.empty(src.size)
        cy = np.empty(src.size)
        carea = np.full(src.size, -1, dtype=np.int64)
        todo = np.arange(src.size)
        for _ in range(MAX_REDRAWS):
            px = cur_x[src[todo]] + rng.normal(0.0, kernel_m, size=todo.size)
            py = cur_y[src[todo]] + rng.normal(0.0, kernel_m, size=todo.size)
            where = locate_points(tree, px, py)
            ok = where >= 0
            cx[todo[ok]], cy[todo[ok]], carea[todo[ok]] = px[ok], py[ok], where[ok]
            todo = todo[~ok]
            if todo.size == 0:
                break
        inherit = rng.random(src.size) < inherit_type
        fresh = rng.choice(len(probs), size=src.size, p=probs)
        ckind = np.where(inherit, cur_kind[src], fresh)
        keep = (carea >= 0) & (ct < horizon)
        parent_global = current[src][keep]
        new_idx = total + np.arange(int(keep.sum()))
        total += new_idx.size
        for key, val in (("t", ct), ("x", cx), ("y", cy), ("kind", ckind), ("area", carea)):
            cols[key].append(val[keep])
        cols["parent"].append(parent_global)
        cols["gen"].append(np.full(int(keep.sum()), generation, dtype=np.int64))
        current = new_idx
        cur_t, cur_x, cur_y, cur_kind = ct[keep], cx[keep], cy[keep], ckind[keep]

    t = np.concatenate(cols["t"])
    x = np.concatenate(cols["x"])
    y = np.concatenate(cols["y"])
    kind = np.concatenate(cols["kind"])
    parent = np.concatenate(cols["parent"])
    gen = np.concatenate(cols["gen"])
    area = np.concatenate(cols["area"])

    order = np.lexsort((np.arange(len(t)), t))
    rank = np.empty(len(t), dtype=np.int64)
    rank[order] = np.arange(len(t))
    width = max(6, len(str(len(t))))
    ids = np.array([f"{id_prefix}{i + 1:0{width}d}" for i in range(len(t))], dtype=object)
    event_id = ids[rank]
    parent_id = np.where(parent >= 0, event_id[np.maximum(parent, 0)], np.array(None, dtype=object))
    seconds = np.round(t * 86400.0).astype(np.int64)
    when = origin.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    types = np.array(EVENT_TYPES, dtype=object)[kind]

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object)

    codes = np.asarray(codes, dtype=object)
    events = pd.DataFrame(
        {
            "event_id": text(event_id[order]),
            "type": text(types[order]),
            "occurred_at": pd.to_datetime(when[order]).as_unit("ns"),
            "x": x[order],
            "y": y[order],
            "source": text(np.full(len(t), "synthetic", dtype=object)),
            "status": text(np.full(len(t), "synthetic", dtype=object)),
        },
        columns=EVENT_COLUMNS,
    )
    truth = pd.DataFrame(
        {
            "event_id": text(event_id[order]),
            "parent_id": text(parent_id[order]),
            "generation": gen[order],
            "area_code": text(codes[area[order]]),
            "type": text(types[order]),
        },
        columns=EVENT_TRUTH_COLUMNS,
    )
    return events, truth
