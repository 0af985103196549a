"""The release ledger's storage (decision 0031): the rounding window and shown-small flag of each rounded cell,
a ledger written before them still read, and extended in one transaction on the next write."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import numpy as np
import pandas as pd

from test_disclosure import long
from weerbaar.disclosure import DisclosureConfig, aggregate_cube
from weerbaar.ledger import LEDGER_COLUMNS, ReleaseLedger, protect_release

KEY = ("2022", "reports.drug_nuisance", "operational-reports")


def _old_ledger(path) -> None:
    """A ledger as decision 0013 wrote it: no window, no shown-small flag."""
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE released (division TEXT NOT NULL, indicator TEXT NOT NULL, lineage TEXT NOT NULL, "
        "area_code TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL, value REAL, released_on TEXT NOT NULL, "
        "PRIMARY KEY (division, indicator, lineage, area_code, period))"
    )
    rows = [("stad", "rounded", 40.0), ("X", "rounded", 15.0), ("Y", "rounded", 25.0), ("Z", "primary", None)]
    con.executemany(
        "INSERT INTO released VALUES (?, ?, ?, ?, '2025-06', ?, ?, '2025-08-01')",
        [(*KEY, a, s, v) for a, s, v in rows],
    )
    con.commit()
    con.close()


def test_a_ledger_written_before_the_windows_is_read_and_extended(tmp_path):
    path = tmp_path / "ledger.sqlite"
    _old_ledger(path)
    ledger = ReleaseLedger(path)
    old = ledger.load(*KEY)
    assert list(old.columns) == LEDGER_COLUMNS and len(old) == 4
    assert old["window_lo"].isna().all() and not old["sensitive"].any()
    # a later release reads the old rounded cells with the window of their published value
    parents = {"stad": None, "X": "stad", "Y": "stad", "Z": "stad"}
    cube = aggregate_cube(long({"X": [14, 9], "Y": [24, 30], "Z": [3, 12]}, ["2025-06", "2025-07"]), parents)
    prot, new = protect_release(
        cube, parents, DisclosureConfig(), previous=old, as_of=date(2025, 9, 1), round_published=True,
        rounded_protection=True,
    )
    june = prot[prot["period"] == "2025-06"].set_index("area_code")
    assert june.loc[["stad", "X", "Y"], "published"].tolist() == [40.0, 15.0, 25.0]
    assert (june.loc[["stad", "X", "Y"], "status"] == "rounded").all()
    assert np.isnan(june.at["Z", "published"]) and june.at["Z", "status"] == "primary"
    assert set(new["period"]) == {"2025-07"}
    # the next write adds the columns and keeps the old rows as they were
    assert ledger.record(*KEY, new, date(2025, 9, 1)) == len(new)
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(released)")}
    assert {"window_lo", "window_hi", "sensitive"} <= cols
    both = ledger.load(*KEY).set_index(["area_code", "period"])
    assert len(both) == 4 + len(new)
    assert np.isnan(both.at[("X", "2025-06"), "window_lo"]) and both.at[("X", "2025-06"), "value"] == 15.0


def test_windows_and_shown_small_flags_round_trip(tmp_path):
    ledger = ReleaseLedger(tmp_path / "ledger.sqlite")
    parents = {"stad": None, "X": "stad", "Y": "stad", "Z": "stad"}
    cube = aggregate_cube(long({"X": [1], "Y": [13], "Z": [9]}, ["2025-06"]), parents)
    prot, new = protect_release(
        cube, parents, DisclosureConfig(), previous=None, as_of=date(2025, 8, 1), round_published=True,
        rounded_protection=True,
    )
    ledger.record(*KEY, new, date(2025, 8, 1))
    got = ledger.load(*KEY).set_index("area_code")
    want = new.set_index("area_code")
    for c in ("window_lo", "window_hi"):
        pd.testing.assert_series_equal(got[c], want[c].astype(float), check_names=False, check_like=True)
    assert got["sensitive"].to_dict() == want["sensitive"].astype(bool).to_dict()
    assert got.at["X", "status"] == "rounded"  # a 1 shown as 0 is kept as a small count, window [0, 2]
    assert (got.at["X", "window_lo"], got.at["X", "window_hi"], got.at["X", "sensitive"]) == (0.0, 2.0, True)
    assert got.loc[got["status"] == "rounded", "window_hi"].notna().all()
    # recording the same cells again changes nothing
    assert ledger.record(*KEY, new, date(2025, 8, 2)) == 0


def test_two_writers_extending_an_old_ledger_at_once(tmp_path):
    """Both find the columns missing; the transaction lets one add them and the other find them there."""
    path = tmp_path / "ledger.sqlite"
    _old_ledger(path)
    cells = pd.DataFrame(
        {"area_code": ["A", "B"], "period": ["2025-07"] * 2, "status": ["rounded", "published"],
         "published": [5.0, 12.0], "window_lo": [3.0, np.nan], "window_hi": [7.0, np.nan], "sensitive": [True, False]}
    )
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            ReleaseLedger(path).record("2022", f"ind{i}", "src", cells, date(2025, 9, 1))
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in range(4):
        got = ReleaseLedger(path).load("2022", f"ind{i}", "src").set_index("area_code")
        assert got.at["A", "window_hi"] == 7.0 and bool(got.at["A", "sensitive"])
    assert len(ReleaseLedger(path).load(*KEY)) == 4
