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

__all__ = ["LEDGER_COLUMNS", "ReleaseLedger", "period_end", "protect_release"]

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


#: The ledger's columns beyond the key, oldest first: the rounding window and the shown-small flag came
#: with decision 0031. A ledger written before lacks them; it is read as it is (windows from the
#: published value, no shown-small cells, which the earlier rule never made) and extended on the next write.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "TEXT NOT NULL"),
    ("value", "REAL"),
    ("released_on", "TEXT NOT NULL"),
    ("window_lo", "REAL"),
    ("window_hi", "REAL"),
    ("sensitive", "INTEGER NOT NULL DEFAULT 0"),
)
_KEY = ("division", "indicator", "lineage", "area_code", "period")
#: What ``load`` returns (and ``protect_release`` takes as ``previous``).
LEDGER_COLUMNS = ["area_code", "period", "status", "value", "window_lo", "window_hi", "sensitive"]


class ReleaseLedger:
    """What was released of each about-persons count: (division, indicator, lineage, area, period) ->
    status, published value and, for a cell published rounded, the window it is known to lie in and
    whether it was a small count shown rounded (which stays sensitive in every later release)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        cols = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
        con.execute(
            "CREATE TABLE IF NOT EXISTS released (division TEXT NOT NULL, indicator TEXT NOT NULL, "
            f"lineage TEXT NOT NULL, area_code TEXT NOT NULL, period TEXT NOT NULL, {cols}, "
            "PRIMARY KEY (division, indicator, lineage, area_code, period))"
        )
        return con

    @staticmethod
    def _columns(con: sqlite3.Connection) -> set[str]:
        return {str(row[1]) for row in con.execute("PRAGMA table_info(released)")}

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Add the columns a ledger of an earlier version lacks, in one transaction (two writers: the
        second waits for the first and then finds nothing to add)."""
        if {name for name, _ in _COLUMNS} <= self._columns(con):
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            have = self._columns(con)
            for name, kind in _COLUMNS:
                if name not in have:
                    con.execute(f"ALTER TABLE released ADD COLUMN {name} {kind}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def load(self, division: str, indicator: str, lineage: str) -> pd.DataFrame:
        """The released cells of one series: area_code, period, status, value, window_lo, window_hi (NaN
        when not stored: derive them from the value) and sensitive. One SELECT, so one consistent
        state even while another process records; a ledger of an earlier version is read as it is."""
        if not self.path.exists():
            return pd.DataFrame(columns=LEDGER_COLUMNS)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            have = self._columns(con)
            if not have:
                return pd.DataFrame(columns=LEDGER_COLUMNS)
            select = [c if c in have else f"NULL AS {c}" for c in LEDGER_COLUMNS]
            rows = con.execute(
                f"SELECT {', '.join(select)} FROM released WHERE division = ? AND indicator = ? AND lineage = ?",
                (division, indicator, lineage),
            ).fetchall()
        finally:
            con.close()
        out = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
        for c in ("value", "window_lo", "window_hi"):
            out[c] = pd.to_numeric(out[c]).astype(float)
        out["sensitive"] = out["sensitive"].fillna(0).astype(bool)
        return out

    def record(self, division: str, indicator: str, lineage: str, cells: pd.DataFrame, released_on: date) -> int:
        """Add newly released cells (area_code, period, status, published, and optionally window_lo,
        window_hi, sensitive); cells already there are kept as they were. Returns the number added."""
        if cells.empty:
            return 0
        n = len(cells)
        nan = pd.Series(np.nan, index=cells.index)
        lo = pd.to_numeric(cells.get("window_lo", nan)).astype(float)
        hi = pd.to_numeric(cells.get("window_hi", nan)).astype(float)
        sens = cells.get("sensitive", pd.Series(False, index=cells.index)).fillna(False).astype(bool)
        names = [*_KEY, *(name for name, _ in _COLUMNS)]
        con = self._connect()
        try:
            self._migrate(con)
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.executemany(
                    f"INSERT OR IGNORE INTO released ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                    zip(
                        repeat(division, n),
                        repeat(indicator, n),
                        repeat(lineage, n),
                        cells["area_code"].astype(str).tolist(),
                        cells["period"].astype(str).tolist(),
                        cells["status"].astype(str).tolist(),
                        _nullable(cells["published"]),
                        repeat(released_on.isoformat(), n),
                        _nullable(lo),
                        _nullable(hi),
                        [int(x) for x in sens.tolist()],
                        strict=True,
                    ),
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return cur.rowcount
        finally:
            con.close()


def _nullable(values: pd.Series) -> list[float | None]:
    return [None if np.isnan(v) else v for v in pd.to_numeric(values).astype(float).tolist()]


def protect_release(
    cube: pd.DataFrame,
    parents: Mapping[str, str | None],
    config: DisclosureConfig,
    *,
    previous: pd.DataFrame | None,
    as_of: date,
    delay_days: int = 31,
    round_published: bool | np.ndarray = False,
    rounded_protection: bool = False,
    release_order: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Protect one release of an about-persons cube, respecting what earlier releases published.

    ``cube``: area_code, period, value (as ``aggregate_cube`` returns, one indicator);
    ``previous``: the ledger's cells (``LEDGER_COLUMNS``; the window and sensitive columns may be
    absent) or None. ``round_published``: rows (or all) whose published values are rounded to a
    multiple of ``config.base`` (open submissions). ``rounded_protection``: protect those rows knowing
    they are published rounded (decision 0028: small counts 1 and 4 shown as 0 and 5, rectangles through
    the rounding windows); otherwise they are protected as if exact and rounded afterwards (0013).
    ``release_order``: per row, the order in which complements are tried for publication again
    (``protect``: complements published again, decision 0034); NaN or None: not tried.

    In both ways a cell an earlier release showed rounded enters the problem as known only within the
    window it was shown with (its value, clipped to that window), and one that was then a small count
    stays sensitive: its protection interval is certified in every later release as a withheld cell's.

    Returns (protected cube with ``published`` and ``status``, the cells to add to the ledger: area_code,
    period, status, published, window_lo, window_hi, sensitive). Status ``pending``: the period has not
    ended ``delay_days`` before ``as_of``.
    """
    cube = cube.reset_index(drop=True)
    n = len(cube)
    ends = {p: period_end(p) for p in cube["period"].unique()}
    closed = cube["period"].map(lambda p: ends[p] + timedelta(days=delay_days) <= as_of).to_numpy(dtype=bool)
    values = pd.to_numeric(cube["value"], errors="coerce").to_numpy(dtype=float).copy()
    key = cube["area_code"].astype(str) + "\x1f" + cube["period"].astype(str)
    fixed = np.zeros(n, dtype=bool)
    forced = np.zeros(n, dtype=bool)
    was_rounded = np.zeros(n, dtype=bool)
    kept_small = np.zeros(n, dtype=bool)
    frozen = np.full(n, np.nan)
    win_lo = np.full(n, np.nan)
    win_hi = np.full(n, np.nan)
    base = float(config.base)
    if previous is not None and len(previous):
        prev = previous.assign(key=previous["area_code"].astype(str) + "\x1f" + previous["period"].astype(str))
        prev = prev.set_index("key")
        st = pd.Series(key.map(prev["status"]).to_numpy(dtype=object))
        pv = key.map(prev["value"]).to_numpy(dtype=float)
        was_published = st.isin(["published", "rounded"]).to_numpy()
        was_rounded = (st == "rounded").to_numpy()
        forced = st.isin(_WITHHELD).to_numpy()
        fixed = was_published
        frozen = np.where(was_published, pv, np.nan)
        # a rounded cell is known within the window it was shown with (stored; else from its value)
        lo_of = prev["window_lo"] if "window_lo" in prev else pd.Series(np.nan, index=prev.index)
        hi_of = prev["window_hi"] if "window_hi" in prev else pd.Series(np.nan, index=prev.index)
        r_lo, r_hi = np.maximum(pv - base // 2, 0.0), pv + (base - 1) // 2
        win_lo = np.where(was_rounded, _fill(key.map(lo_of).to_numpy(dtype=float), r_lo), np.nan)
        win_hi = np.where(was_rounded, _fill(key.map(hi_of).to_numpy(dtype=float), r_hi), np.nan)
        if "sensitive" in prev:
            kept_small = was_rounded & key.map(prev["sensitive"]).fillna(False).to_numpy(dtype=bool)
        # the attacker knows the value published then: exactly, or within its window
        exact = was_published & ~was_rounded & ~np.isnan(pv)
        values = np.where(exact, pv, values)
        values = np.where(was_rounded, np.clip(values, win_lo, win_hi), values)
    values = np.where(closed, values, np.nan)  # pending periods take no part
    rmask = np.broadcast_to(np.asarray(round_published, dtype=bool), (n,))
    fresh_rounded = rmask & ~fixed & ~forced if rounded_protection else np.zeros(n, dtype=bool)
    work = cube.assign(value=values)
    prot = protect(
        work,
        parents,
        config,
        fixed=fixed & closed,
        forced=forced & closed,
        rounded=(was_rounded | fresh_rounded) & closed,
        window=(win_lo, win_hi),
        sensitive=kept_small & closed,
        release_order=release_order,
    )
    status = prot["status"].to_numpy(dtype=object).copy()
    published = prot["published"].to_numpy(dtype=float).copy()
    if not rounded_protection:
        fresh = closed & ~fixed & ~forced & (status == "published") & rmask
        if fresh.any():
            published[fresh] = np.floor(published[fresh] / base + 0.5) * base
            status[fresh] = "rounded"
    published[fixed & closed] = frozen[fixed & closed]
    # a frozen rounded value stays "rounded"
    status[was_rounded & closed] = "rounded"
    # withheld by an earlier release: withheld in every mode (rounding would give it back within 2)
    status[forced & closed] = np.where(status[forced & closed] == "primary", "primary", "secondary")
    published[forced & closed] = np.nan
    status[~closed] = "pending"
    published[~closed] = np.nan
    out = cube.assign(published=published, status=status)
    # what the ledger keeps of a cell released now: a rounded one's window, and whether it is a small count
    shown_r = status == "rounded"
    lo_new = np.where(shown_r, np.maximum(published - base // 2, 0.0), np.nan)
    hi_new = np.where(shown_r, published + (base - 1) // 2, np.nan)
    small = (values > 0) & (values < config.threshold)
    new_rows = closed & ~fixed & ~forced & np.isin(status, ["published", "rounded", *_WITHHELD])
    new = out.assign(window_lo=lo_new, window_hi=hi_new, sensitive=shown_r & small)[new_rows]
    return out, new[["area_code", "period", "status", "published", "window_lo", "window_hi", "sensitive"]]


def _fill(values: np.ndarray, default: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), default, values)
