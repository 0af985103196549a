"""The read model's plumbing: the warehouse it reads, the disclosure settings, the cache per warehouse version.

Every part of ``weerbaar.public.PublicData`` builds on this class. The warehouse is opened read-only for each
cache miss and closed again; the caches are dropped when the warehouse file changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import settings
from ..disclosure import DisclosureConfig
from ..errors import NotBuiltError
from ..ledger import ReleaseLedger
from ..pipeline import warehouse_path
from ..warehouse import Warehouse

if TYPE_CHECKING:
    import pandas as pd


class ReadModelBase:
    """The state and cache every part of the read model shares (``PublicData`` is this plus its parts)."""

    if TYPE_CHECKING:
        # The parts call one another through ``self`` (``PublicData`` joins them): the methods one part uses from
        # another, declared for the type checker only; each part's own definition is the one that runs.
        def meta(self) -> dict: ...
        def division(self, division: str | None) -> str: ...
        def level(self, division: str, level: str) -> str: ...
        def areas(self, division: str) -> pd.DataFrame: ...
        def catalogue(self) -> pd.DataFrame: ...
        def indicator(self, indicator: str, division: str) -> pd.Series: ...
        def cube(self, division: str, indicator: str) -> pd.DataFrame: ...
        def table(self, division: str, indicator: str, level: str, kind: str = "year") -> pd.DataFrame: ...

    def __init__(
        self, home: Path | None = None, *, disclosure: DisclosureConfig | None = None, as_of: date | None = None
    ) -> None:
        self.home = Path(home) if home else None
        self.path = warehouse_path(home)
        self.disclosure = disclosure or DisclosureConfig(
            threshold=int(settings.get("disclosure_threshold")),
            mode=str(settings.get("disclosure_mode")),
            protection=max(int(settings.get("disclosure_protection")), 1),
        )
        #: release date of about-persons counts (today unless given: tests and back-dated reports)
        self.as_of = as_of
        self.delay_days = int(settings.get("disclosure_delay_days"))
        #: what earlier releases published of counts about persons (survives rebuilds of the warehouse)
        self.ledger = ReleaseLedger(self.path.parent / "disclosure-ledger.sqlite")
        self._cache: dict[tuple, Any] = {}
        self._stamp: tuple | None = None
        self._checked = 0.0
        self._lock = threading.RLock()
        #: called (in a background thread) when the warehouse file changed under a running reader
        self.on_change: Callable[[], None] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def _current_stamp(self) -> tuple:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise NotBuiltError(
                "There is no warehouse to show.",
                received=str(self.path),
                expected="a built warehouse",
                fix="run `weerbaar build`, or `weerbaar serve` (it builds the default when missing)",
            ) from None
        return (st.st_mtime_ns, st.st_size)

    @contextmanager
    def _wh(self):
        wh = Warehouse.open(self.path, read_only=True)
        try:
            yield wh
        finally:
            wh.close()

    def _fresh(self) -> None:
        """Drop every cached value when the warehouse file has changed (a rebuild or a new result).

        The file is looked at most once a second: a page reads hundreds of cached values."""
        now = time.monotonic()
        if self._stamp is not None and now - self._checked < 1.0:
            return
        self._checked = now
        stamp = self._current_stamp()
        if stamp != self._stamp:
            changed = False
            with self._lock:
                if stamp != self._stamp:
                    changed = self._stamp is not None
                    self._cache = {}
                    self._stamp = stamp
            if changed and self.on_change is not None:
                # e.g. the web app protects the new cubes in the background at once, not at the next request
                threading.Thread(target=self.on_change, name="weerbaar-rewarm", daemon=True).start()

    def version(self) -> tuple:
        """The warehouse version the caches belong to (changes with every rebuild or stored result)."""
        self._fresh()
        assert self._stamp is not None  # set by _fresh (or it raised)
        return self._stamp

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The value for ``key``, made once per warehouse version (thread-safe)."""
        self._fresh()
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]
