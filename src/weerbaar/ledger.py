"""Consistency across releases: the release ledger of counts about persons.

Each release of the public figures is protected on its own by ``weerbaar.disclosure.protect``; an
attacker who keeps every release can still combine them (release 1 withholds A-January and
publishes A-February, release 2 publishes A-Q1 and A-March: A-January = Q1 - February - March).
The ledger records every cell of an about-persons count the first time it is released, and every
later release respects it (decision 0013):

* a cell is released only when its period has ended at least ``delay_days`` before the release
  date; until then it is ``pending`` and takes no part in the protection problem;
* a cell the ledger holds as withheld stays withheld and is protected like a primary cell;
* a cell the ledger holds as published keeps its published value (frozen) and is a known constant
  of the new protection problem (it cannot be withheld any more, so others are withheld instead);
* counts from open, anonymous submissions (anyone can add reports) are published rounded to a
  multiple of ``base``: an attacker who adds k reports of their own learns the others' count only
  to within the rounding, and only once, as the cell is then frozen.

The ledger is a small SQLite file next to the warehouse, so it survives rebuilds. A change of the
sources behind an indicator (its *lineage*) starts a new series.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import period_kind
from .disclosure import DisclosureConfig, protect

__all__ = ["ReleaseLedger", "period_end", "protect_release"]

_WITHHELD = ("primary", "secondary")


def period_end(period: str) -> date:
    """The last day of a period (YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM)."""
    kind = period_kind(period)
    year = int(period[:4])
    if kind == "year":
        last = 12
    elif kind == "half":
        last = 6 * int(period[-1])
    elif kind == "quarter":
        last = 3 * int(period[-1])
    else:
        last = int(period[5:7])
    first_next = date(year + (last == 12), last % 12 + 1, 1)
    return first_next - timedelta(days=1)


class ReleaseLedger:
    """What was released of each about-persons count: (division, indicator, lineage, area, period) ->
    status and published value."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute(
            "CREATE TABLE IF NOT EXISTS released (division TEXT NOT NULL, indicator TEXT NOT NULL, "
            "lineage TEXT NOT NULL, area_code TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL, "
            "value REAL, released_on TEXT NOT NULL, "
            "PRIMARY KEY (division, indicator, lineage, area_code, period))"
        )
        return con

    def load(self, division: str, indicator: str, lineage: str) -> pd.DataFrame:
        """The released cells of one series: area_code, period, status, value."""
        if not self.path.exists():
            return pd.DataFrame(columns=["area_code", "period", "status", "value"])
        con = self._connect()
        try:
            rows = con.execute(
                "SELECT area_code, period, status, value FROM released WHERE division = ? AND indicator = ? "
                "AND lineage = ?",
                (division, indicator, lineage),
            ).fetchall()
        finally:
            con.close()
        return pd.DataFrame(rows, columns=["area_code", "period", "status", "value"])

    def record(self, division: str, indicator: str, lineage: str, cells: pd.DataFrame, released_on: date) -> int:
        """Add newly released cells (area_code, period, status, published); cells already there are kept
        as they were. Returns the number added."""
        if cells.empty:
            return 0
        con = self._connect()
        try:
            with con:
                cur = con.executemany(
                    "INSERT OR IGNORE INTO released VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    zip(
                        repeat(division),
                        repeat(indicator),
                        repeat(lineage),
                        cells["area_code"].astype(str).tolist(),
                        cells["period"].astype(str).tolist(),
                        cells["status"].astype(str).tolist(),
                        [None if np.isnan(v) else v for v in pd.to_numeric(cells["published"]).astype(float).tolist()],
                        repeat(released_on.isoformat()),
                    ),
                )
                return cur.rowcount
        finally:
            con.close()


def protect_release(
    cube: pd.DataFrame,
    parents: Mapping[str, str | None],
    config: DisclosureConfig,
    *,
    previous: pd.DataFrame | None,
    as_of: date,
    delay_days: int = 31,
    round_published: bool | np.ndarray = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Protect one release of an about-persons cube, respecting what earlier releases published.

    ``cube``: area_code, period, value (as ``aggregate_cube`` returns, one indicator);
    ``previous``: the ledger's cells (area_code, period, status, value) or None.

    Returns (protected cube with ``published`` and ``status``, the cells to add to the ledger).
    Status ``pending``: the period has not ended ``delay_days`` before ``as_of``.
    """
    cube = cube.reset_index(drop=True)
    ends = {p: period_end(p) for p in cube["period"].unique()}
    closed = cube["period"].map(lambda p: ends[p] + timedelta(days=delay_days) <= as_of).to_numpy(dtype=bool)
    values = pd.to_numeric(cube["value"], errors="coerce").to_numpy(dtype=float).copy()
    key = cube["area_code"].astype(str) + "\x1f" + cube["period"].astype(str)
    fixed = np.zeros(len(cube), dtype=bool)
    forced = np.zeros(len(cube), dtype=bool)
    frozen = np.full(len(cube), np.nan)
    if previous is not None and len(previous):
        prev = previous.assign(key=previous["area_code"].astype(str) + "\x1f" + previous["period"].astype(str))
        prev = prev.set_index("key")
        st = key.map(prev["status"]).to_numpy(dtype=object)
        pv = key.map(prev["value"]).to_numpy(dtype=float)
        was_published = pd.Series(st).isin(["published", "rounded"]).to_numpy()
        forced = pd.Series(st).isin(_WITHHELD).to_numpy()
        fixed = was_published
        frozen = np.where(was_published, pv, np.nan)
        # the attacker knows the value published then: that is the value in the new problem
        values = np.where(was_published & ~np.isnan(pv), pv, values)
    values = np.where(closed, values, np.nan)  # pending periods take no part
    work = cube.assign(value=values)
    prot = protect(work, parents, config, fixed=fixed & closed, forced=forced & closed)
    status = prot["status"].to_numpy(dtype=object).copy()
    published = prot["published"].to_numpy(dtype=float).copy()
    fresh = closed & ~fixed & ~forced & (status == "published")
    rmask = np.broadcast_to(np.asarray(round_published, dtype=bool), (len(cube),))
    fresh &= rmask
    if fresh.any():
        base = float(config.base)
        published[fresh] = np.floor(published[fresh] / base + 0.5) * base
        status[fresh] = "rounded"
    published[fixed & closed] = frozen[fixed & closed]
    # a frozen rounded value stays "rounded"
    if previous is not None and len(previous):
        was_rounded = key.map(prev["status"]).to_numpy(dtype=object) == "rounded"
        status[was_rounded & closed] = "rounded"
    # withheld by an earlier release: withheld in every mode (rounding would give it back within 2)
    status[forced & closed] = np.where(status[forced & closed] == "primary", "primary", "secondary")
    published[forced & closed] = np.nan
    status[~closed] = "pending"
    published[~closed] = np.nan
    out = cube.assign(published=published, status=status)
    new = out[closed & ~fixed & ~forced & np.isin(status, ["published", "rounded", *_WITHHELD])]
    return out, new[["area_code", "period", "status", "published"]]
