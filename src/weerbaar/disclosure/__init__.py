"""Statistical disclosure control for the counts the public dashboard and API show.

Counts of events (police registrations, citizen reports) per area and period are published only
when no small number of people can be learnt from them, directly or by subtraction:

* ``aggregate_cube`` builds the full table of counts over the area hierarchy and the period
  hierarchy (month, quarter, half, year) from what the sources give;
* ``protect`` marks every cell ``published``, ``primary`` (a count from 1 to threshold - 1),
  ``secondary`` (withheld so that no primary cell can be recovered from totals and the other
  cells), ``missing``, or ``rounded`` (mode "round": every count rounded to a multiple of 5);
* ``suppress_derived`` withholds rates and other figures computed from a withheld count;
* ``status_label`` gives the public text of a status (primary and secondary look the same).

The method and its validation are in ``docs/methods/disclosure.md``, the choice of what is
protected in ``docs/decisions/0007-disclosure-control.md``.

Modules: ``config`` (settings, statuses, labels), ``cube`` (the table of counts), ``equations``
(the attacker's additive equations), ``secondary`` (fixed point), ``intervals`` (rectangles and
protection intervals), ``pruning`` (complements published again where the exact attacker allows it),
``protection`` (``protect`` and ``suppress_derived``).
"""

from __future__ import annotations

from .config import MODES, STATUSES, SUPPRESSED_LABEL, DisclosureConfig, status_label
from .cube import aggregate_cube
from .protection import protect, suppress_derived

__all__ = [
    "DisclosureConfig",
    "MODES",
    "STATUSES",
    "SUPPRESSED_LABEL",
    "aggregate_cube",
    "protect",
    "suppress_derived",
    "status_label",
]
